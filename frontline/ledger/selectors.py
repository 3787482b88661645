"""Reads of the ledger that depend on who asks: pages, API endpoints and exports use these."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.core.access import access_for, unit_scope_q
from frontline.core.models import DataScope, User
from frontline.ledger.models import (
    OPEN_STATUSES,
    ListItem,
    ListItemStatus,
    ListKind,
    Notification,
    Problem,
    ProblemCategory,
    ProblemStatus,
    Visit,
)
from frontline.org.models import Unit, UnitKind
from frontline.posts.models import Post
from frontline.posts.selectors import post_scope_q

# Up to this many units in a subtree are passed as a list, which lets PostgreSQL combine the
# (post_unit, status) and (department, status) indexes; wider subtrees use a subquery.
SCOPE_ID_LIST_MAX = 1000


def _subtree_unit_ids(user: User, path: str) -> Any:
    """Return the ids of the units under `path` (a list, or a subquery when there are many).

    Cached on the user object for the request, like `access_for`.
    """
    cached = getattr(user, "_ledger_subtree_ids", None)
    if cached is not None and cached[0] == path:
        return cached[1]
    units = Unit.objects.filter(path__startswith=path).values_list("pk", flat=True)
    ids: Any = list(units[: SCOPE_ID_LIST_MAX + 1])
    if len(ids) > SCOPE_ID_LIST_MAX:
        ids = units
    user._ledger_subtree_ids = (path, ids)  # type: ignore[attr-defined]
    return ids


def problem_scope_q(user: User) -> Q:
    """Return the filter for problems the user may see.

    A problem is in scope when its post's unit or its handling department is; under the "own"
    scope, when the user logged it or answers for its level.
    """
    access = access_for(user)
    if access.scope == DataScope.ALL:
        return Q()
    if access.scope == DataScope.SUBTREE:
        ids = _subtree_unit_ids(user, access.unit_path)
        return Q(post_unit_id__in=ids) | Q(department_id__in=ids)
    if access.scope == DataScope.NODE:
        return Q(post_unit_id=access.unit_id) | Q(department_id=access.unit_id)
    return Q(created_by_id=user.pk) | Q(owner_id=user.pk)


@dataclass
class ProblemFilters:
    q: str = ""
    status: str = ""
    category_id: int | None = None
    department_id: int | None = None
    post_id: int | None = None
    source: str = ""
    overdue: bool = False
    sent_back: bool = False
    unconfirmed_close: bool = False
    open_only: bool = False
    created_from: date | None = None
    created_to: date | None = None


def problem_list(*, user: User, filters: ProblemFilters | None = None) -> QuerySet[Problem]:
    """Return the problems the user may see, filtered, newest first."""
    f = filters or ProblemFilters()
    qs = Problem.objects.filter(problem_scope_q(user)).select_related("post", "category", "department", "owner")
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q)
            | Q(description__icontains=f.q)
            | Q(tracking_code=f.q.upper())
            | Q(post__name__icontains=f.q)
        )
    if f.status in ProblemStatus.values:
        qs = qs.filter(status=f.status)
    if f.category_id:
        qs = qs.filter(category_id=f.category_id)
    if f.department_id:
        qs = qs.filter(department_id=f.department_id)
    if f.post_id:
        qs = qs.filter(post_id=f.post_id)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.overdue:
        qs = qs.filter(is_overdue=True, status__in=OPEN_STATUSES)
    if f.sent_back:
        qs = qs.filter(send_back_count__gt=0)
    if f.unconfirmed_close:
        qs = qs.filter(closed_without_confirmation=True)
    if f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.created_from:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__date__lte=f.created_to)
    return qs


def get_problem_for_user(*, user: User, pk: int) -> Problem:
    """Return the problem or raise 404 when it is outside the user's scope."""
    return get_object_or_404(
        problem_list(user=user).select_related("post__unit", "post_unit", "created_by", "region", "visit"), pk=pk
    )


def department_inbox(*, user: User) -> QuerySet[Problem]:
    """Return the open problems handled by the user's department (or a department below it)."""
    access = access_for(user)
    if not access.unit_path:
        return Problem.objects.none()
    return (
        Problem.objects.filter(
            department__path__startswith=access.unit_path,
            status__in=(
                ProblemStatus.HANDED_OVER,
                ProblemStatus.IN_PROGRESS,
                ProblemStatus.SUPERVISED,
                ProblemStatus.RESOLVED,
            ),
        )
        .select_related("post", "category", "department")
        .order_by("resolve_due", "id")
    )


def supervisor_board(*, user: User) -> dict[str, QuerySet[Problem]]:
    """Return the overdue, sent-back and reopened open problems in scope, oldest deadline first."""
    base = problem_list(user=user).filter(status__in=OPEN_STATUSES)
    return {
        "overdue": base.filter(is_overdue=True).order_by("resolve_due", "handover_due", "id"),
        "sent_back": base.filter(send_back_count__gt=0).order_by("-send_back_count", "id"),
        "supervised": base.filter(status=ProblemStatus.SUPERVISED).order_by("resolve_due", "id"),
    }


