"""The typed input and output of the matching engine (plain frozen dataclasses)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class CadreIn:
    """A cadre in the pool."""

    id: int
    lat: float | None
    lng: float | None
    rank: int = 0
    roles: frozenset[int] | None = None
    """Role ids the cadre may take; None means any role."""
    is_party_member: bool = False
    home_unit_id: int | None = None
    expertise: frozenset[int] = frozenset()
    available: bool = True
    current_post_id: int | None = None
    """The post where the cadre serves now in this campaign; a re-run keeps them there if it can."""
    previous_post_ids: frozenset[int] = frozenset()
    """Posts where the cadre served before (a soft continuity bonus)."""


@dataclass(frozen=True, slots=True)
class PostNeed:
    """One need of a post: how many cadres in which role, of which rank, from where, with what skills."""

    id: int
    post_id: int
    lat: float | None
    lng: float | None
    role: int | None = None
    """The role id; None means any role."""
    min_count: int = 1
    max_count: int = 1
    rank_min: int | None = None
    rank_max: int | None = None
    preferred_unit_ids: frozenset[int] = frozenset()
    expertise: frozenset[int] = frozenset()
    min_party_members: int = 0
    """A team that forms a temporary Party branch needs at least three."""
    max_distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class Weights:
    """Soft-cost weights of a campaign, in cost points; a pair's cost is lower when it fits better."""

    department: float = 100.0
    """Bonus when the cadre's home unit is one the post prefers."""
    expertise: float = 40.0
    """Bonus per expertise tag the cadre shares with the need."""
    distance_per_km: float = 2.0
    """Cost per great-circle kilometre from home to post."""
    continuity: float = 60.0
    """Bonus for a post the cadre served at before (or serves at now)."""
    unknown_distance_km: float = 30.0
    """Distance assumed when a location is missing (and no maximum distance applies)."""
    keep_current: bool = True
    """Keep existing deployments unless moving someone fills more minimums or places more cadres."""


@dataclass(frozen=True, slots=True)
class Rules:
    """Hard rules beyond the records: forbidden and pinned pairs, the campaign's distance limit."""

    forbidden: Mapping[tuple[int, int], str] = field(default_factory=dict)
    """(cadre id, post id) → why the pair is not allowed (e.g. a conflict of interest)."""
    pinned: frozenset[tuple[int, int]] = frozenset()
    """(cadre id, post id) pairs a person fixed; they stay whatever the costs."""
    max_distance_km: float | None = None
    max_candidates_per_cadre: int | None = 30
    """Keep each cadre's k cheapest allowed needs (None: all of them)."""


@dataclass(frozen=True, slots=True)
class Names:
    """Optional display names used in the reasons."""

    units: Mapping[int, str] = field(default_factory=dict)
    tags: Mapping[int, str] = field(default_factory=dict)


Change = Literal["keep", "move", "new"]


@dataclass(frozen=True, slots=True)
class Assignment:
    cadre_id: int
    need_id: int
    post_id: int
    cost: float
    distance_km: float | None
    reasons: tuple[str, ...]
    change: Change
    pinned: bool = False

    @property
    def reason_text(self) -> str:
        return "，".join(self.reasons)


@dataclass(frozen=True, slots=True)
class Unfilled:
    """A need that got fewer cadres than its minimum (or fewer Party members than required)."""

    need_id: int
    post_id: int
    assigned: int
    missing: int
    missing_party: int
    why: str


@dataclass(frozen=True, slots=True)
class Unassigned:
    cadre_id: int
    why: str


@dataclass(frozen=True, slots=True)
class MatchStats:
    cadres: int = 0
    needs: int = 0
    candidates: int = 0
    assigned: int = 0
    kept: int = 0
    moved: int = 0
    new: int = 0
    ended: int = 0
    """Cadres with a current post who are left unassigned."""
    open_slots: int = 0
    """Capacity (up to max_count) left unused."""
    build_s: float = 0.0
    solve_s: float = 0.0
    solver: str = "ortools-min-cost-flow"
    status: str = "OPTIMAL"


@dataclass(frozen=True, slots=True)
class MatchResult:
    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]
    unassigned: tuple[Unassigned, ...]
    total_cost: float
    optimal: bool
    stats: MatchStats
    warnings: tuple[str, ...] = ()
