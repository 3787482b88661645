"""Every write of the appraisal: schemes, evidence, periods (compute, adjust, lock), flags, projects.

CONTRACT (written by the lead; bodies to be implemented): the signatures below are what views and
the API call. Business errors raise `frontline.core.errors.ApplicationError` (codes: "invalid",
"frozen", "locked", "busy") or `ConflictError` on a stale `expected_version`; every change is audited
in the same transaction (`frontline.core.audit.audit`). Refusals for rights and scope use
"forbidden" and "out_of_scope" as in dispatch.

Computing a month (`period_compute`) reads every figure with one grouped query per input over the
whole population (indicators.py), normalizes and weighs them as arrays (scoring.py) and replaces
the period's scores, adjustments and integrity flags in one transaction (COPY on PostgreSQL).
"""

import calendar
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.appraisal import indicators, scoring
from frontline.appraisal.compute import (
    compute_month,
    compute_rollup,
    lock_period,
    project_ranking,
    refuse_locked,
    rerank,
)
from frontline.appraisal.models import (
    AppraisalDimension,
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    DimensionInput,
    FlagStatus,
    Indicator,
    InputSource,
    Inspection,
    IntegrityFlag,
    Normalization,
    PerformanceNote,
    PeriodKind,
    PeriodStatus,
    ProjectAssessment,
    RaterKind,
    ScoreAdjustment,
    StakeholderRating,
    Suggestion,
    refuse_evidence_in_locked_period,
)
from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.access import access_for
from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, User
from frontline.dispatch.models import Campaign
from frontline.org.selectors import unit_list
from frontline.posts.models import Post, PostKind

logger = logging.getLogger(__name__)


@dataclass
class InputData:
    source: str  # InputSource
    indicator: str = ""  # Indicator, only for source == "indicator"
    rater_kind: str = ""  # RaterKind or "" (all), only for source == "stakeholder"
    share: Decimal = Decimal(100)
    normalization: str = Normalization.PEER_PERCENTILE


@dataclass
class DimensionData:
    code: str
    name: str
    weight: Decimal
    inputs: list[InputData] = field(default_factory=list)
    description: str = ""


class AppraisalValidationError(ApplicationError):
    """Field-level errors: {field: message}, each in the user's language and actionable."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()), code="invalid", extra={"errors": dict(errors)})
        self.errors = dict(errors)


# --- Rights and scope ----------------------------------------------------------------------------


def _actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def require_appraisal_right(actor: User | None) -> None:
    """Refuse an actor whose roles may not edit (actor None is the system: demo data, background jobs)."""
    if actor is not None and not access_for(actor).can_edit:
        raise ApplicationError(_("您的角色没有考核管理权限。"), code="forbidden")


def _require_unit_in_scope(actor: User | None, unit_id: int) -> None:
    if actor is not None and not unit_list(user=actor).filter(pk=unit_id).exists():
        raise ApplicationError(_("该行动不在您的管理范围内。"), code="out_of_scope")


def require_campaign_in_scope(actor: User | None, campaign: Campaign) -> None:
    """Refuse an actor who may not edit, or whose scope does not hold the campaign's organizing unit."""
    require_appraisal_right(actor)
    _require_unit_in_scope(actor, campaign.organizing_unit_id)


def require_cadre_in_scope(actor: User | None, cadre: Cadre) -> None:
    """Refuse an actor who may not edit, or whose scope does not hold the cadre."""
    require_cadres_in_scope(actor, [cadre])


def require_cadres_in_scope(actor: User | None, cadres: Sequence[Cadre]) -> None:
    """Refuse an actor who may not edit, or whose scope misses one of the cadres (one query for all)."""
    require_appraisal_right(actor)
    if actor is None:
        return
    inside = set(Cadre.objects.filter(cadre_scope_q(actor), pk__in={c.pk for c in cadres}).values_list("pk", flat=True))
    for cadre in cadres:
        if cadre.pk not in inside:
            raise ApplicationError(_("干部“%(name)s”不在您的管理范围内。") % {"name": cadre.name}, code="out_of_scope")


def _is_own_cadre(actor: User | None, cadre: Cadre) -> bool:
    return actor is not None and actor.pk is not None and cadre.user_id == actor.pk


# --- Schemes -------------------------------------------------------------------------------------


