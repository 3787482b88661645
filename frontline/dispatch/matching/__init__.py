"""Frontline's matching engine: cadres to post needs as an optimal min-cost flow (pure Python, no Django).

Record level: `solve(cadres, needs, weights=…, rules=…)` builds candidate pairs from the hard
rules (role, rank range, availability, distance, forbidden and pinned pairs, Party-member
minimums) and the campaign's soft weights, and returns a `MatchResult` with a reason for every
match, unfilled need and unassigned cadre. `solve_pairs` takes candidate pairs and costs made
by the caller. Array level (benchmarks, very large runs): `knn_candidates` + `solve_flow`, and
`greedy_assign` as the baseline.

Objective, in strict priority: most cadres placed, then most minimum slots (head counts and
Party members) filled, then most existing deployments kept, then lowest total cost.
"""

from .engine import COST_SCALE, PairIn, solve, solve_pairs, weights_from
from .flow import FlowProblem, FlowSolution, solve_flow
from .geo import great_circle_km, great_circle_km_arrays, hilbert_key, knn_candidates
from .greedy import GreedySolution, greedy_assign
from .records import (
    Assignment,
    CadreIn,
    MatchResult,
    MatchStats,
    Names,
    PostNeed,
    Rules,
    Unassigned,
    Unfilled,
    Weights,
)
from .rules import merge_forbidden, same_key_conflicts

__all__ = [
    "COST_SCALE",
    "Assignment",
    "CadreIn",
    "FlowProblem",
    "FlowSolution",
    "GreedySolution",
    "MatchResult",
    "MatchStats",
    "Names",
    "PairIn",
    "PostNeed",
    "Rules",
    "Unassigned",
    "Unfilled",
    "Weights",
    "great_circle_km",
    "great_circle_km_arrays",
    "greedy_assign",
    "hilbert_key",
    "knn_candidates",
    "merge_forbidden",
    "same_key_conflicts",
    "solve",
    "solve_flow",
    "solve_pairs",
    "weights_from",
]
