"""Admin: the deployment roles are configured here; everything else is read-only (writes go through services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.core.admin import AuditedAdmin
from frontline.dispatch.models import (
    Campaign,
    Deployment,
    DeploymentRole,
    MatchingRun,
    RequesterLink,
    ResponsibilityAssignment,
)


@admin.register(DeploymentRole)
class DeploymentRoleAdmin(AuditedAdmin):
    list_display = ("code", "name", "post_kinds", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    search_fields = ("code", "name")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "organizing_unit", "start_date", "end_date", "status")
    list_filter = ("status",)
    list_select_related = ("organizing_unit",)
    search_fields = ("name",)


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "post", "role", "start_date", "ended_on", "status", "is_full_time", "source")
    list_filter = ("status", "is_full_time", "source", "role")
    list_select_related = ("cadre", "post", "role")
    search_fields = ("cadre__name", "post__name")
    raw_id_fields = ("cadre", "post", "campaign", "working_group", "previous", "matching_run")


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "campaign", "status", "progress", "created_at", "approved_at")
    list_filter = ("status",)
    list_select_related = ("campaign",)
    exclude = ("result",)


@admin.register(ResponsibilityAssignment)
class ResponsibilityAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("post", "level", "cadre", "campaign", "start_date", "end_date", "ended_on")
    list_filter = ("level",)
    list_select_related = ("post", "cadre", "campaign")
    search_fields = ("cadre__name", "post__name")


@admin.register(RequesterLink)
class RequesterLinkAdmin(ReadOnlyAdmin):
    list_display = ("post", "unit", "submissions", "rotated_at")
    list_select_related = ("post", "unit")
    search_fields = ("post__name",)
    exclude = ("token",)
