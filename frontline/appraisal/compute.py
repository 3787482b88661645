"""The appraisal engine: a period's population, figures, scores, ranks, classes and integrity flags.

`compute_month` reads every input with one grouped query over the whole population
(indicators.py), normalizes and weighs the figures as arrays (scoring.py), and replaces the
period's scores, adjustments and flags in one transaction (COPY on PostgreSQL, the breakdowns
filled into a JSON template); `compute_rollup` averages a quarter's or a year's months.
No per-cadre query anywhere: a province's month is 580,000 cadres. The public entry points
(with rights, audit and status handling) are in services.py.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count, ExpressionWrapper, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.appraisal import indicators, scoring
from frontline.appraisal.models import (
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    DimensionInput,
    FlagKind,
    FlagStatus,
    InputSource,
    IntegrityFlag,
    PeriodKind,
    PeriodStatus,
    ProjectAssessment,
    ScoreAdjustment,
)
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction
from frontline.dispatch.models import Deployment, frontline_kind_of

logger = logging.getLogger(__name__)


def lock_period(period_id: int) -> AppraisalPeriod:
    return (
        AppraisalPeriod.objects.select_for_update(of=("self",))
        .select_related("scheme", "scheme__campaign")
        .get(pk=period_id)
    )


def refuse_locked(period: AppraisalPeriod) -> None:
    if period.is_locked:
        raise ApplicationError(
            _("%(period)s的考核已锁定，得分、调整和预警都不能再修改。") % {"period": period.label}, code="locked"
        )


# --- Computing a month ---------------------------------------------------------------------------


@dataclass
class Population:
    """The cadres of a period, as parallel arrays sorted by cadre id, with their peer groups."""

    cadre_ids: np.ndarray[Any, np.dtype[np.int64]]
    role_ids: list[int | None]
    kinds: list[str]
    post_ids: list[int | None]
    home_unit_ids: list[int]
    groups: np.ndarray[Any, np.dtype[np.int64]]
    subquery: QuerySet[Any]

    def __len__(self) -> int:
        return len(self.cadre_ids)

    def index_of(self, ids: np.ndarray[Any, np.dtype[np.int64]]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Return (positions, mask): where each id sits in the population and whether it is in it at all."""
        if len(self.cadre_ids) == 0:
            return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
        pos = np.searchsorted(self.cadre_ids, ids)
        pos = np.minimum(pos, len(self.cadre_ids) - 1)
        return pos, self.cadre_ids[pos] == ids


def _population(period: AppraisalPeriod) -> Population:
    """Return the cadres deployed in the scheme's campaign during the period.

    A cadre's peer group is the role and frontline kind of the deployment that overlaps the period
    longest (ties: the later start).
    """
    start, end = period.start_date, period.end_date
    overlapping = Deployment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start), campaign_id=period.scheme.campaign_id, start_date__lte=end
    )
    best: dict[int, tuple[int, date, int, tuple[Any, ...]]] = {}
    for row in overlapping.order_by().values_list(
        "cadre_id",
        "id",
        "start_date",
        "ended_on",
        "role_id",
        "post_id",
        "post__kind",
        "post__parent__kind",
        "post__parent__parent__kind",
        "cadre__home_unit_id",
    ):
        cadre_id, pk, started, ended = row[0], row[1], row[2], row[3]
        days = ((min(end, ended) if ended else end) - max(start, started)).days + 1
        key = (days, started, pk, row)
        current = best.get(cadre_id)
        if current is None or key[:3] > current[:3]:
            best[cadre_id] = key
    ordered = sorted(best)
    group_of: dict[tuple[int | None, str], int] = {}
    role_ids: list[int | None] = []
    kinds: list[str] = []
    post_ids: list[int | None] = []
    home_units: list[int] = []
    groups: list[int] = []
    for cadre_id in ordered:
        row = best[cadre_id][3]
        kind = frontline_kind_of(row[6], row[7], row[8])
        role_ids.append(row[4])
        kinds.append(kind)
        post_ids.append(row[5])
        home_units.append(row[9])
        groups.append(group_of.setdefault((row[4], kind), len(group_of)))
    return Population(
        cadre_ids=np.array(ordered, dtype=np.int64),
        role_ids=role_ids,
        kinds=kinds,
        post_ids=post_ids,
        home_unit_ids=home_units,
        groups=np.array(groups, dtype=np.int64),
        subquery=overlapping.order_by().values("cadre_id"),
    )


