"""What the appraisal counts, as documented formulas and set-based queries.

Each ledger indicator of `Indicator` has a formula in Chinese (`INDICATOR_DOCS`, shown on the
score page), a query that returns {cadre_id: (numerator, denominator)} for every cadre of a set
at once (`indicator_figures`), and the rows behind one cadre's figure (`evidence_queryset`, what
the page links to). The same holds for the inspection group's scores and stakeholder ratings.

Periods are dates in the site's time zone (Asia/Shanghai): [start, end] becomes the aware
datetimes [start 00:00, end + 1 day 00:00), so the queries use the indexes on the timestamps and
work alike on SQLite and PostgreSQL; comparisons of a timestamp with a date (was it resolved by
its deadline, acknowledged the day it was handed over) truncate in that time zone.

A set of cadres is passed as a subquery (a queryset of cadre ids), never as a Python list: a
province's monthly period covers 580,000 cadres.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, TruncDate
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontline.appraisal.models import Indicator, InputSource, Inspection, StakeholderRating, Suggestion
from frontline.appraisal.scoring import LEVEL_FACTORS
from frontline.cadres.models import Cadre
from frontline.ledger.models import Matchmaking, MatchmakingStatus, Problem, ProblemEvent, Rating

# {cadre_id: (numerator, denominator)}; the denominator is None for counts.
Figures = dict[int, tuple[float, float | None]]
CadreSet = QuerySet[Any] | None


@dataclass(frozen=True)
class IndicatorDoc:
    """How an input is computed, for the score page and for the engine."""

    label: Promise
    formula: Promise
    kind: str  # "count", "rate" (a percentage) or "score" (0–100)
    lower_is_better: bool
    evidence: str  # the rows behind it: "problem", "rating", "problem_event", "suggestion", "matchmaking", ...
    unit: Promise | str = ""

    @property
    def is_count(self) -> bool:
        return self.kind == "count"


INDICATOR_DOCS: dict[str, IndicatorDoc] = {
    Indicator.PROBLEMS_RESOLVED: IndicatorDoc(
        label=Indicator.PROBLEMS_RESOLVED.label,
        formula=_(
            "考核期内办结（办结时间在考核期内）且不是“未经确认关闭”的本人包联问题，逐个按“问题类别难度系数 × "
            "层级系数”加权求和；层级系数：楼栋 1.0、网格/社区 1.2、乡镇/园区 1.5、县区 2.0。分子为加权和，"
            "分母为问题个数。"
        ),
        kind="count",
        lower_is_better=False,
        evidence="problem",
        unit=_("分"),
    ),
    Indicator.ON_TIME_RATE: IndicatorDoc(
        label=Indicator.ON_TIME_RATE.label,
        formula=_(
            "办结期限（按工作日计算）落在考核期内的本人包联问题中，在期限当日或之前办结的比例 × 100"
            "（按北京时间的日期比较）。考核期内没有到期问题时本项缺失。"
        ),
        kind="rate",
        lower_is_better=False,
        evidence="problem",
        unit="%",
    ),
    Indicator.SAME_DAY_ACK_RATE: IndicatorDoc(
        label=Indicator.SAME_DAY_ACK_RATE.label,
        formula=_(
            "考核期内交办的本人包联问题中，承办部门在交办当日（北京时间）签收的比例 × 100（问题不过夜）。"
            "考核期内没有交办的问题时本项缺失。"
        ),
        kind="rate",
        lower_is_better=False,
        evidence="problem",
        unit="%",
    ),
    Indicator.SATISFACTION: IndicatorDoc(
        label=Indicator.SATISFACTION.label,
        formula=_(
            "考核期内诉求人对本人包联问题所作评价的平均分，1–5 分换算为 0–100 分：(平均分 − 1) × 25。"
            "分子为评分之和，分母为评价条数；没有评价时本项缺失。"
        ),
        kind="score",
        lower_is_better=False,
        evidence="rating",
        unit=_("分"),
    ),
    Indicator.REOPEN_RATE: IndicatorDoc(
        label=Indicator.REOPEN_RATE.label,
        formula=_(
            "考核期内办结的本人包联问题中，曾因诉求人不满意被重新督办的比例 × 100。越低越好；"
            "考核期内没有办结的问题时本项缺失。"
        ),
        kind="rate",
        lower_is_better=True,
        evidence="problem",
        unit="%",
    ),
    Indicator.SEND_BACKS_CAUSED: IndicatorDoc(
        label=Indicator.SEND_BACKS_CAUSED.label,
        formula=_("考核期内本人包联的问题被承办部门退单的次数（交办不准、材料不全等）。越少越好。"),
        kind="count",
        lower_is_better=True,
        evidence="problem_event",
        unit=_("次"),
    ),
    Indicator.SUGGESTIONS_ADOPTED: IndicatorDoc(
        label=Indicator.SUGGESTIONS_ADOPTED.label,
        formula=_("考核期内被采纳（采纳时间在考核期内）的本人意见建议条数。"),
        kind="count",
        lower_is_better=False,
        evidence="suggestion",
        unit=_("条"),
    ),
    Indicator.MATCHMAKINGS_CONCLUDED: IndicatorDoc(
        label=Indicator.MATCHMAKINGS_CONCLUDED.label,
        formula=_("考核期内本人撮合并已签约的供需对接数。签约时间取对接记录状态改为“已签约”后的最后更新时间。"),
        kind="count",
        lower_is_better=False,
        evidence="matchmaking",
        unit=_("项"),
    ),
}

SOURCE_DOCS: dict[str, IndicatorDoc] = {
    InputSource.INSPECTION: IndicatorDoc(
        label=InputSource.INSPECTION.label,
        formula=_(
            "考核期内督查组各次督查（看任务完成度、听企业评价、查台账记录）三项得分的平均分，0–100 分；"
            "分子为各次平均分之和，分母为督查次数。考核期内没有督查时本项缺失。"
        ),
        kind="score",
        lower_is_better=False,
        evidence="inspection",
        unit=_("分"),
    ),
    InputSource.STAKEHOLDER: IndicatorDoc(
        label=InputSource.STAKEHOLDER.label,
        formula=_(
            "考核期内企业、群众、同事对本人评价的平均分（可只取一类评价人），1–5 分换算为 0–100 分："
            "(平均分 − 1) × 25。没有评价时本项缺失。"
        ),
        kind="score",
        lower_is_better=False,
        evidence="stakeholder_rating",
        unit=_("分"),
    ),
}

NORMALIZATION_DOCS: dict[str, Promise] = {
    "peer_percentile": _(
        "同角色、同阵地类型的干部之间比较：百分位 = (低于本人的人数 + 0.5 × 与本人相同的人数) ÷ 同类中有该项数据的"
        "人数 × 100；越低越好的指标取 100 减去该值。项目专员和网格长因此各在本类中比较，不直接比原始数。"
    ),
    "absolute": _("直接取 0–100 的数值（越低越好的指标取 100 减去该值），不与他人比较。"),
}


def input_doc(source: str, indicator: str = "") -> IndicatorDoc:
    """Return the documentation of an input (a ledger indicator, inspections or stakeholder ratings)."""
    if source == InputSource.INDICATOR:
        return INDICATOR_DOCS[indicator]
    return SOURCE_DOCS[source]


# --- Periods -----------------------------------------------------------------------------------


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Return the aware datetimes [start 00:00, end + 1 day 00:00) of local dates [start, end]."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _local_date(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def _level_factor() -> Case:
    return Case(
        *[When(level=level, then=Value(factor)) for level, factor in LEVEL_FACTORS.items()],
        default=Value(1.0),
        output_field=FloatField(),
    )


def _weighted_resolution() -> ExpressionWrapper[Any]:
    return ExpressionWrapper(
        Cast("category__difficulty_weight", FloatField()) * _level_factor(), output_field=FloatField()
    )


def _on_time() -> LessThanOrEqual:
    return LessThanOrEqual(_local_date("resolved_at"), F("resolve_due"))


def _acknowledged_same_day() -> Exact:
    return Exact(_local_date("acknowledged_at"), _local_date("handed_over_at"))


def _flag(condition: Any) -> Case:
    """Return True/False (never NULL) for a condition, e.g. "resolved by its deadline"."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _in(cadres: CadreSet, field: str) -> Q:
    return Q() if cadres is None else Q(**{f"{field}__in": cadres})


