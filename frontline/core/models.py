"""Users, roles with data scopes, API tokens, login attempts and the audit log."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    ALL = "all", _("全部")
    SUBTREE = "subtree", _("本单位及下级")
    NODE = "node", _("仅本单位")
    OWN = "own", _("仅本人")


# Wider scopes first: a user with several roles gets the widest one.
SCOPE_WIDTH = {DataScope.ALL: 3, DataScope.SUBTREE: 2, DataScope.NODE: 1, DataScope.OWN: 0}


class Role(models.Model):
    """A named set of permissions with the data scope it applies to."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    scope = models.CharField(_("数据范围"), max_length=16, choices=DataScope.choices, default=DataScope.OWN)
    can_edit = models.BooleanField(_("可编辑干部和阵地"), default=False)
    can_import = models.BooleanField(_("可导入"), default=False)
    can_export = models.BooleanField(_("可导出"), default=False)
    can_view_sensitive = models.BooleanField(_("可查看完整身份证号和手机号"), default=False)
    can_audit = models.BooleanField(_("可查看审计日志"), default=False)
    can_admin_org = models.BooleanField(_("可维护区划和单位"), default=False)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.name)


class User(AbstractUser):
    """A person who logs in; belongs to one unit (organization node) and has roles."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), blank=True, related_name="users")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        """Create a token for `user` and return it with the plain key (shown once)."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=cls.hash(key),
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        return token, key


class LoginAttempt(models.Model):
    """One login attempt, by page or API, for lockout and the audit trail."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    success = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("登录尝试")
        verbose_name_plural = _("登录尝试")
        indexes = [models.Index(fields=["ip", "created_at"], name="loginattempt_ip_time_idx")]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {'ok' if self.success else 'failed'}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    VIEW_SENSITIVE = "view_sensitive", _("查看敏感信息")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    TOKEN = "token", _("签发令牌")


class AuditLog(models.Model):
    """Who did what to which object, with old and new values, when and from where."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
