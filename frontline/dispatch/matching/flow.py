"""The array core: an optimal b-matching of cadres to posts as a min-cost flow (OR-Tools).

Network: every cadre node has one unit of supply; a candidate arc cadre → post has capacity 1
and the pair's integer cost; each post drains into the sink through two parallel arcs, its
minimum (a large bonus per unit, so minimums are met whenever they can be) and the rest of its
capacity. A post that needs Party members gets a party node in front of it: Party members reach
the post through it, and its first `party_minimum` units carry the same bonus.

`solve_max_flow_with_min_cost` then finds, in this order of priority,
1. the largest number of assigned cadres (a maximum flow; a maximum flow that meets the most
   minimum slots always exists, because augmenting paths never unassign a slot),
2. the most minimum slots filled (bonus tier B),
3. the most existing deployments kept (bonus tier K, optional),
4. the lowest total cost.
B and K are chosen larger than any cost difference between two maximum flows, so the tiers are
exact (lexicographic), not a trade-off, unless they would overflow 64-bit costs (then
`tiers_exact` is False).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

_COST_LIMIT = 2**62


@dataclass(frozen=True)
class FlowProblem:
    """Arrays describing one matching problem; indices are 0-based positions."""

    n_cadres: int
    n_posts: int
    arc_cadre: NDArray[np.int32]
    arc_post: NDArray[np.int32]
    arc_cost: NDArray[np.integer[Any]]
    capacity: NDArray[np.int64]
    minimum: NDArray[np.int64] | None = None
    party_minimum: NDArray[np.int64] | None = None
    is_party: NDArray[np.bool_] | None = None
    keep: NDArray[np.bool_] | None = None
    """Arcs that keep a cadre where they already serve (the keep tier)."""
    post_key: NDArray[np.int64] | None = None
    """A locality key per post (e.g. `hilbert_key`): nodes are numbered in this order."""
    flow_limit: int | None = None
    """Assign at most this many cadres (used to compare with a baseline at equal coverage)."""


@dataclass(frozen=True)
class FlowSolution:
    post_of_cadre: NDArray[np.int32]
    """The post index each cadre is assigned to, or -1."""
    arc_used: NDArray[np.bool_]
    assigned: int
    cost: int
    """Sum of `arc_cost` over the used arcs (no bonuses)."""
    minimum_filled: int
    party_filled: int
    kept: int
    optimal: bool
    tiers_exact: bool
    status: str
    build_s: float
    solve_s: float


def _locality_order(problem: FlowProblem) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return (new id of each post, new id of each cadre) that keep neighbours close."""
    n_c, n_p = problem.n_cadres, problem.n_posts
    if problem.post_key is None or len(problem.arc_cadre) == 0:
        return np.arange(n_p, dtype=np.int64), np.arange(n_c, dtype=np.int64)
    post_rank = np.empty(n_p, dtype=np.int64)
    post_rank[np.argsort(problem.post_key, kind="stable")] = np.arange(n_p, dtype=np.int64)
    # Each cadre sits next to the post of its cheapest arc.
    key = problem.arc_cost.astype(np.int64) * (n_p + 1) + post_rank[problem.arc_post]
    cadres = problem.arc_cadre
    best = np.full(n_c, np.iinfo(np.int64).max, dtype=np.int64)
    if np.all(cadres[1:] >= cadres[:-1]):
        starts = np.flatnonzero(np.r_[True, cadres[1:] != cadres[:-1]])
        best[cadres[starts]] = np.minimum.reduceat(key, starts)
    else:
        np.minimum.at(best, cadres, key)
    cadre_key = np.where(best == np.iinfo(np.int64).max, n_p, best % (n_p + 1))
    cadre_rank = np.empty(n_c, dtype=np.int64)
    cadre_rank[np.argsort(cadre_key, kind="stable")] = np.arange(n_c, dtype=np.int64)
    return post_rank, cadre_rank


