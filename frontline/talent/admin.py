"""Admin: read-only views of the reserve pool, promotions and merits (writes go through the services,
which check scope, keep one open nomination per cadre and update the registry with an audit trail)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.talent.models import Merit, Promotion, ReservePoolEntry


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReservePoolEntry)
class ReservePoolEntryAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "basis", "status", "nominated_by", "nominated_at", "decided_by", "decided_at")
    list_filter = ("status", "basis")
    list_select_related = ("cadre", "nominated_by", "decided_by")
    search_fields = ("cadre__name", "reason")
    raw_id_fields = ("cadre", "campaign", "nominated_by", "decided_by")


@admin.register(Promotion)
class PromotionAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "kind", "to_position", "to_rank", "effective_on", "decision_body")
    list_filter = ("kind",)
    list_select_related = ("cadre",)
    search_fields = ("cadre__name", "to_position", "decision_body")
    raw_id_fields = ("cadre", "reserve_entry", "scores")


@admin.register(Merit)
class MeritAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "kind", "title", "awarded_on", "awarding_body")
    list_filter = ("kind",)
    list_select_related = ("cadre",)
    search_fields = ("cadre__name", "title", "awarding_body")
    raw_id_fields = ("cadre", "scores")
