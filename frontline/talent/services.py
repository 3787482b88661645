"""Every write of the reserve pool, promotions and merits, and the audited dossier download.

Each service checks the actor's edit right and that the cadre is within their scope, validates,
writes, and records an audit row in the same transaction.

Who decides a nomination: a user with the edit right whose scope holds the cadre, never the cadre
themselves, and not the person who nominated — unless nobody else could (no other active user with
the edit right has the cadre in scope, as in a one-person office). Then the nominator may decide,
and the audit row says so. This keeps the usual four-eyes check without blocking small units.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontline.appraisal.models import CadreScore, PeriodStatus
from frontline.cadres.models import Cadre, Rank
from frontline.cadres.selectors import cadre_scope_q
from frontline.cadres.services import cadre_data_for, cadre_update
from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, DataScope, User
from frontline.dispatch.models import Campaign
from frontline.talent.models import (
    RESERVE_OPEN_STATUSES,
    Merit,
    MeritKind,
    Promotion,
    PromotionKind,
    ReserveBasis,
    ReservePoolEntry,
    ReserveStatus,
)
from frontline.talent.rules import candidate_evidence, reserve_rule_candidates


class TalentValidationError(ApplicationError):
    """Field-level errors: {field: message}, each in the user's language and actionable."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()), code="invalid", extra={"errors": dict(errors)})
        self.errors = dict(errors)


# --- guards ------------------------------------------------------------------------------------


def require_edit_right(actor: User) -> None:
    if not access_for(actor).can_edit:
        raise ApplicationError(_("您的角色没有编辑权限，不能办理后备干部、提拔和奖励事项。"), code="forbidden")


def require_cadre_in_scope(actor: User, cadre: Cadre) -> None:
    if not Cadre.objects.filter(cadre_scope_q(actor), pk=cadre.pk).exists():
        raise ApplicationError(_("干部“%(name)s”不在您的管理范围内。") % {"name": cadre.name}, code="not_found")