def default_dimensions() -> list[DimensionData]:
    """Return the six default dimensions (攻坚能力, 服务意识, 创新思维, 协调能力, 群众评价, 廉洁自律)."""
    pct, absolute = Normalization.PEER_PERCENTILE, Normalization.ABSOLUTE

    def ledger(indicator: str, share: int, normalization: str = pct) -> InputData:
        return InputData(InputSource.INDICATOR, indicator, share=Decimal(share), normalization=normalization)

    return [
        DimensionData(
            "tackling",
            _("攻坚能力"),
            Decimal(25),
            [ledger(Indicator.PROBLEMS_RESOLVED, 60), ledger(Indicator.ON_TIME_RATE, 40)],
            _("解决了多少难题（按难度和层级加权）、是否按期办结"),
        ),
        DimensionData(
            "service",
            _("服务意识"),
            Decimal(20),
            [ledger(Indicator.SAME_DAY_ACK_RATE, 40), ledger(Indicator.SATISFACTION, 60, absolute)],
            _("问题不过夜、诉求人是否满意"),
        ),
        DimensionData(
            "innovation",
            _("创新思维"),
            Decimal(15),
            [ledger(Indicator.SUGGESTIONS_ADOPTED, 50), ledger(Indicator.MATCHMAKINGS_CONCLUDED, 50)],
            _("意见建议被采纳、撮合供需对接签约"),
        ),
        DimensionData(
            "coordination",
            _("协调能力"),
            Decimal(15),
            [
                ledger(Indicator.SEND_BACKS_CAUSED, 40),
                ledger(Indicator.REOPEN_RATE, 30),
                InputData(InputSource.INSPECTION, share=Decimal(30), normalization=absolute),
            ],
            _("交办准确少退单、办结后少返工，督查组的评价"),
        ),
        DimensionData(
            "public_evaluation",
            _("群众评价"),
            Decimal(15),
            [
                InputData(InputSource.STAKEHOLDER, share=Decimal(70), normalization=absolute),
                ledger(Indicator.SATISFACTION, 30, absolute),
            ],
            _("企业、群众、同事的评价和诉求人满意度"),
        ),
        DimensionData(
            "integrity",
            _("廉洁自律"),
            Decimal(10),
            [InputData(InputSource.INSPECTION, share=Decimal(100), normalization=absolute)],
            _("督查组“四不两直”督查的结论"),
        ),
    ]


def default_bands() -> list[dict[str, object]]:
    """Return the default classes: 好 (≥ 80), 较好 (≥ 70), 一般 (≥ 60), 较差 (< 60)."""
    return [
        {"code": "excellent", "label": _("好"), "min_score": 80},
        {"code": "good", "label": _("较好"), "min_score": 70},
        {"code": "average", "label": _("一般"), "min_score": 60},
        {"code": "poor", "label": _("较差"), "min_score": 0},
    ]


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate_dimensions(dimensions: list[DimensionData]) -> dict[str, str]:
    """Return errors by field: weights must total 100, shares within each dimension must total 100.

    Keys: "dimensions" (the list as a whole), "weights" (their total), "dimensions.<i>.<field>" for
    one dimension (code, name, weight, inputs) and "dimensions.<i>.inputs.<j>" for one input.
    """
    errors: dict[str, str] = {}
    if not dimensions:
        return {"dimensions": _("请至少设置一个考核维度。")}
    seen: set[str] = set()
    total = Decimal(0)
    for i, dim in enumerate(dimensions):
        key = f"dimensions.{i}"
        code = dim.code.strip()
        label = dim.name.strip() or _("第 %(n)d 个维度") % {"n": i + 1}
        if (
            not code
            or not code.replace("-", "").replace("_", "").isascii()
            or not code.replace("-", "").replace("_", "").isalnum()
        ):
            errors[f"{key}.code"] = _("“%(name)s”的代码只能由英文字母、数字、下划线或连字符组成。") % {"name": label}
        elif code in seen:
            errors[f"{key}.code"] = _("维度代码“%(code)s”重复了，请换一个。") % {"code": code}
        seen.add(code)
        if not dim.name.strip():
            errors[f"{key}.name"] = _("请填写第 %(n)d 个维度的名称。") % {"n": i + 1}
        elif len(dim.name.strip()) > 50:
            errors[f"{key}.name"] = _("维度名称不能超过 50 个字符。")
        weight = _decimal(dim.weight)
        if weight is None or weight < 0 or weight > 100:
            errors[f"{key}.weight"] = _("“%(name)s”的权重应在 0 到 100 之间。") % {"name": label}
        else:
            total += weight
        errors.update(_validate_inputs(key, label, dim.inputs))
    if not any(k.endswith(".weight") for k in errors) and total != 100:
        errors["weights"] = _("各维度权重合计应为 100，当前为 %(total)s，请调整。") % {
            "total": f"{total.normalize():f}"
        }
    return errors


