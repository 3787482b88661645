"""Login with lockout, API tokens, and role assignment: the writes of the core app."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.middleware import client_ip
from frontline.core.models import ApiToken, AuditAction, LoginAttempt, User


def _failures_since_last_success(*, username: str, since: datetime) -> int:
    last_ok = (
        LoginAttempt.objects.filter(username=username, success=True, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    qs = LoginAttempt.objects.filter(username=username, success=False, created_at__gte=last_ok or since)
    return qs.count()


def login_is_locked(*, username: str, ip: str | None) -> bool:
    """Return True while the account name or the client address has too many recent failures."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    if _failures_since_last_success(username=username, since=since) >= settings.LOGIN_MAX_FAILURES:
        return True
    if ip is not None:
        ip_failures = LoginAttempt.objects.filter(ip=ip, success=False, created_at__gte=since).count()
        if ip_failures >= settings.LOGIN_MAX_FAILURES_PER_IP:
            return True
    return False


def user_authenticate(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check the credentials with lockout; record and audit the attempt either way.

    Unknown accounts and wrong passwords get the same message, so the reply reveals nothing.
    """
    username = (username or "").strip()
    ip = client_ip(request) if request is not None else None
    if login_is_locked(username=username, ip=ip):
        with transaction.atomic():
            LoginAttempt.objects.create(username=username, ip=ip, success=False)
            audit(actor=None, actor_name=username, action=AuditAction.LOGIN_FAILED, note="locked out")
        raise ApplicationError(
            _("登录失败次数过多，账号或来源地址已暂时锁定，请 %(minutes)d 分钟后再试。")
            % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            code="too_many_attempts",
        )
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        LoginAttempt.objects.create(username=username, ip=ip, success=user is not None)
        if user is None:
            audit(actor=None, actor_name=username, action=AuditAction.LOGIN_FAILED)
        else:
            assert isinstance(user, User)
            audit(actor=user, action=AuditAction.LOGIN, obj=user)
    if user is None:
        raise ApplicationError(_("用户名或密码错误。"), code="invalid_credentials")
    return user


def api_token_issue(*, user: User) -> tuple[ApiToken, str]:
    """Issue an API token for an authenticated user and audit it."""
    with transaction.atomic():
        token, key = ApiToken.issue(user)
        audit(
            actor=user,
            action=AuditAction.TOKEN,
            obj=user,
            note=f"token {token.pk} until {token.expires_at:%Y-%m-%d %H:%M}",
        )
    return token, key


def api_token_revoke(*, user: User, key: str) -> None:
    """Revoke the token with this key if it belongs to `user`."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(user=user, key_hash=ApiToken.hash(key), revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit(actor=user, action=AuditAction.UPDATE, obj=user, note="API token revoked")


def api_token_user(*, key: str) -> User | None:
    """Return the active user behind a bearer key, or None if unknown, expired or revoked."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
