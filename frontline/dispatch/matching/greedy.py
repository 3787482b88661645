"""The greedy baseline: take the cheapest remaining pair whose cadre is free and whose post has room.

This is the classic "cheapest pair first" heuristic that the benchmark and the property tests
compare the optimal engine with. Ties are broken by arc order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class GreedySolution:
    post_of_cadre: NDArray[np.int32]
    arc_used: NDArray[np.bool_]
    assigned: int
    cost: int
    solve_s: float


def greedy_assign(
    n_cadres: int,
    n_posts: int,
    arc_cadre: NDArray[np.int32],
    arc_post: NDArray[np.int32],
    arc_cost: NDArray[np.integer[Any]],
    capacity: NDArray[np.int64],
) -> GreedySolution:
    """Assign the cheapest pairs first: one sort, then a pass over chunks of plain lists.

    Before each chunk, arcs of cadres already placed and of posts already full are dropped with
    numpy, which keeps the pure-Python loop (and its memory) small.
    """
    started = time.perf_counter()
    costs = np.asarray(arc_cost)
    order = np.argsort(costs, kind="stable")
    room_np = np.maximum(np.asarray(capacity, dtype=np.int64), 0).copy()
    assigned_np = np.full(n_cadres, -1, dtype=np.int32)
    used_arcs: list[int] = []
    left = n_cadres
    chunk = 1 << 20
    for lo in range(0, len(order), chunk):
        arcs_np = order[lo : lo + chunk]
        c_np = np.asarray(arc_cadre)[arcs_np]
        p_np = np.asarray(arc_post)[arcs_np]
        live = (assigned_np[c_np] < 0) & (room_np[p_np] > 0)
        cadres: list[int] = c_np[live].tolist()
        posts: list[int] = p_np[live].tolist()
        arcs: list[int] = arcs_np[live].tolist()
        room: list[int] = room_np.tolist()
        assigned_to: list[int] = assigned_np.tolist()
        for a in range(len(cadres)):
            c = cadres[a]
            if assigned_to[c] < 0:
                p = posts[a]
                if room[p] > 0:
                    assigned_to[c] = p
                    room[p] -= 1
                    used_arcs.append(arcs[a])
                    left -= 1
        room_np = np.asarray(room, dtype=np.int64)
        assigned_np = np.asarray(assigned_to, dtype=np.int32)
        if left == 0 or not (room_np > 0).any():
            break
    used = np.zeros(len(costs), dtype=bool)
    used[np.asarray(used_arcs, dtype=np.int64)] = True
    return GreedySolution(
        post_of_cadre=assigned_np,
        arc_used=used,
        assigned=len(used_arcs),
        cost=int(costs[used].sum()),
        solve_s=time.perf_counter() - started,
    )
