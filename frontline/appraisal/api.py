"""API of the appraisal: schemes, periods (compute, lock), scores with their breakdown, a cadre's
performance record, and the evidence recorded outside the ledger.

Reads go through selectors (out of scope → 404), writes through services. A stale version gets 409
with `current_version`; any write touching a locked period (its scores, flags and projects, or an
inspection or a rating dated inside it) gets 409 with code "locked", an edit of a frozen scheme 409
with code "frozen" (frontline.api maps the codes to statuses).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import HeaderEx, P
from ninja.responses import Status

from frontline.appraisal import selectors, services
from frontline.appraisal.models import (
    AppraisalPeriod,
    AppraisalScheme,
    FlagStatus,
    Indicator,
    RaterKind,
)
from frontline.appraisal.performance import performance_record
from frontline.cadres.selectors import get_cadre_for_user
from frontline.core.access import access_for
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.dispatch.models import DeploymentRole, FrontlineKind
from frontline.dispatch.selectors import get_campaign_for_user
from frontline.posts.selectors import get_post_for_user

router = Router(tags=["appraisal"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ErrorOut(Schema):
    detail: str
    code: str
    errors: dict[str, str] | None = None
    current_version: int | None = None


WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut}


def _require_edit(user: User) -> None:
    if not access_for(user).can_edit:
        raise ApplicationError(_("您没有维护考核数据的权限。"), code="forbidden")


def _version(if_match: str, body_version: int | None) -> int:
    raw = (if_match or "").strip().removeprefix("W/").strip('"')
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise ApplicationError(_('If-Match 应为版本号，如 "3"。'), code="invalid_if_match") from None
    if body_version is not None:
        return body_version
    raise ApplicationError(_("请在 If-Match 头中提供版本号（见 ETag 或 version 字段）。"), code="version_required")


# --- Schemes -------------------------------------------------------------------------------------


class InputSchema(Schema):
    source: Literal["indicator", "inspection", "stakeholder"]
    indicator: str = Field("", description="for source=indicator: " + ", ".join(Indicator.values))
    rater_kind: str = Field("", description="for source=stakeholder: " + ", ".join(RaterKind.values) + " or blank")
    share: Decimal = Decimal(100)
    normalization: Literal["peer_percentile", "absolute"] = "peer_percentile"


class DimensionSchema(Schema):
    code: str
    name: str
    weight: Decimal
    description: str = ""
    inputs: list[InputSchema] = Field(default_factory=list)


class BandSchema(Schema):
    code: str
    label: str
    min_score: float


class SchemeBase(Schema):
    id: int
    campaign_id: int
    name: str
    version_number: int
    previous_id: int | None
    frozen: bool
    version: int


class SchemeOut(SchemeBase):
    campaign_name: str = Field(..., alias="campaign.name")


class SchemeDetailOut(SchemeBase):
    campaign_name: str
    bands: list[dict[str, Any]]
    project_weight_progress: int
    project_weight_quality: int
    project_weight_service: int
    red_flag_count: int
    dimensions: list[DimensionSchema]


class SchemeIn(Schema):
    campaign_id: int
    name: str = Field(..., max_length=100)
    dimensions: list[DimensionSchema] | None = Field(None, description="the six default dimensions when omitted")
    bands: list[BandSchema] | None = None


class SchemeUpdateIn(Schema):
    name: str = Field(..., max_length=100)
    dimensions: list[DimensionSchema]
    bands: list[BandSchema] = Field(default_factory=list)
    project_weights: tuple[int, int, int] | None = Field(None, description="progress, quality, service")
    red_flag_count: int | None = None
    version: int | None = Field(None, description="the version you saw, if no If-Match header is sent")


def _dimension_data(dimensions: list[DimensionSchema]) -> list[services.DimensionData]:
    return [
        services.DimensionData(
            code=d.code,
            name=d.name,
            weight=d.weight,
            description=d.description,
            inputs=[
                services.InputData(
                    source=i.source,
                    indicator=i.indicator if i.source == "indicator" else "",
                    rater_kind=i.rater_kind if i.source == "stakeholder" else "",
                    share=i.share,
                    normalization=i.normalization,
                )
                for i in d.inputs
            ],
        )
        for d in dimensions
    ]


def _check_dimensions(dimensions: list[services.DimensionData]) -> None:
    errors = services.validate_dimensions(dimensions)
    if errors:
        raise ApplicationError("；".join(errors.values()), code="invalid", extra={"errors": errors})


def _scheme_detail(scheme: AppraisalScheme) -> dict[str, Any]:
    dimensions = [
        {
            "code": d.code,
            "name": d.name,
            "weight": d.weight,
            "description": d.description,
            "inputs": [
                {
                    "source": i.source,
                    "indicator": i.indicator,
                    "rater_kind": i.rater_kind,
                    "share": i.share,
                    "normalization": i.normalization,
                }
                for i in d.inputs.all()
            ],
        }
        for d in selectors.scheme_dimensions(scheme)
    ]
    return {
        "id": scheme.pk,
        "campaign_id": scheme.campaign_id,
        "campaign_name": scheme.campaign.name,
        "name": scheme.name,
        "version_number": scheme.version_number,
        "previous_id": scheme.previous_id,
        "frozen": scheme.frozen,
        "version": scheme.version,
        "bands": scheme.bands or [],
        "project_weight_progress": scheme.project_weight_progress,
        "project_weight_quality": scheme.project_weight_quality,
        "project_weight_service": scheme.project_weight_service,
        "red_flag_count": scheme.red_flag_count,
        "dimensions": dimensions,
    }


@router.get("/appraisal-schemes", response=list[SchemeOut])
@paginate(LimitOffsetPagination)
def schemes(request: HttpRequest, campaign: int | None = None) -> Any:
    """List the appraisal schemes of the campaigns within your scope, newest version first."""
    return selectors.scheme_list(user=_user(request), campaign_id=campaign)


@router.get("/appraisal-schemes/{scheme_id}", response=SchemeDetailOut)
def scheme(request: HttpRequest, scheme_id: int, response: HttpResponse) -> dict[str, Any]:
    """A scheme with its dimensions, inputs and classes; the `ETag` header carries its version."""
    found = selectors.get_scheme_for_user(user=_user(request), pk=scheme_id)
    response["ETag"] = f'"{found.version}"'
    return _scheme_detail(found)


@router.post("/appraisal-schemes", response={201: SchemeDetailOut, **WRITE_ERRORS})
def scheme_new(request: HttpRequest, payload: SchemeIn) -> Status[Any]:
    """Create a scheme for a campaign; dimension weights must total 100, shares within a dimension too."""
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=payload.campaign_id)
    _require_edit(user)
    dimensions = _dimension_data(payload.dimensions) if payload.dimensions is not None else None
    if dimensions is not None:
        _check_dimensions(dimensions)
    created = services.scheme_create(
        actor=user,
        campaign=campaign,
        name=payload.name,
        dimensions=dimensions,
        bands=[b.dict() for b in payload.bands] if payload.bands is not None else None,
    )
    return Status(201, _scheme_detail(selectors.get_scheme_for_user(user=user, pk=created.pk)))


@router.put("/appraisal-schemes/{scheme_id}", response={200: SchemeDetailOut, **WRITE_ERRORS})
def scheme_update(
    request: HttpRequest,
    scheme_id: int,
    payload: SchemeUpdateIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Replace a scheme's dimensions and classes. Send the version in `If-Match`: a stale one gets 409;
    a frozen scheme (used by a period) gets 409 with code "frozen" — create a new version instead."""
    user = _user(request)
    found = selectors.get_scheme_for_user(user=user, pk=scheme_id)
    _require_edit(user)
    expected = _version(if_match, payload.version)
    dimensions = _dimension_data(payload.dimensions)
    _check_dimensions(dimensions)
    updated = services.scheme_update(
        actor=user,
        scheme=found,
        expected_version=expected,
        name=payload.name,
        dimensions=dimensions,
        bands=[b.dict() for b in payload.bands],
        project_weights=payload.project_weights,
        red_flag_count=payload.red_flag_count,
    )
    response["ETag"] = f'"{updated.version}"'
    return Status(200, _scheme_detail(selectors.get_scheme_for_user(user=user, pk=updated.pk)))


