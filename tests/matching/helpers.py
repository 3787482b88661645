"""Brute force and an independent solver (scipy) for checking the engine on small instances."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import min_weight_full_bipartite_matching  # type: ignore[import-untyped]

from frontline.dispatch.matching import FlowProblem


@dataclass(frozen=True)
class Objective:
    assigned: int
    coverage: int
    kept: int
    cost: int

    def key(self) -> tuple[int, int, int, int]:
        return (self.assigned, self.coverage, self.kept, -self.cost)


def objective(problem: FlowProblem, chosen_arcs: list[int]) -> Objective:
    n_p = problem.n_posts
    total = np.zeros(n_p, dtype=np.int64)
    party = np.zeros(n_p, dtype=np.int64)
    cost = kept = 0
    for a in chosen_arcs:
        c, p = int(problem.arc_cadre[a]), int(problem.arc_post[a])
        total[p] += 1
        if problem.is_party is not None and problem.is_party[c]:
            party[p] += 1
        cost += int(problem.arc_cost[a])
        if problem.keep is not None and problem.keep[a]:
            kept += 1
    minimum = np.zeros(n_p, dtype=np.int64) if problem.minimum is None else np.asarray(problem.minimum)
    party_min = np.zeros(n_p, dtype=np.int64) if problem.party_minimum is None else np.asarray(problem.party_minimum)
    minimum = np.maximum(minimum, party_min)
    coverage = int(np.minimum(total, minimum).sum() + np.minimum(party, party_min).sum())
    return Objective(len(chosen_arcs), coverage, kept, cost)


def feasible(problem: FlowProblem, chosen_arcs: list[int]) -> bool:
    load = np.bincount(problem.arc_post[chosen_arcs], minlength=problem.n_posts)
    cadres = problem.arc_cadre[chosen_arcs]
    return bool((load <= problem.capacity).all()) and len(set(cadres.tolist())) == len(cadres)


def brute_force(problem: FlowProblem) -> Objective:
    """Best objective over every assignment (each cadre: one of its arcs or none)."""
    options: list[list[int | None]] = [[None] for _ in range(problem.n_cadres)]
    for a, c in enumerate(problem.arc_cadre.tolist()):
        options[c].append(a)
    best: Objective | None = None
    for combo in itertools.product(*options):
        arcs = [a for a in combo if a is not None]
        if not feasible(problem, arcs):
            continue
        obj = objective(problem, arcs)
        if problem.flow_limit is not None and obj.assigned > problem.flow_limit:
            continue
        if best is None or obj.key() > best.key():
            best = obj
    assert best is not None
    return best


def scipy_optimum(problem: FlowProblem) -> tuple[int, int]:
    """(assigned, cost) of a max-cardinality min-cost assignment via capacity slots (no minimums)."""
    n_c = problem.n_cadres
    slot_post = np.repeat(np.arange(problem.n_posts), problem.capacity)
    first_slot = np.concatenate(([0], np.cumsum(problem.capacity)[:-1]))
    big = int(problem.arc_cost.max() if len(problem.arc_cost) else 0) * (n_c + 1) + 1
    best: dict[tuple[int, int], int] = {}  # (cadre, slot) → cheapest arc cost + 1 (weights must be non-zero)
    for a in range(len(problem.arc_cadre)):
        c, p = int(problem.arc_cadre[a]), int(problem.arc_post[a])
        for s in range(int(problem.capacity[p])):
            key = (c, int(first_slot[p]) + s)
            best[key] = min(int(problem.arc_cost[a]) + 1, best.get(key, big))
    n_slots = len(slot_post)
    for c in range(n_c):  # one private "unassigned" column per cadre
        best[(c, n_slots + c)] = big + 1
    rows = [r for r, _ in best]
    cols = [c for _, c in best]
    vals = np.array(list(best.values()), dtype=np.float64)
    graph = csr_matrix((vals, (rows, cols)), shape=(n_c, n_slots + n_c))
    _row, col = min_weight_full_bipartite_matching(graph)
    assigned = cost = 0
    for c in range(n_c):
        cl = int(col[c])
        if cl < n_slots:
            assigned += 1
            cost += best[(c, cl)] - 1
    return assigned, cost


def lsa_optimum(problem: FlowProblem) -> tuple[int, int]:
    """The same optimum with scipy.optimize.linear_sum_assignment on a dense slot matrix."""
    n_c = problem.n_cadres
    n_slots = int(problem.capacity.sum())
    first_slot = np.concatenate(([0], np.cumsum(problem.capacity)[:-1]))
    big = int(problem.arc_cost.max() if len(problem.arc_cost) else 0) * (n_c + 1) + 1
    huge = big * (n_c + 1)
    matrix = np.full((n_c, n_slots + n_c), huge, dtype=np.float64)
    for c in range(n_c):
        matrix[c, n_slots + c] = big
    for a in range(len(problem.arc_cadre)):
        c, p = int(problem.arc_cadre[a]), int(problem.arc_post[a])
        lo = int(first_slot[p])
        hi = lo + int(problem.capacity[p])
        matrix[c, lo:hi] = np.minimum(matrix[c, lo:hi], problem.arc_cost[a])
    row, col = linear_sum_assignment(matrix)
    assigned = int((col < n_slots).sum())
    cost = int(matrix[row[col < n_slots], col[col < n_slots]].sum())
    return assigned, cost