@dataclass
class InputFigures:
    """One input's figures over the population: numerator, denominator, raw and (per method) normalized."""

    key: tuple[str, str, str]  # (source, indicator, rater_kind)
    numerator: np.ndarray[Any, np.dtype[np.float64]]
    denominator: np.ndarray[Any, np.dtype[np.float64]]
    raw: np.ndarray[Any, np.dtype[np.float64]]
    normalized: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = field(default_factory=dict)


def _figures_for(
    key: tuple[str, str, str],
    period: AppraisalPeriod,
    population: Population,
    read: dict[str, indicators.Figures] | None = None,
) -> InputFigures:
    """Return one input's figures as arrays over the population (`read`: figures already read)."""
    source, indicator, rater_kind = key
    start, end, campaign_id = period.start_date, period.end_date, period.scheme.campaign_id
    if read and indicator in read:
        figures = read.pop(indicator)
    elif source == InputSource.INDICATOR:
        figures = indicators.indicator_figures(indicator, cadres=population.subquery, start=start, end=end)
    elif source == InputSource.INSPECTION:
        figures = indicators.inspection_figures(
            cadres=population.subquery, start=start, end=end, campaign_id=campaign_id
        )
    else:
        figures = indicators.stakeholder_figures(
            cadres=population.subquery, start=start, end=end, campaign_id=campaign_id, rater_kind=rater_kind
        )
    doc = indicators.input_doc(source, indicator)
    n = len(population)
    numerator = np.zeros(n) if doc.is_count else np.full(n, np.nan)
    denominator = np.full(n, np.nan)
    if figures:
        ids = np.fromiter(figures.keys(), dtype=np.int64, count=len(figures))
        nums = np.fromiter((v[0] for v in figures.values()), dtype=np.float64, count=len(figures))
        dens = np.fromiter(
            (np.nan if v[1] is None else v[1] for v in figures.values()), dtype=np.float64, count=len(figures)
        )
        del figures
        pos, inside = population.index_of(ids)
        numerator[pos[inside]] = nums[inside]
        denominator[pos[inside]] = dens[inside]
    with np.errstate(invalid="ignore", divide="ignore"):
        if doc.is_count:
            raw = numerator.copy()
        else:
            mean = np.where(denominator > 0, numerator / denominator, np.nan)
            if doc.kind == "rate":
                raw = mean * 100.0
            elif source == InputSource.INSPECTION:
                raw = mean
            else:
                raw = (mean - 1.0) * 25.0
    return InputFigures(key=key, numerator=numerator, denominator=denominator, raw=raw)


@dataclass
class DimensionPlan:
    code: str
    name: str
    weight: float
    inputs: list[DimensionInput]


@dataclass
class MonthResult:
    """Everything computed for a month, as arrays over the population."""

    plans: list[DimensionPlan]
    figures: dict[tuple[str, str, str], InputFigures]
    input_scores: list[np.ndarray[Any, np.dtype[np.float64]]]  # per dimension: rows × inputs
    input_effective: list[np.ndarray[Any, np.dtype[np.float64]]]
    dimension_scores: np.ndarray[Any, np.dtype[np.float64]]  # rows × dimensions
    dimension_effective: np.ndarray[Any, np.dtype[np.float64]]
    computed: np.ndarray[Any, np.dtype[np.float64]]
    totals: np.ndarray[Any, np.dtype[np.float64]]  # after re-applied adjustments


def _input_key(item: DimensionInput) -> tuple[str, str, str]:
    return (item.source, item.indicator, item.rater_kind if item.source == InputSource.STAKEHOLDER else "")


def _plans(scheme: AppraisalScheme) -> list[DimensionPlan]:
    return [
        DimensionPlan(code=d.code, name=d.name, weight=float(d.weight), inputs=list(d.inputs.all()))
        for d in scheme.dimensions.prefetch_related("inputs").order_by("sort_order", "id")
    ]