def _collect(rows: Any) -> Figures:
    figures: Figures = {}
    for cadre_id, numerator, denominator in rows:
        if cadre_id is not None:
            figures[cadre_id] = (float(numerator or 0), None if denominator is None else float(denominator))
    return figures


# --- The ledger indicators, for a set of cadres ------------------------------------------------


@dataclass(frozen=True)
class _ProblemRule:
    """A rate or sum over the cadre's problems: which problems count, and which of them go in the numerator."""

    scope: Callable[[datetime, datetime, date, date], Q]  # (lo, hi, start, end) → the problems counted
    condition: Any = None  # problems of the scope in the numerator (None: the numerator is a sum)


# The four indicators read from the problems themselves; `problem_figures` reads any of them in one
# pass over the table (a province's month is millions of problems).
_PROBLEM_RULES: dict[str, _ProblemRule] = {
    Indicator.PROBLEMS_RESOLVED: _ProblemRule(
        lambda lo, hi, start, end: Q(resolved_at__gte=lo, resolved_at__lt=hi, closed_without_confirmation=False)
    ),
    Indicator.ON_TIME_RATE: _ProblemRule(
        lambda lo, hi, start, end: Q(resolve_due__gte=start, resolve_due__lte=end), condition=_on_time
    ),
    Indicator.SAME_DAY_ACK_RATE: _ProblemRule(
        lambda lo, hi, start, end: Q(handed_over_at__gte=lo, handed_over_at__lt=hi), condition=_acknowledged_same_day
    ),
    Indicator.REOPEN_RATE: _ProblemRule(
        lambda lo, hi, start, end: Q(resolved_at__gte=lo, resolved_at__lt=hi),
        condition=lambda: Q(reopen_count__gt=0),
    ),
}
PROBLEM_INDICATORS = tuple(_PROBLEM_RULES)