def _validate_inputs(key: str, label: str, inputs: Sequence[InputData]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not inputs:
        return {f"{key}.inputs": _("“%(name)s”至少需要一个数据来源。") % {"name": label}}
    shares = Decimal(0)
    for j, item in enumerate(inputs):
        ikey = f"{key}.inputs.{j}"
        if item.source not in InputSource.values:
            errors[ikey] = _("“%(name)s”的第 %(n)d 个数据来源无效。") % {"name": label, "n": j + 1}
            continue
        if item.source == InputSource.INDICATOR:
            if item.indicator not in Indicator.values:
                errors[ikey] = _("“%(name)s”的第 %(n)d 个数据来源请选择一个台账指标。") % {"name": label, "n": j + 1}
                continue
            if item.normalization == Normalization.ABSOLUTE and indicators.INDICATOR_DOCS[item.indicator].is_count:
                errors[ikey] = _("“%(indicator)s”是计数，没有 0–100 的刻度，只能按同类百分位归一化。") % {
                    "indicator": Indicator(item.indicator).label
                }
                continue
        elif item.indicator:
            errors[ikey] = _("只有台账指标类数据来源才选择指标。")
            continue
        if item.rater_kind and (item.source != InputSource.STAKEHOLDER or item.rater_kind not in RaterKind.values):
            errors[ikey] = _("评价人类型只适用于服务对象评价。")
            continue
        if item.normalization not in Normalization.values:
            errors[ikey] = _("归一化方式无效。")
            continue
        share = _decimal(item.share)
        if share is None or share <= 0 or share > 100:
            errors[ikey] = _("“%(name)s”第 %(n)d 个数据来源的占比应大于 0、不超过 100。") % {"name": label, "n": j + 1}
            continue
        shares += share
    if not errors and shares != 100:
        errors[f"{key}.inputs"] = _("“%(name)s”各数据来源的占比合计应为 100，当前为 %(total)s。") % {
            "name": label,
            "total": f"{shares.normalize():f}",
        }
    return errors


def validate_bands(bands: list[dict[str, object]]) -> dict[str, str]:
    """Return {"bands": message} when the classes are malformed: each needs a code, a label and a
    min_score from 0 to 100; codes and min_scores are distinct."""
    if not bands:
        return {"bands": _("请至少设置一个等次。")}
    codes: set[str] = set()
    scores: set[Decimal] = set()
    for band in bands:
        code = str(band.get("code", "")).strip()
        label = str(band.get("label", "")).strip()
        score = _decimal(band.get("min_score"))
        if not code or not label:
            return {"bands": _("每个等次都要有代码和名称。")}
        if score is None or score < 0 or score > 100:
            return {"bands": _("等次“%(label)s”的最低分应在 0 到 100 之间。") % {"label": label}}
        if code in codes or score in scores:
            return {"bands": _("等次的代码和最低分不能重复。")}
        codes.add(code)
        scores.add(score)
    return {}


def _clean_bands(bands: list[dict[str, object]]) -> list[dict[str, object]]:
    cleaned = [
        {
            "code": str(b["code"]).strip(),
            "label": str(b["label"]).strip(),
            "min_score": float(Decimal(str(b["min_score"]))),
        }
        for b in bands
    ]
    return sorted(cleaned, key=lambda b: float(str(b["min_score"])), reverse=True)


def _write_dimensions(scheme: AppraisalScheme, dimensions: list[DimensionData]) -> None:
    for order, dim in enumerate(dimensions):
        row = AppraisalDimension.objects.create(
            scheme=scheme,
            code=dim.code.strip(),
            name=dim.name.strip(),
            weight=Decimal(str(dim.weight)),
            description=dim.description.strip()[:300],
            sort_order=order,
        )
        DimensionInput.objects.bulk_create(
            [
                DimensionInput(
                    dimension=row,
                    source=item.source,
                    indicator=item.indicator if item.source == InputSource.INDICATOR else "",
                    rater_kind=item.rater_kind if item.source == InputSource.STAKEHOLDER else "",
                    share=Decimal(str(item.share)),
                    normalization=item.normalization,
                )
                for item in dim.inputs
            ]
        )


def scheme_dimensions(scheme: AppraisalScheme) -> list[DimensionData]:
    """Return a scheme's dimensions as data (for editing, copying and the audit trail)."""
    return [
        DimensionData(
            code=d.code,
            name=d.name,
            weight=d.weight,
            description=d.description,
            inputs=[InputData(i.source, i.indicator, i.rater_kind, i.share, i.normalization) for i in d.inputs.all()],
        )
        for d in scheme.dimensions.prefetch_related("inputs")
    ]


def _summary(dimensions: list[DimensionData]) -> str:
    return "；".join(f"{d.name} {Decimal(str(d.weight)).normalize():f}" for d in dimensions)


def _validate_name(campaign: Campaign, name: str, *, exclude: AppraisalScheme | None = None) -> dict[str, str]:
    if not name:
        return {"name": _("请填写方案名称。")}
    if len(name) > 100:
        return {"name": _("方案名称不能超过 100 个字符。")}
    others = AppraisalScheme.objects.filter(campaign=campaign, name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk).exclude(pk__in=_lineage_ids(exclude))
    if others.exists():
        return {"name": _("该行动已有名为“%(name)s”的考核方案。") % {"name": name}}
    return {}


def _lineage_ids(scheme: AppraisalScheme) -> list[int]:
    return list(
        AppraisalScheme.objects.filter(campaign_id=scheme.campaign_id, name=scheme.name).values_list("pk", flat=True)
    )


@transaction.atomic
def scheme_create(
    *,
    actor: User | None,
    campaign: Campaign,
    name: str,
    dimensions: list[DimensionData] | None = None,
    bands: list[dict[str, object]] | None = None,
) -> AppraisalScheme:
    """Create an appraisal scheme for a campaign (the six default dimensions and classes unless given)."""
    require_campaign_in_scope(actor, campaign)
    name = name.strip()
    dimensions = default_dimensions() if dimensions is None else dimensions
    bands = default_bands() if bands is None else bands
    errors = _validate_name(campaign, name) | validate_dimensions(dimensions) | validate_bands(bands)
    if errors:
        raise AppraisalValidationError(errors)
    scheme = AppraisalScheme.objects.create(
        campaign=campaign, name=name, bands=_clean_bands(bands), created_by=_actor_or_none(actor)
    )
    _write_dimensions(scheme, dimensions)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=scheme,
        changes={"name": (None, name), "dimensions": (None, _summary(dimensions))},
    )
    return scheme


