"""Reads of appraisal data that depend on who asks; anything outside the user's scope is a 404.

Schemes and periods are visible to the users whose scope covers the campaign's organizing unit;
scores, evidence and performance records to the users whose scope covers the cadre (a cadre with
the "own" scope sees only their own). Everyone sees the scores of the cadre record linked to them.
Nothing here orders cadres by app usage, log-in time or check-ins: only by their scores.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from frontline.appraisal.models import (
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    FlagStatus,
    Inspection,
    IntegrityFlag,
    PerformanceNote,
    PeriodStatus,
    ProjectAssessment,
    StakeholderRating,
    Suggestion,
)
from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.access import access_for
from frontline.core.models import DataScope, User
from frontline.dispatch.models import Campaign
from frontline.dispatch.selectors import campaign_scope_q

# --- Schemes and periods -------------------------------------------------------------------------


def _campaign_ids(user: User) -> QuerySet[Campaign, Any]:
    return Campaign.objects.filter(campaign_scope_q(user)).values("pk")


def scheme_list(*, user: User, campaign_id: int | None = None) -> QuerySet[AppraisalScheme]:
    """Return the schemes of the campaigns the user may see, newest version first."""
    qs = AppraisalScheme.objects.filter(campaign__in=_campaign_ids(user)).select_related("campaign")
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def get_scheme_for_user(*, user: User, pk: int) -> AppraisalScheme:
    """Return the scheme or raise 404 when its campaign is outside the user's scope."""
    return get_object_or_404(scheme_list(user=user), pk=pk)


def scheme_dimensions(scheme: AppraisalScheme) -> list[Any]:
    """Return the scheme's dimensions with their inputs, in two queries."""
    return list(scheme.dimensions.prefetch_related("inputs"))


def period_list(
    *, user: User, campaign_id: int | None = None, scheme_id: int | None = None, status: str = ""
) -> QuerySet[AppraisalPeriod]:
    """Return the periods of the campaigns the user may see, latest first."""
    qs = AppraisalPeriod.objects.filter(scheme__campaign__in=_campaign_ids(user)).select_related(
        "scheme", "scheme__campaign"
    )
    if campaign_id:
        qs = qs.filter(scheme__campaign_id=campaign_id)
    if scheme_id:
        qs = qs.filter(scheme_id=scheme_id)
    if status in PeriodStatus.values:
        qs = qs.filter(status=status)
    return qs


def get_period_for_user(*, user: User, pk: int) -> AppraisalPeriod:
    """Return the period or raise 404 when its campaign is outside the user's scope."""
    return get_object_or_404(period_list(user=user), pk=pk)


def can_see_period(*, user: User, period_id: int) -> bool:
    return period_list(user=user).filter(pk=period_id).exists()


# --- Scores --------------------------------------------------------------------------------------


def score_scope_q(user: User, *, cadre_field: str = "cadre") -> Q:
    """Return the filter for rows about a cadre the user may see (and the user's own cadre record)."""
    own = Q(**{f"{cadre_field}__user_id": user.pk})
    if access_for(user).scope == DataScope.ALL:
        return Q()
    return Q(**{f"{cadre_field}__in": Cadre.objects.filter(cadre_scope_q(user)).values("pk")}) | own


RANK_GROUPS = {"unit": "home_unit", "role": "role", "kind": "frontline_kind"}


@dataclass
class ScoreFilters:
    role_id: int | None = None
    kind: str = ""
    unit_id: int | None = None
    band: str = ""
    q: str = ""
    flagged: bool = False
    # Rank within: "" (the peer group of role and frontline kind, stored), "unit", "role" or "kind".
    group: str = ""


def _group_rank(field: str) -> Any:
    """Return 1 + the number of scores of the period in the same group with a higher total.

    Taken over the whole period, not only the rows in the user's scope, so that a district sees
    the same rank the province sees.
    """
    higher = (
        CadreScore.objects.filter(period=OuterRef("period"), total__gt=OuterRef("total"), **{field: OuterRef(field)})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(higher, output_field=IntegerField()), Value(0)) + 1