@router.post("/appraisal-schemes/{scheme_id}/new-version", response={201: SchemeDetailOut, **WRITE_ERRORS})
def scheme_new_version(request: HttpRequest, scheme_id: int) -> Status[Any]:
    """Copy a (frozen) scheme into an editable next version."""
    user = _user(request)
    found = selectors.get_scheme_for_user(user=user, pk=scheme_id)
    _require_edit(user)
    created = services.scheme_new_version(actor=user, scheme=found)
    return Status(201, _scheme_detail(selectors.get_scheme_for_user(user=user, pk=created.pk)))


# --- Periods -------------------------------------------------------------------------------------


class PeriodBase(Schema):
    id: int
    scheme_id: int
    label: str
    kind: str
    start_date: date
    end_date: date
    status: str
    progress_done: int
    progress_total: int
    error: str
    computed_at: datetime | None
    locked_at: datetime | None
    version: int


class PeriodOut(PeriodBase):
    campaign_id: int = Field(..., alias="scheme.campaign_id")


class BandCountOut(Schema):
    code: str
    label: str
    min_score: float | None
    count: int


class PeriodDetailOut(PeriodBase):
    campaign_id: int
    bands: list[BandCountOut]


class PeriodIn(Schema):
    scheme_id: int
    kind: Literal["month", "quarter", "year"] = "month"
    start_date: date = Field(..., description="any day of the month (or of the quarter's/year's first month)")