SCHEME_FIELDS = (
    "name",
    "bands",
    "project_weight_progress",
    "project_weight_quality",
    "project_weight_service",
    "red_flag_count",
)


@transaction.atomic
def scheme_update(
    *,
    actor: User,
    scheme: AppraisalScheme,
    expected_version: int,
    name: str,
    dimensions: list[DimensionData],
    bands: list[dict[str, object]],
    project_weights: tuple[int, int, int] | None = None,
    red_flag_count: int | None = None,
) -> AppraisalScheme:
    """Replace a scheme's dimensions; refused ("frozen") once a period uses it."""
    locked = AppraisalScheme.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=scheme.pk)
    require_campaign_in_scope(actor, locked.campaign)
    if locked.version != expected_version:
        raise ConflictError(_("该方案已被他人修改，请刷新页面查看最新内容后再操作。"), current_version=locked.version)
    if locked.frozen:
        raise ApplicationError(
            _("方案“%(name)s”已被考核期使用，不能再修改；请另存为新版本后修改。") % {"name": str(locked)},
            code="frozen",
        )
    name = name.strip()
    errors = _validate_name(locked.campaign, name, exclude=locked) | validate_dimensions(dimensions)
    errors |= validate_bands(bands)
    if project_weights is not None and (any(w < 0 or w > 100 for w in project_weights) or sum(project_weights) != 100):
        errors["project_weights"] = _("项目进度、质量、服务三项权重应各在 0 到 100 之间，合计为 100。")
    if red_flag_count is not None and red_flag_count < 0:
        errors["red_flag_count"] = _("红旗项目数不能为负数。")
    if errors:
        raise AppraisalValidationError(errors)
    before = snapshot(locked, SCHEME_FIELDS)
    before_dimensions = _summary(scheme_dimensions(locked))
    locked.name = name
    locked.bands = _clean_bands(bands)
    if project_weights is not None:
        (locked.project_weight_progress, locked.project_weight_quality, locked.project_weight_service) = project_weights
    if red_flag_count is not None:
        locked.red_flag_count = red_flag_count
    locked.version += 1
    locked.save()
    locked.dimensions.all().delete()
    _write_dimensions(locked, dimensions)
    changes = diff(before, snapshot(locked, SCHEME_FIELDS))
    if _summary(dimensions) != before_dimensions:
        changes["dimensions"] = (before_dimensions, _summary(dimensions))
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def scheme_new_version(*, actor: User, scheme: AppraisalScheme) -> AppraisalScheme:
    """Copy a (frozen) scheme into an editable next version."""
    source = AppraisalScheme.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=scheme.pk)
    require_campaign_in_scope(actor, source.campaign)
    successor = AppraisalScheme.objects.filter(previous=source).first()
    if successor is not None:
        raise ApplicationError(
            _("方案“%(name)s”已有新版本 v%(version)d，请在新版本上修改。")
            % {"name": source.name, "version": successor.version_number},
            code="invalid",
        )
    latest = max(
        AppraisalScheme.objects.filter(campaign=source.campaign, name=source.name).values_list(
            "version_number", flat=True
        )
    )
    copy = AppraisalScheme.objects.create(
        campaign=source.campaign,
        name=source.name,
        version_number=latest + 1,
        previous=source,
        bands=source.bands,
        project_weight_progress=source.project_weight_progress,
        project_weight_quality=source.project_weight_quality,
        project_weight_service=source.project_weight_service,
        red_flag_count=source.red_flag_count,
        created_by=_actor_or_none(actor),
    )
    _write_dimensions(copy, scheme_dimensions(source))
    audit(actor=actor, action=AuditAction.CREATE, obj=copy, changes={"previous": (None, str(source))})
    return copy


# --- Evidence ------------------------------------------------------------------------------------


def _validate_sub_scores(**scores: int) -> dict[str, str]:
    return {
        name: _("督查各项得分应在 0 到 100 之间。")
        for name, value in scores.items()
        if not isinstance(value, int) or value < 0 or value > 100
    }


def _in_row(errors: dict[str, str], index: int, count: int) -> dict[str, str]:
    """Name the row in the errors of a batch of several rows (the keys stay the field names)."""
    if count == 1:
        return errors
    return {key: _("第 %(n)d 条：%(error)s") % {"n": index + 1, "error": message} for key, message in errors.items()}


@dataclass
class InspectionData:
    """One visit of the inspection group (看任务完成度、听企业评价、查台账记录), scored 0–100 each."""

    cadre: Cadre
    inspected_on: date
    task_completion: int
    enterprise_evaluation: int
    ledger_check: int
    unannounced: bool = False
    notes: str = ""


@dataclass
class RatingData:
    """One rating (1–5) of a cadre by an enterprise, a resident or a colleague."""

    cadre: Cadre
    rater_kind: str
    score: int
    rated_on: date
    comment: str = ""
    rater_name: str = ""