def _lock_entry(entry: ReservePoolEntry, expected_version: int | None) -> ReservePoolEntry:
    locked = ReservePoolEntry.objects.select_for_update().select_related("cadre", "cadre__home_unit").get(pk=entry.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该条目已被他人处理，请刷新页面查看最新状态。"), current_version=locked.version)
    return locked


# --- nominations -------------------------------------------------------------------------------


def _already_open(cadre: Cadre) -> ApplicationError:
    return ApplicationError(
        _("%(name)s 已在后备干部库中或已有待审批的提名，不能重复提名。") % {"name": cadre.name}, code="duplicate"
    )


@transaction.atomic
def reserve_nominate(
    *,
    actor: User,
    cadre: Cadre,
    reason: str,
    basis: str = ReserveBasis.MANUAL,
    campaign: Campaign | None = None,
    rule: str = "",
    evidence: Mapping[str, Any] | None = None,
) -> ReservePoolEntry:
    """Nominate a cadre to the reserve pool; refused while the cadre has a nominated or approved entry."""
    require_edit_right(actor)
    require_cadre_in_scope(actor, cadre)
    reason = (reason or "").strip()
    if basis not in ReserveBasis.values:
        raise TalentValidationError({"basis": _("推荐依据无效。")})
    if basis == ReserveBasis.MANUAL and not reason:
        raise TalentValidationError({"reason": _("人工提名须写明推荐理由（实绩、群众评价等）。")})
    if len(reason) > 2000:
        raise TalentValidationError({"reason": _("推荐理由不能超过 2000 字。")})
    # Serialize nominations of one cadre; the partial unique constraint is the last word.
    Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
    if ReservePoolEntry.objects.filter(cadre=cadre, status__in=RESERVE_OPEN_STATUSES).exists():
        raise _already_open(cadre)
    entry = ReservePoolEntry(
        cadre=cadre,
        basis=basis,
        campaign=campaign,
        rule_description=rule[:200],
        reason=reason,
        evidence=dict(evidence or {}),
        nominated_by=actor,
        nominated_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise _already_open(cadre) from None
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        changes={
            "status": (None, entry.status),
            "basis": (None, entry.basis),
            "reason": (None, entry.reason[:200]),
            "rule": (None, entry.rule_description),
        },
    )
    return entry


@dataclass
class RuleNominations:
    created: list[ReservePoolEntry] = field(default_factory=list)
    skipped: list[tuple[Cadre, str]] = field(default_factory=list)


@transaction.atomic
def reserve_nominate_by_rule(
    *,
    actor: User,
    campaign: Campaign,
    cadre_ids: Sequence[int],
    months: int = 3,
    top_share: Decimal | float = Decimal("0.10"),
    reason: str = "",
) -> RuleNominations:
    """Nominate the selected cadres the rule recommends, with the scores behind it as evidence.

    The rule is evaluated again here (never trusted from the page); a selected cadre who does not
    qualify any more, or is already in the pool, is skipped with the reason.
    """
    require_edit_right(actor)
    if not cadre_ids:
        raise TalentValidationError({"cadre_ids": _("请至少选择一名干部。")})
    result = reserve_rule_candidates(
        campaign=campaign, months=months, top_share=top_share, user=actor, cadre_ids=list(cadre_ids)
    )
    if result.window.problem:
        raise ApplicationError(result.window.problem, code="invalid")
    outcome = RuleNominations()
    qualifying = {c.cadre.pk for c in result.candidates}
    for cadre in Cadre.objects.filter(cadre_scope_q(actor), pk__in=cadre_ids).exclude(pk__in=qualifying):
        outcome.skipped.append((cadre, _("不符合规则")))
    description = result.description
    for candidate in result.candidates:
        if candidate.already_in_pool:
            outcome.skipped.append((candidate.cadre, _("已在库或已有待审批的提名")))
            continue
        entry = reserve_nominate(
            actor=actor,
            cadre=candidate.cadre,
            reason=reason or description,
            basis=ReserveBasis.RULE,
            campaign=campaign,
            rule=description,
            evidence=candidate_evidence(result, candidate),
        )
        outcome.created.append(entry)
    return outcome


# --- decisions ---------------------------------------------------------------------------------


class ReserveAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


# (from status, action) → to status: the only place that knows the reserve pool's transitions.
RESERVE_TRANSITIONS: dict[tuple[str, str], str] = {
    (ReserveStatus.NOMINATED, ReserveAction.APPROVE): ReserveStatus.APPROVED,
    (ReserveStatus.NOMINATED, ReserveAction.REJECT): ReserveStatus.REJECTED,
    (ReserveStatus.NOMINATED, ReserveAction.WITHDRAW): ReserveStatus.WITHDRAWN,
    (ReserveStatus.APPROVED, ReserveAction.WITHDRAW): ReserveStatus.WITHDRAWN,
}

ACTION_LABELS: dict[str, Any] = {
    ReserveAction.APPROVE: gettext_lazy("批准入库"),
    ReserveAction.REJECT: gettext_lazy("不予通过"),
    ReserveAction.WITHDRAW: gettext_lazy("撤回/出库"),
}


def allowed_actions(entry: ReservePoolEntry) -> list[str]:
    return [action for (status, action) in RESERVE_TRANSITIONS if status == entry.status]


def _ancestor_paths(path: str) -> list[str]:
    ids = [part for part in path.split("/") if part]
    return ["/" + "/".join(ids[:i]) + "/" for i in range(1, len(ids) + 1)]


def other_approver_exists(*, entry: ReservePoolEntry, besides: User) -> bool:
    """Return whether an active user other than `besides` and the cadre has the edit right over the cadre."""
    cadre = entry.cadre
    excluded = [besides.pk, *([cadre.user_id] if cadre.user_id else [])]
    near = (
        User.objects.filter(is_active=True)
        .exclude(pk__in=excluded)
        .filter(
            Q(is_superuser=True)
            | Q(roles__scope=DataScope.ALL)
            | Q(unit__path__in=_ancestor_paths(cadre.home_unit.path))
        )
        .distinct()
        .prefetch_related("roles")
        .select_related("unit")[:50]
    )
    for user in near:
        if access_for(user).can_edit and Cadre.objects.filter(cadre_scope_q(user), pk=cadre.pk).exists():
            return True
    return False


@transaction.atomic
def reserve_entry_transition(
    *,
    actor: User,
    entry: ReservePoolEntry,
    action: str,
    note: str = "",
    expected_version: int | None = None,
) -> ReservePoolEntry:
    """Approve, reject or withdraw an entry (see RESERVE_TRANSITIONS); a rejection or withdrawal needs a note."""
    require_edit_right(actor)
    locked = _lock_entry(entry, expected_version)
    require_cadre_in_scope(actor, locked.cadre)
    target = RESERVE_TRANSITIONS.get((locked.status, action))
    if target is None:
        raise ApplicationError(
            _("“%(status)s”的条目不能执行“%(action)s”。")
            % {"status": locked.get_status_display(), "action": ACTION_LABELS.get(action, action)},
            code="invalid_transition",
        )
    note = (note or "").strip()
    if action in (ReserveAction.REJECT, ReserveAction.WITHDRAW) and not note:
        raise TalentValidationError({"note": _("不予通过或撤回须写明理由。")})
    if len(note) > 500:
        raise TalentValidationError({"note": _("意见不能超过 500 字。")})
    if locked.cadre.user_id is not None and locked.cadre.user_id == actor.pk:
        raise ApplicationError(_("不能审批本人的后备干部提名。"), code="forbidden")
    self_decided = False
    if action in (ReserveAction.APPROVE, ReserveAction.REJECT) and locked.nominated_by_id == actor.pk:
        if other_approver_exists(entry=locked, besides=actor):
            raise ApplicationError(_("提名人不能审批自己的提名，请由其他有编辑权限的同志审批。"), code="forbidden")
        self_decided = True
    before = locked.status
    locked.status = target
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.version += 1
    locked.save()
    changes: dict[str, tuple[Any, Any]] = {"status": (before, target)}
    if note:
        changes["decision_note"] = (None, note)
    with translation.override(settings.LANGUAGE_CODE):  # the audit log is kept in the product's language
        note = _("提名人自行审批：范围内没有其他有编辑权限的用户") if self_decided else str(ACTION_LABELS[action])
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes, note=note)
    return locked