def problem_figures(indicators: Sequence[str], *, cadres: CadreSet, start: date, end: date) -> dict[str, Figures]:
    """Return {indicator: figures} for problem-based indicators, read in one grouped query.

    Each indicator's numerator and denominator are conditional aggregates over its own scope; a
    rate whose scope holds none of a cadre's problems is missing for that cadre, as with one query
    per indicator.
    """
    lo, hi = period_bounds(start, end)
    wanted = [i for i in dict.fromkeys(indicators) if i in _PROBLEM_RULES]
    if not wanted:
        return {}
    any_scope = Q()
    aggregates: dict[str, Any] = {}
    for k, indicator in enumerate(wanted):
        rule = _PROBLEM_RULES[indicator]
        scope = rule.scope(lo, hi, start, end)
        any_scope |= scope
        aggregates[f"d{k}"] = Count("id", filter=scope)
        if rule.condition is None:
            aggregates[f"n{k}"] = Sum(_weighted_resolution(), filter=scope)
        else:
            aggregates[f"n{k}"] = Count("id", filter=scope & Q(rule.condition()))
    rows = (
        Problem.objects.filter(_in(cadres, "cadre_id"), any_scope)
        .order_by()
        .values("cadre_id")
        .annotate(**aggregates)
        .values_list("cadre_id", *[f"{kind}{k}" for k in range(len(wanted)) for kind in ("n", "d")])
    )
    out: dict[str, Figures] = {indicator: {} for indicator in wanted}
    for row in rows:
        cadre_id = row[0]
        if cadre_id is None:
            continue
        for k, indicator in enumerate(wanted):
            numerator, denominator = row[1 + 2 * k], row[2 + 2 * k]
            if denominator:
                out[indicator][cadre_id] = (float(numerator or 0), float(denominator))
    return out


def _satisfaction(cadres: CadreSet, lo: datetime, hi: datetime, start: date, end: date) -> Figures:
    return _collect(
        Rating.objects.filter(_in(cadres, "problem__cadre_id"), created_at__gte=lo, created_at__lt=hi)
        .order_by()
        .values("problem__cadre_id")
        .annotate(numerator=Sum("score"), denominator=Count("id"))
        .values_list("problem__cadre_id", "numerator", "denominator")
    )


def _send_backs_caused(cadres: CadreSet, lo: datetime, hi: datetime, start: date, end: date) -> Figures:
    return _collect(
        ProblemEvent.objects.filter(
            _in(cadres, "problem__cadre_id"), action="send_back", created_at__gte=lo, created_at__lt=hi
        )
        .order_by()
        .values("problem__cadre_id")
        .annotate(numerator=Count("id"), denominator=Value(None, output_field=FloatField()))
        .values_list("problem__cadre_id", "numerator", "denominator")
    )