def _score_month(period: AppraisalPeriod, population: Population, report: Callable[[int], None]) -> MonthResult:
    """Read every input's figures, normalize them within the peer groups and weigh them into totals."""
    plans = _plans(period.scheme)
    keys = list(dict.fromkeys(_input_key(i) for plan in plans for i in plan.inputs))
    started = time.perf_counter()
    # The indicators counted on the problems themselves come from one pass over the table.
    read = indicators.problem_figures(
        [indicator for source, indicator, _kind in keys if source == InputSource.INDICATOR],
        cadres=population.subquery,
        start=period.start_date,
        end=period.end_date,
    )
    logger.info(
        "appraisal period %s: %s read in %.1f s", period.pk, "+".join(read) or "-", time.perf_counter() - started
    )
    figures: dict[tuple[str, str, str], InputFigures] = {}
    for done, key in enumerate(keys, start=1):
        started = time.perf_counter()
        figures[key] = _figures_for(key, period, population, read)
        logger.info(
            "appraisal period %s: %s read in %.1f s",
            period.pk,
            "/".join(k for k in key if k),
            time.perf_counter() - started,
        )
        report(done * len(population) // (2 * (len(keys) + 1)))
    input_scores: list[Any] = []
    input_effective: list[Any] = []
    dimension_scores = np.full((len(population), len(plans)), np.nan)
    for d, plan in enumerate(plans):
        columns = []
        for item in plan.inputs:
            fig = figures[_input_key(item)]
            if item.normalization not in fig.normalized:
                doc = indicators.input_doc(item.source, item.indicator)
                fig.normalized[item.normalization] = scoring.normalize(
                    fig.raw, method=item.normalization, lower_is_better=doc.lower_is_better, groups=population.groups
                )
            columns.append(fig.normalized[item.normalization])
        matrix = np.column_stack(columns) if columns else np.full((len(population), 0), np.nan)
        combined, effective = scoring.weigh(matrix, [float(i.share) for i in plan.inputs])
        input_scores.append(matrix)
        input_effective.append(effective)
        dimension_scores[:, d] = combined
    computed, dimension_effective = scoring.total_scores(dimension_scores, [p.weight for p in plans])
    computed = scoring.round2(computed)
    return MonthResult(
        plans=plans,
        figures=figures,
        input_scores=input_scores,
        input_effective=input_effective,
        dimension_scores=dimension_scores,
        dimension_effective=dimension_effective,
        computed=computed,
        totals=computed,
    )


def _numbers(values: Any) -> list[str]:
    """Return JSON numbers with the 2 decimals scores are shown with ("null" for a missing figure)."""
    return ["null" if x != x else f"{x:.2f}" for x in values.tolist()]


def _breakdown_template(plans: list[DimensionPlan]) -> str:
    """Return the breakdown of a month as a %-template: the scheme's parts are fixed, the figures are %s.

    Filling a template is several times cheaper than building nested dicts and serializing them,
    and at 580,000 breakdowns a month that is most of the computation's own CPU time.
    """

    def head(obj: dict[str, Any]) -> str:  # the object's JSON without its closing brace, % escaped
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))[:-1].replace("%", "%%")

    parts = ['{"kind":"month","adjusted":%s,"dimensions":[']
    for d, plan in enumerate(plans):
        dimension = head({"code": plan.code, "name": plan.name, "weight": plan.weight})
        parts.append(("" if d == 0 else ",") + dimension + ',"effective_weight":%s,"score":%s,"inputs":[')
        for j, item in enumerate(plan.inputs):
            static = head(
                {
                    "source": item.source,
                    "indicator": item.indicator,
                    "rater_kind": item.rater_kind,
                    "share": float(item.share),
                    "normalization": item.normalization,
                }
            )
            parts.append(
                ("" if j == 0 else ",")
                + static
                + ',"effective_share":%s,"raw":%s,"numerator":%s,"denominator":%s,"normalized":%s}'
            )
        parts.append("]}")
    parts.append("]}")
    return "".join(parts)


def _breakdowns(result: MonthResult, rows: range, adjusted: np.ndarray[Any, Any]) -> Iterator[str]:
    """Yield the breakdown (JSON text) of each row in `rows`; see `CadreScore.breakdown` for its shape."""
    template = _breakdown_template(result.plans)
    sl = slice(rows.start, rows.stop)
    columns: list[list[str]] = [["true" if a else "false" for a in adjusted[sl].tolist()]]
    for d, plan in enumerate(result.plans):
        columns.append(_numbers(result.dimension_effective[sl, d]))
        columns.append(_numbers(result.dimension_scores[sl, d]))
        for j, item in enumerate(plan.inputs):
            fig = result.figures[_input_key(item)]
            columns.append(_numbers(result.input_effective[d][sl, j]))
            columns.append(_numbers(fig.raw[sl]))
            columns.append(_numbers(fig.numerator[sl]))
            columns.append(_numbers(fig.denominator[sl]))
            columns.append(_numbers(result.input_scores[d][sl, j]))
    for values in zip(*columns, strict=True):
        yield template % values


