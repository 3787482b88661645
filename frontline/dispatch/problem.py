"""Build the matching engine's input from the database: the needs, the pool, the rules and the names.

The engine (`frontline.dispatch.matching`, no Django) applies the hard rules, computes the costs
and the reasons, and solves. This module only reads: the campaign's needs, the cadres in the
starter's scope that the pool filters select, their current and past posts, the conflict rules
as forbidden pairs and the pins and forbids people set. A few queries whatever the size.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from frontline.cadres.models import PARTY_STATUSES, Cadre, ExpertiseTag
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.models import User
from frontline.dispatch import matching
from frontline.dispatch.models import (
    Campaign,
    Deployment,
    DeploymentStatus,
    FrontlineKind,
    MatchingRule,
    MatchingRuleKind,
    PostNeed,
    frontline_kind_of,
)
from frontline.dispatch.rules import CadreFacts, ConflictRule, PostFacts, forbidden_pairs
from frontline.org.models import Unit, UnitKind
from frontline.posts.models import Post
from frontline.posts.selectors import post_scope_q


@dataclass(frozen=True)
class PoolFilter:
    """Which cadres a run may draw from (all within the starter's scope)."""

    unit_ids: tuple[int, ...] = ()  # home units, each with its subtree; empty = the whole scope
    tag_ids: tuple[int, ...] = ()  # at least one of these expertise tags; empty = any
    full_time: bool = True  # a full-time run needs cadres who may be released full-time
    max_candidates_per_cadre: int = 30

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "PoolFilter":
        return cls(
            unit_ids=tuple(int(x) for x in params.get("unit_ids", [])),
            tag_ids=tuple(int(x) for x in params.get("tag_ids", [])),
            full_time=bool(params.get("full_time", True)),
            max_candidates_per_cadre=int(params.get("max_candidates_per_cadre", 30)),
        )


@dataclass(frozen=True)
class CadreInfo:
    name: str
    unit_name: str
    is_party_member: bool
    current_post_id: int | None


@dataclass(frozen=True)
class NeedInfo:
    post_id: int
    post_name: str
    frontline_kind: str
    role_id: int
    role_name: str
    min_count: int
    max_count: int
    min_party_members: int


@dataclass
class Problem:
    """The engine's input plus what the preview shows about each cadre and need."""

    campaign_id: int
    cadres: list[matching.CadreIn]
    needs: list[matching.PostNeed]
    weights: matching.Weights
    rules: matching.Rules
    names: matching.Names
    cadre_info: dict[int, CadreInfo] = field(default_factory=dict)
    need_info: dict[int, NeedInfo] = field(default_factory=dict)


def campaign_needs(*, campaign: Campaign, user: User | None) -> list[PostNeed]:
    """Return the needs a run of `campaign` tries to fill.

    The campaign's own needs, plus standing needs (no campaign yet, e.g. stated by an enterprise)
    of posts in the user's scope whose frontline kind the campaign has a target for.
    """
    kinds = set(campaign.targets.filter(target__gt=0).values_list("kind", flat=True)) or set(FrontlineKind.values)
    standing = Q(campaign__isnull=True)
    if user is not None:
        standing &= Q(post__in=Post.objects.filter(post_scope_q(user)).values("pk"))
    needs = (
        PostNeed.objects.filter(Q(campaign=campaign) | standing)
        .select_related("post", "post__parent", "post__parent__parent", "post__unit", "role")
        .prefetch_related("preferred_units", "expertise")
        .order_by("id")
    )
    return [n for n in needs if n.campaign_id == campaign.pk or _kind_of(n.post) in kinds]


def _kind_of(post: Post) -> str:
    parent = post.parent
    grandparent = parent.parent if parent is not None else None
    return frontline_kind_of(post.kind, parent.kind if parent else None, grandparent.kind if grandparent else None)


def pool_queryset(*, campaign: Campaign, user: User | None, pool: PoolFilter, need_post_ids: set[int]) -> Any:
    """Return the cadres a run may assign: in scope, matching the filters, not deployed full-time elsewhere.

    A cadre already deployed in this campaign at a post with a need stays in the pool, so that a
    re-run can keep them where they are; deployed anywhere else, they are not available.
    """
    qs = Cadre.objects.all()
    if user is not None:
        qs = qs.filter(cadre_scope_q(user))
    if pool.unit_ids:
        unit_q = Q(pk__in=[])
        for path in Unit.objects.filter(pk__in=pool.unit_ids).values_list("path", flat=True):
            unit_q |= Q(home_unit__path__startswith=path)
        qs = qs.filter(unit_q)
    if pool.tag_ids:
        qs = qs.filter(pk__in=Cadre.objects.filter(expertise__in=pool.tag_ids).values("pk"))
    if pool.full_time:
        qs = qs.filter(full_time_eligible=True)
    busy = Deployment.objects.filter(status=DeploymentStatus.ACTIVE, is_full_time=True).exclude(
        campaign=campaign, post_id__in=need_post_ids
    )
    return qs.exclude(pk__in=busy.values("cadre_id"))


def build_problem(
    *, campaign: Campaign, user: User | None, pool: PoolFilter, rules: tuple[ConflictRule, ...] | None = None
) -> Problem:
    """Read needs, pool, rules and names into the engine's records."""
    needs = campaign_needs(campaign=campaign, user=user)
    need_post_ids = {n.post_id for n in needs}
    qs = pool_queryset(campaign=campaign, user=user, pool=pool, need_post_ids=need_post_ids)
    rows = list(
        qs.values_list(
            "pk",
            "name",
            "home_unit_id",
            "home_unit__name",
            "home_unit__kind",
            "rank",
            "political_status",
            "residence_region_id",
            "home_latitude",
            "home_longitude",
        ).order_by("pk")
    )
    pool_ids = qs.values("pk")
    tags: dict[int, set[int]] = defaultdict(set)
    for cadre_id, tag_id in Cadre.expertise.through.objects.filter(cadre__in=pool_ids).values_list(
        "cadre_id", "expertisetag_id"
    ):
        tags[cadre_id].add(tag_id)
    current: dict[int, int] = dict(
        Deployment.objects.filter(
            campaign=campaign, status=DeploymentStatus.ACTIVE, cadre__in=pool_ids, post_id__in=need_post_ids
        )
        .values_list("cadre_id", "post_id")
        .order_by("id")
    )
    past: dict[int, set[int]] = defaultdict(set)
    for cadre_id, post_id in Deployment.objects.filter(cadre__in=pool_ids, post_id__in=need_post_ids).values_list(
        "cadre_id", "post_id"
    ):
        past[cadre_id].add(post_id)

    cadres: list[matching.CadreIn] = []
    cadre_info: dict[int, CadreInfo] = {}
    cadre_facts: list[CadreFacts] = []
    unit_names: dict[int, str] = {}
    for pk, name, unit_id, unit_name, unit_kind, rank, status, residence, lat, lng in rows:
        unit_names[unit_id] = unit_name
        is_party = status in PARTY_STATUSES
        cadres.append(
            matching.CadreIn(
                id=pk,
                lat=lat,
                lng=lng,
                rank=rank,
                is_party_member=is_party,
                home_unit_id=unit_id,
                expertise=frozenset(tags.get(pk, ())),
                current_post_id=current.get(pk),
                previous_post_ids=frozenset(past.get(pk, set()) - {current.get(pk)}),
            )
        )
        cadre_info[pk] = CadreInfo(
            name=name, unit_name=unit_name, is_party_member=is_party, current_post_id=current.get(pk)
        )
        cadre_facts.append(
            CadreFacts(
                id=pk,
                unit_id=unit_id,
                unit_is_functional_department=unit_kind == UnitKind.FUNCTIONAL_DEPARTMENT,
                residence_region_id=residence,
            )
        )

    engine_needs: list[matching.PostNeed] = []
    need_info: dict[int, NeedInfo] = {}
    posts: dict[int, PostFacts] = {}
    for need in needs:
        post = need.post
        posts[post.pk] = PostFacts(id=post.pk, kind=post.kind, region_id=post.region_id, unit_id=post.unit_id)
        preferred = frozenset(u.pk for u in need.preferred_units.all())
        for unit in need.preferred_units.all():
            unit_names.setdefault(unit.pk, unit.name)
        engine_needs.append(
            matching.PostNeed(
                id=need.pk,
                post_id=post.pk,
                lat=post.latitude,
                lng=post.longitude,
                role=need.role_id,
                min_count=need.min_count,
                max_count=need.max_count,
                rank_min=need.rank_min,
                rank_max=need.rank_max,
                preferred_unit_ids=preferred,
                expertise=frozenset(t.pk for t in need.expertise.all()),
                min_party_members=need.min_party_members,
                max_distance_km=need.max_distance_km,
            )
        )
        need_info[need.pk] = NeedInfo(
            post_id=post.pk,
            post_name=post.name,
            frontline_kind=_kind_of(post),
            role_id=need.role_id,
            role_name=need.role.name,
            min_count=need.min_count,
            max_count=need.max_count,
            min_party_members=need.min_party_members,
        )

    forbidden = forbidden_pairs(cadre_facts, list(posts.values()), rules)
    pinned: set[tuple[int, int]] = set()
    for cadre_id, post_id, kind, reason in MatchingRule.objects.filter(campaign=campaign).values_list(
        "cadre_id", "post_id", "kind", "reason"
    ):
        if kind == MatchingRuleKind.PIN:
            pinned.add((cadre_id, post_id))
        else:
            forbidden.setdefault((cadre_id, post_id), _("人工排除") + (f"：{reason}" if reason else ""))
    tag_ids = set().union(*(n.expertise for n in engine_needs)) if engine_needs else set()
    tag_names = dict(ExpertiseTag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))
    return Problem(
        campaign_id=campaign.pk,
        cadres=cadres,
        needs=engine_needs,
        weights=matching.Weights(
            department=float(campaign.weight_department),
            expertise=float(campaign.weight_expertise),
            distance_per_km=float(campaign.weight_distance_per_km),
            continuity=float(campaign.weight_continuity),
        ),
        rules=matching.Rules(
            forbidden=forbidden,
            pinned=frozenset(pinned),
            max_distance_km=float(campaign.max_distance_km) if campaign.max_distance_km else None,
            max_candidates_per_cadre=pool.max_candidates_per_cadre,
        ),
        names=matching.Names(units=unit_names, tags=tag_names),
        cadre_info=cadre_info,
        need_info=need_info,
    )
