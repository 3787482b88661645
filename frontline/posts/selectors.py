"""Reads of posts that depend on who asks."""

from collections.abc import Mapping
from typing import TypedDict, Unpack

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.core.access import unit_scope_q
from frontline.core.models import User
from frontline.org.models import Region
from frontline.org.selectors import get_region
from frontline.posts.models import Post, PostKind

# Kinds that can have children: projects (sub-projects), villages and communities (grids), grids (buildings).
PARENT_CAPABLE_KINDS = (PostKind.PROJECT, PostKind.VILLAGE, PostKind.COMMUNITY, PostKind.GRID)


class PostFilters(TypedDict, total=False):
    q: str
    kind: str
    region: Region | None
    unit_id: int | None
    is_key: bool | None
    parent_id: int | None


def post_scope_q(user: User) -> Q:
    """Return the filter for posts within the user's data scope (by managing unit).

    Under the "own" scope a user sees the posts they created and the posts their cadre record
    is actively deployed to (a grid head sees their grid).
    """
    from frontline.dispatch.models import Deployment, DeploymentStatus

    deployed = Deployment.objects.filter(cadre__user_id=user.pk, status=DeploymentStatus.ACTIVE).values("post_id")
    return unit_scope_q(user, unit_field="unit", own_q=Q(created_by_id=user.pk) | Q(pk__in=deployed))


def post_list(
    *,
    user: User,
    q: str = "",
    kind: str = "",
    region: Region | None = None,
    unit_id: int | None = None,
    is_key: bool | None = None,
    parent_id: int | None = None,
) -> QuerySet[Post]:
    """Return the posts the user may see, filtered; `region` selects its whole subtree."""
    qs = Post.objects.filter(post_scope_q(user)).select_related("region", "unit", "parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.upper()) | Q(address__icontains=q) | Q(industry__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.prefix)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if is_key is not None:
        qs = qs.filter(is_key=is_key)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    return qs


def get_post_for_user(*, user: User, pk: int) -> Post:
    """Return the post or raise 404 when it is outside the user's scope."""
    return get_object_or_404(post_list(user=user), pk=pk)


def post_children(*, user: User, post: Post) -> QuerySet[Post]:
    """Return the sub-projects, grids or buildings of `post` that the user may see."""
    return post_list(user=user, parent_id=post.pk)


def post_parent_choices(*, user: User, kinds: tuple[str, ...] = PARENT_CAPABLE_KINDS) -> QuerySet[Post]:
    """Return the posts within the user's scope that may be chosen as a parent."""
    return Post.objects.filter(post_scope_q(user), kind__in=kinds).only("id", "name", "kind")


def post_counts_by_kind(*, user: User, **filters: Unpack[PostFilters]) -> list[tuple[str, str, int]]:
    """Return (kind, label, count) for every kind, in one query; `filters` as for `post_list`, kind ignored."""
    filters.pop("kind", None)
    rows = post_list(user=user, **filters).order_by().values("kind").annotate(n=Count("id"))
    counts = {row["kind"]: row["n"] for row in rows}
    return [(kind.value, str(kind.label), counts.get(kind.value, 0)) for kind in PostKind]


def post_filters_from_query(query: Mapping[str, str]) -> PostFilters:
    """Return the `post_list` filters from a page's query string (q, kind, is_key, unit, region).

    Unknown or malformed values are dropped rather than refused, so a stale link still shows a list.
    The export of the same list reads the same parameters through this function.
    """
    filters: PostFilters = {"q": (query.get("q") or "").strip()}
    kind = query.get("kind") or ""
    filters["kind"] = kind if kind in PostKind.values else ""
    filters["is_key"] = {"1": True, "0": False}.get(query.get("is_key") or "")
    unit = query.get("unit") or ""
    filters["unit_id"] = int(unit) if unit.isdigit() else None
    code = query.get("region") or ""
    filters["region"] = get_region(code) if code else None
    return filters
