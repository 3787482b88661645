"""Configuration of the ledger through Django's admin (audited): the category taxonomy, deadline
policies and the owners of each escalation level. Problems change only through the workflow."""

from django.contrib import admin
from django.http import HttpRequest

from frontline.core.admin import AuditedAdmin
from frontline.ledger.models import (
    DeadlinePolicy,
    EnterprisePlan,
    EscalationOwner,
    PlanMeasure,
    Problem,
    ProblemAttachment,
    ProblemCategory,
)


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(AuditedAdmin):
    list_display = ("code", "name", "difficulty_weight", "is_complex", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    search_fields = ("code", "name")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedAdmin):
    list_display = ("category", "level", "handover_days", "feedback_days", "resolve_days")
    list_select_related = ("category",)


@admin.register(EscalationOwner)
class EscalationOwnerAdmin(AuditedAdmin):
    list_display = ("unit", "level", "user")
    list_select_related = ("unit", "user")
    raw_id_fields = ("unit", "user")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    """Read-only: a problem's state changes only through the workflow service, which audits it."""

    list_display = ("tracking_code", "title", "status", "department", "is_overdue", "created_at")
    list_filter = ("status", "is_overdue", "closed_without_confirmation")
    search_fields = ("tracking_code", "title")
    list_select_related = ("department",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Problem | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Problem | None = None) -> bool:
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Changes go through the ledger's services (scope, version, audit); the admin only looks."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProblemAttachment)
class ProblemAttachmentAdmin(_ReadOnlyAdmin):
    list_display = ("original_name", "problem", "content_type", "size", "public", "created_at")
    list_select_related = ("problem",)
    exclude = ("file",)  # never a link to the stored file: downloads go through the scoped view
    show_full_result_count = False


class PlanMeasureInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlanMeasure
    fields = ("position", "text", "department", "due_date", "status", "done_at")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EnterprisePlan)
class EnterprisePlanAdmin(_ReadOnlyAdmin):
    list_display = ("title", "post", "version", "updated_at")
    list_select_related = ("post",)
    search_fields = ("title", "post__name")
    inlines = (PlanMeasureInline,)
