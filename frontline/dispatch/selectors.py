"""Reads of dispatch data that depend on who asks; anything outside the user's scope is a 404."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.access import access_for, unit_scope_q
from frontline.core.models import DataScope, User
from frontline.dispatch.models import (
    GRASSROOTS_KINDS,
    Campaign,
    Deployment,
    DeploymentRole,
    DeploymentStatus,
    FrontlineKind,
    MatchingRun,
    PostNeed,
    RequesterLink,
    ResponsibilityAssignment,
    WorkingGroup,
    frontline_kind_of,
)
from frontline.posts.models import Post
from frontline.posts.selectors import post_scope_q


def campaign_scope_q(user: User) -> Q:
    """Return the filter for campaigns whose organizing unit is within the user's scope."""
    return unit_scope_q(user, unit_field="organizing_unit")


def campaign_list(*, user: User, q: str = "", status: str = "") -> QuerySet[Campaign]:
    qs = Campaign.objects.filter(campaign_scope_q(user)).select_related("organizing_unit")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(organizing_unit__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs


def get_campaign_for_user(*, user: User, pk: int) -> Campaign:
    """Return the campaign or raise 404 when it is outside the user's scope."""
    return get_object_or_404(campaign_list(user=user), pk=pk)


def deployment_scope_q(user: User) -> Q:
    """Return the filter for rows (deployments, 包保) whose cadre's home unit or post's unit is within scope."""
    if access_for(user).scope == DataScope.ALL:
        return Q()
    return Q(cadre__in=_scoped_cadre_ids(user)) | Q(post__in=_scoped_post_ids(user))


def _scoped_cadre_ids(user: User) -> QuerySet[Cadre, Any]:
    return Cadre.objects.filter(cadre_scope_q(user)).values("pk")


def _scoped_post_ids(user: User) -> QuerySet[Post, Any]:
    return Post.objects.filter(post_scope_q(user)).values("pk")


def deployment_list(
    *,
    user: User,
    campaign_id: int | None = None,
    role_id: int | None = None,
    post_id: int | None = None,
    cadre_id: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Deployment]:
    """Return the deployments the user may see, filtered."""
    qs = Deployment.objects.filter(deployment_scope_q(user)).select_related(
        "cadre", "cadre__home_unit", "post", "role", "campaign", "working_group"
    )
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if role_id:
        qs = qs.filter(role_id=role_id)
    if post_id:
        qs = qs.filter(post_id=post_id)
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(cadre__name__icontains=q) | Q(post__name__icontains=q))
    return qs


def get_deployment_for_user(*, user: User, pk: int) -> Deployment:
    return get_object_or_404(deployment_list(user=user), pk=pk)


def deployment_history(deployment: Deployment) -> list[Deployment]:
    """Return the chain of terms this deployment belongs to, oldest first (a few queries per link)."""
    chain = [deployment]
    current = deployment
    while current.previous_id is not None:
        current = Deployment.objects.select_related("post", "role").get(pk=current.previous_id)
        chain.insert(0, current)
    nxt = Deployment.objects.select_related("post", "role").filter(previous=chain[-1]).first()
    while nxt is not None:
        chain.append(nxt)
        nxt = Deployment.objects.select_related("post", "role").filter(previous=nxt).first()
    return chain


def working_group_list(*, user: User, campaign_id: int | None = None) -> QuerySet[WorkingGroup]:
    """Return the working groups of the campaigns the user may see."""
    qs = (
        WorkingGroup.objects.filter(campaign__in=Campaign.objects.filter(campaign_scope_q(user)).values("pk"))
        .select_related("campaign", "leader", "post", "region")
        .annotate(member_count=Count("members", distinct=True))
    )
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def get_working_group_for_user(*, user: User, pk: int) -> WorkingGroup:
    return get_object_or_404(working_group_list(user=user), pk=pk)


RESPONSIBILITY_STATUSES = ("current", "ended")


