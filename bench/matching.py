"""Benchmark of the matching engine against the greedy baseline (a benchmark, not a test).

    python bench/matching.py --sizes park,city,region,hubei   # default: all four
    python bench/matching.py --sizes hubei --solvers frontline
    python bench/matching.py --sizes region --plain            # engine without locality numbering

For each size it generates a synthetic instance (posts and cadres clustered around towns, each
cadre's k = 30 nearest posts as candidates; cost = 2 points per km − 100 when the cadre's home
unit is the post's preferred unit − 40 per shared expertise tag) and solves it with Frontline's
engine (max-flow-min-cost, optimal) and with the greedy baseline (cheapest pair first). Each
solver runs in a fresh process, so peak_mb is its own. The engine's timings are end to end from
the cadre/post data: build_s = k-nearest search + costs + flow network, solve_s = the solver and
reading the assignment back; cpu_s is the CPU time of the same span (less sensitive to other
processes on a shared machine than wall time).

Greedy's gap_pct compares its cost with the optimum for the same number of assigned cadres
(a third run of the engine with the flow fixed to greedy's count); extra_unassigned is how many
more cadres greedy leaves without a post than the optimum.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontline.dispatch.matching import (
    COST_SCALE,
    FlowProblem,
    greedy_assign,
    hilbert_key,
    knn_candidates,
    solve_flow,
)


@dataclass(frozen=True)
class Size:
    cadres: int
    posts: int
    lat: tuple[float, float]
    lng: tuple[float, float]
    towns: int
    spread_deg: float


SIZES = {
    # Weihai 2020: 2,400 city cadres in 490 groups (one city)
    "park": Size(2_400, 490, (37.0, 37.6), (121.6, 122.6), 6, 0.05),
    # Tianjin 2020: 21,000 cadres in 7,000 groups
    "city": Size(21_000, 7_000, (38.6, 40.2), (116.8, 118.0), 16, 0.08),
    # a large prefecture / small province
    "region": Size(100_000, 5_000, (29.5, 31.5), (112.0, 115.5), 30, 0.12),
    # Hubei 2020: 580,000 cadres into 27,000 communities and villages
    "hubei": Size(580_000, 27_000, (29.1, 33.2), (108.4, 116.1), 103, 0.15),
}

WEIGHT_DISTANCE_PER_KM = 2.0
WEIGHT_DEPARTMENT = 100.0
WEIGHT_EXPERTISE = 40.0


@dataclass
class Instance:
    c_lat: NDArray[np.float64]
    c_lng: NDArray[np.float64]
    p_lat: NDArray[np.float64]
    p_lng: NDArray[np.float64]
    capacity: NDArray[np.int64]
    c_unit: NDArray[np.int32]
    p_unit: NDArray[np.int32]
    c_tags: NDArray[np.uint16]
    p_tags: NDArray[np.uint16]


def make_instance(size: Size, seed: int) -> Instance:
    """Posts and cadres around towns (Pareto-sized), some spread over the countryside."""
    rng = np.random.default_rng(seed)
    t_lat = rng.uniform(*size.lat, size.towns)
    t_lng = rng.uniform(*size.lng, size.towns)
    weight = rng.pareto(1.2, size.towns) + 1
    weight /= weight.sum()

    def points(n: int, urban: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        in_town = rng.random(n) < urban
        town = rng.choice(size.towns, n, p=weight)
        lat = np.where(in_town, t_lat[town] + rng.normal(0, size.spread_deg, n), rng.uniform(*size.lat, n))
        lng = np.where(in_town, t_lng[town] + rng.normal(0, size.spread_deg * 1.2, n), rng.uniform(*size.lng, n))
        return lat, lng

    p_lat, p_lng = points(size.posts, 0.55)
    c_lat, c_lng = points(size.cadres, 0.7)
    avg = size.cadres / size.posts
    cap = rng.integers(1, max(2, round(2 * avg)), size.posts).astype(np.float64)
    capacity = np.maximum(1, np.round(cap * (1.02 * size.cadres / cap.sum()))).astype(np.int64)
    # home units (one in 60 is a post's preferred unit) and expertise tags (16 kinds, 2–3 each)
    units = 60
    c_unit = rng.integers(0, units, size.cadres).astype(np.int32)
    p_unit = rng.integers(0, units, size.posts).astype(np.int32)
    c_tags = np.zeros(size.cadres, dtype=np.uint16)
    p_tags = np.zeros(size.posts, dtype=np.uint16)
    for _ in range(2):
        c_tags |= (1 << rng.integers(0, 16, size.cadres)).astype(np.uint16)
        p_tags |= (1 << rng.integers(0, 16, size.posts)).astype(np.uint16)
    c_tags |= (1 << rng.integers(0, 16, size.cadres)).astype(np.uint16)
    return Instance(c_lat, c_lng, p_lat, p_lng, capacity, c_unit, p_unit, c_tags, p_tags)


def candidates(inst: Instance, k: int) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int32]]:
    """k nearest posts per cadre; cost = distance − preferred-unit bonus − expertise bonus (integer).

    The same vectorised terms as the record-level engine's costs (`engine._Scorer`).
    """
    ci, pj, km = knn_candidates(inst.c_lat, inst.c_lng, inst.p_lat, inst.p_lng, k)
    preferred = inst.c_unit[ci] == inst.p_unit[pj]
    overlap = np.bitwise_count(inst.c_tags[ci] & inst.p_tags[pj])
    offset = WEIGHT_DEPARTMENT + 3 * WEIGHT_EXPERTISE
    points = offset + WEIGHT_DISTANCE_PER_KM * km - WEIGHT_DEPARTMENT * preferred - WEIGHT_EXPERTISE * overlap
    del km, preferred, overlap
    return ci, pj, np.rint(points * COST_SCALE).astype(np.int32)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds used by this process so far (less sensitive to other load than wall time)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_solver(name: str, size_name: str, seed: int, k: int, flow_limit: int | None, plain: bool) -> dict[str, Any]:
    size = SIZES[size_name]
    inst = make_instance(size, seed)
    c0 = cpu_s()
    t0 = time.perf_counter()
    ci, pj, cost = candidates(inst, k)
    t1 = time.perf_counter()
    if name == "greedy":
        g = greedy_assign(size.cadres, size.posts, ci, pj, cost, inst.capacity)
        t2 = time.perf_counter()
        return {
            "build_s": t1 - t0,
            "solve_s": t2 - t1,
            "cost": g.cost,
            "assigned": g.assigned,
            "peak_mb": peak_mb(),
            "cpu_s": cpu_s() - c0,
            "arcs": len(ci),
        }
    key = None if plain else hilbert_key(inst.p_lat, inst.p_lng)
    problem = FlowProblem(
        n_cadres=size.cadres,
        n_posts=size.posts,
        arc_cadre=ci,
        arc_post=pj,
        arc_cost=cost,
        capacity=inst.capacity,
        post_key=key,
        flow_limit=flow_limit,
    )
    del ci, pj, cost
    sol = solve_flow(problem)
    t2 = time.perf_counter()
    return {
        "build_s": t1 - t0 + sol.build_s,
        "solve_s": t2 - t1 - sol.build_s,
        "cost": sol.cost,
        "assigned": sol.assigned,
        "optimal": sol.optimal,
        "peak_mb": peak_mb(),
        "cpu_s": cpu_s() - c0,
        "arcs": len(problem.arc_cadre),
    }


def in_child(
    name: str, size_name: str, seed: int, k: int, flow_limit: int | None = None, plain: bool = False
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        result: dict[str, Any] = pool.apply(run_solver, (name, size_name, seed, k, flow_limit, plain))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="park,city,region,hubei", help="comma-separated: " + ",".join(SIZES))
    parser.add_argument("--k", type=int, default=30, help="candidate posts per cadre")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--solvers", default="frontline,greedy", help="comma-separated: frontline,greedy")
    parser.add_argument("--plain", action="store_true", help="engine without the locality numbering (for comparison)")
    parser.add_argument("--no-gap", action="store_true", help="skip the equal-coverage optimum for greedy's gap")
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in names if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    for size_name in names:
        size = SIZES[size_name]
        label = f"size={size.cadres}x{size.posts} name={size_name} k={args.k}"
        solvers = {s.strip() for s in args.solvers.split(",")}
        opt = in_child("frontline", size_name, args.seed, args.k, plain=args.plain)
        engine = "frontline-plain" if args.plain else "frontline"
        print(
            f"{label} solver={engine} arcs={opt['arcs']} build_s={opt['build_s']:.2f} solve_s={opt['solve_s']:.2f} "
            f"total_s={opt['build_s'] + opt['solve_s']:.2f} cpu_s={opt['cpu_s']:.2f} peak_mb={opt['peak_mb']:.0f} "
            f"cost={opt['cost']} "
            f"assigned={opt['assigned']} unassigned={size.cadres - opt['assigned']} "
            f"optimal={'yes' if opt['optimal'] else 'no'}",
            flush=True,
        )
        if "greedy" not in solvers:
            continue
        gr = in_child("greedy", size_name, args.seed, args.k)
        line = (
            f"{label} solver=greedy build_s={gr['build_s']:.2f} solve_s={gr['solve_s']:.2f} "
            f"total_s={gr['build_s'] + gr['solve_s']:.2f} cpu_s={gr['cpu_s']:.2f} peak_mb={gr['peak_mb']:.0f} "
            f"cost={gr['cost']} "
            f"assigned={gr['assigned']} unassigned={size.cadres - gr['assigned']} "
            f"extra_unassigned={opt['assigned'] - gr['assigned']}"
        )
        if not args.no_gap:
            same = in_child("frontline", size_name, args.seed, args.k, gr["assigned"])
            gap = 100.0 * (gr["cost"] - same["cost"]) / same["cost"] if same["cost"] else 0.0
            line += f" optimum_same_coverage={same['cost']} gap_pct={gap:.2f}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
