"""The appraisal's arithmetic: normalization, weighting, ranking, classes, off-history detection.

No Django here: the functions take and return numpy arrays (or plain numbers), so a monthly
period of 580,000 cadres is a handful of vectorized passes, and the rules are tested on their own.
A missing figure is NaN throughout (a rate without a denominator, a rating nobody gave).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Problems resolved count more the higher they were escalated (楼栋 → 县区), on top of the
# category's difficulty weight.
LEVEL_FACTORS: Mapping[int, float] = {1: 1.0, 2: 1.2, 3: 1.5, 4: 2.0}

# A total is "far from the cadre's own history" when it differs from the mean of at least
# HISTORY_MIN_PERIODS previous periods by more than max(HISTORY_MIN_DEVIATION, HISTORY_SD_FACTOR · sd).
HISTORY_MIN_PERIODS = 3
HISTORY_MIN_DEVIATION = 20.0
HISTORY_SD_FACTOR = 2.5


def as_float_array(values: Sequence[float | None] | FloatArray) -> FloatArray:
    """Return the values as a float array, None becoming NaN (missing)."""
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def _group_ids(groups: Sequence[object] | IntArray | None, n: int) -> IntArray:
    if groups is None:
        return np.zeros(n, dtype=np.int64)
    if isinstance(groups, np.ndarray) and groups.dtype.kind in "iu":
        return groups.astype(np.int64, copy=False)
    ids: dict[object, int] = {}
    return np.array([ids.setdefault(g, len(ids)) for g in groups], dtype=np.int64)


@dataclass(frozen=True)
class _Runs:
    """Present values sorted by (group, value), with the tie runs and group bounds of each."""

    index: IntArray  # positions in the input, in sorted order
    below: IntArray  # peers in the same group with a strictly lower value
    equal: IntArray  # peers in the same group with the same value (itself included)
    size: IntArray  # peers in the group with a figure


def _runs(values: FloatArray, groups: IntArray) -> _Runs:
    present = np.flatnonzero(~np.isnan(values))
    v = values[present]
    g = groups[present]
    order = np.lexsort((v, g))
    vs, gs = v[order], g[order]
    m = len(vs)
    if m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Runs(empty, empty, empty, empty)
    positions = np.arange(m, dtype=np.int64)
    group_start = np.searchsorted(gs, gs, side="left").astype(np.int64)
    group_end = np.searchsorted(gs, gs, side="right").astype(np.int64)
    new_run = np.empty(m, dtype=bool)
    new_run[0] = True
    new_run[1:] = (gs[1:] != gs[:-1]) | (vs[1:] != vs[:-1])
    run_id = np.cumsum(new_run) - 1
    run_starts = positions[new_run]
    run_lengths = np.diff(np.append(run_starts, m))
    return _Runs(
        index=present[order].astype(np.int64),
        below=run_starts[run_id] - group_start,
        equal=run_lengths[run_id],
        size=group_end - group_start,
    )


def mid_rank_percentiles(
    values: Sequence[float | None] | FloatArray, groups: Sequence[object] | IntArray | None = None
) -> FloatArray:
    """Return each value's mid-rank percentile within its group: (below + 0.5 · equal) / n · 100.

    Ties share a percentile; `n` counts the group's members that have a figure, and a missing
    value stays missing (NaN). A cadre alone in their group gets 50: there is nobody to compare with.
    """
    array = as_float_array(values)
    runs = _runs(array, _group_ids(groups, len(array)))
    out = np.full(len(array), np.nan)
    out[runs.index] = (runs.below + 0.5 * runs.equal) / runs.size * 100.0
    return out


def competition_ranks(
    values: Sequence[float | None] | FloatArray, groups: Sequence[object] | IntArray | None = None
) -> IntArray:
    """Return ranks from the highest value down, ties sharing the best rank (1, 2, 2, 4); 0 where missing."""
    array = as_float_array(values)
    runs = _runs(array, _group_ids(groups, len(array)))
    out = np.zeros(len(array), dtype=np.int64)
    # Peers strictly above = size − below − equal.
    out[runs.index] = runs.size - runs.below - runs.equal + 1
    return out


def group_sizes(groups: Sequence[object] | IntArray, present: npt.NDArray[np.bool_] | None = None) -> IntArray:
    """Return, for each member, how many members its group has (counting only `present` ones)."""
    ids = _group_ids(groups, len(groups))
    weights = None if present is None else present.astype(np.int64)
    counts = np.bincount(ids, weights=weights, minlength=int(ids.max()) + 1 if len(ids) else 0)
    return counts[ids].astype(np.int64)


def invert(percentiles: FloatArray) -> FloatArray:
    """Turn a higher-is-better percentile into a lower-is-better one (NaN stays NaN).

    With mid-ranks this is exact: (above + 0.5 · equal) / n · 100 = 100 − (below + 0.5 · equal) / n · 100.
    """
    return 100.0 - percentiles


def absolute(values: FloatArray, *, lower_is_better: bool = False) -> FloatArray:
    """Return figures already on a 0–100 scale, clamped; for lower-is-better ones, 100 minus the figure."""
    clamped = np.clip(values, 0.0, 100.0)
    return 100.0 - clamped if lower_is_better else clamped


def normalize(
    values: FloatArray,
    *,
    method: str,
    lower_is_better: bool = False,
    groups: Sequence[object] | IntArray | None = None,
) -> FloatArray:
    """Return 0–100 scores: "peer_percentile" (mid-rank within the peer group) or "absolute"."""
    if method == "peer_percentile":
        percentiles = mid_rank_percentiles(values, groups)
        return invert(percentiles) if lower_is_better else percentiles
    if method == "absolute":
        return absolute(values, lower_is_better=lower_is_better)
    raise ValueError(f"unknown normalization {method!r}")


def weigh(scores: FloatArray, weights: Sequence[float] | FloatArray) -> tuple[FloatArray, FloatArray]:
    """Combine scores (rows × parts, NaN = missing) with weights; return (combined, effective weights).

    A missing part's weight is shared among the row's present parts in proportion to their own
    weights, so the effective weights of a row with any figure total 100 (as percentages). A row
    with no figure at all combines to NaN with all-zero effective weights: the caller decides what
    that means (see `total_scores`).
    """
    matrix = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    w = np.asarray(weights, dtype=np.float64)
    present = ~np.isnan(matrix)
    present_weights = np.where(present, w, 0.0)
    denominator = present_weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = np.where(denominator[:, None] > 0, present_weights / denominator[:, None] * 100.0, 0.0)
        combined = np.where(denominator > 0, (np.where(present, matrix, 0.0) * effective).sum(axis=1) / 100.0, np.nan)
    return combined, effective


def total_scores(dimension_scores: FloatArray, weights: Sequence[float] | FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return (totals, effective dimension weights) from dimension scores (rows × dimensions).

    A dimension without any figure this period — no inspection visit, no rating given, no problem
    due — does not score 0: its weight goes to the dimensions that have figures, in proportion,
    exactly as a missing input's share does within a dimension. A 0 would rank a cadre below every
    peer for something the cadre does not control (whether the inspection group came this month).
    This does not reward doing nothing: count indicators (problems resolved, send-backs,
    suggestions, matchmakings) are never missing — zero is a figure, and it scores at the bottom
    of the peer group. A cadre with no figure in any dimension totals 0.
    """
    combined, effective = weigh(dimension_scores, weights)
    return np.where(np.isnan(combined), 0.0, combined), effective