def score_list(*, user: User, period: AppraisalPeriod, filters: ScoreFilters | None = None) -> QuerySet[CadreScore]:
    """Return the period's scores of the cadres the user may see, by rank, filtered.

    Each row carries `flag_count` (open or confirmed integrity flags) and `group_rank` (the rank in
    the chosen group: the stored peer-group rank, or within the home unit, role or frontline kind).
    """
    f = filters or ScoreFilters()
    open_flags = (
        IntegrityFlag.objects.filter(period=OuterRef("period"), cadre=OuterRef("cadre"))
        .exclude(status=FlagStatus.CLEARED)
        .order_by()
        .values("cadre")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        CadreScore.objects.filter(score_scope_q(user), period=period)
        .select_related("cadre", "home_unit", "role", "post")
        .defer("breakdown")
        .annotate(flag_count=Coalesce(Subquery(open_flags, output_field=IntegerField()), Value(0)))
        .order_by(F("rank").asc(nulls_last=True), "-total", "id")
    )
    if f.role_id:
        qs = qs.filter(role_id=f.role_id)
    if f.kind:
        qs = qs.filter(frontline_kind=f.kind)
    if f.unit_id:
        qs = qs.filter(home_unit_id=f.unit_id)
    if f.band:
        qs = qs.filter(band=f.band)
    if f.q:
        qs = qs.filter(cadre__name__icontains=f.q)
    if f.flagged:
        qs = qs.filter(flag_count__gt=0)
    if f.group in RANK_GROUPS:
        qs = qs.annotate(group_rank=_group_rank(RANK_GROUPS[f.group]))
    else:
        qs = qs.annotate(group_rank=F("rank_in_group"))
    return qs


def band_counts(*, user: User, period: AppraisalPeriod, filters: ScoreFilters | None = None) -> list[dict[str, Any]]:
    """Return the classes of the scheme (highest first) with how many of the listed scores fall in each."""
    f = filters or ScoreFilters()
    rows = (
        score_list(user=user, period=period, filters=ScoreFilters(role_id=f.role_id, kind=f.kind, unit_id=f.unit_id))
        .order_by()
        .values("band")
        .annotate(n=Count("pk"))
    )
    counts = {row["band"]: row["n"] for row in rows}
    result = []
    for band in period.scheme.bands or []:
        code = str(band.get("code", ""))
        result.append(
            {
                "code": code,
                "label": band.get("label", code),
                "min_score": band.get("min_score"),
                "count": counts.pop(code, 0),
            }
        )
    for code, n in counts.items():
        result.append({"code": code, "label": code or "—", "min_score": None, "count": n})
    return result


def get_score_for_user(*, user: User, pk: int) -> CadreScore:
    """Return a score with its period, or raise 404 when the cadre is outside the user's scope."""
    return get_object_or_404(
        CadreScore.objects.filter(score_scope_q(user)).select_related(
            "cadre",
            "cadre__home_unit",
            "period",
            "period__scheme",
            "period__scheme__campaign",
            "role",
            "post",
            "home_unit",
        ),
        pk=pk,
    )


def cadre_scores(*, user: User, cadre: Cadre) -> QuerySet[CadreScore]:
    """Return a cadre's scores over the periods (computed or locked), latest first."""
    return (
        CadreScore.objects.filter(score_scope_q(user), cadre=cadre)
        .select_related("period", "period__scheme", "period__scheme__campaign", "role")
        .defer("breakdown")
        .order_by("-period__start_date", "-period__id")
    )


def my_cadre(*, user: User) -> Cadre | None:
    """Return the cadre record linked to the user's account, if any."""
    return Cadre.objects.filter(user=user).select_related("home_unit").first()


def my_scores(*, user: User) -> QuerySet[CadreScore]:
    """Return the scores of the user's own cadre record, latest first, breakdown included."""
    return (
        CadreScore.objects.filter(cadre__user=user)
        .select_related("period", "period__scheme", "period__scheme__campaign", "role")
        .order_by("-period__start_date", "-period__id")
    )


# --- Evidence outside the ledger -----------------------------------------------------------------


def inspection_list(
    *,
    user: User,
    cadre_id: int | None = None,
    campaign_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Inspection]:
    qs = Inspection.objects.filter(score_scope_q(user)).select_related("cadre", "campaign", "inspector")
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if start:
        qs = qs.filter(inspected_on__gte=start)
    if end:
        qs = qs.filter(inspected_on__lte=end)
    return qs


def stakeholder_rating_list(
    *,
    user: User,
    cadre_id: int | None = None,
    campaign_id: int | None = None,
    rater_kind: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[StakeholderRating]:
    qs = StakeholderRating.objects.filter(score_scope_q(user)).select_related("cadre", "campaign")
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if rater_kind:
        qs = qs.filter(rater_kind=rater_kind)
    if start:
        qs = qs.filter(rated_on__gte=start)
    if end:
        qs = qs.filter(rated_on__lte=end)
    return qs


def suggestion_list(
    *, user: User, cadre_id: int | None = None, adopted: bool | None = None, q: str = ""
) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.filter(score_scope_q(user)).select_related("cadre", "cadre__home_unit")
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if adopted is not None:
        qs = qs.filter(adopted=adopted)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(cadre__name__icontains=q))
    return qs