@dataclass
class Ranking:
    rank: np.ndarray[Any, np.dtype[np.int64]]
    rank_in_group: np.ndarray[Any, np.dtype[np.int64]]
    group_size: np.ndarray[Any, np.dtype[np.int64]]
    percentile: np.ndarray[Any, np.dtype[np.float64]]
    bands: list[str]


def _rank(totals: Any, groups: Any, bands: list[dict[str, object]]) -> Ranking:
    return Ranking(
        rank=scoring.competition_ranks(totals),
        rank_in_group=scoring.competition_ranks(totals, groups),
        group_size=scoring.group_sizes(groups) if len(groups) else np.zeros(0, dtype=np.int64),
        percentile=scoring.round2(scoring.mid_rank_percentiles(totals, groups)),
        bands=scoring.bands_for(totals, bands),
    )


SCORE_COLUMNS = (
    "period_id",
    "cadre_id",
    "role_id",
    "frontline_kind",
    "post_id",
    "home_unit_id",
    "computed_total",
    "total",
    "rank",
    "rank_in_group",
    "group_size",
    "percentile_in_group",
    "band",
    "breakdown",
)
CHUNK = 5000


def _score_rows(
    period_id: int,
    population: Population,
    computed: Any,
    totals: Any,
    ranking: Ranking,
    breakdowns: Callable[[range], Iterator[str]],
) -> Iterator[tuple[Any, ...]]:
    """Yield the rows of `_insert_scores`, chunk by chunk (numbers converted a chunk at a time)."""
    n = len(population)
    for chunk_start in range(0, n, CHUNK):
        rows = range(chunk_start, min(n, chunk_start + CHUNK))
        sl = slice(chunk_start, rows.stop)
        ids = population.cadre_ids[sl].tolist()
        computed_chunk = _numbers(computed[sl])
        total_chunk = _numbers(totals[sl])
        rank = ranking.rank[sl].tolist()
        in_group = ranking.rank_in_group[sl].tolist()
        size = ranking.group_size[sl].tolist()
        pct = _numbers(ranking.percentile[sl])
        for offset, breakdown in enumerate(breakdowns(rows)):
            i = chunk_start + offset
            yield (
                period_id,
                ids[offset],
                population.role_ids[i],
                population.kinds[i],
                population.post_ids[i],
                population.home_unit_ids[i],
                computed_chunk[offset],
                total_chunk[offset],
                rank[offset],
                in_group[offset],
                size[offset],
                pct[offset],
                ranking.bands[i],
                breakdown,
            )