def round2(values: FloatArray) -> FloatArray:
    """Round to the 2 decimals totals are stored with, so that ties are judged on stored values."""
    return np.round(values, 2)


def band_for(total: float, bands: Sequence[Mapping[str, object]]) -> str:
    """Return the code of the highest band whose min_score the total reaches, or "" below them all."""
    for band in sorted(bands, key=_min_score, reverse=True):
        if total >= _min_score(band):
            return str(band.get("code", ""))
    return ""


def bands_for(totals: FloatArray, bands: Sequence[Mapping[str, object]]) -> list[str]:
    """Return `band_for` of each total."""
    out = np.full(len(totals), "", dtype=object)
    assigned = np.zeros(len(totals), dtype=bool)
    for band in sorted(bands, key=_min_score, reverse=True):
        hit = ~assigned & (totals >= _min_score(band))
        out[hit] = str(band.get("code", ""))
        assigned |= hit
    return [str(code) for code in out]


def _min_score(band: Mapping[str, object]) -> float:
    value = band.get("min_score", 0)
    return float(value) if isinstance(value, int | float | str) else 0.0


@dataclass(frozen=True)
class OffHistory:
    mean: float
    sd: float
    threshold: float
    deviation: float  # total − mean


def off_history(total: float, history: Sequence[float]) -> OffHistory | None:
    """Return the deviation when `total` is far from the cadre's own previous totals, else None.

    Needs at least HISTORY_MIN_PERIODS previous totals; the sample standard deviation is used.
    """
    if len(history) < HISTORY_MIN_PERIODS:
        return None
    mean = float(np.mean(history))
    sd = float(np.std(history, ddof=1))
    threshold = max(HISTORY_MIN_DEVIATION, HISTORY_SD_FACTOR * sd)
    deviation = total - mean
    if abs(deviation) <= threshold:
        return None
    return OffHistory(mean=mean, sd=sd, threshold=threshold, deviation=deviation)


def history_stats(owner: IntArray, values: FloatArray, n: int) -> tuple[IntArray, FloatArray, FloatArray]:
    """Return (count, mean, sample sd) of `values` per owner 0..n-1 (NaN where a count is below 2)."""
    count = np.bincount(owner, minlength=n).astype(np.int64)
    total = np.bincount(owner, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        squares = np.bincount(owner, weights=(values - mean[owner]) ** 2, minlength=n)
        sd = np.where(count > 1, np.sqrt(squares / np.maximum(count - 1, 1)), np.nan)
    return count, mean, sd


def off_history_mask(totals: FloatArray, count: IntArray, mean: FloatArray, sd: FloatArray) -> npt.NDArray[np.bool_]:
    """Vectorized `off_history`: True where at least HISTORY_MIN_PERIODS totals exist and the gap is too wide."""
    threshold = np.maximum(HISTORY_MIN_DEVIATION, HISTORY_SD_FACTOR * np.nan_to_num(sd))
    with np.errstate(invalid="ignore"):
        return (count >= HISTORY_MIN_PERIODS) & (np.abs(totals - mean) > threshold)


def combine_with_redistribution(parts: Sequence[tuple[float, float | None]]) -> float | None:
    """Return the weighted mean of (weight, value) pairs, a missing value's weight going to the others."""
    present = [(w, v) for w, v in parts if v is not None and w > 0]
    weight = sum(w for w, _ in present)
    if weight <= 0:
        return None
    return sum(w * v for w, v in present) / weight