def _suggestions_adopted(cadres: CadreSet, lo: datetime, hi: datetime, start: date, end: date) -> Figures:
    return _collect(
        Suggestion.objects.filter(_in(cadres, "cadre_id"), adopted=True, adopted_at__gte=lo, adopted_at__lt=hi)
        .order_by()
        .values("cadre_id")
        .annotate(numerator=Count("id"), denominator=Value(None, output_field=FloatField()))
        .values_list("cadre_id", "numerator", "denominator")
    )


def _matchmakings_concluded(cadres: CadreSet, lo: datetime, hi: datetime, start: date, end: date) -> Figures:
    return _collect(
        Matchmaking.objects.filter(
            _in(cadres, "created_by__cadre__id"),
            status=MatchmakingStatus.SIGNED,
            updated_at__gte=lo,
            updated_at__lt=hi,
            created_by__cadre__isnull=False,
        )
        .order_by()
        .values("created_by__cadre__id")
        .annotate(numerator=Count("id"), denominator=Value(None, output_field=FloatField()))
        .values_list("created_by__cadre__id", "numerator", "denominator")
    )


_QUERIES: dict[str, Callable[[CadreSet, datetime, datetime, date, date], Figures]] = {
    Indicator.SATISFACTION: _satisfaction,
    Indicator.SEND_BACKS_CAUSED: _send_backs_caused,
    Indicator.SUGGESTIONS_ADOPTED: _suggestions_adopted,
    Indicator.MATCHMAKINGS_CONCLUDED: _matchmakings_concluded,
}


def indicator_figures(indicator: str, *, cadres: CadreSet, start: date, end: date) -> Figures:
    """Return {cadre_id: (numerator, denominator)} of a ledger indicator for local dates [start, end].

    `cadres` is a queryset of cadre ids (a subquery) or None for every cadre. A cadre without a
    row has a numerator of 0 for counts and no figure (missing) for rates and scores.
    """
    if indicator in _PROBLEM_RULES:
        return problem_figures([indicator], cadres=cadres, start=start, end=end)[indicator]
    lo, hi = period_bounds(start, end)
    return _QUERIES[indicator](cadres, lo, hi, start, end)


def inspection_figures(*, cadres: CadreSet, start: date, end: date, campaign_id: int | None = None) -> Figures:
    """Return {cadre_id: (sum of the inspections' mean sub-scores, number of inspections)} in [start, end]."""
    rows = (
        Inspection.objects.filter(
            _in(cadres, "cadre_id"),
            Q() if campaign_id is None else Q(campaign_id=campaign_id),
            inspected_on__gte=start,
            inspected_on__lte=end,
        )
        .order_by()
        .values("cadre_id")
        .annotate(
            points=Sum(F("task_completion") + F("enterprise_evaluation") + F("ledger_check")), denominator=Count("id")
        )
        .values_list("cadre_id", "points", "denominator")
    )
    return {cadre_id: (float(points) / 3.0, float(count)) for cadre_id, points, count in rows}


def stakeholder_figures(
    *, cadres: CadreSet, start: date, end: date, campaign_id: int | None = None, rater_kind: str = ""
) -> Figures:
    """Return {cadre_id: (sum of scores 1–5, number of ratings)} of stakeholder ratings in [start, end]."""
    return _collect(
        StakeholderRating.objects.filter(
            _in(cadres, "cadre_id"),
            Q() if campaign_id is None else Q(campaign_id=campaign_id),
            Q(rater_kind=rater_kind) if rater_kind else Q(),
            rated_on__gte=start,
            rated_on__lte=end,
        )
        .order_by()
        .values("cadre_id")
        .annotate(numerator=Sum("score"), denominator=Count("id"))
        .values_list("cadre_id", "numerator", "denominator")
    )


def raw_value(source: str, indicator: str, numerator: float | None, denominator: float | None) -> float | None:
    """Return the raw figure of an input from its numerator and denominator (None when missing).

    Counts are the numerator (0 when there are no rows); rates are numerator ÷ denominator × 100;
    ratings (1–5) become (mean − 1) × 25; inspection scores are the mean.
    """
    doc = input_doc(source, indicator)
    if doc.is_count:
        return float(numerator or 0)
    if numerator is None or not denominator:
        return None
    mean = numerator / denominator
    if doc.kind == "rate":
        return mean * 100.0
    if source == InputSource.INSPECTION:
        return mean
    return (mean - 1.0) * 25.0  # ratings 1–5


