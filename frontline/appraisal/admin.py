"""Admin of the appraisal (audited). Rows of a locked period are read-only here as everywhere: its
scores, adjustments, flags and project assessments never change; a frozen scheme likewise."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.appraisal.models import (
    AppraisalDimension,
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    DimensionInput,
    Inspection,
    IntegrityFlag,
    PerformanceNote,
    ProjectAssessment,
    ScoreAdjustment,
    StakeholderRating,
    Suggestion,
    locked_period_covering,
)
from frontline.core.admin import AuditedAdmin


def _in_locked_period(campaign_id: int, day: Any) -> bool:
    """Return whether a locked period of the campaign covers the day (its evidence is then fixed)."""
    return locked_period_covering(campaign_id=campaign_id, day=day) is not None


class LockableAdmin(AuditedAdmin):
    """Read-only (no change, no delete) for an object that `is_locked` says is fixed."""

    def is_locked(self, obj: Any) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_locked(obj):
            return False
        return super().has_delete_permission(request, obj)


class ComputedAdmin(LockableAdmin):
    """Rows made by computing or reviewing a period: never added by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DimensionInline(admin.TabularInline[AppraisalDimension, AppraisalScheme]):
    model = AppraisalDimension
    extra = 0


@admin.register(AppraisalScheme)
class AppraisalSchemeAdmin(LockableAdmin):
    list_display = ("name", "version_number", "campaign", "frozen", "updated_at")
    list_filter = ("frozen",)
    list_select_related = ("campaign",)
    search_fields = ("name", "campaign__name")
    raw_id_fields = ("campaign", "previous")
    readonly_fields = ("frozen",)
    inlines = [DimensionInline]

    def is_locked(self, obj: AppraisalScheme) -> bool:
        return obj.frozen


class InputInline(admin.TabularInline[DimensionInput, AppraisalDimension]):
    model = DimensionInput
    extra = 0


@admin.register(AppraisalDimension)
class AppraisalDimensionAdmin(LockableAdmin):
    list_display = ("name", "code", "weight", "scheme", "sort_order")
    list_select_related = ("scheme",)
    raw_id_fields = ("scheme",)
    inlines = [InputInline]

    def is_locked(self, obj: AppraisalDimension) -> bool:
        return obj.scheme.frozen


@admin.register(AppraisalPeriod)
class AppraisalPeriodAdmin(ComputedAdmin):
    list_display = ("__str__", "kind", "start_date", "end_date", "status", "progress_done", "progress_total")
    list_filter = ("status", "kind")
    list_select_related = ("scheme", "scheme__campaign")
    raw_id_fields = ("scheme",)
    readonly_fields = ("status",)

    def is_locked(self, obj: AppraisalPeriod) -> bool:
        return obj.is_locked


@admin.register(CadreScore)
class CadreScoreAdmin(ComputedAdmin):
    list_display = ("cadre", "period", "total", "rank", "rank_in_group", "band")
    list_filter = ("band",)
    list_select_related = ("cadre", "period", "period__scheme", "period__scheme__campaign")
    search_fields = ("cadre__name",)
    raw_id_fields = ("period", "cadre", "role", "post", "home_unit")
    show_full_result_count = False

    def is_locked(self, obj: CadreScore) -> bool:
        return obj.period.is_locked


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(ComputedAdmin):
    list_display = ("score", "old_total", "new_total", "reason", "actor", "created_at")
    list_select_related = ("score", "actor")
    raw_id_fields = ("score", "actor")

    def is_locked(self, obj: ScoreAdjustment) -> bool:
        return obj.score.period.is_locked


@admin.register(IntegrityFlag)
class IntegrityFlagAdmin(ComputedAdmin):
    list_display = ("cadre", "period", "kind", "status", "reviewed_at")
    list_filter = ("kind", "status")
    list_select_related = ("cadre", "period", "period__scheme", "period__scheme__campaign")
    raw_id_fields = ("period", "cadre")

    def is_locked(self, obj: IntegrityFlag) -> bool:
        return obj.period.is_locked


@admin.register(ProjectAssessment)
class ProjectAssessmentAdmin(ComputedAdmin):
    list_display = ("post", "period", "progress_score", "quality_score", "service_score", "total", "rank", "red_flag")
    list_filter = ("red_flag",)
    list_select_related = ("post", "period", "period__scheme", "period__scheme__campaign")
    raw_id_fields = ("period", "post")

    def is_locked(self, obj: ProjectAssessment) -> bool:
        return obj.period.is_locked


@admin.register(Inspection)
class InspectionAdmin(LockableAdmin):
    list_display = ("cadre", "campaign", "inspected_on", "task_completion", "enterprise_evaluation", "ledger_check")
    list_filter = ("unannounced",)
    list_select_related = ("cadre", "campaign")
    raw_id_fields = ("campaign", "cadre", "inspector")

    def is_locked(self, obj: Inspection) -> bool:
        return _in_locked_period(obj.campaign_id, obj.inspected_on)


@admin.register(StakeholderRating)
class StakeholderRatingAdmin(LockableAdmin):
    list_display = ("cadre", "campaign", "rater_kind", "score", "rated_on")
    list_filter = ("rater_kind",)
    list_select_related = ("cadre", "campaign")
    raw_id_fields = ("campaign", "cadre")

    def is_locked(self, obj: StakeholderRating) -> bool:
        return _in_locked_period(obj.campaign_id, obj.rated_on)


@admin.register(Suggestion)
class SuggestionAdmin(AuditedAdmin):
    list_display = ("title", "cadre", "submitted_at", "adopted", "adopted_at")
    list_filter = ("adopted",)
    list_select_related = ("cadre",)
    raw_id_fields = ("cadre",)


@admin.register(PerformanceNote)
class PerformanceNoteAdmin(AuditedAdmin):
    list_display = ("cadre", "entry_key", "text", "created_at")
    list_select_related = ("cadre",)
    raw_id_fields = ("cadre",)
