"""Reads of the ledger that depend on who asks: pages, API endpoints and exports use these."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.core.access import access_for, unit_scope_q
from frontline.core.inserts import get_with_related
from frontline.core.models import DataScope, User
from frontline.ledger.models import (
    OPEN_STATUSES,
    EnterprisePlan,
    ListItem,
    ListItemStatus,
    ListKind,
    MeasureStatus,
    Notification,
    PlanMeasure,
    Problem,
    ProblemAttachment,
    ProblemCategory,
    ProblemStatus,
    ProblemTally,
    Visit,
)
from frontline.org.models import Unit, UnitKind
from frontline.posts.models import Post, PostKind
from frontline.posts.selectors import post_scope_q

# Up to this many units in a subtree are passed as a list, which lets PostgreSQL combine the
# (post_unit, status) and (department, status) indexes; wider subtrees use a subquery.
SCOPE_ID_LIST_MAX = 100


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


BOARD_LISTS: dict[str, tuple[Q, tuple[str, ...]]] = {
    "overdue": (Q(is_overdue=True), ("resolve_due", "handover_due", "id")),
    "sent_back": (Q(send_back_count__gt=0), ("-send_back_count", "id")),
    "supervised": (Q(status=ProblemStatus.SUPERVISED), ("resolve_due", "id")),
}


def supervisor_board(*, user: User, limit: int | None = None) -> dict[str, QuerySet[Problem]]:
    """Return the overdue, sent-back and reopened open problems in scope, oldest deadline first.

    With `limit`, each list is its first `limit` rows: their ids are picked alone (a walk of the
    list's partial index in its order, see `Problem.Meta.indexes`), and only those rows are
    joined to their post, category, department and owner.
    """
    base = Problem.objects.filter(problem_scope_q(user), status__in=OPEN_STATUSES)
    board = {}
    for name, (where, order) in BOARD_LISTS.items():
        rows = base.filter(where).order_by(*order)
        if limit is not None:
            rows = Problem.objects.filter(pk__in=rows.values("pk")[:limit]).order_by(*order)
        board[name] = rows.select_related("post", "category", "department").defer(*BOARD_DEFERRED)
    return board


# Long texts that the board's tables do not show.
BOARD_DEFERRED = ("description", "solution_plan", "resolution", "requester_phone_encrypted", "close_reason")


def problem_figures(*, user: User) -> dict[str, int]:
    """Return counts for the board's tiles in one query.

    Under a unit scope they are sums over the tally (`ProblemTally`, kept in step with every
    write), by the same rule as `problem_scope_q`: the post unit or the handling department in
    scope. Under the "own" scope they are counted from the user's own problems.
    """
    scope = _tally_scope_q(user)
    if scope is None:
        rows = problem_list(user=user).filter(Q(status__in=OPEN_STATUSES) | Q(closed_without_confirmation=True))
        return rows.aggregate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(is_overdue=True, status__in=OPEN_STATUSES)),
            sent_back=Count("id", filter=Q(send_back_count__gt=0, status__in=OPEN_STATUSES)),
            supervised=Count("id", filter=Q(status=ProblemStatus.SUPERVISED)),
            closed_unconfirmed=Count("id", filter=Q(closed_without_confirmation=True)),
            unconfirmed_deadlines=Count("id", filter=Q(deadline_unconfirmed=True, status__in=OPEN_STATUSES)),
        )
    sums = ProblemTally.objects.filter(scope).aggregate(
        open=Sum("count", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Sum("count", filter=Q(is_overdue=True, status__in=OPEN_STATUSES)),
        sent_back=Sum("count", filter=Q(sent_back=True, status__in=OPEN_STATUSES)),
        supervised=Sum("count", filter=Q(status=ProblemStatus.SUPERVISED)),
        closed_unconfirmed=Sum("count", filter=Q(closed_without_confirmation=True)),
        unconfirmed_deadlines=Sum("count", filter=Q(deadline_unconfirmed=True, status__in=OPEN_STATUSES)),
    )
    return {name: int(value or 0) for name, value in sums.items()}


def _tally_scope_q(user: User) -> Q | None:
    """Return `problem_scope_q` for tally rows, or None under the "own" scope (not tallied)."""
    access = access_for(user)
    if access.scope == DataScope.ALL:
        return Q()
    if access.scope == DataScope.SUBTREE:
        ids = _subtree_unit_ids(user, access.unit_path)
        return Q(post_unit_id__in=ids) | Q(department_key__in=ids)
    if access.scope == DataScope.NODE:
        return Q(post_unit_id=access.unit_id) | Q(department_key=access.unit_id)
    return None


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
    """Return a post from `postable_posts`, or raise 404.

    Most requests come from someone whose unit manages the post: that is decided on the loaded
    post without the deployment subqueries; any other case asks `postable_posts` itself.
    """
    post = get_with_related(Post, pk, "unit")  # the ORM's compilation is a third of an intake's time
    if post is not None and _post_unit_reachable(user, post):
        return post
    return get_object_or_404(postable_posts(user=user), pk=pk)


def _post_unit_reachable(user: User, post: Post) -> bool:
    """Return whether the post is postable for the user through its managing unit alone.

    A subset of `postable_posts`: the unit part of `post_scope_q`, and the user's own unit.
    """
    access = access_for(user)
    if access.scope == DataScope.ALL or (user.unit_id is not None and post.unit_id == user.unit_id):
        return True
    if access.scope == DataScope.SUBTREE:
        return post.unit.path.startswith(access.unit_path)
    if access.scope == DataScope.NODE:
        return post.unit_id == access.unit_id
    return False


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
        words = "、".join(dict.fromkeys(shared[:5]))
        if same_region:
            reason = _("共同关键词：%(words)s；同一县区") % {"words": words}
        else:
            reason = _("共同关键词：%(words)s") % {"words": words}
        suggestions.append(MatchSuggestion(resource, round(score, 4), reason))
    suggestions.sort(key=lambda s: -s.score)
    return suggestions[:k]


# --- Attachments ----------------------------------------------------------------------------


def get_attachment_for_user(*, user: User, problem_pk: int, pk: int) -> ProblemAttachment:
    """Return an attachment of a problem in the user's scope, or raise 404."""
    problem = get_problem_for_user(user=user, pk=problem_pk)
    attachment = get_object_or_404(ProblemAttachment.objects.select_related("uploaded_by"), problem=problem, pk=pk)
    attachment.problem = problem
    return attachment


def problem_attachments(*, problem: Problem) -> QuerySet[ProblemAttachment]:
    """Return the attachments of a problem already checked for scope, oldest first."""
    return ProblemAttachment.objects.filter(problem=problem).select_related("uploaded_by")


# --- Enterprise plans (一企一策) ---------------------------------------------------------------


def plan_editable_posts(*, user: User) -> QuerySet[Post]:
    """Return the enterprise posts whose plan the user may write.

    Posts where the user's cadre record is actively deployed, posts of the user's own unit, and,
    for a role that may edit, every post in the user's scope.
    """
    access = access_for(user)
    q = Q(deployments__cadre__user=user, deployments__status="active")
    if user.unit_id:
        q |= Q(unit_id=user.unit_id)
    if access.can_edit:
        q = Q() if access.scope == DataScope.ALL else q | post_scope_q(user)
    posts = Post.objects.filter(q, kind=PostKind.ENTERPRISE).values("pk")
    return Post.objects.filter(pk__in=posts).select_related("unit")


def enterprise_plan_scope_q(user: User) -> Q:
    """Return the filter for plans the user may see.

    A plan is in scope when its enterprise is (like posts), when the user may write it, or when one
    of its measures falls to a department within the user's unit scope (like problems).
    """
    access = access_for(user)
    if access.scope == DataScope.ALL:
        return Q()
    posts = Post.objects.filter(post_scope_q(user), kind=PostKind.ENTERPRISE).values("pk")
    q = Q(post_id__in=posts) | Q(post_id__in=plan_editable_posts(user=user).values("pk")) | Q(created_by_id=user.pk)
    if access.scope in (DataScope.SUBTREE, DataScope.NODE):
        measures = PlanMeasure.objects.filter(unit_scope_q(user, unit_field="department")).values("plan_id")
        q |= Q(pk__in=measures)
    return q


@dataclass
class PlanFilters:
    q: str = ""
    department_id: int | None = None
    post_id: int | None = None
    overdue_measures: bool = False
    open_problems: bool = False


def enterprise_plan_list(
    *, user: User, filters: PlanFilters | None = None, today: date | None = None
) -> QuerySet[EnterprisePlan]:
    """Return the plans the user may see, most recently changed first, with their figures.

    Each row carries measure_count, measures_done, measures_overdue, and problem_count and
    open_problems counted over the enterprise's problems within the user's scope.
    """
    f = filters or PlanFilters()
    today = today or timezone.localdate()
    problems = (
        Problem.objects.filter(problem_scope_q(user), post_id=OuterRef("post_id"))
        .order_by()
        .values("post_id")
        .annotate(n=Count("pk"))
    )
    late = Q(measures__due_date__lt=today) & ~Q(measures__status=MeasureStatus.DONE)
    qs = (
        EnterprisePlan.objects.filter(enterprise_plan_scope_q(user))
        .select_related("post")
        .annotate(
            measure_count=Count("measures"),
            measures_done=Count("measures", filter=Q(measures__status=MeasureStatus.DONE)),
            measures_overdue=Count("measures", filter=late),
            problem_count=Coalesce(Subquery(problems.values("n")), 0),
            open_problems=Coalesce(Subquery(problems.filter(status__in=OPEN_STATUSES).values("n")), 0),
        )
        .order_by("-updated_at", "-id")  # Meta.ordering does not apply to aggregating queries
    )
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(post__name__icontains=f.q) | Q(post__uscc=f.q.upper()))
    if f.department_id:
        qs = qs.filter(pk__in=PlanMeasure.objects.filter(department_id=f.department_id).values("plan_id"))
    if f.post_id:
        qs = qs.filter(post_id=f.post_id)
    if f.overdue_measures:
        overdue = PlanMeasure.objects.filter(due_date__lt=today).exclude(status=MeasureStatus.DONE)
        qs = qs.filter(pk__in=overdue.values("plan_id"))
    if f.open_problems:
        qs = qs.filter(open_problems__gt=0)
    return qs


def get_enterprise_plan_for_user(*, user: User, pk: int) -> EnterprisePlan:
    """Return the plan with its figures, or raise 404 when it is outside the user's scope."""
    return get_object_or_404(enterprise_plan_list(user=user).select_related("post__unit", "post__region"), pk=pk)


def plan_measures(*, plan: EnterprisePlan) -> QuerySet[PlanMeasure]:
    """Return the measures of a plan already checked for scope, in order."""
    return PlanMeasure.objects.filter(plan=plan).select_related("department", "problem")


def plan_problems(*, user: User, plan: EnterprisePlan) -> QuerySet[Problem]:
    """Return the enterprise's problems within the user's scope: open ones first, then the newest."""
    return problem_list(user=user, filters=ProblemFilters(post_id=plan.post_id)).order_by(
        F("closed_at").asc(nulls_first=True), "-created_at", "-id"
    )


def plan_department_choices(*, post: Post) -> QuerySet[Unit]:
    """Return the units a measure of this enterprise can fall to: functional departments of the province
    and the enterprise's managing unit."""
    return (departments_for(post) | Unit.objects.filter(pk=post.unit_id)).order_by("path")