# --- The rows behind one cadre's figure ---------------------------------------------------------

# What `evidence_queryset` returns per indicator, for pages that list the rows.
EVIDENCE_MODELS: dict[str, type[Any]] = {
    Indicator.PROBLEMS_RESOLVED: Problem,
    Indicator.ON_TIME_RATE: Problem,
    Indicator.SAME_DAY_ACK_RATE: Problem,
    Indicator.SATISFACTION: Rating,
    Indicator.REOPEN_RATE: Problem,
    Indicator.SEND_BACKS_CAUSED: ProblemEvent,
    Indicator.SUGGESTIONS_ADOPTED: Suggestion,
    Indicator.MATCHMAKINGS_CONCLUDED: Matchmaking,
}


def evidence_queryset(*, indicator: str, cadre: Cadre, start: date, end: date) -> QuerySet[Any]:
    """Return the rows behind a cadre's figure of a ledger indicator for local dates [start, end].

    Problems (resolved, on-time, same-day, reopen) are annotated with `in_numerator` (whether the
    row counts in the numerator of the rate) and, for problems resolved, `weighted` (its difficulty
    × level points); ratings, send-back events, suggestions and matchmakings are the counted rows.
    """
    lo, hi = period_bounds(start, end)
    problems = Problem.objects.filter(cadre=cadre).select_related("post", "category")
    if indicator == Indicator.PROBLEMS_RESOLVED:
        return (
            problems.filter(resolved_at__gte=lo, resolved_at__lt=hi, closed_without_confirmation=False)
            .annotate(weighted=_weighted_resolution(), in_numerator=Value(True, output_field=BooleanField()))
            .order_by("resolved_at", "id")
        )
    if indicator == Indicator.ON_TIME_RATE:
        return (
            problems.filter(resolve_due__gte=start, resolve_due__lte=end)
            .annotate(in_numerator=_flag(_on_time()))
            .order_by("resolve_due", "id")
        )
    if indicator == Indicator.SAME_DAY_ACK_RATE:
        return (
            problems.filter(handed_over_at__gte=lo, handed_over_at__lt=hi)
            .annotate(in_numerator=_flag(_acknowledged_same_day()))
            .order_by("handed_over_at", "id")
        )
    if indicator == Indicator.REOPEN_RATE:
        return (
            problems.filter(resolved_at__gte=lo, resolved_at__lt=hi)
            .annotate(in_numerator=_flag(Q(reopen_count__gt=0)))
            .order_by("resolved_at", "id")
        )
    if indicator == Indicator.SATISFACTION:
        return (
            Rating.objects.filter(problem__cadre=cadre, created_at__gte=lo, created_at__lt=hi)
            .select_related("problem")
            .order_by("created_at", "id")
        )
    if indicator == Indicator.SEND_BACKS_CAUSED:
        return (
            ProblemEvent.objects.filter(problem__cadre=cadre, action="send_back", created_at__gte=lo, created_at__lt=hi)
            .select_related("problem", "department")
            .order_by("created_at", "id")
        )
    if indicator == Indicator.SUGGESTIONS_ADOPTED:
        return Suggestion.objects.filter(cadre=cadre, adopted=True, adopted_at__gte=lo, adopted_at__lt=hi).order_by(
            "adopted_at", "id"
        )
    if indicator == Indicator.MATCHMAKINGS_CONCLUDED:
        if cadre.user_id is None:
            return Matchmaking.objects.none()
        return (
            Matchmaking.objects.filter(
                created_by_id=cadre.user_id, status=MatchmakingStatus.SIGNED, updated_at__gte=lo, updated_at__lt=hi
            )
            .select_related("need", "resource")
            .order_by("updated_at", "id")
        )
    raise ValueError(f"unknown indicator {indicator!r}")


def inspection_evidence(
    *, cadre: Cadre, start: date, end: date, campaign_id: int | None = None
) -> QuerySet[Inspection]:
    """Return the inspections behind a cadre's inspection figure for [start, end]."""
    qs = Inspection.objects.filter(cadre=cadre, inspected_on__gte=start, inspected_on__lte=end)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.select_related("inspector").order_by("inspected_on", "id")