# --- promotions and merits ---------------------------------------------------------------------


def _check_scores(cadre: Cadre, scores: Sequence[CadreScore], errors: dict[str, str]) -> None:
    for score in scores:
        if score.cadre_id != cadre.pk:
            errors["scores"] = _("所选考核结果不属于该干部。")
            return
        if score.period.status != PeriodStatus.LOCKED:
            errors["scores"] = _("只能引用已锁定考核期的结果（%(label)s 尚未锁定）。") % {"label": score.period.label}
            return


@dataclass
class PromotionData:
    kind: str
    effective_on: date
    decision_body: str
    evidence: str
    to_position: str = ""
    to_rank: int | None = None
    from_position: str | None = None  # None: the cadre's current post
    from_rank: int | None = None  # None: the cadre's current rank
    decision_ref: str = ""
    scores: list[CadreScore] = field(default_factory=list)
    reserve_entry: ReservePoolEntry | None = None


def validate_promotion(cadre: Cadre, data: PromotionData, *, today: date) -> dict[str, str]:
    """Return errors by field for a promotion of `cadre` (empty when it may be recorded)."""
    errors: dict[str, str] = {}
    from_rank = data.from_rank if data.from_rank is not None else cadre.rank
    if data.kind not in PromotionKind.values:
        errors["kind"] = _("请选择职务提拔或职级晋升。")
    if data.kind == PromotionKind.POSITION and not data.to_position.strip():
        errors["to_position"] = _("职务提拔须填写新职务。")
    if data.kind == PromotionKind.RANK and data.to_rank is None:
        errors["to_rank"] = _("职级晋升须选择新职级。")
    if data.to_rank is not None:
        if data.to_rank not in Rank.values:
            errors["to_rank"] = _("职级无效。")
        elif data.to_rank <= from_rank:
            errors["to_rank"] = _("新职级须高于原职级（%(rank)s）。") % {"rank": Rank(from_rank).label}
    if data.effective_on > today:
        errors["effective_on"] = _("任职时间不能晚于今天：请在决定生效后登记。")
    if not data.decision_body.strip():
        errors["decision_body"] = _("请填写决定机关，如“中共曾都区委常委会”。")
    if not data.evidence.strip():
        errors["evidence"] = _("请写明提拔晋升所依据的实绩。")
    if len(data.to_position) > 100 or len(data.from_position or "") > 100:
        errors["to_position"] = _("职务不能超过 100 个字符。")
    entry = data.reserve_entry
    if entry is not None and (entry.cadre_id != cadre.pk or entry.status != ReserveStatus.APPROVED):
        errors["reserve_entry"] = _("只能关联该干部已入库的后备干部库条目。")
    _check_scores(cadre, data.scores, errors)
    return errors