class LockIn(Schema):
    version: int | None = Field(None, description="the version you saw, if no If-Match header is sent")


def _period_detail(user: User, period: AppraisalPeriod) -> dict[str, Any]:
    return {
        **{name: getattr(period, name) for name in PeriodBase.model_fields},
        "campaign_id": period.scheme.campaign_id,
        "bands": selectors.band_counts(user=user, period=period),
    }


@router.get("/appraisal-periods", response=list[PeriodOut])
@paginate(LimitOffsetPagination)
def periods(request: HttpRequest, campaign: int | None = None, scheme: int | None = None, status: str = "") -> Any:
    """List the periods of the campaigns within your scope, latest first."""
    return selectors.period_list(user=_user(request), campaign_id=campaign, scheme_id=scheme, status=status)


@router.post("/appraisal-periods", response={201: PeriodDetailOut, **WRITE_ERRORS})
def period_new(request: HttpRequest, payload: PeriodIn) -> Status[Any]:
    """Create a month, quarter or year; its scheme is frozen from then on."""
    user = _user(request)
    found = selectors.get_scheme_for_user(user=user, pk=payload.scheme_id)
    _require_edit(user)
    created = services.period_create(actor=user, scheme=found, kind=payload.kind, start_date=payload.start_date)
    return Status(201, _period_detail(user, selectors.get_period_for_user(user=user, pk=created.pk)))


@router.get("/appraisal-periods/{period_id}", response=PeriodDetailOut)
def period(request: HttpRequest, period_id: int, response: HttpResponse) -> dict[str, Any]:
    """A period's status and progress (poll it while computing) and its classes."""
    user = _user(request)
    found = selectors.get_period_for_user(user=user, pk=period_id)
    response["ETag"] = f'"{found.version}"'
    return _period_detail(user, found)


@router.post("/appraisal-periods/{period_id}/compute", response={202: PeriodDetailOut, **WRITE_ERRORS})
def period_compute(request: HttpRequest, period_id: int) -> Status[Any]:
    """Compute every score of the period in the background; poll GET /appraisal-periods/{id}."""
    user = _user(request)
    found = selectors.get_period_for_user(user=user, pk=period_id)
    _require_edit(user)
    services.period_compute_start(actor=user, period=found)
    return Status(202, _period_detail(user, selectors.get_period_for_user(user=user, pk=period_id)))


