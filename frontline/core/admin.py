from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest

from frontline.core.audit import audit
from frontline.core.models import AuditAction, AuditLog, Role, User


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Admin edits write Frontline audit rows; the admin view's transaction covers both."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {name: (None, "…") for name in form.changed_data if "password" not in name}
        actor = request.user if isinstance(request.user, User) else None
        audit(
            actor=actor,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            changes=changed,
            note="admin",
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        actor = request.user if isinstance(request.user, User) else None
        audit(actor=actor, action=AuditAction.DELETE, obj=obj, note="admin")
        super().delete_model(request, obj)


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    list_display = ("code", "name", "scope", "can_edit", "can_import", "can_export", "can_view_sensitive", "can_audit")


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):  # type: ignore[misc]
    list_display = ("username", "full_name", "unit", "is_active", "is_staff")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Frontline", {"fields": ("full_name", "unit", "roles")}))


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    """Read-only: audit rows are never edited or deleted through the admin."""

    list_display = ("created_at", "actor_name", "action", "object_type", "object_repr", "ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_repr", "note")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False