@transaction.atomic
def promotion_create(*, actor: User, cadre: Cadre, data: PromotionData, today: date | None = None) -> Promotion:
    """Record a promotion; when it is the cadre's latest, update their post and rank through the registry.

    The registry's own service makes that change (audited with its old and new values), so the
    cadre's page and the dossier always show the post and rank the latest decision gave.
    """
    require_edit_right(actor)
    require_cadre_in_scope(actor, cadre)
    today = today or timezone.localdate()
    current = Cadre.objects.select_for_update().select_related("home_unit").get(pk=cadre.pk)
    errors = validate_promotion(current, data, today=today)
    if errors:
        raise TalentValidationError(errors)
    promotion = Promotion(
        cadre=current,
        kind=data.kind,
        from_position=(data.from_position if data.from_position is not None else current.position).strip(),
        to_position=data.to_position.strip(),
        from_rank=data.from_rank if data.from_rank is not None else current.rank,
        to_rank=data.to_rank,
        effective_on=data.effective_on,
        decision_body=data.decision_body.strip(),
        decision_ref=data.decision_ref.strip(),
        evidence=data.evidence.strip(),
        reserve_entry=data.reserve_entry,
        created_by=actor,
    )
    promotion.save()
    promotion.scores.set(data.scores)
    is_latest = not Promotion.objects.filter(cadre=current, effective_on__gt=data.effective_on).exists()
    applied: dict[str, tuple[Any, Any]] = {}
    if is_latest:
        registry = cadre_data_for(current)
        if promotion.to_position and promotion.to_position != current.position:
            applied["position"] = (current.position, promotion.to_position)
            registry.position = promotion.to_position
        if promotion.to_rank and promotion.to_rank != current.rank:
            applied["rank"] = (current.rank, promotion.to_rank)
            registry.rank = promotion.to_rank
        if applied:
            cadre_update(actor=actor, cadre=current, data=registry, expected_version=current.version, today=today)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=promotion,
        changes={
            "kind": (None, promotion.kind),
            "change": (None, promotion.change_label),
            "effective_on": (None, promotion.effective_on.isoformat()),
            "scores": (None, [s.pk for s in data.scores]),
            "applied_to_registry": (None, sorted(applied)),
        },
    )
    return promotion


@dataclass
class MeritData:
    kind: str
    awarded_on: date
    awarding_body: str
    reason: str
    title: str = ""
    evidence: str = ""
    scores: list[CadreScore] = field(default_factory=list)


def validate_merit(cadre: Cadre, data: MeritData, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in MeritKind.values:
        errors["kind"] = _("请选择奖励类型。")
    if data.kind == MeritKind.HONOR and not data.title.strip():
        errors["title"] = _("表彰须填写荣誉称号。")
    if data.awarded_on > today:
        errors["awarded_on"] = _("奖励时间不能晚于今天。")
    if not data.awarding_body.strip():
        errors["awarding_body"] = _("请填写奖励机关。")
    if not data.reason.strip():
        errors["reason"] = _("请写明奖励事由。")
    if len(data.title) > 100:
        errors["title"] = _("名称不能超过 100 个字符。")
    _check_scores(cadre, data.scores, errors)
    return errors


@transaction.atomic
def merit_create(*, actor: User, cadre: Cadre, data: MeritData, today: date | None = None) -> Merit:
    """Record a merit, commendation or honour with its evidence."""
    require_edit_right(actor)
    require_cadre_in_scope(actor, cadre)
    errors = validate_merit(cadre, data, today=today or timezone.localdate())
    if errors:
        raise TalentValidationError(errors)
    merit = Merit(
        cadre=cadre,
        kind=data.kind,
        title=data.title.strip(),
        awarded_on=data.awarded_on,
        awarding_body=data.awarding_body.strip(),
        reason=data.reason.strip(),
        evidence=data.evidence.strip(),
        created_by=actor,
    )
    merit.save()
    merit.scores.set(data.scores)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=merit,
        changes={
            "kind": (None, merit.kind),
            "title": (None, merit.title),
            "awarded_on": (None, merit.awarded_on.isoformat()),
            "scores": (None, [s.pk for s in data.scores]),
        },
    )
    return merit


# --- the dossier ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierFile:
    content: bytes
    filename: str


def dossier_export(*, actor: User, cadre: Cadre) -> DossierFile:
    """Return the cadre's frontline dossier (一线专项档案) as a PDF; the download is audited.

    The file is rendered first and handed out only once its audit row is written: no dossier
    leaves without a record of who took it.
    """
    from frontline.talent.dossier import dossier_pdf

    require_cadre_in_scope(actor, cadre)
    content = dossier_pdf(cadre=cadre, actor=actor)
    # The audit log is kept in the product's language, whatever the downloading user reads.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        audit(actor=actor, action=AuditAction.VIEW_SENSITIVE, obj=cadre, note=_("下载一线专项档案（PDF）"))
    return DossierFile(content=content, filename=f"{_('一线专项档案')}_{cadre.name}_{timezone.localdate():%Y%m%d}.pdf")