def get_suggestion_for_user(*, user: User, pk: int) -> Suggestion:
    return get_object_or_404(suggestion_list(user=user).select_related("adopted_by"), pk=pk)


def suggestion_notes(*, suggestion: Suggestion) -> QuerySet[PerformanceNote]:
    """Return the notes on the suggestion's entry of the performance record (the suggestion is scoped)."""
    return (
        PerformanceNote.objects.filter(cadre_id=suggestion.cadre_id, entry_key=f"suggestion:{suggestion.pk}")
        .select_related("created_by")
        .order_by("created_at", "id")
    )


# --- Integrity flags and the project ranking -----------------------------------------------------


def flag_list(*, user: User, period: AppraisalPeriod, status: str = "", kind: str = "") -> QuerySet[IntegrityFlag]:
    """Return the period's integrity flags about cadres the user may see, open ones first."""
    qs = (
        IntegrityFlag.objects.filter(score_scope_q(user), period=period)
        .select_related("cadre", "cadre__home_unit", "reviewed_by")
        .order_by(
            Case(When(status=FlagStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "cadre__name",
            "kind",
            "id",
        )
    )
    if status in FlagStatus.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def get_flag_for_user(*, user: User, pk: int) -> IntegrityFlag:
    """Return a flag of a period the user may see, about a cadre the user may see."""
    return get_object_or_404(
        IntegrityFlag.objects.filter(
            score_scope_q(user), period__in=period_list(user=user).values("pk")
        ).select_related("period", "cadre"),
        pk=pk,
    )


def project_ranking(*, period: AppraisalPeriod) -> QuerySet[ProjectAssessment]:
    """Return the period's project assessments by rank (the period is already scoped)."""
    return (
        ProjectAssessment.objects.filter(period=period)
        .select_related("post", "post__unit")
        .order_by(F("rank").asc(nulls_last=True), "post__name", "id")
    )


def trend(assessment: ProjectAssessment) -> str:
    """Return "up", "down", "same" or "new" from the rank against last period's."""
    if assessment.rank is None or assessment.previous_rank is None:
        return "new"
    if assessment.rank < assessment.previous_rank:
        return "up"
    if assessment.rank > assessment.previous_rank:
        return "down"
    return "same"


# --- The rows behind a figure --------------------------------------------------------------------


@dataclass
class Evidence:
    """The rows behind one input of one dimension of a score."""

    dimension: dict[str, Any]
    item: dict[str, Any]
    model: str  # problem, rating, matchmaking, suggestion, inspection, stakeholderrating …
    rows: QuerySet[Any]


def score_evidence(*, score: CadreScore, dimension_index: int, input_index: int) -> Evidence:
    """Return the rows an input of the score was computed from (the score is already scoped).

    Ledger indicators come from `indicators.evidence_queryset`; inspection scores and stakeholder
    ratings are the cadre's rows of the campaign inside the period (of the input's rater kind).
    """
    from django.http import Http404

    from frontline.appraisal.indicators import evidence_queryset, inspection_evidence, stakeholder_evidence
    from frontline.appraisal.models import InputSource

    dimensions = (score.breakdown or {}).get("dimensions") or []
    if not 0 <= dimension_index < len(dimensions):
        raise Http404
    dimension = dimensions[dimension_index]
    inputs = dimension.get("inputs") or []
    if not 0 <= input_index < len(inputs):
        raise Http404
    item = inputs[input_index]
    period = score.period
    campaign_id = period.scheme.campaign_id
    rows: QuerySet[Any]
    source = item.get("source")
    if source == InputSource.INSPECTION:
        rows = inspection_evidence(
            cadre=score.cadre, start=period.start_date, end=period.end_date, campaign_id=campaign_id
        )
    elif source == InputSource.STAKEHOLDER:
        rows = stakeholder_evidence(
            cadre=score.cadre,
            start=period.start_date,
            end=period.end_date,
            campaign_id=campaign_id,
            rater_kind=item.get("rater_kind") or "",
        )
    elif source == InputSource.INDICATOR and item.get("indicator"):
        rows = evidence_queryset(
            indicator=item["indicator"], cadre=score.cadre, start=period.start_date, end=period.end_date
        )
    else:
        raise Http404
    return Evidence(dimension=dimension, item=item, model=rows.model._meta.model_name or "", rows=rows)
