"""Conflict-of-interest rules: which cadre may not serve which post, and why.

A rule is a plain function of the pool and the posts (small records, no database access) that
returns the forbidden pairs with a reason: {(cadre id, post id): why}. Rules compare keys, so
they cost time in proportion to the pool, never to pool × posts. The active list is
`settings.FRONTLINE_MATCHING_CONFLICT_RULES` (dotted paths) when set, else `DEFAULT_RULES`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from frontline.dispatch.matching import same_key_conflicts

RESIDENTIAL_POST_KINDS = frozenset({"village", "community", "grid", "building"})


@dataclass(frozen=True)
class CadreFacts:
    id: int
    unit_id: int
    unit_is_functional_department: bool
    residence_region_id: str | None


@dataclass(frozen=True)
class PostFacts:
    id: int
    kind: str
    region_id: str
    unit_id: int


Forbidden = dict[tuple[int, int], str]
ConflictRule = Callable[[Sequence[CadreFacts], Sequence[PostFacts]], Forbidden]


def own_residence(cadres: Sequence[CadreFacts], posts: Sequence[PostFacts]) -> Forbidden:
    """A cadre may not serve the village or community (or a grid or building in it) they live in."""
    return same_key_conflicts(
        {c.id: c.residence_region_id for c in cadres},
        {p.id: p.region_id for p in posts if p.kind in RESIDENTIAL_POST_KINDS},
        _("不得到本人居住的村（社区）任职"),
    )


def regulator_of_enterprise(cadres: Sequence[CadreFacts], posts: Sequence[PostFacts]) -> Forbidden:
    """A cadre may not serve an enterprise their home unit regulates (is the managing department of)."""
    return same_key_conflicts(
        {c.id: c.unit_id for c in cadres if c.unit_is_functional_department},
        {p.id: p.unit_id for p in posts if p.kind == "enterprise"},
        _("派出单位是该企业的主管部门"),
    )


DEFAULT_RULES: tuple[ConflictRule, ...] = (own_residence, regulator_of_enterprise)


def active_rules() -> tuple[ConflictRule, ...]:
    """Return the configured conflict rules."""
    paths: list[str] | None = getattr(settings, "FRONTLINE_MATCHING_CONFLICT_RULES", None)
    if paths is None:
        return DEFAULT_RULES
    return tuple(import_string(path) for path in paths)


def forbidden_pairs(
    cadres: Sequence[CadreFacts], posts: Sequence[PostFacts], rules: Sequence[ConflictRule] | None = None
) -> Forbidden:
    """Return every pair some rule forbids, with the first rule's reason."""
    out: Forbidden = {}
    for rule in active_rules() if rules is None else rules:
        for pair, why in rule(cadres, posts).items():
            out.setdefault(pair, why)
    return out
