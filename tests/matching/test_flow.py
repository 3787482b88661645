"""The array core against brute force (tiny) and scipy (small), plus its priorities."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.dispatch.matching import FlowProblem, greedy_assign, solve_flow

from .helpers import brute_force, lsa_optimum, objective, scipy_optimum

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, max_cadres=5, max_posts=3, extras=True):
    n_c = draw(st.integers(1, max_cadres))
    n_p = draw(st.integers(1, max_posts))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_c - 1), st.integers(0, n_p - 1)), min_size=0, max_size=n_c * n_p, unique=True
        )
    )
    costs = draw(st.lists(st.integers(0, 50), min_size=len(pairs), max_size=len(pairs)))
    capacity = np.array(draw(st.lists(st.integers(0, 3), min_size=n_p, max_size=n_p)), dtype=np.int64)
    minimum = party_min = is_party = keep = None
    if extras:
        minimum = np.minimum(np.array(draw(st.lists(st.integers(0, 2), min_size=n_p, max_size=n_p))), capacity)
        party_min = np.minimum(np.array(draw(st.lists(st.integers(0, 2), min_size=n_p, max_size=n_p))), capacity)
        is_party = np.array(draw(st.lists(st.booleans(), min_size=n_c, max_size=n_c)))
        keep = np.array(draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs))), dtype=bool)
        # at most one keep arc per cadre (a cadre has one current post)
        seen: set[int] = set()
        for a, (c, _p) in enumerate(pairs):
            if keep[a] and c in seen:
                keep[a] = False
            seen.add(c) if keep[a] else None
    return FlowProblem(
        n_cadres=n_c,
        n_posts=n_p,
        arc_cadre=np.array([c for c, _ in pairs], dtype=np.int32),
        arc_post=np.array([p for _, p in pairs], dtype=np.int32),
        arc_cost=np.array(costs, dtype=np.int64),
        capacity=capacity,
        minimum=minimum,
        party_minimum=party_min,
        is_party=is_party,
        keep=keep,
    )


def chosen(problem: FlowProblem, used: np.ndarray) -> list[int]:
    return np.flatnonzero(used).tolist()


@FAST
@given(problems())
def test_matches_brute_force_with_minimums_party_and_keep(problem):
    sol = solve_flow(problem)
    assert sol.optimal
    arcs = chosen(problem, sol.arc_used)
    got = objective(problem, arcs)
    assert got.key() == brute_force(problem).key()
    # the solution itself is consistent
    load = np.bincount(problem.arc_post[arcs], minlength=problem.n_posts)
    assert (load <= problem.capacity).all()
    assert len(set(problem.arc_cadre[arcs].tolist())) == len(arcs)
    assert sol.cost == got.cost
    assert sol.assigned == got.assigned


@FAST
@given(problems(max_cadres=9, max_posts=5, extras=False))
def test_matches_scipy_slot_matching(problem):
    sol = solve_flow(problem)
    assert (sol.assigned, sol.cost) == scipy_optimum(problem) == lsa_optimum(problem)


@FAST
@given(problems(max_cadres=9, max_posts=5, extras=False))
def test_never_worse_than_greedy(problem):
    g = greedy_assign(
        problem.n_cadres, problem.n_posts, problem.arc_cadre, problem.arc_post, problem.arc_cost, problem.capacity
    )
    sol = solve_flow(problem)
    assert sol.assigned >= g.assigned
    same = solve_flow(
        FlowProblem(
            n_cadres=problem.n_cadres,
            n_posts=problem.n_posts,
            arc_cadre=problem.arc_cadre,
            arc_post=problem.arc_post,
            arc_cost=problem.arc_cost,
            capacity=problem.capacity,
            flow_limit=g.assigned,
        )
    )
    assert same.assigned == g.assigned
    assert same.cost <= g.cost


def test_larger_random_instance_matches_scipy_and_locality_order_changes_nothing():
    rng = np.random.default_rng(7)
    n_c, n_p, k = 60, 12, 5
    cadre = np.repeat(np.arange(n_c, dtype=np.int32), k)
    post = np.concatenate([rng.choice(n_p, k, replace=False) for _ in range(n_c)]).astype(np.int32)
    cost = rng.integers(0, 1000, n_c * k).astype(np.int64)
    capacity = rng.integers(1, 6, n_p).astype(np.int64)
    plain = FlowProblem(n_c, n_p, cadre, post, cost, capacity)
    ordered = FlowProblem(n_c, n_p, cadre, post, cost, capacity, post_key=rng.permutation(n_p).astype(np.int64))
    a, b = solve_flow(plain), solve_flow(ordered)
    assert (a.assigned, a.cost) == (b.assigned, b.cost) == scipy_optimum(plain)


def test_greedy_is_cheapest_pair_first():
    # cadre 0 takes post 0 (cost 1); cadre 1 then has nothing: greedy 1 assigned, optimum 2
    problem = FlowProblem(
        2,
        2,
        np.array([0, 0, 1], dtype=np.int32),
        np.array([0, 1, 0], dtype=np.int32),
        np.array([1, 5, 2], dtype=np.int64),
        np.array([1, 1], dtype=np.int64),
    )
    g = greedy_assign(2, 2, problem.arc_cadre, problem.arc_post, problem.arc_cost, problem.capacity)
    assert (g.assigned, g.cost) == (1, 1)
    sol = solve_flow(problem)
    assert (sol.assigned, sol.cost) == (2, 7)


def test_empty_problem():
    sol = solve_flow(
        FlowProblem(0, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    assert sol.assigned == 0
    assert sol.optimal


@FAST
@given(problems(), st.integers(0, 4))
def test_flow_limit_matches_brute_force(problem, limit):
    limited = FlowProblem(**{**problem.__dict__, "flow_limit": limit})
    sol = solve_flow(limited)
    got = objective(limited, chosen(limited, sol.arc_used))
    assert got.assigned <= limit
    assert got.key() == brute_force(limited).key()