@transaction.atomic
def inspection_create(
    *,
    actor: User,
    campaign: Campaign,
    cadre: Cadre,
    inspected_on: date,
    task_completion: int,
    enterprise_evaluation: int,
    ledger_check: int,
    unannounced: bool = False,
    notes: str = "",
) -> Inspection:
    """Record the inspection group's visit to a cadre (看任务完成度、听企业评价、查台账记录).

    Refused ("locked") when the day falls inside a locked period of the campaign: the locked
    scores rest on that period's evidence.
    """
    row = InspectionData(cadre, inspected_on, task_completion, enterprise_evaluation, ledger_check, unannounced, notes)
    return inspections_record(actor=actor, campaign=campaign, rows=[row])[0]


@transaction.atomic
def inspections_record(*, actor: User, campaign: Campaign, rows: Sequence[InspectionData]) -> list[Inspection]:
    """Record visits of the inspection group, all of them or none (an error names its row).

    The checks of `inspection_create` take a few queries for the whole batch, not per row.
    """
    if not rows:
        return []
    require_cadres_in_scope(actor, [row.cadre for row in rows])
    today = timezone.localdate()
    for index, row in enumerate(rows):
        errors = _validate_sub_scores(
            task_completion=row.task_completion,
            enterprise_evaluation=row.enterprise_evaluation,
            ledger_check=row.ledger_check,
        )
        if row.inspected_on > today:
            errors["inspected_on"] = _("督查日期不能晚于今天。")
        if errors:
            raise AppraisalValidationError(_in_row(errors, index, len(rows)))
    refuse_evidence_in_locked_period(
        campaign_id=campaign.pk,
        days=[row.inspected_on for row in rows],
        field="inspected_on",
        label=_("督查日期"),
        for_update=True,
    )
    inspector = _actor_or_none(actor)
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                campaign=campaign,
                cadre=row.cadre,
                inspected_on=row.inspected_on,
                task_completion=row.task_completion,
                enterprise_evaluation=row.enterprise_evaluation,
                ledger_check=row.ledger_check,
                unannounced=row.unannounced,
                notes=row.notes.strip(),
                inspector=inspector,
            )
            for row in rows
        ],
        batch_size=500,
    )
    for inspection in inspections:
        audit(
            actor=actor,
            action=AuditAction.CREATE,
            obj=inspection,
            changes={"score": (None, f"{inspection.score:.1f}"), "unannounced": (None, inspection.unannounced)},
        )
    return inspections


@transaction.atomic
def stakeholder_rating_create(
    *,
    actor: User | None,
    campaign: Campaign,
    cadre: Cadre,
    rater_kind: str,
    score: int,
    rated_on: date,
    comment: str = "",
    rater_name: str = "",
) -> StakeholderRating:
    """Record an enterprise's, resident's or colleague's rating (1–5) of a cadre; refused ("locked")
    when the day falls inside a locked period of the campaign."""
    row = RatingData(cadre, rater_kind, score, rated_on, comment, rater_name)
    return stakeholder_ratings_record(actor=actor, campaign=campaign, rows=[row])[0]


@transaction.atomic
def stakeholder_ratings_record(
    *, actor: User | None, campaign: Campaign, rows: Sequence[RatingData]
) -> list[StakeholderRating]:
    """Record ratings, all of them or none (an error names its row); actor None is the public.

    The checks of `stakeholder_rating_create` take a few queries for the whole batch, not per row.
    """
    if not rows:
        return []
    if actor is not None:
        require_cadres_in_scope(actor, [row.cadre for row in rows])
    for index, row in enumerate(rows):
        errors: dict[str, str] = {}
        if row.rater_kind not in RaterKind.values:
            errors["rater_kind"] = _("请选择评价人类型：企业、群众或同事。")
        if not isinstance(row.score, int) or row.score < 1 or row.score > 5:
            errors["score"] = _("评分应为 1 到 5 分。")
        if len(row.comment.strip()) > 500:
            errors["comment"] = _("评价意见不能超过 500 个字符。")
        if len(row.rater_name.strip()) > 100:
            errors["rater_name"] = _("评价人不能超过 100 个字符。")
        if errors:
            raise AppraisalValidationError(_in_row(errors, index, len(rows)))
    refuse_evidence_in_locked_period(
        campaign_id=campaign.pk,
        days=[row.rated_on for row in rows],
        field="rated_on",
        label=_("评价日期"),
        for_update=True,
    )
    created_by = _actor_or_none(actor)
    ratings = StakeholderRating.objects.bulk_create(
        [
            StakeholderRating(
                campaign=campaign,
                cadre=row.cadre,
                rater_kind=row.rater_kind,
                rater_name=row.rater_name.strip(),
                score=row.score,
                comment=row.comment.strip(),
                rated_on=row.rated_on,
                created_by=created_by,
            )
            for row in rows
        ],
        batch_size=500,
    )
    for rating in ratings:
        audit(
            actor=actor,
            action=AuditAction.CREATE,
            obj=rating,
            changes={"score": (None, rating.score), "rater_kind": (None, rating.rater_kind)},
            actor_name="" if actor else "public",
        )
    return ratings