@router.post("/appraisal-periods/{period_id}/lock", response={200: PeriodDetailOut, **WRITE_ERRORS})
def period_lock(
    request: HttpRequest,
    period_id: int,
    payload: LockIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Lock a computed period: from then on its scores never change."""
    user = _user(request)
    found = selectors.get_period_for_user(user=user, pk=period_id)
    _require_edit(user)
    locked = services.period_lock(actor=user, period=found, expected_version=_version(if_match, payload.version))
    response["ETag"] = f'"{locked.version}"'
    return Status(200, _period_detail(user, selectors.get_period_for_user(user=user, pk=period_id)))


# --- Scores --------------------------------------------------------------------------------------


class ScoreOut(Schema):
    id: int
    period_id: int
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    home_unit_id: int
    home_unit_name: str = Field(..., alias="home_unit.name")
    role: str | None = Field(None, alias="role.code")
    frontline_kind: str
    post_id: int | None
    computed_total: Decimal
    total: Decimal
    rank: int | None
    rank_in_group: int | None
    group_size: int | None
    percentile_in_group: Decimal | None
    band: str
    flag_count: int = 0


class AdjustmentOut(Schema):
    old_total: Decimal
    new_total: Decimal
    reason: str
    actor_id: int | None
    created_at: datetime


class FlagOut(Schema):
    id: int
    period_id: int
    cadre_id: int
    kind: str
    detail: str
    evidence: dict[str, Any]
    status: str
    review_note: str
    reviewed_at: datetime | None


class ScoreDetailOut(ScoreOut):
    period_label: str = Field(..., alias="period.label")
    period_status: str = Field(..., alias="period.status")
    breakdown: dict[str, Any]
    adjustments: list[AdjustmentOut]
    flags: list[FlagOut]

    @staticmethod
    def resolve_adjustments(obj: Any) -> list[Any]:
        return list(obj.adjustments_list)

    @staticmethod
    def resolve_flags(obj: Any) -> list[Any]:
        return list(obj.flags_list)

    @staticmethod
    def resolve_flag_count(obj: Any) -> int:
        return sum(1 for f in obj.flags_list if f.status != FlagStatus.CLEARED)


class AdjustIn(Schema):
    new_total: Decimal = Field(..., ge=0, le=100)
    reason: str = Field(..., min_length=1, max_length=500)


def _role_id(code: str) -> int | None:
    if not code:
        return None
    found = DeploymentRole.objects.filter(code=code).values_list("pk", flat=True).first()
    return found if found is not None else -1


@router.get("/appraisal-periods/{period_id}/scores", response=list[ScoreOut])
@paginate(LimitOffsetPagination)
def period_scores(
    request: HttpRequest,
    period_id: int,
    role: str = "",
    kind: str = "",
    unit: int | None = None,
    band: str = "",
    q: str = "",
) -> Any:
    """The period's scores of the cadres in your scope, by rank; filter by role code, frontline kind,
    home unit or class (band). Ranks come from the scores only, never from app usage."""
    user = _user(request)
    found = selectors.get_period_for_user(user=user, pk=period_id)
    filters = selectors.ScoreFilters(
        role_id=_role_id(role),
        kind=kind if kind in FrontlineKind.values else ("-" if kind else ""),
        unit_id=unit,
        band=band,
        q=q,
    )
    return selectors.score_list(user=user, period=found, filters=filters)


def _score_detail(user: User, score_id: int) -> Any:
    found = selectors.get_score_for_user(user=user, pk=score_id)
    found.adjustments_list = list(found.adjustments.all())  # type: ignore[attr-defined]
    found.flags_list = list(selectors.flag_list(user=user, period=found.period).filter(cadre=found.cadre))  # type: ignore[attr-defined]
    return found


@router.get("/appraisal-scores/{score_id}", response=ScoreDetailOut)
def score(request: HttpRequest, score_id: int) -> Any:
    """A score with its breakdown: every dimension and input with raw numerator/denominator and the
    normalized value; a cadre may read only their own."""
    return _score_detail(_user(request), score_id)


@router.post("/appraisal-scores/{score_id}/adjust", response={200: ScoreDetailOut, **WRITE_ERRORS})
def score_adjust(request: HttpRequest, score_id: int, payload: AdjustIn) -> Status[Any]:
    """Set a reviewed total with its reason; refused (409, "locked") once the period is locked."""
    user = _user(request)
    found = selectors.get_score_for_user(user=user, pk=score_id)
    _require_edit(user)
    selectors.get_period_for_user(user=user, pk=found.period_id)
    services.score_adjust(actor=user, score=found, new_total=payload.new_total, reason=payload.reason)
    return Status(200, _score_detail(user, score_id))


# --- Integrity flags and the project ranking -----------------------------------------------------


class FlagReviewIn(Schema):
    status: Literal["cleared", "confirmed"]
    note: str = Field(..., min_length=1, max_length=500)


@router.get("/appraisal-periods/{period_id}/flags", response=list[FlagOut])
@paginate(LimitOffsetPagination)
def period_flags(request: HttpRequest, period_id: int, status: str = "", kind: str = "") -> Any:
    """The period's integrity flags about cadres in your scope."""
    user = _user(request)
    found = selectors.get_period_for_user(user=user, pk=period_id)
    return selectors.flag_list(user=user, period=found, status=status, kind=kind)


@router.post("/integrity-flags/{flag_id}/review", response={200: FlagOut, **WRITE_ERRORS})
def flag_review(request: HttpRequest, flag_id: int, payload: FlagReviewIn) -> Status[Any]:
    """Record the inspection group's conclusion on a flag (cleared or confirmed) with a note."""
    user = _user(request)
    found = selectors.get_flag_for_user(user=user, pk=flag_id)
    _require_edit(user)
    reviewed = services.flag_review(actor=user, flag=found, status=FlagStatus(payload.status), note=payload.note)
    return Status(200, reviewed)


class ProjectOut(Schema):
    id: int
    post_id: int
    post_name: str = Field(..., alias="post.name")
    progress_score: Decimal
    quality_score: Decimal
    service_score: Decimal | None
    total: Decimal | None
    rank: int | None
    previous_rank: int | None
    red_flag: bool
    trend: str
    notes: str

    @staticmethod
    def resolve_trend(obj: Any) -> str:
        return selectors.trend(obj)


class ProjectIn(Schema):
    post_id: int
    progress_score: Decimal = Field(..., ge=0, le=100)
    quality_score: Decimal = Field(..., ge=0, le=100)
    notes: str = Field("", max_length=300)


@router.get("/appraisal-periods/{period_id}/projects", response=list[ProjectOut])
def period_projects(request: HttpRequest, period_id: int) -> Any:
    """The project ranking (红旗项目) of the period with each project's trend."""
    found = selectors.get_period_for_user(user=_user(request), pk=period_id)
    return list(selectors.project_ranking(period=found))


@router.post("/appraisal-periods/{period_id}/projects", response={200: list[ProjectOut], **WRITE_ERRORS})
def period_project_record(request: HttpRequest, period_id: int, payload: ProjectIn) -> Status[Any]:
    """Record the inspection group's progress and quality scores of a project; the ranking is recomputed."""
    user = _user(request)
    found = selectors.get_period_for_user(user=user, pk=period_id)
    _require_edit(user)
    services.project_assessment_record(
        actor=user,
        period=found,
        post=get_post_for_user(user=user, pk=payload.post_id),
        progress_score=payload.progress_score,
        quality_score=payload.quality_score,
        notes=payload.notes,
    )
    services.project_ranking_compute(period=found)
    return Status(200, list(selectors.project_ranking(period=found)))


# --- A cadre's performance record ----------------------------------------------------------------


class PerformanceEntryOut(Schema):
    entry_key: str = Field(..., description='"problem:123", "matchmaking:7", "suggestion:9"; blank for a manual entry')
    date: date | None
    kind: str
    kind_label: str
    title: str
    detail: str
    url: str
    notes: list[str]


class ScoreHistoryOut(Schema):
    id: int
    period_id: int
    period_label: str
    campaign_id: int
    total: Decimal
    rank: int | None
    rank_in_group: int | None
    group_size: int | None
    band: str
    locked: bool


class PerformanceOut(Schema):
    cadre_id: int
    cadre_name: str
    entries: list[PerformanceEntryOut]
    scores: list[ScoreHistoryOut]


@router.get("/cadres/{cadre_id}/performance", response=PerformanceOut)
def cadre_performance(request: HttpRequest, cadre_id: int) -> dict[str, Any]:
    """A cadre's performance record (实绩清单) with its annotations, and the scores over the periods."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=cadre_id)
    entries = [
        {
            "entry_key": e.entry_key,
            "date": e.date,
            "kind": e.kind,
            "kind_label": e.kind_label,
            "title": e.title,
            "detail": e.detail,
            "url": e.url,
            "notes": [n.text for n in e.notes],
        }
        for e in performance_record(cadre=cadre)
    ]
    scores = [
        {
            "id": s.pk,
            "period_id": s.period_id,
            "period_label": s.period.label,
            "campaign_id": s.period.scheme.campaign_id,
            "total": s.total,
            "rank": s.rank,
            "rank_in_group": s.rank_in_group,
            "group_size": s.group_size,
            "band": s.band,
            "locked": s.period.is_locked,
        }
        for s in selectors.cadre_scores(user=user, cadre=cadre)[:120]
    ]
    return {
        "cadre_id": cadre.pk,
        "cadre_name": cadre.name,
        "entries": entries,
        "scores": scores,
    }


# --- Evidence outside the ledger -----------------------------------------------------------------


class InspectionIn(Schema):
    campaign_id: int
    cadre_id: int
    inspected_on: date
    task_completion: int = Field(..., ge=0, le=100)
    enterprise_evaluation: int = Field(..., ge=0, le=100)
    ledger_check: int = Field(..., ge=0, le=100)
    unannounced: bool = Field(False, description="四不两直: no notice, no escort, straight to the site")
    notes: str = ""


class InspectionOut(Schema):
    id: int
    campaign_id: int
    cadre_id: int
    inspected_on: date
    task_completion: int
    enterprise_evaluation: int
    ledger_check: int
    unannounced: bool
    notes: str
    inspector_id: int | None
    score: float


class StakeholderRatingIn(Schema):
    campaign_id: int
    cadre_id: int
    rater_kind: Literal["enterprise", "resident", "colleague"]
    rater_name: str = Field("", max_length=100)
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)
    rated_on: date


class StakeholderRatingOut(Schema):
    id: int
    campaign_id: int
    cadre_id: int
    rater_kind: str
    rater_name: str
    score: int
    comment: str
    rated_on: date


class SuggestionIn(Schema):
    cadre_id: int
    title: str = Field(..., max_length=100)
    content: str


class SuggestionOut(Schema):
    id: int
    cadre_id: int
    title: str
    content: str
    submitted_at: datetime
    adopted: bool
    adopted_at: datetime | None
    adoption_note: str


class AdoptIn(Schema):
    note: str = Field("", max_length=300)


@router.post("/inspections", response={201: InspectionOut, **WRITE_ERRORS})
def inspection_new(request: HttpRequest, payload: InspectionIn) -> Status[Any]:
    """Record the inspection group's visit (看任务完成度、听企业评价、查台账记录); a day inside a locked
    period of the campaign gets 409 with code "locked" (the locked scores rest on its evidence)."""
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=payload.campaign_id)
    cadre = get_cadre_for_user(user=user, pk=payload.cadre_id)
    _require_edit(user)
    created = services.inspection_create(
        actor=user,
        campaign=campaign,
        cadre=cadre,
        inspected_on=payload.inspected_on,
        task_completion=payload.task_completion,
        enterprise_evaluation=payload.enterprise_evaluation,
        ledger_check=payload.ledger_check,
        unannounced=payload.unannounced,
        notes=payload.notes,
    )
    return Status(201, created)


@router.post("/stakeholder-ratings", response={201: StakeholderRatingOut, **WRITE_ERRORS})
def stakeholder_rating_new(request: HttpRequest, payload: StakeholderRatingIn) -> Status[Any]:
    """Record an enterprise's, resident's or colleague's rating (1–5) of a cadre; a day inside a
    locked period of the campaign gets 409 with code "locked"."""
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=payload.campaign_id)
    cadre = get_cadre_for_user(user=user, pk=payload.cadre_id)
    _require_edit(user)
    created = services.stakeholder_rating_create(
        actor=user,
        campaign=campaign,
        cadre=cadre,
        rater_kind=payload.rater_kind,
        score=payload.score,
        rated_on=payload.rated_on,
        comment=payload.comment,
        rater_name=payload.rater_name,
    )
    return Status(201, created)


@router.post("/suggestions", response={201: SuggestionOut, **WRITE_ERRORS})
def suggestion_new(request: HttpRequest, payload: SuggestionIn) -> Status[Any]:
    """Submit a cadre's suggestion (a cadre may submit their own)."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=payload.cadre_id)
    if cadre.user_id != user.pk:
        _require_edit(user)
    created = services.suggestion_create(actor=user, cadre=cadre, title=payload.title, content=payload.content)
    return Status(201, created)


@router.post("/suggestions/{suggestion_id}/adopt", response={200: SuggestionOut, **WRITE_ERRORS})
def suggestion_adopt(request: HttpRequest, suggestion_id: int, payload: AdoptIn) -> Status[Any]:
    """Adopt a suggestion: it counts as evidence and enters the cadre's performance record."""
    user = _user(request)
    found = selectors.get_suggestion_for_user(user=user, pk=suggestion_id)
    _require_edit(user)
    return Status(200, services.suggestion_adopt(actor=user, suggestion=found, note=payload.note))