def stakeholder_evidence(
    *, cadre: Cadre, start: date, end: date, campaign_id: int | None = None, rater_kind: str = ""
) -> QuerySet[StakeholderRating]:
    """Return the stakeholder ratings behind a cadre's figure for [start, end] (optionally one rater kind)."""
    qs = StakeholderRating.objects.filter(cadre=cadre, rated_on__gte=start, rated_on__lte=end)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if rater_kind:
        qs = qs.filter(rater_kind=rater_kind)
    return qs.order_by("rated_on", "id")


# --- The project ranking's service score ---------------------------------------------------------


@dataclass
class PostService:
    due: int = 0
    on_time: int = 0
    ratings: int = 0
    rating_points: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due * 100.0 if self.due else None

    @property
    def satisfaction(self) -> float | None:
        return (self.rating_points / self.ratings - 1.0) * 25.0 if self.ratings else None


def post_service_figures(*, post_ids: list[int], start: date, end: date) -> dict[int, PostService]:
    """Return on-time and satisfaction figures of the problems at each post (and its sub-projects) in [start, end]."""
    lo, hi = period_bounds(start, end)
    wanted = set(post_ids)
    out = {pk: PostService() for pk in post_ids}

    def owner(post_id: int, parent_id: int | None) -> int | None:
        if post_id in wanted:
            return post_id
        return parent_id if parent_id in wanted else None

    at_posts = Q(post_id__in=post_ids) | Q(post__parent_id__in=post_ids)
    for post_id, parent_id, due, on_time in (
        Problem.objects.filter(at_posts, resolve_due__gte=start, resolve_due__lte=end)
        .order_by()
        .values("post_id", "post__parent_id")
        .annotate(due=Count("id"), on_time=Count("id", filter=_on_time()))
        .values_list("post_id", "post__parent_id", "due", "on_time")
    ):
        key = owner(post_id, parent_id)
        if key is not None:
            out[key].due += due
            out[key].on_time += on_time
    rated = Q(problem__post_id__in=post_ids) | Q(problem__post__parent_id__in=post_ids)
    for post_id, parent_id, count, points in (
        Rating.objects.filter(rated, created_at__gte=lo, created_at__lt=hi)
        .order_by()
        .values("problem__post_id", "problem__post__parent_id")
        .annotate(count=Count("id"), points=Sum("score"))
        .values_list("problem__post_id", "problem__post__parent_id", "count", "points")
    ):
        key = owner(post_id, parent_id)
        if key is not None:
            out[key].ratings += count
            out[key].rating_points += points or 0
    return out


# --- Integrity patterns (flagged for the inspection group, never scored) -------------------------

# Closures without the requester's confirmation: at least this many in the period, or more than
# this share of the cadre's closures.
UNCONFIRMED_MIN_COUNT = 2
UNCONFIRMED_MAX_SHARE = 0.20
# A problem registered and closed by the same person within this many minutes.
QUICK_CLOSE_MINUTES = 30
# At least this many ratings of one cadre with the same score and the same (non-blank) comment, or
# with the same score entered by the same user within RATING_BURST_MINUTES.
IDENTICAL_RATINGS_MIN = 5
RATING_BURST_MINUTES = 10


@dataclass(frozen=True)
class UnconfirmedClosures:
    closures: int
    problem_ids: list[int]


def unconfirmed_closures(*, cadres: CadreSet, start: date, end: date) -> dict[int, UnconfirmedClosures]:
    """Return the cadres whose closures in [start, end] were too often made without the requester's confirmation."""
    lo, hi = period_bounds(start, end)
    closed = Problem.objects.filter(_in(cadres, "cadre_id"), closed_at__gte=lo, closed_at__lt=hi)
    counts = {
        cadre_id: (total, unconfirmed)
        for cadre_id, total, unconfirmed in closed.order_by()
        .values("cadre_id")
        .annotate(total=Count("id"), unconfirmed=Count("id", filter=Q(closed_without_confirmation=True)))
        .filter(unconfirmed__gt=0)
        .values_list("cadre_id", "total", "unconfirmed")
    }
    flagged = {
        cadre_id
        for cadre_id, (total, unconfirmed) in counts.items()
        if unconfirmed >= UNCONFIRMED_MIN_COUNT or unconfirmed > UNCONFIRMED_MAX_SHARE * total
    }
    ids: dict[int, list[int]] = {}
    for cadre_id, problem_id in (
        closed.filter(closed_without_confirmation=True).order_by("closed_at", "id").values_list("cadre_id", "id")
    ):
        if cadre_id in flagged:
            ids.setdefault(cadre_id, []).append(problem_id)
    return {cadre_id: UnconfirmedClosures(counts[cadre_id][0], ids.get(cadre_id, [])) for cadre_id in flagged}