def _column(model: type[models.Model], name: str) -> str:
    """Return the database column of a concrete field."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def _insert_scores(rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert score rows: values in SCORE_COLUMNS order, decimals as text, the breakdown as JSON text.

    COPY on PostgreSQL (the JSON text goes to jsonb as it is), batched INSERTs elsewhere. Nothing
    here goes through model instances: the caller has checked the period's lock.
    """
    quote = connection.ops.quote_name
    table = quote(CadreScore._meta.db_table)
    columns = ", ".join(quote(_column(CadreScore, name)) for name in SCORE_COLUMNS)
    count = 0
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    placeholders = ", ".join(["%s"] * len(SCORE_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (quoted names)
    with connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 1000:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@dataclass
class _Kept:
    """What survives a recomputation: reviewers' adjustments and flag reviews."""

    adjustments: dict[int, list[dict[str, Any]]]
    reviews: dict[tuple[int, str], dict[str, Any]]


def _kept(period_id: int) -> _Kept:
    adjustments: dict[int, list[dict[str, Any]]] = {}
    for cadre_id, old_total, new_total, reason, actor_id, created_at in (
        ScoreAdjustment.objects.filter(score__period_id=period_id)
        .order_by("created_at", "id")
        .values_list("score__cadre_id", "old_total", "new_total", "reason", "actor_id", "created_at")
    ):
        adjustments.setdefault(cadre_id, []).append(
            {
                "old_total": old_total,
                "new_total": new_total,
                "reason": reason,
                "actor_id": actor_id,
                "created_at": created_at,
            }
        )
    reviews: dict[tuple[int, str], dict[str, Any]] = {
        (cadre_id, kind): {
            "status": status,
            "review_note": note,
            "reviewed_by_id": reviewer_id,
            "reviewed_at": reviewed_at,
        }
        for cadre_id, kind, status, note, reviewer_id, reviewed_at in IntegrityFlag.objects.filter(period_id=period_id)
        .exclude(status=FlagStatus.OPEN)
        .values_list("cadre_id", "kind", "status", "review_note", "reviewed_by_id", "reviewed_at")
    }
    return _Kept(adjustments=adjustments, reviews=reviews)


def _apply_adjustments(
    population: Population, computed: Any, kept: _Kept
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    totals = computed.copy()
    adjusted = np.zeros(len(population), dtype=bool)
    if kept.adjustments:
        ids = np.array(list(kept.adjustments), dtype=np.int64)
        pos, inside = population.index_of(ids)
        for cadre_id, p, ok in zip(ids.tolist(), pos.tolist(), inside.tolist(), strict=True):
            if ok:
                totals[p] = float(kept.adjustments[cadre_id][-1]["new_total"])
                adjusted[p] = True
    return totals, adjusted


def _delete_period_rows(period_id: int) -> None:
    """Delete a period's scores, adjustments and flags with plain DELETEs (no per-row collection)."""
    quote = connection.ops.quote_name
    adjustment, score, flag = (m._meta.db_table for m in (ScoreAdjustment, CadreScore, IntegrityFlag))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(adjustment)} WHERE score_id IN "  # noqa: S608 (quoted names)
            f"(SELECT id FROM {quote(score)} WHERE period_id = %s)",
            [period_id],
        )
        cursor.execute(f"DELETE FROM {quote(flag)} WHERE period_id = %s", [period_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(score)} WHERE period_id = %s", [period_id])  # noqa: S608


def _restore_adjustments(period_id: int, kept: _Kept) -> None:
    if not kept.adjustments:
        return
    score_ids = dict(
        CadreScore.objects.filter(period_id=period_id, cadre_id__in=list(kept.adjustments)).values_list(
            "cadre_id", "id"
        )
    )
    ScoreAdjustment.objects.bulk_create(
        [
            ScoreAdjustment(score_id=score_ids[cadre_id], **row)
            for cadre_id, rows in kept.adjustments.items()
            if cadre_id in score_ids
            for row in rows
        ]
    )


def compute_month(period: AppraisalPeriod, report: Callable[[int, int], None]) -> None:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    population = _population(period)
    n = len(population)
    timings["population"] = time.perf_counter() - started
    report(0, n)

    mark = time.perf_counter()
    result = _score_month(period, population, lambda done: report(done, n))
    computed = result.computed
    timings["figures"] = time.perf_counter() - mark

    mark = time.perf_counter()
    kept = _kept(period.pk)
    totals, adjusted = _apply_adjustments(population, computed, kept)
    result.totals = totals
    ranking = _rank(totals, population.groups, list(period.scheme.bands))
    flags = _detect_flags(period, population, computed)
    timings["rank_and_flags"] = time.perf_counter() - mark
    report(n // 2, n)

    mark = time.perf_counter()
    with transaction.atomic():
        locked = lock_period(period.pk)
        refuse_locked(locked)
        _delete_period_rows(period.pk)
        timings["delete"] = time.perf_counter() - mark
        mark = time.perf_counter()
        rows = _score_rows(
            period.pk, population, computed, totals, ranking, lambda chunk: _breakdowns(result, chunk, adjusted)
        )
        _insert_scores(rows)
        timings["insert"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _restore_adjustments(period.pk, kept)
        _write_flags(period.pk, flags, kept)
        if ProjectAssessment.objects.filter(period_id=period.pk).exists():
            project_ranking(locked)
        _finish(locked, n, note=_("计算 %(n)d 名干部，%(flags)d 条诚信预警") % {"n": n, "flags": len(flags)})
    timings["flags_and_commit"] = time.perf_counter() - mark
    logger.info(
        "appraisal period %s: %d cadres; %s",
        period.pk,
        n,
        ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
    )
    report(n, n)


def _finish(period: AppraisalPeriod, n: int, *, note: str) -> None:
    before = period.status
    period.status = PeriodStatus.COMPUTED
    period.computed_at = timezone.now()
    period.progress_done = n
    period.progress_total = n
    period.error = ""
    period.version += 1
    period.save(update_fields=["status", "computed_at", "progress_done", "progress_total", "error", "version"])
    audit(
        actor=None,
        action=AuditAction.UPDATE,
        obj=period,
        changes={"status": (before, period.status)},
        note=note,
        actor_name="system",
    )


# --- Integrity flags -----------------------------------------------------------------------------


@dataclass
class FlagData:
    cadre_id: int
    kind: str
    detail: str
    evidence: dict[str, Any]


def _detect_flags(period: AppraisalPeriod, population: Population, computed: Any) -> list[FlagData]:
    """Find the patterns that suggest gaming; they are reported, never scored."""
    start, end, cadres = period.start_date, period.end_date, population.subquery
    flags: list[FlagData] = []
    for cadre_id, found in indicators.unconfirmed_closures(cadres=cadres, start=start, end=end).items():
        share = len(found.problem_ids) / found.closures * 100 if found.closures else 0
        flags.append(
            FlagData(
                cadre_id,
                FlagKind.UNCONFIRMED_CLOSURES,
                _("本期关闭 %(closures)d 个问题，其中 %(n)d 个未经诉求人确认（%(share).0f%%）。")
                % {"closures": found.closures, "n": len(found.problem_ids), "share": share},
                {"problems": found.problem_ids},
            )
        )
    for cadre_id, problem_ids in indicators.quick_self_closures(cadres=cadres, start=start, end=end).items():
        flags.append(
            FlagData(
                cadre_id,
                FlagKind.QUICK_SELF_CLOSE,
                _("%(n)d 个问题由登记人本人在登记后 %(minutes)d 分钟内关闭。")
                % {"n": len(problem_ids), "minutes": indicators.QUICK_CLOSE_MINUTES},
                {"problems": problem_ids},
            )
        )
    for cadre_id, rating_ids in indicators.identical_rating_clusters(
        cadres=cadres, start=start, end=end, campaign_id=period.scheme.campaign_id
    ).items():
        flags.append(
            FlagData(
                cadre_id,
                FlagKind.IDENTICAL_RATINGS,
                _("%(n)d 条服务对象评价高度雷同（同分同评语，或同一人短时间内录入同分评价）。")
                % {"n": len(rating_ids)},
                {"ratings": rating_ids},
            )
        )
    flags.extend(_off_history_flags(period, population, computed))
    return flags


HISTORY_MONTHS = 12


def _off_history_flags(period: AppraisalPeriod, population: Population, computed: Any) -> list[FlagData]:
    previous = AppraisalPeriod.objects.filter(
        scheme__campaign_id=period.scheme.campaign_id,
        kind=PeriodKind.MONTH,
        status__in=(PeriodStatus.COMPUTED, PeriodStatus.LOCKED),
        start_date__lt=period.start_date,
        start_date__gte=period.start_date - timedelta(days=HISTORY_MONTHS * 31),
    ).values("pk")
    # Sums rather than StdDev: SQLite's STDDEV_SAMP fails on a group of one row.
    points = ExpressionWrapper(Cast("total", FloatField()), output_field=FloatField())
    rows = list(
        CadreScore.objects.filter(period_id__in=previous, cadre_id__in=population.subquery)
        .order_by()
        .values("cadre_id")
        .annotate(n=Count("id"), total_sum=Sum(points), square_sum=Sum(points * points))
        .filter(n__gte=scoring.HISTORY_MIN_PERIODS)
        .values_list("cadre_id", "n", "total_sum", "square_sum")
    )
    if not rows:
        return []
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    pos, inside = population.index_of(ids)
    count = np.array([r[1] for r in rows], dtype=np.int64)
    sums = np.array([float(r[2]) for r in rows])
    squares = np.array([float(r[3]) for r in rows])
    mean = sums / count
    sd = np.sqrt(np.maximum(squares - count * mean * mean, 0.0) / np.maximum(count - 1, 1))
    totals = np.where(inside, computed[pos], np.nan)
    hits = np.flatnonzero(inside & scoring.off_history_mask(totals, count, mean, sd))
    flagged = {int(ids[h]): (float(totals[h]), float(mean[h]), float(sd[h])) for h in hits}
    history: dict[int, list[int]] = {}
    for chunk_start in range(0, len(flagged), 1000):
        chunk = list(flagged)[chunk_start : chunk_start + 1000]
        for cadre_id, score_id in (
            CadreScore.objects.filter(period_id__in=previous, cadre_id__in=chunk)
            .order_by("period__start_date")
            .values_list("cadre_id", "id")
        ):
            history.setdefault(cadre_id, []).append(score_id)
    flags = []
    for cadre_id, (total, avg, deviation_sd) in flagged.items():
        flags.append(
            FlagData(
                cadre_id,
                FlagKind.OFF_HISTORY,
                _("本期得分 %(total).1f，本人此前 %(n)d 期平均 %(mean).1f（标准差 %(sd).1f），偏离过大。")
                % {"total": total, "n": len(history.get(cadre_id, [])), "mean": avg, "sd": deviation_sd},
                {
                    "scores": history.get(cadre_id, []),
                    "total": round(total, 2),
                    "mean": round(avg, 2),
                    "sd": round(deviation_sd, 2),
                    "threshold": round(max(scoring.HISTORY_MIN_DEVIATION, scoring.HISTORY_SD_FACTOR * deviation_sd), 2),
                },
            )
        )
    return flags


def _write_flags(period_id: int, flags: list[FlagData], kept: _Kept) -> None:
    rows = []
    for flag in flags:
        review = kept.reviews.get((flag.cadre_id, flag.kind), {})
        rows.append(
            IntegrityFlag(
                period_id=period_id,
                cadre_id=flag.cadre_id,
                kind=flag.kind,
                detail=flag.detail[:300],
                evidence=flag.evidence,
                status=review.get("status", FlagStatus.OPEN),
                review_note=review.get("review_note", ""),
                reviewed_by_id=review.get("reviewed_by_id"),
                reviewed_at=review.get("reviewed_at"),
            )
        )
    IntegrityFlag.objects.bulk_create(rows, batch_size=2000)


# --- Roll-ups ------------------------------------------------------------------------------------


def _months_of(period: AppraisalPeriod) -> QuerySet[AppraisalPeriod]:
    return AppraisalPeriod.objects.filter(
        scheme__campaign_id=period.scheme.campaign_id,
        scheme__name=period.scheme.name,
        kind=PeriodKind.MONTH,
        start_date__gte=period.start_date,
        end_date__lte=period.end_date,
        status__in=(PeriodStatus.COMPUTED, PeriodStatus.LOCKED),
    ).order_by("start_date", "id")


def compute_rollup(period: AppraisalPeriod, report: Callable[[int, int], None]) -> None:
    months = list(_months_of(period))
    if not months:
        raise ApplicationError(_("%(period)s内还没有已计算的月度考核，无法汇总。") % {"period": period.label})
    labels = {m.pk: m.label for m in months}
    per_cadre: dict[int, list[tuple[int, int, float]]] = {}
    latest: dict[int, tuple[Any, ...]] = {}
    for cadre_id, period_id, score_id, total, role_id, kind, post_id, unit_id in (
        CadreScore.objects.filter(period__in=months)
        .order_by("period__start_date", "period_id")
        .values_list("cadre_id", "period_id", "id", "total", "role_id", "frontline_kind", "post_id", "home_unit_id")
        .iterator(chunk_size=20000)
    ):
        per_cadre.setdefault(cadre_id, []).append((period_id, score_id, float(total)))
        latest[cadre_id] = (role_id, kind, post_id, unit_id)
    ordered = sorted(per_cadre)
    n = len(ordered)
    report(n // 2, n)
    group_of: dict[tuple[Any, Any], int] = {}
    groups = np.array(
        [group_of.setdefault((latest[c][0], latest[c][1]), len(group_of)) for c in ordered], dtype=np.int64
    )
    means = scoring.round2(np.array([np.mean([t for _p, _s, t in per_cadre[c]]) for c in ordered], dtype=np.float64))
    ranking = _rank(means, groups, list(period.scheme.bands))

    def rows() -> Iterator[tuple[Any, ...]]:
        for i, cadre_id in enumerate(ordered):
            role_id, kind, post_id, unit_id = latest[cadre_id]
            breakdown = {
                "kind": "rollup",
                "method": "mean",
                "dimensions": [],
                "months": [
                    {"period_id": p, "label": labels[p], "score_id": s, "total": t} for p, s, t in per_cadre[cadre_id]
                ],
            }
            total = f"{means[i]:.2f}"
            yield (
                period.pk,
                cadre_id,
                role_id,
                kind,
                post_id,
                unit_id,
                total,
                total,
                int(ranking.rank[i]),
                int(ranking.rank_in_group[i]),
                int(ranking.group_size[i]),
                f"{ranking.percentile[i]:.2f}",
                ranking.bands[i],
                json.dumps(breakdown, ensure_ascii=False),
            )

    with transaction.atomic():
        locked = lock_period(period.pk)
        refuse_locked(locked)
        _delete_period_rows(period.pk)
        _insert_scores(rows())
        _finish(
            locked,
            n,
            note=_("汇总 %(months)d 个月、%(n)d 名干部") % {"months": len(months), "n": n},
        )
    report(n, n)


# --- Review ----------------------------------------------------------------------------------------


def rerank(period: AppraisalPeriod) -> None:
    """Recompute ranks and in-group percentiles of a period after a total changed; write only what changed."""
    rows = list(
        CadreScore.objects.filter(period=period)
        .order_by("cadre_id")
        .values_list("id", "total", "role_id", "frontline_kind", "rank", "rank_in_group", "percentile_in_group")
    )
    if not rows:
        return
    group_of: dict[tuple[Any, Any], int] = {}
    groups = np.array([group_of.setdefault((r[2], r[3]), len(group_of)) for r in rows], dtype=np.int64)
    totals = np.array([float(r[1]) for r in rows])
    ranking = _rank(totals, groups, [])
    changed = []
    for i, (pk, _total, _role, _kind, rank, rank_in_group, pct) in enumerate(rows):
        new = (int(ranking.rank[i]), int(ranking.rank_in_group[i]), Decimal(f"{ranking.percentile[i]:.2f}"))
        if (rank, rank_in_group, pct) != new:
            changed.append(CadreScore(pk=pk, rank=new[0], rank_in_group=new[1], percentile_in_group=new[2]))
    CadreScore.objects.bulk_update(changed, ["rank", "rank_in_group", "percentile_in_group"], batch_size=2000)


# --- The project ranking -------------------------------------------------------------------------


def _previous_period(period: AppraisalPeriod) -> AppraisalPeriod | None:
    return (
        AppraisalPeriod.objects.filter(
            scheme__campaign_id=period.scheme.campaign_id,
            scheme__name=period.scheme.name,
            kind=period.kind,
            start_date__lt=period.start_date,
        )
        .order_by("-start_date", "-id")
        .first()
    )


def project_ranking(period: AppraisalPeriod) -> list[ProjectAssessment]:
    assessments = list(ProjectAssessment.objects.filter(period=period).select_related("post").order_by("id"))
    if not assessments:
        return []
    scheme = period.scheme
    service = indicators.post_service_figures(
        post_ids=[a.post_id for a in assessments], start=period.start_date, end=period.end_date
    )
    previous = _previous_period(period)
    previous_ranks = (
        dict(ProjectAssessment.objects.filter(period=previous).values_list("post_id", "rank")) if previous else {}
    )
    totals = []
    for a in assessments:
        figures = service[a.post_id]
        service_score = scoring.combine_with_redistribution([(1, figures.on_time_rate), (1, figures.satisfaction)])
        a.service_score = None if service_score is None else Decimal(f"{service_score:.2f}")
        total = scoring.combine_with_redistribution(
            [
                (scheme.project_weight_progress, float(a.progress_score)),
                (scheme.project_weight_quality, float(a.quality_score)),
                (scheme.project_weight_service, service_score),
            ]
        )
        a.total = Decimal(f"{total or 0:.2f}")
        totals.append(float(a.total))
    ranks = scoring.competition_ranks(np.array(totals))
    for a, rank in zip(assessments, ranks.tolist(), strict=True):
        a.rank = rank
        a.previous_rank = previous_ranks.get(a.post_id)
        a.red_flag = rank <= scheme.red_flag_count
    ProjectAssessment.objects.bulk_update(assessments, ["service_score", "total", "rank", "previous_rank", "red_flag"])
    return sorted(assessments, key=lambda a: (a.rank or 0, a.pk))