def problem_figures(*, user: User) -> dict[str, int]:
    """Return counts for the board's tiles in one query over open (and unconfirmed-closed) rows."""
    rows = problem_list(user=user).filter(Q(status__in=OPEN_STATUSES) | Q(closed_without_confirmation=True))
    return rows.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(is_overdue=True, status__in=OPEN_STATUSES)),
        sent_back=Count("id", filter=Q(send_back_count__gt=0, status__in=OPEN_STATUSES)),
        supervised=Count("id", filter=Q(status=ProblemStatus.SUPERVISED)),
        closed_unconfirmed=Count("id", filter=Q(closed_without_confirmation=True)),
        unconfirmed_deadlines=Count("id", filter=Q(deadline_unconfirmed=True, status__in=OPEN_STATUSES)),
    )


def postable_posts(*, user: User) -> QuerySet[Post]:
    """Return the posts where the user may record visits and problems.

    Posts in the user's scope, posts of the user's own unit, and posts where the user's cadre
    record has an active deployment.
    """
    q = post_scope_q(user) | Q(deployments__cadre__user=user, deployments__status="active")
    if user.unit_id:
        q |= Q(unit_id=user.unit_id)
    if access_for(user).scope == DataScope.ALL:
        q = Q()
    return Post.objects.filter(pk__in=Post.objects.filter(q).values("pk")).select_related("unit", "region")


def my_posts(*, user: User) -> QuerySet[Post]:
    """Return the posts where the user is deployed now, or else the posts of the user's own unit."""
    deployed = Post.objects.filter(deployments__cadre__user=user, deployments__status="active")
    if deployed.exists():
        return deployed.distinct().select_related("unit")
    if user.unit_id:
        return Post.objects.filter(unit_id=user.unit_id).select_related("unit")
    return Post.objects.none()


def get_postable_post(*, user: User, pk: int) -> Post:
    return get_object_or_404(postable_posts(user=user), pk=pk)


def my_open_problems(*, user: User) -> QuerySet[Problem]:
    """Return the open problems the user logged or owns, soonest deadline first."""
    return (
        Problem.objects.filter(Q(created_by=user) | Q(owner=user), status__in=OPEN_STATUSES)
        .select_related("post", "category", "department")
        .order_by("resolve_due", "handover_due", "id")
    )


def visit_list(*, user: User) -> QuerySet[Visit]:
    """Return the visits the user may see: their own, and those at posts in their scope."""
    access = access_for(user)
    if access.scope == DataScope.ALL:
        return Visit.objects.select_related("post", "cadre_user")
    return Visit.objects.filter(
        Q(cadre_user=user) | unit_scope_q(user, unit_field="post__unit", own_q=Q(cadre_user=user))
    ).select_related("post", "cadre_user")


def active_categories() -> QuerySet[ProblemCategory]:
    return ProblemCategory.objects.filter(is_active=True)


def departments_for(post: Post) -> QuerySet[Unit]:
    """Return the functional departments a problem of this post can be handed to (same province)."""
    root = "/".join(post.unit.path.split("/")[:2]) + "/"
    return Unit.objects.filter(kind=UnitKind.FUNCTIONAL_DEPARTMENT, path__startswith=root).order_by("path")


def unread_notifications(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


# --- The three lists ------------------------------------------------------------------------


def list_item_scope_q(user: User) -> Q:
    return unit_scope_q(user, unit_field="post__unit", own_q=Q(created_by_id=user.pk))


def list_items(*, user: User, kind: str = "", post_id: int | None = None, status: str = "") -> QuerySet[ListItem]:
    """Return the list rows the user may see (by the post's unit; own rows under the "own" scope)."""
    qs = ListItem.objects.filter(list_item_scope_q(user)).select_related("post")
    if kind:
        qs = qs.filter(kind=kind)
    if post_id:
        qs = qs.filter(post_id=post_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def get_list_item_for_user(*, user: User, pk: int) -> ListItem:
    return get_object_or_404(list_items(user=user), pk=pk)


@dataclass
class MatchSuggestion:
    resource: ListItem
    score: float
    reason: str


def suggest_resources(*, user: User, need: ListItem, k: int = 5) -> list[MatchSuggestion]:
    """Return open resources in the user's scope that fit the need, with the reason.

    Ranked by BM25 over segmented text; a resource in the same region gets a small bonus.
    """
    from frontline.ledger.textsearch import SimilarIndex, tokenize

    resources = list(
        list_items(user=user, kind=ListKind.RESOURCE, status=ListItemStatus.OPEN)
        .exclude(matches_as_resource__need=need)
        .select_related("post__region")[:5000]
    )
    if not resources:
        return []
    texts = {r.pk: f"{r.title} {r.description} {r.quantity} {r.holder}" for r in resources}
    index = SimilarIndex.from_texts(texts.items())
    need_text = f"{need.title} {need.description} {need.quantity}"
    need_words = set(tokenize(need_text))
    by_pk = {r.pk: r for r in resources}
    suggestions = []
    for hit in index.search(need_text, k * 3):
        resource = by_pk[hit.doc_id]
        shared = [w for w in tokenize(texts[hit.doc_id]) if w in need_words]
        same_region = resource.post.region_id[:6] == need.post.region_id[:6]
        score = hit.score * (1.2 if same_region else 1.0)
        reason = "共同关键词：" + "、".join(dict.fromkeys(shared[:5]))
        if same_region:
            reason += "；同一县区"
        suggestions.append(MatchSuggestion(resource, round(score, 4), reason))
    suggestions.sort(key=lambda s: -s.score)
    return suggestions[:k]
