"""API login: exchange a username and password for a bearer token; revoke it; who am I."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from frontline.core.access import access_for
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.core.services import api_token_issue, api_token_revoke, user_authenticate

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ErrorOut(Schema):
    detail: str
    code: str


class MeOut(Schema):
    username: str
    full_name: str
    unit_id: int | None
    unit_name: str | None
    scope: str
    can_edit: bool
    can_import: bool
    can_export: bool
    can_view_sensitive: bool
    can_audit: bool


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """Return a bearer token for valid credentials; repeated failures lock the account and address (429)."""
    try:
        user = user_authenticate(request=request, username=payload.username, password=payload.password)
    except ApplicationError as exc:
        return Status(429 if exc.code == "too_many_attempts" else 401, {"detail": exc.message, "code": exc.code})
    token, key = api_token_issue(user=user)
    return Status(200, {"token": key, "expires_at": token.expires_at})


@router.delete("/token", response={204: None})
def token_revoke(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and isinstance(request.user, User):
        from frontline.api import bearer_forget

        api_token_revoke(user=request.user, key=header[7:].strip())
        bearer_forget(header[7:].strip())
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    """Return the signed-in user, their unit and the data scope of their roles."""
    user = request.user
    assert isinstance(user, User)
    access = access_for(user)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit_id": user.unit_id,
        "unit_name": user.unit.name if user.unit else None,
        "scope": access.scope,
        "can_edit": access.can_edit,
        "can_import": access.can_import,
        "can_export": access.can_export,
        "can_view_sensitive": access.can_view_sensitive,
        "can_audit": access.can_audit,
    }
