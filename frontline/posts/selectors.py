"""Reads of posts that depend on who asks."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.core.access import unit_scope_q
from frontline.core.models import User
from frontline.org.models import Region
from frontline.posts.models import Post, PostKind


def post_scope_q(user: User) -> Q:
    """Return the filter for posts within the user's data scope (by managing unit)."""
    return unit_scope_q(user, unit_field="unit", own_q=Q(created_by_id=user.pk))


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


def post_counts_by_kind(*, user: User) -> list[tuple[str, str, int]]:
    """Return (kind, label, count) for every kind, in one query."""
    counts = dict(
        Post.objects.filter(post_scope_q(user)).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    return [(kind.value, str(kind.label), counts.get(kind.value, 0)) for kind in PostKind]
