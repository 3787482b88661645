"""The record-level engine: hard rules → candidate pairs → costs → optimal flow → explained result.

`solve` builds the candidate pairs itself (k nearest needs per cadre that pass every hard rule,
with costs from the campaign's weights); `solve_pairs` takes candidate pairs and costs computed
by the caller. Both return a `MatchResult` that says why for every match, every need left below
its minimum and every cadre left without a post. Bad input never raises: it is explained.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .flow import FlowProblem, solve_flow
from .geo import great_circle_km_arrays, hilbert_key, knn_candidates
from .records import (
    Assignment,
    CadreIn,
    Change,
    MatchResult,
    MatchStats,
    Names,
    PostNeed,
    Rules,
    Unassigned,
    Unfilled,
    Weights,
)

COST_SCALE = 100
"""Cost points are multiplied by this and rounded: OR-Tools needs integer costs."""

ALL_PAIRS_LIMIT = 4_000_000
"""Up to this many cadre × need pairs per role, every pair is examined (no k-nearest search)."""


@dataclass(frozen=True, slots=True)
class PairIn:
    """A candidate pair with a cost computed by the caller (lower is better)."""

    cadre_id: int
    need_id: int
    cost: float
    reasons: tuple[str, ...] = ()
    distance_km: float | None = None


# Why a pair is not allowed: codes, counted per cadre and per need for the explanations.
ROLE, RANK, DISTANCE, NO_LOCATION, FORBIDDEN, FULL, NOT_NEAREST = range(7)
_REASON_TEXT = {
    ROLE: "角色不符",
    RANK: "职级不符",
    DISTANCE: "超出距离上限",
    NO_LOCATION: "缺少位置无法核对距离",
    FORBIDDEN: "回避规则",
    FULL: "已被锁定人员占满",
    NOT_NEAREST: "不在最近的候选范围内",
}


@dataclass
class _Prepared:
    cadres: list[CadreIn]
    needs: list[PostNeed]
    unassigned: dict[int, str] = field(default_factory=dict)  # cadre id → why (before solving)
    unavailable: list[CadreIn] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)  # invalid needs
    warnings: list[str] = field(default_factory=list)


def _fmt_km(km: float) -> str:
    return f"{km:.1f}".rstrip("0").rstrip(".") if km < 10 else f"{km:.0f}"


def _prepare(cadres: Iterable[CadreIn], needs: Iterable[PostNeed]) -> _Prepared:
    """Drop duplicates and invalid records, with an explanation for each."""
    prep = _Prepared(cadres=[], needs=[])
    seen: set[int] = set()
    for cadre in cadres:
        if cadre.id in seen:
            prep.warnings.append(f"干部 {cadre.id} 重复出现，只按第一条计算。")
            continue
        seen.add(cadre.id)
        if not cadre.available:
            prep.unassigned[cadre.id] = "本人当前不可选派。"
            prep.unavailable.append(cadre)
        else:
            prep.cadres.append(cadre)
    seen = set()
    for need in needs:
        if need.id in seen:
            prep.warnings.append(f"需求 {need.id} 重复出现，只按第一条计算。")
            continue
        seen.add(need.id)
        problem = None
        if need.max_count < 1:
            problem = "最多人数应至少为 1"
        elif need.min_count > need.max_count:
            problem = f"最少人数 {need.min_count} 大于最多人数 {need.max_count}"
        elif need.min_party_members > need.max_count:
            problem = f"至少党员人数 {need.min_party_members} 大于最多人数 {need.max_count}"
        elif need.rank_min is not None and need.rank_max is not None and need.rank_min > need.rank_max:
            problem = "最低职级高于最高职级"
        if problem:
            prep.unfilled.append(
                Unfilled(
                    need_id=need.id,
                    post_id=need.post_id,
                    assigned=0,
                    missing=max(need.min_count, 0),
                    missing_party=max(need.min_party_members, 0),
                    why=f"需求设置有误：{problem}，未参与匹配。",
                )
            )
        else:
            prep.needs.append(need)
    return prep


class _Arrays:
    """Column arrays of the cadres and needs, with integer codes for ids."""

    def __init__(self, cadres: Sequence[CadreIn], needs: Sequence[PostNeed], rules: Rules) -> None:
        nan = math.nan
        self.c_lat = np.array([c.lat if c.lat is not None else nan for c in cadres], dtype=np.float64)
        self.c_lng = np.array([c.lng if c.lng is not None else nan for c in cadres], dtype=np.float64)
        self.c_rank = np.array([c.rank for c in cadres], dtype=np.int64)
        self.c_party = np.array([c.is_party_member for c in cadres], dtype=bool)
        self.n_lat = np.array([n.lat if n.lat is not None else nan for n in needs], dtype=np.float64)
        self.n_lng = np.array([n.lng if n.lng is not None else nan for n in needs], dtype=np.float64)
        self.n_rank_min = np.array([n.rank_min if n.rank_min is not None else -(2**62) for n in needs], dtype=np.int64)
        self.n_rank_max = np.array([n.rank_max if n.rank_max is not None else 2**62 for n in needs], dtype=np.int64)
        self.n_limit = np.array(
            [
                n.max_distance_km
                if n.max_distance_km is not None
                else (rules.max_distance_km if rules.max_distance_km is not None else math.inf)
                for n in needs
            ],
            dtype=np.float64,
        )
        self.post_code: dict[int, int] = {}
        for n in needs:
            self.post_code.setdefault(n.post_id, len(self.post_code))
        self.n_post = np.array([self.post_code[n.post_id] for n in needs], dtype=np.int64)
        self.c_current = np.array(
            [self.post_code.get(c.current_post_id, -1) if c.current_post_id is not None else -1 for c in cadres],
            dtype=np.int64,
        )
        self.cadre_index = {c.id: i for i, c in enumerate(cadres)}
        self.need_index = {n.id: j for j, n in enumerate(needs)}
        n_codes = max(1, len(self.post_code))
        keys = [
            self.cadre_index[c] * n_codes + self.post_code[p]
            for (c, p) in rules.forbidden
            if c in self.cadre_index and p in self.post_code
        ]
        self.forbidden_keys = np.unique(np.array(keys, dtype=np.int64))
        self.n_codes = n_codes
        role_code: dict[int, int] = {}
        for n in needs:
            if n.role is not None:
                role_code.setdefault(n.role, len(role_code))
        self.n_role = np.array([role_code[n.role] if n.role is not None else -1 for n in needs], dtype=np.int64)
        self.c_any_role = np.array([c.roles is None for c in cadres], dtype=bool)
        self.c_role_bits = np.zeros((len(cadres), max(1, (len(role_code) + 63) // 64)), dtype=np.uint64)
        for i, c in enumerate(cadres):
            for r in c.roles or ():
                code = role_code.get(r)
                if code is not None:
                    self.c_role_bits[i, code // 64] |= np.uint64(1) << np.uint64(code % 64)

    def role_ok(self, ci: NDArray[np.int64], nj: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether each cadre may take each need's role."""
        code = self.n_role[nj]
        safe = np.maximum(code, 0)
        word = self.c_role_bits[ci, safe // 64]
        has = ((word >> (safe % 64).astype(np.uint64)) & np.uint64(1)).astype(bool)
        return np.asarray((code < 0) | self.c_any_role[ci] | has, dtype=bool)

    def hard_codes(self, ci: NDArray[np.int64], nj: NDArray[np.int64], km: NDArray[np.float64]) -> NDArray[np.int64]:
        """For pairs that already match in role: -1 if allowed, else the first failing rule's code."""
        code = np.full(len(ci), -1, dtype=np.int64)
        rank = self.c_rank[ci]
        code[(rank < self.n_rank_min[nj]) | (rank > self.n_rank_max[nj])] = RANK
        limit = self.n_limit[nj]
        limited = np.isfinite(limit)
        unknown = np.isnan(km)
        code[(code < 0) & limited & unknown] = NO_LOCATION
        code[(code < 0) & limited & ~unknown & (km > limit)] = DISTANCE
        if len(self.forbidden_keys):
            keys = ci * self.n_codes + self.n_post[nj]
            code[(code < 0) & _member(keys, self.forbidden_keys)] = FORBIDDEN
        return code


def _member(values: NDArray[np.int64], sorted_keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """np.isin for a sorted, unique key array (binary search; no sort of `values`)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[at] == values, dtype=bool)


def _sorted_unique(values: NDArray[np.int64]) -> NDArray[np.int64]:
    if len(values) == 0:
        return values
    out = np.sort(values)
    return out[np.r_[True, out[1:] != out[:-1]]]


def _role_groups(needs: Sequence[PostNeed], active: NDArray[np.bool_]) -> dict[int | None, NDArray[np.int64]]:
    groups: dict[int | None, list[int]] = {}
    for j, need in enumerate(needs):
        if active[j]:
            groups.setdefault(need.role, []).append(j)
    return {role: np.array(idx, dtype=np.int64) for role, idx in groups.items()}


def _eligible_cadres(cadres: Sequence[CadreIn], role: int | None, free: NDArray[np.bool_]) -> NDArray[np.int64]:
    return np.array(
        [i for i, c in enumerate(cadres) if free[i] and (role is None or c.roles is None or role in c.roles)],
        dtype=np.int64,
    )


def _raw_pairs(
    cadres: Sequence[CadreIn],
    needs: Sequence[PostNeed],
    arr: _Arrays,
    free: NDArray[np.bool_],
    active: NDArray[np.bool_],
    k: int | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Role-matching pairs to examine: all of them, or each cadre's nearest needs per role."""
    parts_c: list[NDArray[np.int64]] = []
    parts_n: list[NDArray[np.int64]] = []
    for role, group in _role_groups(needs, active).items():
        elig = _eligible_cadres(cadres, role, free)
        if len(elig) == 0:
            continue
        if k is None or len(group) <= 2 * k or len(elig) * len(group) <= min(ALL_PAIRS_LIMIT, 64 * k * len(elig)):
            parts_c.append(np.repeat(elig, len(group)))
            parts_n.append(np.tile(group, len(elig)))
            continue
        located_c = elig[~np.isnan(arr.c_lat[elig]) & ~np.isnan(arr.c_lng[elig])]
        located_n = group[~np.isnan(arr.n_lat[group]) & ~np.isnan(arr.n_lng[group])]
        bound = float(arr.n_limit[group].max())
        near_c, near_n, _km = knn_candidates(
            arr.c_lat[located_c],
            arr.c_lng[located_c],
            arr.n_lat[located_n],
            arr.n_lng[located_n],
            2 * k,
            max_km=bound if math.isfinite(bound) else None,
        )
        parts_c.append(located_c[near_c])
        parts_n.append(located_n[near_n])
        # Pairs with a missing location on either side are all examined.
        lost_c = np.setdiff1d(elig, located_c)
        lost_n = np.setdiff1d(group, located_n)
        if len(lost_c):
            parts_c.append(np.repeat(lost_c, len(group)))
            parts_n.append(np.tile(group, len(lost_c)))
        if len(lost_n):
            parts_c.append(np.repeat(located_c, len(lost_n)))
            parts_n.append(np.tile(lost_n, len(located_c)))
    # A cadre's current post is always examined, so a re-run can keep them there.
    cur_c, cur_n = [], []
    by_post: dict[int, list[int]] = {}
    for j in np.flatnonzero(active).tolist():
        by_post.setdefault(int(arr.n_post[j]), []).append(j)
    for i in np.flatnonzero(free & (arr.c_current >= 0)).tolist():
        for j in by_post.get(int(arr.c_current[i]), []):
            cur_c.append(i)
            cur_n.append(j)
    if cur_c:
        cc, cn = np.array(cur_c, dtype=np.int64), np.array(cur_n, dtype=np.int64)
        ok = arr.role_ok(cc, cn)
        parts_c.append(cc[ok])
        parts_n.append(cn[ok])
    ci = np.concatenate(parts_c) if parts_c else np.zeros(0, dtype=np.int64)
    nj = np.concatenate(parts_n) if parts_n else np.zeros(0, dtype=np.int64)
    if len(ci):
        width = max(1, len(needs))
        key = _sorted_unique(ci * width + nj)
        ci, nj = key // width, key % width
    km = great_circle_km_arrays(arr.c_lat[ci], arr.c_lng[ci], arr.n_lat[nj], arr.n_lng[nj])
    return ci, nj, km


class _Scorer:
    """Soft costs and the reasons a person reads, vectorised over pairs."""

    def __init__(
        self, cadres: Sequence[CadreIn], needs: Sequence[PostNeed], arr: _Arrays, weights: Weights, names: Names
    ) -> None:
        self.cadres, self.needs, self.arr, self.w, self.names = cadres, needs, arr, weights, names
        tags = sorted({t for n in needs for t in n.expertise})
        bit = {t: b for b, t in enumerate(tags)}
        words = max(1, (len(tags) + 63) // 64)
        self.c_bits = np.zeros((len(cadres), words), dtype=np.uint64)
        self.n_bits = np.zeros((len(needs), words), dtype=np.uint64)
        for bits, items in ((self.c_bits, [c.expertise for c in cadres]), (self.n_bits, [n.expertise for n in needs])):
            for row, tagset in enumerate(items):
                for t in tagset:
                    b = bit.get(t)
                    if b is not None:
                        bits[row, b // 64] |= np.uint64(1) << np.uint64(b % 64)
        self.n_tags = np.array([len(n.expertise) for n in needs], dtype=np.int64)
        units: dict[int, int] = {}
        self.c_unit = np.array(
            [units.setdefault(c.home_unit_id, len(units)) if c.home_unit_id is not None else -1 for c in cadres],
            dtype=np.int64,
        )
        self.n_units = max(1, len(units))
        pref = [j * self.n_units + units[u] for j, n in enumerate(needs) for u in n.preferred_unit_ids if u in units]
        self.pref_keys = np.unique(np.array(pref, dtype=np.int64))
        self.n_has_pref = np.array([bool(n.preferred_unit_ids) for n in needs], dtype=bool)
        prev = [
            i * arr.n_codes + arr.post_code[p]
            for i, c in enumerate(cadres)
            for p in c.previous_post_ids
            if p in arr.post_code
        ]
        self.prev_keys = np.unique(np.array(prev, dtype=np.int64))

    def parts(
        self, ci: NDArray[np.int64], nj: NDArray[np.int64]
    ) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
        """(preferred unit, expertise overlap, served there before, current post) per pair."""
        pref = _member(nj * self.n_units + self.c_unit[ci], self.pref_keys) & (self.c_unit[ci] >= 0)
        overlap = np.bitwise_count(self.c_bits[ci] & self.n_bits[nj]).sum(axis=1).astype(np.int64)
        prev = _member(ci * self.arr.n_codes + self.arr.n_post[nj], self.prev_keys)
        current = self.arr.c_current[ci] == self.arr.n_post[nj]
        return pref, overlap, prev, current

    def cost(self, ci: NDArray[np.int64], nj: NDArray[np.int64], km: NDArray[np.float64]) -> NDArray[np.float64]:
        """The soft cost of each pair in points (may be negative: bonuses are subtracted)."""
        w = self.w
        pref, overlap, prev, current = self.parts(ci, nj)
        dist = np.where(np.isnan(km), w.unknown_distance_km, km)
        return np.asarray(
            w.distance_per_km * dist - w.department * pref - w.expertise * overlap - w.continuity * (prev | current),
            dtype=np.float64,
        )

    def reasons(self, i: int, j: int, km: float) -> list[str]:
        cadre, need = self.cadres[i], self.needs[j]
        out: list[str] = []
        if need.preferred_unit_ids:
            if cadre.home_unit_id in need.preferred_unit_ids:
                unit = self.names.units.get(cadre.home_unit_id) if cadre.home_unit_id is not None else None
                out.append(f"首选部门 ✓（{unit}）" if unit else "首选部门 ✓")
            else:
                out.append("非首选部门")
        if need.expertise:
            shared = cadre.expertise & need.expertise
            text = f"专长匹配 {len(shared)}/{len(need.expertise)}"
            labels = [self.names.tags[t] for t in sorted(shared) if t in self.names.tags]
            out.append(f"{text}（{'、'.join(labels)}）" if labels else text)
        out.append("距离未知" if math.isnan(km) else f"距离 {km:.1f} 公里")
        if cadre.current_post_id == need.post_id:
            out.append("保留现岗位")
        elif need.post_id in cadre.previous_post_ids:
            out.append("延续原岗位")
        if need.min_party_members and cadre.is_party_member:
            out.append(f"党员（需至少 {need.min_party_members} 名）")
        return out


def _truncate(
    ci: NDArray[np.int64], cost: NDArray[np.float64], protect: NDArray[np.bool_], k: int | None
) -> NDArray[np.bool_]:
    """Keep each cadre's k cheapest pairs (protected pairs always stay)."""
    if k is None or len(ci) == 0:
        return np.ones(len(ci), dtype=bool)
    # One sort on (cadre, protected first, cost): costs quantised like the solver's integer costs.
    q = np.rint((cost - cost.min()) * COST_SCALE).astype(np.int64)
    group = ci * 2 + (~protect).astype(np.int64)
    order = np.argsort(group * (int(q.max()) + 1) + q, kind="stable")
    sorted_c = ci[order]
    starts = np.flatnonzero(np.r_[True, sorted_c[1:] != sorted_c[:-1]])
    rank = np.arange(len(ci)) - np.repeat(starts, np.diff(np.r_[starts, len(ci)]))
    keep = np.zeros(len(ci), dtype=bool)
    keep[order] = (rank < k) | protect[order]
    return keep


def _explain_counts(counts: Counter[int], unit: str) -> str:
    return "，".join(f"{_REASON_TEXT[code]} {n} {unit}" for code, n in counts.most_common())


def solve(
    cadres: Iterable[CadreIn],
    needs: Iterable[PostNeed],
    *,
    weights: Weights | None = None,
    rules: Rules | None = None,
    names: Names | None = None,
) -> MatchResult:
    """Match cadres to needs optimally: most cadres placed, minimums met, fewest moves, lowest cost."""
    return _Run(cadres, needs, weights or Weights(), rules or Rules(), names or Names(), None).result()


def solve_pairs(
    cadres: Iterable[CadreIn],
    needs: Iterable[PostNeed],
    pairs: Iterable[PairIn],
    *,
    rules: Rules | None = None,
    keep_current: bool = True,
) -> MatchResult:
    """Like `solve`, but with the candidate pairs and their costs given by the caller.

    Forbidden pairs, availability and invalid needs are still enforced; pins must name a pair
    that is among the candidates.
    """
    return _Run(cadres, needs, Weights(keep_current=keep_current), rules or Rules(), Names(), list(pairs)).result()


class _Run:
    def __init__(
        self,
        cadres: Iterable[CadreIn],
        needs: Iterable[PostNeed],
        weights: Weights,
        rules: Rules,
        names: Names,
        pairs: list[PairIn] | None,
    ) -> None:
        self.started = time.perf_counter()
        self.prep = _prepare(cadres, needs)
        self.weights, self.rules, self.names, self.given = weights, rules, names, pairs
        self.cadres, self.needs = self.prep.cadres, self.prep.needs
        self.arr = _Arrays(self.cadres, self.needs, rules)
        self.scorer = _Scorer(self.cadres, self.needs, self.arr, weights, names)
        n_n = len(self.needs)
        self.room = np.array([n.max_count for n in self.needs], dtype=np.int64)
        self.minimum = np.array([max(n.min_count, n.min_party_members, 0) for n in self.needs], dtype=np.int64)
        self.party_min = np.array([max(n.min_party_members, 0) for n in self.needs], dtype=np.int64)
        self.free = np.ones(len(self.cadres), dtype=bool)
        self.assigned_need = np.full(len(self.cadres), -1, dtype=np.int64)
        self.pinned: set[int] = set()
        self.given_cost: dict[tuple[int, int], PairIn] = {}
        self.n_candidates = np.zeros(len(self.cadres), dtype=np.int64)
        self.need_candidates = np.zeros(n_n, dtype=np.int64)
        self.km_of: dict[tuple[int, int], float] = {}

    # -- pins --------------------------------------------------------------------------------
    def _apply_pins(self) -> None:
        needs_of_post: dict[int, list[int]] = {}
        if self.rules.pinned:
            for j, n in enumerate(self.needs):
                needs_of_post.setdefault(n.post_id, []).append(j)
        for cadre_id, post_id in sorted(self.rules.pinned):
            i = self.arr.cadre_index.get(cadre_id)
            if i is None:
                why = self.prep.unassigned.get(cadre_id, "不在本次人员范围内")
                self.prep.warnings.append(f"锁定未生效：干部 {cadre_id} {why.rstrip('。')}。")
                continue
            if not self.free[i]:
                self.prep.warnings.append(f"锁定未生效：干部 {cadre_id} 已锁定到其他岗位。")
                continue
            options = needs_of_post.get(post_id, [])
            if not options:
                self.prep.warnings.append(f"锁定未生效：岗位 {post_id} 没有待满足的需求。")
                continue
            ci = np.full(len(options), i, dtype=np.int64)
            nj = np.array(options, dtype=np.int64)
            km = great_circle_km_arrays(self.arr.c_lat[ci], self.arr.c_lng[ci], self.arr.n_lat[nj], self.arr.n_lng[nj])
            role = self.arr.role_ok(ci, nj)
            code = np.where(role, self.arr.hard_codes(ci, nj, km), ROLE)
            if self.given is not None:
                code = np.where([(cadre_id, self.needs[j].id) in self.given_cost for j in options], code, NOT_NEAREST)
            code = np.where((code < 0) & (self.room[nj] <= 0), FULL, code)
            ok = np.flatnonzero(code < 0)
            if len(ok) == 0:
                self.prep.warnings.append(
                    f"锁定未生效：干部 {cadre_id} 不能到岗位 {post_id}（{_REASON_TEXT[int(code[0])]}）。"
                )
                continue

            # Prefer the need whose minimum (Party members first) the cadre helps to meet.
            member = self.cadres[i].is_party_member
            scores = [
                (not (member and self.party_min[options[k]] > 0), bool(self.minimum[options[k]] <= 0), k)
                for k in ok.tolist()
            ]
            j = options[min(scores)[2]]
            self.free[i] = False
            self.pinned.add(i)
            self.assigned_need[i] = j
            self.km_of[(i, j)] = float(km[options.index(j)])
            self.room[j] -= 1
            self.minimum[j] = max(0, self.minimum[j] - 1)
            if self.cadres[i].is_party_member:
                self.party_min[j] = max(0, self.party_min[j] - 1)

    # -- candidates --------------------------------------------------------------------------
    def _candidates(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """(cadre index, need index, km, cost points) of the allowed pairs."""
        active = self.room > 0
        if self.given is not None:
            ci_l, nj_l, cost_l, km_l = [], [], [], []
            for pair in self.given:
                i = self.arr.cadre_index.get(pair.cadre_id)
                j = self.arr.need_index.get(pair.need_id)
                if i is None or j is None or not self.free[i] or not active[j]:
                    continue
                ci_l.append(i)
                nj_l.append(j)
                cost_l.append(pair.cost)
                km_l.append(math.nan if pair.distance_km is None else pair.distance_km)
            ci = np.array(ci_l, dtype=np.int64)
            nj = np.array(nj_l, dtype=np.int64)
            km = np.array(km_l, dtype=np.float64)
            cost = np.array(cost_l, dtype=np.float64)
            code = self.arr.hard_codes(ci, nj, km)
            code[code == NO_LOCATION] = -1  # the caller checked distances
            allowed = code < 0
            return ci[allowed], nj[allowed], km[allowed], cost[allowed]
        ci, nj, km = _raw_pairs(
            self.cadres, self.needs, self.arr, self.free, active, self.rules.max_candidates_per_cadre
        )
        code = self.arr.hard_codes(ci, nj, km)
        allowed = code < 0
        ci, nj, km = ci[allowed], nj[allowed], km[allowed]
        cost = self.scorer.cost(ci, nj, km)
        current = self.arr.c_current[ci] == self.arr.n_post[nj]
        keep = _truncate(ci, cost, current, self.rules.max_candidates_per_cadre)
        return ci[keep], nj[keep], km[keep], cost[keep]

    # -- solving -----------------------------------------------------------------------------
    def result(self) -> MatchResult:
        if self.given is not None:
            for pair in self.given:
                self.given_cost.setdefault((pair.cadre_id, pair.need_id), pair)
        self._apply_pins()
        ci, nj, km, cost_pts = self._candidates()
        np.add.at(self.n_candidates, ci, 1)
        np.add.at(self.need_candidates, nj, 1)
        offset = float(-cost_pts.min()) if len(cost_pts) and cost_pts.min() < 0 else 0.0
        cost_int = np.rint((cost_pts + offset) * COST_SCALE).astype(np.int64)
        keep_arcs = (self.arr.c_current[ci] == self.arr.n_post[nj]) if self.weights.keep_current else None
        need_key = (
            hilbert_key(np.nan_to_num(self.arr.n_lat), np.nan_to_num(self.arr.n_lng)) if len(self.needs) > 256 else None
        )
        built = time.perf_counter()
        sol = solve_flow(
            FlowProblem(
                n_cadres=len(self.cadres),
                n_posts=len(self.needs),
                arc_cadre=ci.astype(np.int32),
                arc_post=nj.astype(np.int32),
                arc_cost=cost_int,
                capacity=np.maximum(self.room, 0),
                minimum=self.minimum,
                party_minimum=self.party_min,
                is_party=self.arr.c_party,
                keep=keep_arcs,
                post_key=need_key,
            )
        )
        solved = time.perf_counter()
        used = np.flatnonzero(sol.arc_used)
        arc_cost_of: dict[tuple[int, int], float] = {}
        for a in used.tolist():
            i, j = int(ci[a]), int(nj[a])
            self.assigned_need[i] = j
            self.km_of[(i, j)] = float(km[a])
            arc_cost_of[(i, j)] = float(cost_pts[a])
        warnings = list(self.prep.warnings)
        if sol.status != "OPTIMAL":
            warnings.append(f"求解器未能给出最优解（{sol.status}）。")
        elif not sol.tiers_exact:
            warnings.append("问题规模过大，“最低人数优先、少调动优先”按近似权重处理。")
        return self._compose(
            arc_cost_of, sol.status, sol.optimal, built - self.started, solved - built, len(ci), warnings
        )

    # -- explanations ------------------------------------------------------------------------
    def _pair_cost(self, i: int, j: int) -> float:
        if self.given is not None:
            pair = self.given_cost.get((self.cadres[i].id, self.needs[j].id))
            return pair.cost if pair is not None else 0.0
        km = np.array([self.km_of.get((i, j), math.nan)])
        return float(self.scorer.cost(np.array([i]), np.array([j]), km)[0])

    def _reasons(self, i: int, j: int) -> list[str]:
        if self.given is not None:
            pair = self.given_cost.get((self.cadres[i].id, self.needs[j].id))
            return list(pair.reasons) if pair is not None else []
        return self.scorer.reasons(i, j, self.km_of.get((i, j), math.nan))

    def _exclusions_for_cadre(self, i: int) -> Counter[int]:
        nj = np.arange(len(self.needs), dtype=np.int64)
        ci = np.full(len(nj), i, dtype=np.int64)
        km = great_circle_km_arrays(self.arr.c_lat[ci], self.arr.c_lng[ci], self.arr.n_lat, self.arr.n_lng)
        role = self.arr.role_ok(ci, nj)
        code = np.where(role, self.arr.hard_codes(ci, nj, km), ROLE)
        code = np.where((code < 0) & (self.room <= 0), FULL, code)
        code = np.where(code < 0, NOT_NEAREST, code)
        return Counter(code.tolist())

    def _need_why(self, j: int, got: int, party_got: int) -> str:
        need = self.needs[j]
        minimum = max(need.min_count, need.min_party_members)
        if len(self.cadres) == 0:
            return "人员池为空，没有可选派的干部。"
        pinned = np.zeros(len(self.cadres), dtype=bool)
        pinned[list(self.pinned)] = True
        pinned_here = int((pinned & (self.assigned_need == j)).sum())
        ci = np.flatnonzero(~pinned | (self.assigned_need == j))
        parts: list[str] = []
        nj = np.full(len(ci), j, dtype=np.int64)
        km = great_circle_km_arrays(self.arr.c_lat[ci], self.arr.c_lng[ci], self.arr.n_lat[nj], self.arr.n_lng[nj])
        role = self.arr.role_ok(ci, nj)
        code = np.where(role, self.arr.hard_codes(ci, nj, km), ROLE)
        ok = ci[code < 0]
        limit = self.arr.n_limit[j]
        where = f"{_fmt_km(float(limit))} 公里内" if math.isfinite(limit) else ""
        excluded = Counter(code[code >= 0].tolist())
        detail = f"（{_explain_counts(excluded, '人')}）" if excluded else ""
        if got < minimum and len(ok) < minimum:
            parts.append(f"需要至少 {minimum} 人，{where}符合条件的干部只有 {len(ok)} 名{detail}")
        party_ok = int(self.arr.c_party[ok].sum())
        if party_got < need.min_party_members and party_ok < need.min_party_members:
            parts.append(f"需要 {need.min_party_members} 名党员，{where}符合条件的党员只有 {party_ok} 名")
        if not parts:
            if self.given is None and self.need_candidates[j] + pinned_here < minimum:
                parts.append(
                    f"{where}符合条件的干部有 {len(ok)} 名，但多数有更近或更合适的候选岗位"
                    f"（每人只比较最合适的 {self.rules.max_candidates_per_cadre} 个）"
                )
            else:
                parts.append(f"符合条件的 {len(ok)} 名干部同时也是其他岗位的人选，无法让各岗位同时达到最低人数")
        return "；".join(parts) + "。"

    def _compose(
        self,
        arc_cost_of: dict[tuple[int, int], float],
        status: str,
        optimal: bool,
        build_s: float,
        solve_s: float,
        n_candidates: int,
        warnings: list[str],
    ) -> MatchResult:
        assignments: list[Assignment] = []
        kept = moved = new = 0
        total = 0.0
        got = np.zeros(len(self.needs), dtype=np.int64)
        party_got = np.zeros(len(self.needs), dtype=np.int64)
        for i in np.flatnonzero(self.assigned_need >= 0).tolist():
            j = int(self.assigned_need[i])
            cadre, need = self.cadres[i], self.needs[j]
            got[j] += 1
            party_got[j] += int(cadre.is_party_member)
            cost = arc_cost_of.get((i, j))
            if cost is None:
                cost = self._pair_cost(i, j)
            total += cost
            change: Change
            if cadre.current_post_id == need.post_id:
                change, kept = "keep", kept + 1
            elif cadre.current_post_id is not None:
                change, moved = "move", moved + 1
            else:
                change, new = "new", new + 1
            reasons = self._reasons(i, j)
            pinned = i in self.pinned
            if pinned:
                reasons.insert(0, "人工锁定")
            km = self.km_of.get((i, j), math.nan)
            assignments.append(
                Assignment(
                    cadre_id=cadre.id,
                    need_id=need.id,
                    post_id=need.post_id,
                    cost=round(cost, 3),
                    distance_km=None if math.isnan(km) else round(km, 1),
                    reasons=tuple(reasons),
                    change=change,
                    pinned=pinned,
                )
            )
        unfilled = list(self.prep.unfilled)
        for j, need in enumerate(self.needs):
            minimum = max(need.min_count, need.min_party_members)
            missing = max(0, minimum - int(got[j]))
            missing_party = max(0, need.min_party_members - int(party_got[j]))
            if missing or missing_party:
                unfilled.append(
                    Unfilled(
                        need_id=need.id,
                        post_id=need.post_id,
                        assigned=int(got[j]),
                        missing=missing,
                        missing_party=missing_party,
                        why=self._need_why(j, int(got[j]), int(party_got[j])),
                    )
                )
        unassigned: list[Unassigned] = [Unassigned(cadre_id=c, why=w) for c, w in self.prep.unassigned.items()]
        ended = sum(1 for c in self.prep.unavailable if c.current_post_id is not None)
        n_needs_total = len(self.needs)
        for i in np.flatnonzero(self.assigned_need < 0).tolist():
            cadre = self.cadres[i]
            if cadre.current_post_id is not None:
                ended += 1
            if n_needs_total == 0:
                why = "本次没有待满足的岗位需求。"
            elif self.n_candidates[i] > 0:
                why = f"{self.n_candidates[i]} 个候选岗位均已由更合适的干部占满。"
            elif self.given is not None:
                why = "没有候选岗位。"
            else:
                counts = self._exclusions_for_cadre(i)
                why = f"没有可去的岗位：{_explain_counts(counts, '个')}。"
            unassigned.append(Unassigned(cadre_id=cadre.id, why=why))
        open_slots = int(np.maximum(np.array([n.max_count for n in self.needs], dtype=np.int64) - got, 0).sum())
        stats = MatchStats(
            cadres=len(self.cadres) + len(self.prep.unassigned),
            needs=len(self.needs) + len(self.prep.unfilled),
            candidates=n_candidates,
            assigned=len(assignments),
            kept=kept,
            moved=moved,
            new=new,
            ended=ended,
            open_slots=open_slots,
            build_s=round(build_s, 4),
            solve_s=round(solve_s, 4),
            status=status,
        )
        if not self.cadres and not self.prep.unassigned:
            warnings.append("人员池为空：没有可选派的干部。")
        if not self.needs and not self.prep.unfilled:
            warnings.append("没有待满足的岗位需求。")
        assignments.sort(key=lambda a: (a.post_id, a.need_id, a.cadre_id))
        unfilled.sort(key=lambda u: (u.post_id, u.need_id))
        unassigned.sort(key=lambda u: u.cadre_id)
        return MatchResult(
            assignments=tuple(assignments),
            unfilled=tuple(unfilled),
            unassigned=tuple(unassigned),
            total_cost=round(total, 3),
            optimal=optimal,
            stats=stats,
            warnings=tuple(warnings),
        )


def weights_from(values: Mapping[str, float | bool]) -> Weights:
    """Build `Weights` from a mapping such as a campaign's settings (unknown keys are ignored)."""
    known = {k: v for k, v in values.items() if k in Weights.__dataclass_fields__}
    return Weights(**known)  # type: ignore[arg-type]