@transaction.atomic
def suggestion_create(*, actor: User | None, cadre: Cadre, title: str, content: str) -> Suggestion:
    """Record a cadre's suggestion (意见建议): by the cadre themself or by an editor in scope."""
    if not _is_own_cadre(actor, cadre):
        require_cadre_in_scope(actor, cadre)
    errors: dict[str, str] = {}
    title, content = title.strip(), content.strip()
    if not title:
        errors["title"] = _("请填写建议的标题。")
    elif len(title) > 100:
        errors["title"] = _("标题不能超过 100 个字符。")
    if not content:
        errors["content"] = _("请填写建议的内容。")
    if errors:
        raise AppraisalValidationError(errors)
    suggestion = Suggestion.objects.create(cadre=cadre, title=title, content=content)
    audit(actor=actor, action=AuditAction.CREATE, obj=suggestion, changes={"title": (None, title)})
    return suggestion


@transaction.atomic
def suggestion_adopt(*, actor: User, suggestion: Suggestion, note: str = "") -> Suggestion:
    """Mark a suggestion adopted; it then counts as evidence and enters the performance record."""
    locked = Suggestion.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=suggestion.pk)
    require_cadre_in_scope(actor, locked.cadre)
    if locked.adopted:
        raise ApplicationError(
            _("该建议已于 %(day)s 采纳。") % {"day": f"{timezone.localdate(locked.adopted_at):%Y-%m-%d}"}
        )
    if len(note.strip()) > 300:
        raise AppraisalValidationError({"note": _("采纳说明不能超过 300 个字符。")})
    locked.adopted = True
    locked.adopted_at = timezone.now()
    locked.adopted_by = _actor_or_none(actor)
    locked.adoption_note = note.strip()
    locked.save(update_fields=["adopted", "adopted_at", "adopted_by", "adoption_note"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"adopted": (False, True)})
    return locked


ENTRY_KINDS = ("problem", "matchmaking", "suggestion")


@transaction.atomic
def performance_note_add(
    *, actor: User, cadre: Cadre, text: str, entry_key: str = "", occurred_on: date | None = None
) -> PerformanceNote:
    """Annotate an entry of a cadre's performance record, or add a manual entry (entry_key blank)."""
    if not _is_own_cadre(actor, cadre):
        require_cadre_in_scope(actor, cadre)
    text = text.strip()
    entry_key = entry_key.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("请填写说明。")
    elif len(text) > 500:
        errors["text"] = _("说明不能超过 500 个字符。")
    if entry_key:
        kind, _sep, pk = entry_key.partition(":")
        if kind not in ENTRY_KINDS or not pk.isdigit():
            errors["entry_key"] = _("实绩条目无效。")
    elif occurred_on is None:
        errors["occurred_on"] = _("请填写这项实绩的日期。")
    if errors:
        raise AppraisalValidationError(errors)
    note = PerformanceNote.objects.create(
        cadre=cadre, entry_key=entry_key, text=text, occurred_on=occurred_on, created_by=_actor_or_none(actor)
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=note, changes={"entry_key": (None, entry_key)})
    return note


# --- Periods -------------------------------------------------------------------------------------


def period_span(kind: str, day: date) -> tuple[date, date]:
    """Return the first and last day of the month, quarter or year holding `day`."""
    if kind == PeriodKind.MONTH:
        first_month, months = day.month, 1
    elif kind == PeriodKind.QUARTER:
        first_month, months = (day.month - 1) // 3 * 3 + 1, 3
    else:
        first_month, months = 1, 12
    last_month = first_month + months - 1
    return date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


@transaction.atomic
def period_create(
    *, actor: User | None, scheme: AppraisalScheme, kind: str = PeriodKind.MONTH, start_date: date
) -> AppraisalPeriod:
    """Create a month/quarter/year period (start snapped to its first day); freezes the scheme."""
    locked = AppraisalScheme.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=scheme.pk)
    require_campaign_in_scope(actor, locked.campaign)
    if kind not in PeriodKind.values:
        raise AppraisalValidationError({"kind": _("考核周期应为月度、季度或年度。")})
    start, end = period_span(kind, start_date)
    if AppraisalPeriod.objects.filter(scheme=locked, kind=kind, start_date=start).exists():
        raise AppraisalValidationError({"start_date": _("方案“%(scheme)s”已有这一考核期。") % {"scheme": str(locked)}})
    period = AppraisalPeriod.objects.create(
        scheme=locked, kind=kind, start_date=start, end_date=end, created_by=_actor_or_none(actor)
    )
    if not locked.frozen:
        locked.frozen = True
        locked.version += 1
        locked.save(update_fields=["frozen", "version", "updated_at"])
        audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"frozen": (False, True)})
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=period,
        changes={"kind": (None, kind), "start_date": (None, start), "end_date": (None, end)},
    )
    return period


def _enqueue(period_id: int) -> None:
    from frontline.appraisal.tasks import compute_period

    transaction.on_commit(lambda: compute_period.enqueue(period_id))


@transaction.atomic
def period_compute_start(*, actor: User, period: AppraisalPeriod) -> AppraisalPeriod:
    """Mark the period COMPUTING and enqueue the background task; refused when locked or already computing."""
    locked = lock_period(period.pk)
    require_campaign_in_scope(actor, locked.scheme.campaign)
    refuse_locked(locked)
    if locked.status == PeriodStatus.COMPUTING:
        raise ApplicationError(_("%(period)s的考核正在计算，请稍候。") % {"period": locked.label}, code="busy")
    before = locked.status
    locked.status = PeriodStatus.COMPUTING
    locked.progress_done = 0
    locked.progress_total = 0
    locked.error = ""
    locked.version += 1
    locked.save(update_fields=["status", "progress_done", "progress_total", "error", "version"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"status": (before, locked.status)})
    _enqueue(locked.pk)
    return locked