def solve_flow(problem: FlowProblem) -> FlowSolution:
    """Solve the problem to optimality (see the module docstring for the objective)."""
    started = time.perf_counter()
    n_c, n_p = problem.n_cadres, problem.n_posts
    arc_cadre = np.asarray(problem.arc_cadre, dtype=np.int32)
    arc_post = np.asarray(problem.arc_post, dtype=np.int32)
    cost = np.asarray(problem.arc_cost)  # int32 is enough for most instances and halves the memory
    n_arcs = len(arc_cadre)
    capacity = np.maximum(np.asarray(problem.capacity, dtype=np.int64), 0)
    minimum = (
        np.zeros(n_p, dtype=np.int64)
        if problem.minimum is None
        else np.clip(np.asarray(problem.minimum, dtype=np.int64), 0, capacity)
    )
    party_min = (
        np.zeros(n_p, dtype=np.int64)
        if problem.party_minimum is None
        else np.clip(np.asarray(problem.party_minimum, dtype=np.int64), 0, capacity)
    )
    minimum = np.maximum(minimum, party_min)
    is_party = np.zeros(n_c, dtype=bool) if problem.is_party is None else np.asarray(problem.is_party, dtype=bool)
    keep = None if problem.keep is None or not np.any(problem.keep) else np.asarray(problem.keep, dtype=bool)

    if n_arcs == 0 or n_c == 0 or n_p == 0:
        return FlowSolution(
            post_of_cadre=np.full(n_c, -1, dtype=np.int32),
            arc_used=np.zeros(n_arcs, dtype=bool),
            assigned=0,
            cost=0,
            minimum_filled=0,
            party_filled=0,
            kept=0,
            optimal=True,
            tiers_exact=True,
            status="OPTIMAL",
            build_s=time.perf_counter() - started,
            solve_s=0.0,
        )

    post_rank, cadre_rank = _locality_order(problem)
    # Node layout: cadres, posts, party nodes, sink, source.
    party_posts = np.flatnonzero(party_min > 0)
    party_node_of_post = np.full(n_p, -1, dtype=np.int64)
    party_node_of_post[party_posts] = n_c + n_p + np.arange(len(party_posts), dtype=np.int64)
    sink = n_c + n_p + len(party_posts)
    source = sink + 1
    n_nodes = source + 1
    post_node = n_c + post_rank

    # Tier sizes.
    flow_bound = int(min(n_c, int(capacity.sum())))
    if problem.flow_limit is not None:
        flow_bound = min(flow_bound, max(0, int(problem.flow_limit)))
    spread = int(cost.max()) - min(int(cost.min()), 0)
    tiers_exact = True
    has_keep = keep is not None
    keep_bonus = spread * flow_bound + 1 if has_keep else 0
    n_keepers = int(np.unique(arc_cadre[keep]).size) if keep is not None else 0
    has_min = bool(minimum.any())
    min_bonus = spread * flow_bound + keep_bonus * n_keepers + 1 if has_min else 0
    safe = _COST_LIMIT // (n_nodes + 1) // 4
    if max(min_bonus, keep_bonus + int(np.abs(cost).max())) > safe:
        tiers_exact = False
        keep_bonus = min(keep_bonus, safe // (4 * max(1, n_keepers)))
        min_bonus = min(min_bonus, safe // 2) if has_min else 0

    smcf = min_cost_flow.SimpleMinCostFlow()
    # Arcs go in by chunks so that the int64 copies OR-Tools wants stay small.
    chunk = 1 << 22
    post_node32 = post_node.astype(np.int32)
    cadre_rank32 = cadre_rank.astype(np.int32)
    has_party = len(party_posts) > 0
    for lo in range(0, n_arcs, chunk):
        hi = min(n_arcs, lo + chunk)
        ac, ap = arc_cadre[lo:hi], arc_post[lo:hi]
        heads = post_node32[ap]
        if has_party:
            to_party = (party_node_of_post[ap] >= 0) & is_party[ac]
            heads = np.where(to_party, party_node_of_post[ap], heads).astype(np.int32)
        arc_costs = cost[lo:hi].astype(np.int64)
        if keep is not None:
            arc_costs -= keep_bonus * keep[lo:hi]
        smcf.add_arcs_with_capacity_and_unit_cost(cadre_rank32[ac], heads, np.ones(hi - lo, dtype=np.int64), arc_costs)
    del heads, arc_costs
    extra_tails: list[NDArray[np.int64]] = []
    extra_heads: list[NDArray[np.int64]] = []
    extra_caps: list[NDArray[np.int64]] = []
    extra_costs: list[NDArray[np.int64]] = []

    def add(t: NDArray[np.int64], h: NDArray[np.int64] | int, c: NDArray[np.int64], u: NDArray[np.int64] | int) -> None:
        extra_tails.append(t)
        extra_heads.append(np.broadcast_to(np.asarray(h, dtype=np.int64), t.shape))
        extra_caps.append(c)
        extra_costs.append(np.broadcast_to(np.asarray(u, dtype=np.int64), t.shape))

    if len(party_posts):
        pn = party_node_of_post[party_posts]
        add(pn, post_node[party_posts], party_min[party_posts], -min_bonus)  # the party slots
        add(pn, post_node[party_posts], capacity[party_posts], 0)  # more Party members
    first_min = np.flatnonzero(minimum > 0)
    add(post_node[first_min], sink, minimum[first_min], -min_bonus)
    rest = np.flatnonzero(capacity > minimum)
    add(post_node[rest], sink, (capacity - minimum)[rest], 0)
    first_extra = n_arcs
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(extra_tails).astype(np.int32),
        np.concatenate(extra_heads).astype(np.int32),
        np.concatenate(extra_caps).astype(np.int64),
        np.concatenate(extra_costs).astype(np.int64),
    )
    n_party_arcs = 2 * len(party_posts)
    n_min_arcs = len(first_min)
    if problem.flow_limit is None:
        smcf.set_nodes_supplies(np.arange(n_c, dtype=np.int32), np.ones(n_c, dtype=np.int64))
        smcf.set_node_supply(sink, -n_c)
    else:
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.full(n_c, source, dtype=np.int32),
            np.arange(n_c, dtype=np.int32),
            np.ones(n_c, dtype=np.int64),
            np.zeros(n_c, dtype=np.int64),
        )
        smcf.set_node_supply(source, flow_bound)
        smcf.set_node_supply(sink, -flow_bound)
    built = time.perf_counter()
    status = smcf.solve_max_flow_with_min_cost()
    solved = time.perf_counter()

    ok = status == smcf.OPTIMAL
    if not ok:
        return FlowSolution(
            post_of_cadre=np.full(n_c, -1, dtype=np.int32),
            arc_used=np.zeros(n_arcs, dtype=bool),
            assigned=0,
            cost=0,
            minimum_filled=0,
            party_filled=0,
            kept=0,
            optimal=False,
            tiers_exact=tiers_exact,
            status=str(getattr(status, "name", status)),
            build_s=built - started,
            solve_s=solved - built,
        )
    used = np.zeros(n_arcs, dtype=bool)
    for lo in range(0, n_arcs, chunk):
        hi = min(n_arcs, lo + chunk)
        used[lo:hi] = np.asarray(smcf.flows(np.arange(lo, hi, dtype=np.int32))) > 0
    post_of_cadre = np.full(n_c, -1, dtype=np.int32)
    post_of_cadre[arc_cadre[used]] = arc_post[used]
    extra_flows = np.asarray(
        smcf.flows(np.arange(first_extra, first_extra + n_party_arcs + n_min_arcs, dtype=np.int32))
    )
    party_filled = int(extra_flows[0:n_party_arcs:2].sum()) if n_party_arcs else 0
    minimum_filled = int(extra_flows[n_party_arcs:].sum())
    return FlowSolution(
        post_of_cadre=post_of_cadre,
        arc_used=used,
        assigned=int(used.sum()),
        cost=int(cost[used].sum(dtype=np.int64)),
        minimum_filled=minimum_filled,
        party_filled=party_filled,
        kept=int(keep[used].sum()) if keep is not None else 0,
        optimal=tiers_exact,
        tiers_exact=tiers_exact,
        status="OPTIMAL",
        build_s=built - started,
        solve_s=solved - built,
    )
