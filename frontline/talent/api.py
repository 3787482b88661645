"""API for the reserve-cadre pool, promotions, merits and the frontline dossier.

Every read goes through a selector (a cadre outside your scope is a 404), every write through the
same services as the pages (business errors → 400 with a code, forbidden → 403, stale `version` → 409).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from frontline.appraisal.models import CadreScore
from frontline.cadres.selectors import get_cadre_for_user
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.dispatch.selectors import get_campaign_for_user
from frontline.talent.models import Merit, Promotion, ReservePoolEntry
from frontline.talent.rules import MAX_MONTHS, Candidate, candidate_evidence, reserve_rule_candidates
from frontline.talent.selectors import (
    get_merit_for_user,
    get_promotion_for_user,
    get_reserve_entry_for_user,
    merit_list,
    promotion_list,
    reserve_entry_list,
)
from frontline.talent.services import (
    MeritData,
    PromotionData,
    ReserveAction,
    dossier_export,
    merit_create,
    promotion_create,
    reserve_entry_transition,
    reserve_nominate,
    reserve_nominate_by_rule,
)

router = Router(tags=["talent"])
DEFAULT_TOP_SHARE = Decimal("0.10")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- the reserve pool --------------------------------------------------------------------------


class ReserveEntryOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    home_unit_name: str = Field(..., alias="cadre.home_unit.name")
    basis: str
    campaign_id: int | None
    rule_description: str
    reason: str
    evidence: dict[str, Any]
    status: str
    status_label: str
    nominated_by: str | None
    nominated_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    version: int

    @staticmethod
    def resolve_status_label(obj: ReservePoolEntry) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_nominated_by(obj: ReservePoolEntry) -> str | None:
        return obj.nominated_by.get_username() if obj.nominated_by else None

    @staticmethod
    def resolve_decided_by(obj: ReservePoolEntry) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by else None


class NominateIn(Schema):
    cadre_id: int
    reason: str


class RuleNominateIn(Schema):
    campaign_id: int
    cadre_ids: list[int]
    months: int = Field(3, ge=1, le=MAX_MONTHS)
    top_share: Decimal = Field(DEFAULT_TOP_SHARE, gt=0, lt=1)
    reason: str = ""


class RuleNominationsOut(Schema):
    created: list[ReserveEntryOut]
    skipped: list[dict[str, Any]]


class DecisionIn(Schema):
    version: int
    note: str = ""


class CandidateScoreOut(Schema):
    period_id: int
    label: str
    score_id: int
    total: str
    rank_in_group: int | None
    group_size: int | None
    percentile_in_group: str | None
    band: str
    role: str
    frontline_kind: str


class CandidateOut(Schema):
    cadre_id: int
    cadre_name: str
    home_unit_name: str
    in_pool: bool
    open_entry_id: int | None
    scores: list[CandidateScoreOut]


class CandidatesOut(Schema):
    campaign_id: int
    rule: str
    months: int
    top_share: Decimal
    threshold: Decimal
    periods: list[str]
    problem: str
    candidates: list[CandidateOut]


@router.get("/reserve-pool", response=list[ReserveEntryOut])
@paginate(LimitOffsetPagination)
def reserve_pool(request: HttpRequest, status: str = "", basis: str = "", q: str = "", cadre: int | None = None) -> Any:
    """List the reserve-pool entries of the cadres within your scope, newest first."""
    return reserve_entry_list(user=_user(request), status=status, basis=basis, q=q, cadre_id=cadre)


class CandidatesQuery(Schema):
    campaign: int
    months: int = Field(3, ge=1, le=MAX_MONTHS)
    top_share: Decimal = Field(DEFAULT_TOP_SHARE, gt=0, lt=1)


@router.get("/reserve-pool/candidates", response=CandidatesOut)
def reserve_candidates(request: HttpRequest, filters: Query[CandidatesQuery]) -> dict[str, Any]:
    """The cadres in the top share of their peer group (role + frontline kind) in each of the campaign's
    last `months` consecutive locked monthly periods, with the scores behind it."""
    user = _user(request)
    months = filters.months
    campaign_obj = get_campaign_for_user(user=user, pk=filters.campaign)
    result = reserve_rule_candidates(campaign=campaign_obj, months=months, top_share=filters.top_share, user=user)

    def candidate(c: Candidate) -> dict[str, Any]:
        evidence = candidate_evidence(result, c)
        return {
            "cadre_id": c.cadre.pk,
            "cadre_name": c.cadre.name,
            "home_unit_name": c.cadre.home_unit.name,
            "in_pool": c.already_in_pool,
            "open_entry_id": c.open_entry.pk if c.open_entry else None,
            "scores": evidence["periods"],
        }

    return {
        "campaign_id": campaign_obj.pk,
        "rule": result.description,
        "months": months,
        "top_share": result.top_share,
        "threshold": result.threshold,
        "periods": [p.label for p in result.window.periods],
        "problem": result.window.problem,
        "candidates": [candidate(c) for c in result.candidates],
    }


@router.get("/reserve-pool/{int:entry_id}", response=ReserveEntryOut)
def reserve_entry(request: HttpRequest, entry_id: int) -> Any:
    return get_reserve_entry_for_user(user=_user(request), pk=entry_id)


@router.post("/reserve-pool", response={201: ReserveEntryOut})
def reserve_nominate_api(request: HttpRequest, payload: NominateIn) -> Status[Any]:
    """Nominate a cadre by hand, with a reason; a second open nomination of the same cadre is refused."""
    user = _user(request)
    entry = reserve_nominate(
        actor=user, cadre=get_cadre_for_user(user=user, pk=payload.cadre_id), reason=payload.reason
    )
    return Status(201, get_reserve_entry_for_user(user=user, pk=entry.pk))


@router.post("/reserve-pool/rule-nominations", response={201: RuleNominationsOut})
def reserve_nominate_by_rule_api(request: HttpRequest, payload: RuleNominateIn) -> Status[Any]:
    """Nominate the selected cadres the rule recommends; the rule is checked again and the scores kept as evidence."""
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=payload.campaign_id)
    outcome = reserve_nominate_by_rule(
        actor=user,
        campaign=campaign,
        cadre_ids=payload.cadre_ids,
        months=payload.months,
        top_share=payload.top_share,
        reason=payload.reason,
    )
    created = list(reserve_entry_list(user=user).filter(pk__in=[e.pk for e in outcome.created]))
    skipped = [{"cadre_id": c.pk, "cadre_name": c.name, "reason": why} for c, why in outcome.skipped]
    return Status(201, {"created": created, "skipped": skipped})


def _decide(request: HttpRequest, entry_id: int, action: ReserveAction, payload: DecisionIn) -> ReservePoolEntry:
    user = _user(request)
    entry = get_reserve_entry_for_user(user=user, pk=entry_id)
    reserve_entry_transition(
        actor=user, entry=entry, action=action, note=payload.note, expected_version=payload.version
    )
    return get_reserve_entry_for_user(user=user, pk=entry_id)


@router.post("/reserve-pool/{int:entry_id}/approve", response=ReserveEntryOut)
def reserve_approve(request: HttpRequest, entry_id: int, payload: DecisionIn) -> Any:
    """Approve a nomination (not by the nominator, unless nobody else in scope has the edit right)."""
    return _decide(request, entry_id, ReserveAction.APPROVE, payload)


@router.post("/reserve-pool/{int:entry_id}/reject", response=ReserveEntryOut)
def reserve_reject(request: HttpRequest, entry_id: int, payload: DecisionIn) -> Any:
    """Reject a nomination; `note` (the reason) is required."""
    return _decide(request, entry_id, ReserveAction.REJECT, payload)


@router.post("/reserve-pool/{int:entry_id}/withdraw", response=ReserveEntryOut)
def reserve_withdraw(request: HttpRequest, entry_id: int, payload: DecisionIn) -> Any:
    """Withdraw a nomination or take an approved cadre out of the pool; `note` is required."""
    return _decide(request, entry_id, ReserveAction.WITHDRAW, payload)


# --- promotions and merits ---------------------------------------------------------------------


class PromotionOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    kind: str
    from_position: str
    to_position: str
    from_rank: int | None
    to_rank: int | None
    effective_on: date
    decision_body: str
    decision_ref: str
    evidence: str
    score_ids: list[int]
    reserve_entry_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_score_ids(obj: Promotion) -> list[int]:
        return [s.pk for s in obj.scores.all()]


class PromotionIn(Schema):
    cadre_id: int
    kind: str = Field(..., description="position (职务提拔) or rank (职级晋升)")
    effective_on: date
    decision_body: str
    evidence: str
    to_position: str = ""
    to_rank: int | None = None
    decision_ref: str = ""
    score_ids: list[int] = Field(default_factory=list)
    reserve_entry_id: int | None = None


class MeritOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    kind: str
    title: str
    awarded_on: date
    awarding_body: str
    reason: str
    evidence: str
    score_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_score_ids(obj: Merit) -> list[int]:
        return [s.pk for s in obj.scores.all()]


class MeritIn(Schema):
    cadre_id: int
    kind: str = Field(..., description="first_class, second_class, third_class, commendation, excellent, honor")
    awarded_on: date
    awarding_body: str
    reason: str
    title: str = ""
    evidence: str = ""
    score_ids: list[int] = Field(default_factory=list)


def _scores(cadre_id: int, ids: list[int]) -> list[CadreScore]:
    """Return the cited scores; ids that are not the cadre's are refused (never looked up across cadres)."""
    scores = list(CadreScore.objects.filter(cadre_id=cadre_id, pk__in=ids).select_related("period"))
    if len(scores) != len(set(ids)):
        message = _("所引用的考核结果不存在或不属于该干部。")
        raise ApplicationError(message, code="invalid", extra={"errors": {"score_ids": message}})
    return scores