ProgressCallback = Callable[[int, int], None]


def period_compute(*, period_id: int, progress: ProgressCallback | None = None) -> AppraisalPeriod:
    """Compute every score of the period with set-based queries (the task body; also callable directly).

    Month: indicators + inspections + stakeholder ratings → normalized → weighted → ranks, bands,
    integrity flags. Quarter/year: the mean of the locked-or-computed months' totals inside it.
    Replaces earlier scores of the period (adjustments are re-applied when the cadre is still there).

    Progress goes into the row (`progress_done` of `progress_total`, counted in cadres): the first
    half while the figures are read and weighed, the rest once the scores are written. An
    unexpected error marks the period failed with a message and is logged; a locked period is refused.
    """
    with transaction.atomic():
        period = lock_period(period_id)
        refuse_locked(period)
        if period.status != PeriodStatus.COMPUTING:
            period.status = PeriodStatus.COMPUTING
            period.version += 1
        period.error = ""
        period.save(update_fields=["status", "version", "error"])

    def report(done: int, total: int) -> None:
        # Outside the write transaction, so a polling page sees it at once.
        AppraisalPeriod.objects.filter(pk=period_id).update(progress_done=done, progress_total=total)
        if progress is not None:
            progress(done, total)

    try:
        if period.kind == PeriodKind.MONTH:
            compute_month(period, report)
        else:
            compute_rollup(period, report)
    except ApplicationError as exc:
        _fail(period_id, exc.message)
        if exc.code == "locked":
            raise
    except Exception as exc:
        logger.exception("appraisal period %s failed", period_id)
        _fail(period_id, _("计算出错：%(error)s。请稍后重试；如仍失败，请联系管理员。") % {"error": type(exc).__name__})
    period.refresh_from_db()
    return period


def _fail(period_id: int, message: str) -> None:
    AppraisalPeriod.objects.filter(pk=period_id).exclude(status=PeriodStatus.LOCKED).update(
        status=PeriodStatus.FAILED, error=message
    )


# --- Review and lock -----------------------------------------------------------------------------


@transaction.atomic
def score_adjust(*, actor: User, score: CadreScore, new_total: Decimal, reason: str) -> CadreScore:
    """Set a reviewed total with a recorded reason; ranks and bands of the period are recomputed."""
    period = lock_period(score.period_id)
    require_campaign_in_scope(actor, period.scheme.campaign)
    refuse_locked(period)
    if period.status != PeriodStatus.COMPUTED:
        raise ApplicationError(
            _("只能调整已计算、待审核的考核期（当前：%(status)s）。") % {"status": period.get_status_display()},
            code="invalid",
        )
    reason = reason.strip()
    errors: dict[str, str] = {}
    value = _decimal(new_total)
    if value is None or value < 0 or value > 100:
        errors["new_total"] = _("调整后的得分应在 0 到 100 之间。")
    if not reason:
        errors["reason"] = _("请填写调整理由。")
    elif len(reason) > 500:
        errors["reason"] = _("调整理由不能超过 500 个字符。")
    if errors:
        raise AppraisalValidationError(errors)
    assert value is not None
    value = value.quantize(Decimal("0.01"))
    locked = CadreScore.objects.select_for_update(of=("self",)).get(pk=score.pk)
    ScoreAdjustment.objects.create(
        score=locked, old_total=locked.total, new_total=value, reason=reason, actor=_actor_or_none(actor)
    )
    old = locked.total
    locked.total = value
    locked.band = scoring.band_for(float(value), list(period.scheme.bands))
    breakdown = dict(locked.breakdown or {})
    breakdown["adjusted"] = True
    locked.breakdown = breakdown
    locked.save(update_fields=["total", "band", "breakdown"])
    rerank(period)
    period.version += 1
    period.save(update_fields=["version"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"total": (old, value)}, note=reason)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def period_lock(*, actor: User, period: AppraisalPeriod, expected_version: int) -> AppraisalPeriod:
    """Lock a computed period: from then on its scores, adjustments and flags never change."""
    locked = lock_period(period.pk)
    require_campaign_in_scope(actor, locked.scheme.campaign)
    if locked.version != expected_version:
        raise ConflictError(
            _("该考核期已有变化（当前状态：%(status)s），请刷新后再锁定。") % {"status": locked.get_status_display()},
            current_version=locked.version,
        )
    refuse_locked(locked)
    if locked.status != PeriodStatus.COMPUTED:
        raise ApplicationError(
            _("只能锁定已计算、待审核的考核期（当前：%(status)s）。") % {"status": locked.get_status_display()},
            code="invalid",
        )
    locked.status = PeriodStatus.LOCKED
    locked.locked_at = timezone.now()
    locked.locked_by = _actor_or_none(actor)
    locked.version += 1
    locked.save(update_fields=["status", "locked_at", "locked_by", "version"])
    audit(
        actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"status": (PeriodStatus.COMPUTED, locked.status)}
    )
    return locked