def responsibility_list(
    *,
    user: User,
    campaign_id: int | None = None,
    cadre_id: int | None = None,
    post_id: int | None = None,
    level: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[ResponsibilityAssignment]:
    """Return the 包保 assignments whose cadre or project is within the user's scope, filtered.

    `status` is "current" (not ended), "ended", or empty for both. A key project's own row comes
    before its sub-projects' rows.
    """
    qs = ResponsibilityAssignment.objects.filter(deployment_scope_q(user)).select_related(
        "cadre", "cadre__home_unit", "post", "post__parent", "campaign"
    )
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if post_id:
        qs = qs.filter(Q(post_id=post_id) | Q(post__parent_id=post_id))
    if level:
        qs = qs.filter(level=level)
    if status == "current":
        qs = qs.filter(ended_on__isnull=True)
    elif status == "ended":
        qs = qs.filter(ended_on__isnull=False)
    if q:
        qs = qs.filter(Q(cadre__name__icontains=q) | Q(post__name__icontains=q) | Q(post__parent__name__icontains=q))
    return qs.order_by(
        Coalesce("post__parent__name", "post__name"),
        F("post__parent_id").asc(nulls_first=True),
        "post__name",
        "level",
        "id",
    )


def get_responsibility_for_user(*, user: User, pk: int) -> ResponsibilityAssignment:
    return get_object_or_404(responsibility_list(user=user), pk=pk)


def get_requester_link(token: str) -> RequesterLink:
    """Return the live link with this token, or raise 404 (unknown, rotated or withdrawn alike)."""
    if not token or len(token) > 64:
        raise Http404
    return get_object_or_404(RequesterLink.objects.select_related("post", "unit"), token=token)


def role_list() -> QuerySet[DeploymentRole]:
    return DeploymentRole.objects.filter(is_active=True)


def post_need_list(*, user: User, post_id: int | None = None, campaign_id: int | None = None) -> QuerySet[PostNeed]:
    """Return the needs of the posts the user may see."""
    qs = (
        PostNeed.objects.filter(post__in=_scoped_post_ids(user))
        .select_related("post", "role", "campaign")
        .prefetch_related("preferred_units", "expertise")
    )
    if post_id:
        qs = qs.filter(post_id=post_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def get_post_need_for_user(*, user: User, pk: int) -> PostNeed:
    return get_object_or_404(post_need_list(user=user), pk=pk)


def matching_run_list(*, user: User, campaign_id: int | None = None) -> QuerySet[MatchingRun]:
    qs = MatchingRun.objects.filter(
        campaign__in=Campaign.objects.filter(campaign_scope_q(user)).values("pk")
    ).select_related("campaign", "created_by", "approved_by")
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def get_matching_run_for_user(*, user: User, pk: int) -> MatchingRun:
    return get_object_or_404(matching_run_list(user=user), pk=pk)


@dataclass(frozen=True)
class KindProgress:
    kind: str
    label: str
    target: int
    actual: int

    @property
    def percent(self) -> int:
        if not self.target:
            return 100 if self.actual else 0
        return min(100, round(100 * self.actual / self.target))


@dataclass(frozen=True)
class CampaignProgress:
    kinds: list[KindProgress]
    grassroots: KindProgress
    total: KindProgress


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    """Return per frontline kind the target and the number of active deployments, in two queries.

    A grid or building post counts for the village or community above it; villages and
    communities together are the "grassroots" subtotal the seeds report.
    """
    targets = dict(campaign.targets.values_list("kind", "target"))
    counted: dict[str, int] = dict.fromkeys(FrontlineKind.values, 0)
    rows = (
        Deployment.objects.filter(campaign=campaign, status=DeploymentStatus.ACTIVE)
        .values_list("post__kind", "post__parent__kind", "post__parent__parent__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, parent_kind, grandparent_kind, n in rows:
        counted[frontline_kind_of(kind, parent_kind, grandparent_kind)] += n
    kinds = [
        KindProgress(kind=k.value, label=str(k.label), target=targets.get(k.value, 0), actual=counted[k.value])
        for k in FrontlineKind
    ]
    grassroots = KindProgress(
        kind="grassroots",
        label=_("基层治理"),
        target=sum(p.target for p in kinds if p.kind in GRASSROOTS_KINDS),
        actual=sum(p.actual for p in kinds if p.kind in GRASSROOTS_KINDS),
    )
    total = KindProgress(
        kind="total", label=_("合计"), target=sum(p.target for p in kinds), actual=sum(p.actual for p in kinds)
    )
    return CampaignProgress(kinds=kinds, grassroots=grassroots, total=total)
