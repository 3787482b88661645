"""The REST API (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

import copy
import time
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import HttpBearer, django_auth

from frontline.core.access import access_for
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import ApiToken, User
from frontline.core.services import api_token_user

# A client that sends many requests (an app posting problems) would spend two or three queries of
# each on the same token, user, unit, roles and cadre record; each process keeps them for
# API_AUTH_CACHE_SECONDS (setting, default 5; 0 turns it off). Revoking a token drops it at once
# in the process that revoked it; elsewhere a revocation, an expiry or a change of the user's
# roles, unit or active flag takes effect within that time.
_PRINCIPALS_MAX = 10_000
_principals: dict[str, tuple[float, User]] = {}


def bearer_user(key: str) -> User | None:
    """Return the user behind a bearer key (see `api_token_user`), with access and cadre loaded.

    Each call gets its own copy, so that what a request caches on its user stays in that request.
    """
    seconds = float(getattr(settings, "API_AUTH_CACHE_SECONDS", 5))
    key_hash = ApiToken.hash(key)
    now = time.monotonic()
    cached = _principals.get(key_hash)
    if cached is not None and now - cached[0] < seconds:
        return copy.copy(cached[1])
    user = api_token_user(key=key)
    if user is None or seconds <= 0:
        _principals.pop(key_hash, None)
        return user
    access_for(user)  # roles, kept on the instance
    hasattr(user, "cadre")  # the cadre record or its absence, kept on the instance
    if len(_principals) >= _PRINCIPALS_MAX:
        _principals.clear()
    _principals[key_hash] = (now, user)
    return copy.copy(user)


def bearer_forget(key: str) -> None:
    """Drop a key from this process's cache (after revoking it)."""
    _principals.pop(ApiToken.hash(key), None)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = bearer_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Frontline API",
    version="1",
    description="一线 Frontline: cadre deployment campaigns. Log in at POST /auth/token, then send "
    "`Authorization: Bearer <token>`. Every list is paginated (`limit`, `offset`) and returns `count`. "
    "Errors are `{detail, code}`: 400 bad input, 403 not allowed, 404 out of scope, 409 a stale `version` "
    '("conflict") or an object whose state refuses the write (a locked appraisal period: "locked", a frozen '
    'scheme: "frozen", a period being computed: "busy"), 429 too many failed logins ("too_many_attempts").',
    urls_namespace="api",
    auth=[BearerAuth(), django_auth],
)


@api.exception_handler(ConflictError)
def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "code": exc.code, **exc.extra}, status=409)


# Business-rule codes that mean something other than "bad input": the caller may not (403), the
# state of the object refuses the write (409: a locked appraisal period, a frozen scheme, a
# period being computed, a protected row), or the caller must wait (429: the login lockout after repeated failures).
_STATUS_BY_CODE = {
    "forbidden": 403,
    "not_found": 404,
    "locked": 409,
    "frozen": 409,
    "busy": 409,
    "protected": 409,
    "too_many_attempts": 429,
}


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
    from frontline.appraisal.api import router as appraisal_router
    from frontline.cadres.api import router as cadres_router
    from frontline.core.api import router as auth_router
    from frontline.dispatch.api import router as dispatch_router
    from frontline.excel.api import router as excel_router
    from frontline.ledger.api import router as ledger_router
    from frontline.org.api import router as org_router
    from frontline.posts.api import router as posts_router
    from frontline.talent.api import router as talent_router

    api.add_router("/auth", auth_router)
    api.add_router("/", org_router)
    api.add_router("/cadres", cadres_router)
    api.add_router("/posts", posts_router)
    api.add_router("/imports", excel_router)
    api.add_router("/", dispatch_router)
    api.add_router("/", ledger_router)
    api.add_router("/", appraisal_router)
    api.add_router("/", talent_router)


_register()
