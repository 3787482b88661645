"""API login: exchange a username and password for a bearer token; revoke it."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

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


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, object]]:
    """Return a bearer token for valid credentials; repeated failures lock the account and address."""
    from frontline.core.errors import ApplicationError

    try:
        user = user_authenticate(request=request, username=payload.username, password=payload.password)
    except ApplicationError as exc:
        return (429 if exc.code == "locked" else 401), {"detail": exc.message, "code": exc.code}
    token, key = api_token_issue(user=user)
    return 200, {"token": key, "expires_at": token.expires_at}


@router.delete("/token", response={204: None})
def token_revoke(request: HttpRequest) -> tuple[int, None]:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        api_token_revoke(user=request.user, key=header[7:].strip())  # type: ignore[arg-type]
    return 204, None