@router.get("/promotions", response=list[PromotionOut])
@paginate(LimitOffsetPagination)
def promotions(
    request: HttpRequest, kind: str = "", q: str = "", cadre: int | None = None, year: int | None = None
) -> Any:
    """List the promotions and rank promotions of the cadres within your scope."""
    return promotion_list(user=_user(request), kind=kind, q=q, cadre_id=cadre, year=year).prefetch_related("scores")


@router.get("/promotions/{int:promotion_id}", response=PromotionOut)
def promotion(request: HttpRequest, promotion_id: int) -> Any:
    return get_promotion_for_user(user=_user(request), pk=promotion_id)


@router.post("/promotions", response={201: PromotionOut})
def promotion_new(request: HttpRequest, payload: PromotionIn) -> Status[Any]:
    """Record a promotion; the cadre's post and rank in the registry follow (audited) when it is their latest."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=payload.cadre_id)
    entry = get_reserve_entry_for_user(user=user, pk=payload.reserve_entry_id) if payload.reserve_entry_id else None
    created = promotion_create(
        actor=user,
        cadre=cadre,
        data=PromotionData(
            kind=payload.kind,
            effective_on=payload.effective_on,
            decision_body=payload.decision_body,
            evidence=payload.evidence,
            to_position=payload.to_position,
            to_rank=payload.to_rank,
            decision_ref=payload.decision_ref,
            scores=_scores(cadre.pk, payload.score_ids),
            reserve_entry=entry,
        ),
    )
    return Status(201, get_promotion_for_user(user=user, pk=created.pk))


@router.get("/merits", response=list[MeritOut])
@paginate(LimitOffsetPagination)
def merits(request: HttpRequest, kind: str = "", q: str = "", cadre: int | None = None, year: int | None = None) -> Any:
    """List the merits, commendations and honours of the cadres within your scope."""
    return merit_list(user=_user(request), kind=kind, q=q, cadre_id=cadre, year=year).prefetch_related("scores")


@router.get("/merits/{int:merit_id}", response=MeritOut)
def merit(request: HttpRequest, merit_id: int) -> Any:
    return get_merit_for_user(user=_user(request), pk=merit_id)


@router.post("/merits", response={201: MeritOut})
def merit_new(request: HttpRequest, payload: MeritIn) -> Status[Any]:
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=payload.cadre_id)
    created = merit_create(
        actor=user,
        cadre=cadre,
        data=MeritData(
            kind=payload.kind,
            awarded_on=payload.awarded_on,
            awarding_body=payload.awarding_body,
            reason=payload.reason,
            title=payload.title,
            evidence=payload.evidence,
            scores=_scores(cadre.pk, payload.score_ids),
        ),
    )
    return Status(201, get_merit_for_user(user=user, pk=created.pk))


# --- the dossier -------------------------------------------------------------------------------


@router.get(
    "/cadres/{int:cadre_id}/dossier.pdf",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def dossier(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """The cadre's frontline dossier (一线专项档案) as an A4 PDF; every download is audited."""
    user = _user(request)
    result = dossier_export(actor=user, cadre=get_cadre_for_user(user=user, pk=cadre_id))
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, result.filename)
    response["Cache-Control"] = "no-store"
    return response