def quick_self_closures(*, cadres: CadreSet, start: date, end: date) -> dict[int, list[int]]:
    """Return {cadre_id: problem ids} of problems closed in [start, end] by the person who registered
    them, within QUICK_CLOSE_MINUTES of the registration (from the timeline's closing events)."""
    lo, hi = period_bounds(start, end)
    out: dict[int, list[int]] = {}
    for cadre_id, problem_id in (
        ProblemEvent.objects.filter(
            _in(cadres, "problem__cadre_id"),
            action__in=("confirm", "close_unconfirmed"),
            created_at__gte=lo,
            created_at__lt=hi,
            actor_id__isnull=False,
            actor_id=F("problem__created_by_id"),
            created_at__lte=F("problem__created_at") + timedelta(minutes=QUICK_CLOSE_MINUTES),
        )
        .order_by("created_at", "id")
        .values_list("problem__cadre_id", "problem_id")
    ):
        if cadre_id is not None and problem_id not in out.get(cadre_id, []):
            out.setdefault(cadre_id, []).append(problem_id)
    return out


def identical_rating_clusters(
    *, cadres: CadreSet, start: date, end: date, campaign_id: int | None = None
) -> dict[int, list[int]]:
    """Return {cadre_id: rating ids} of clusters of identical stakeholder ratings in [start, end].

    A cluster is at least IDENTICAL_RATINGS_MIN ratings of one cadre with the same score and either
    the same non-blank comment (a blank comment is what most honest raters leave) or entered by the
    same user within RATING_BURST_MINUTES.
    """
    ratings = StakeholderRating.objects.filter(
        _in(cadres, "cadre_id"),
        Q() if campaign_id is None else Q(campaign_id=campaign_id),
        rated_on__gte=start,
        rated_on__lte=end,
    ).order_by()
    same_comment = {
        (cadre_id, score, comment)
        for cadre_id, score, comment in ratings.exclude(comment="")
        .values("cadre_id", "score", "comment")
        .annotate(n=Count("id"))
        .filter(n__gte=IDENTICAL_RATINGS_MIN)
        .values_list("cadre_id", "score", "comment")
    }
    same_user = {
        (cadre_id, score, user_id)
        for cadre_id, score, user_id in ratings.filter(created_by__isnull=False)
        .values("cadre_id", "score", "created_by_id")
        .annotate(n=Count("id"))
        .filter(n__gte=IDENTICAL_RATINGS_MIN)
        .values_list("cadre_id", "score", "created_by_id")
    }
    candidates = {c for c, _s, _x in same_comment} | {c for c, _s, _u in same_user}
    if not candidates:
        return {}
    out: dict[int, set[int]] = {}
    bursts: dict[tuple[int, int, int], list[tuple[datetime, int]]] = {}
    ordered = sorted(candidates)
    for chunk_start in range(0, len(ordered), 1000):
        chunk = ordered[chunk_start : chunk_start + 1000]
        for pk, cadre_id, score, comment, user_id, created_at in ratings.filter(cadre_id__in=chunk).values_list(
            "pk", "cadre_id", "score", "comment", "created_by_id", "created_at"
        ):
            if (cadre_id, score, comment) in same_comment:
                out.setdefault(cadre_id, set()).add(pk)
            if (cadre_id, score, user_id) in same_user:
                bursts.setdefault((cadre_id, score, user_id), []).append((created_at, pk))
    window = timedelta(minutes=RATING_BURST_MINUTES)
    for (cadre_id, _score, _user), rows in bursts.items():
        rows.sort()
        first = 0
        for last in range(len(rows)):
            while rows[last][0] - rows[first][0] > window:
                first += 1
            if last - first + 1 >= IDENTICAL_RATINGS_MIN:
                out.setdefault(cadre_id, set()).update(pk for _t, pk in rows[first : last + 1])
    return {cadre_id: sorted(ids) for cadre_id, ids in out.items()}
