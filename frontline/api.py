"""The REST API (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import HttpBearer, django_auth

from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import User
from frontline.core.services import api_token_user


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Frontline API",
    version="1",
    description="一线 Frontline: cadre deployment campaigns. Log in at POST /auth/token, then send "
    "`Authorization: Bearer <token>`. Every list is paginated (`limit`, `offset`) and returns `count`.",
    urls_namespace="api",
    auth=[BearerAuth(), django_auth],
)


@api.exception_handler(ConflictError)
def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "code": exc.code, **exc.extra}, status=409)


# Business-rule codes that mean something other than "bad input".
_STATUS_BY_CODE = {"locked": 429, "forbidden": 403, "protected": 409, "not_found": 404}


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    status = _STATUS_BY_CODE.get(exc.code, 400)
    body: dict[str, Any] = {"detail": exc.message, "code": exc.code, **exc.extra}
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input (wrong types, missing fields) gets the same 400 shape as business errors."""
    errors = {
        ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query")): e.get("msg", "")
        for e in exc.errors
    }
    body = {
        "detail": "请求数据格式不正确：" + "；".join(f"{k} {v}" for k, v in errors.items()),
        "code": "invalid",
        "errors": errors,
    }
    return api.create_response(request, body, status=400)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found", "code": "not_found"}, status=404)


def _register() -> None:
    from frontline.cadres.api import router as cadres_router
    from frontline.core.api import router as auth_router
    from frontline.dispatch.api import router as dispatch_router
    from frontline.excel.api import router as excel_router
    from frontline.ledger.api import router as ledger_router
    from frontline.org.api import router as org_router
    from frontline.posts.api import router as posts_router

    api.add_router("/auth", auth_router)
    api.add_router("/", org_router)
    api.add_router("/cadres", cadres_router)
    api.add_router("/posts", posts_router)
    api.add_router("/imports", excel_router)
    api.add_router("/", dispatch_router)
    api.add_router("/", ledger_router)


_register()