@transaction.atomic
def flag_review(*, actor: User, flag: IntegrityFlag, status: FlagStatus, note: str) -> IntegrityFlag:
    """Record the inspection group's finding on a flag (cleared or confirmed), with a note."""
    period = lock_period(flag.period_id)
    require_campaign_in_scope(actor, period.scheme.campaign)
    refuse_locked(period)
    if status not in FlagStatus.values:
        raise AppraisalValidationError({"status": _("核查结论无效。")})
    note = note.strip()
    if status != FlagStatus.OPEN and not note:
        raise AppraisalValidationError({"note": _("请填写核查意见。")})
    if len(note) > 500:
        raise AppraisalValidationError({"note": _("核查意见不能超过 500 个字符。")})
    locked = IntegrityFlag.objects.select_for_update(of=("self",)).get(pk=flag.pk)
    before = snapshot(locked, ("status", "review_note"))
    locked.status = status
    locked.review_note = note
    locked.reviewed_by = _actor_or_none(actor) if status != FlagStatus.OPEN else None
    locked.reviewed_at = timezone.now() if status != FlagStatus.OPEN else None
    locked.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes=diff(before, snapshot(locked, ("status", "review_note"))),
    )
    return locked


# --- The project ranking -------------------------------------------------------------------------


@dataclass
class ProjectScoreData:
    """The inspection group's progress and quality scores (0–100) of a key project in a period."""

    post: Post
    progress_score: Decimal
    quality_score: Decimal
    notes: str = ""


@transaction.atomic
def project_assessment_record(
    *,
    actor: User,
    period: AppraisalPeriod,
    post: Post,
    progress_score: Decimal,
    quality_score: Decimal,
    notes: str = "",
) -> ProjectAssessment:
    """Record (or correct) a key project's progress and quality scores for the period."""
    row = ProjectScoreData(post, progress_score, quality_score, notes)
    return project_assessments_record(actor=actor, period=period, rows=[row])[0]


@transaction.atomic
def project_assessments_record(
    *, actor: User, period: AppraisalPeriod, rows: Sequence[ProjectScoreData]
) -> list[ProjectAssessment]:
    """Record (or correct) the scores of several projects for the period, all or none (an error
    names its row); the period is locked and the scope checked once for the whole batch."""
    locked = lock_period(period.pk)
    require_campaign_in_scope(actor, locked.scheme.campaign)
    refuse_locked(locked)
    seen: set[int] = set()
    scores: list[tuple[Decimal, Decimal]] = []
    for index, row in enumerate(rows):
        errors: dict[str, str] = {}
        if row.post.kind != PostKind.PROJECT:
            errors["post"] = _("“%(name)s”不是项目，只有项目参加红旗项目评比。") % {"name": row.post.name}
        elif row.post.pk in seen:
            errors["post"] = _("项目“%(name)s”重复了。") % {"name": row.post.name}
        seen.add(row.post.pk)
        progress, quality = _decimal(row.progress_score), _decimal(row.quality_score)
        if progress is None or not 0 <= progress <= 100:
            errors["progress_score"] = _("进度得分应在 0 到 100 之间。")
        if quality is None or not 0 <= quality <= 100:
            errors["quality_score"] = _("质量得分应在 0 到 100 之间。")
        if len(row.notes.strip()) > 300:
            errors["notes"] = _("说明不能超过 300 个字符。")
        if errors:
            raise AppraisalValidationError(_in_row(errors, index, len(rows)))
        assert progress is not None
        assert quality is not None
        scores.append((progress.quantize(Decimal("0.01")), quality.quantize(Decimal("0.01"))))
    existing = {a.post_id: a for a in ProjectAssessment.objects.filter(period=locked, post_id__in=seen)}
    recorded: list[tuple[ProjectAssessment, tuple[Decimal | None, Decimal | None]]] = []
    for row, (progress, quality) in zip(rows, scores, strict=True):
        assessment = existing.get(row.post.pk)
        before: tuple[Decimal | None, Decimal | None] = (
            (assessment.progress_score, assessment.quality_score) if assessment else (None, None)
        )
        if assessment is None:
            assessment = ProjectAssessment(period=locked, post=row.post)
        assessment.progress_score = progress
        assessment.quality_score = quality
        assessment.notes = row.notes.strip()
        recorded.append((assessment, before))
    ProjectAssessment.objects.bulk_create([a for a, (old, _q) in recorded if old is None])
    for assessment, (old, _q) in recorded:
        if old is not None:
            assessment.save()
    for assessment, (old_progress, old_quality) in recorded:
        audit(
            actor=actor,
            action=AuditAction.UPDATE if old_progress is not None else AuditAction.CREATE,
            obj=assessment,
            changes={
                "progress_score": (old_progress, assessment.progress_score),
                "quality_score": (old_quality, assessment.quality_score),
            },
        )
    return [assessment for assessment, _before in recorded]


@transaction.atomic
def project_ranking_compute(*, period: AppraisalPeriod) -> list[ProjectAssessment]:
    """Fill service scores from the ledger, totals by the scheme's weights, ranks, trend and red flags."""
    locked = lock_period(period.pk)
    refuse_locked(locked)
    return project_ranking(locked)
