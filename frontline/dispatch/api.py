"""API for campaigns, working groups, deployments, 包保, needs, requester links and matching runs.

Every read goes through a selector (out of scope → 404), every write through a service
(business errors → 400 with a code, stale `version` → 409).
"""

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from frontline.cadres.models import ExpertiseTag
from frontline.cadres.selectors import get_cadre_for_user
from frontline.core.models import User
from frontline.dispatch.models import Campaign, DeploymentRole, MatchingRun, PostNeed, RequesterLink
from frontline.dispatch.runs import RunParams, matching_run_adjust, matching_run_approve, matching_run_start
from frontline.dispatch.selectors import (
    campaign_list,
    campaign_progress,
    deployment_list,
    get_campaign_for_user,
    get_deployment_for_user,
    get_matching_run_for_user,
    get_responsibility_for_user,
    get_working_group_for_user,
    post_need_list,
    responsibility_list,
    working_group_list,
)
from frontline.dispatch.services import (
    CampaignData,
    PostNeedData,
    WorkingGroupData,
    campaign_create,
    deployment_create,
    deployment_end,
    deployment_extend,
    deployment_transfer,
    post_need_create,
    requester_link_rotate,
    requester_link_withdraw,
    responsibility_create,
    responsibility_end,
    working_group_create,
)
from frontline.org.selectors import get_unit_for_user, unit_list
from frontline.posts.selectors import get_post_for_user

router = Router(tags=["dispatch"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- campaigns --------------------------------------------------------------------------------


class CampaignBase(Schema):
    id: int
    name: str
    organizing_unit_id: int
    start_date: date
    end_date: date | None
    status: str
    description: str
    version: int


class CampaignOut(CampaignBase):
    organizing_unit_name: str = Field(..., alias="organizing_unit.name")


class KindProgressOut(Schema):
    target: int
    active: int


class CampaignDetailOut(CampaignBase):
    organizing_unit_name: str
    weight_department: int
    weight_expertise: int
    weight_distance_per_km: int
    weight_continuity: int
    max_distance_km: int | None
    kinds: dict[str, KindProgressOut]
    grassroots: KindProgressOut
    total: KindProgressOut


class CampaignIn(Schema):
    name: str
    organizing_unit_id: int
    start_date: date
    end_date: date | None = None
    description: str = ""
    status: str = "draft"
    targets: dict[str, int] = Field(default_factory=dict, description="enterprise/project/village/community → count")
    weight_department: int = 100
    weight_expertise: int = 40
    weight_distance_per_km: int = 2
    weight_continuity: int = 60
    max_distance_km: int | None = None


def _campaign_detail(campaign: Campaign) -> dict[str, Any]:
    progress = campaign_progress(campaign)
    return {
        **{name: getattr(campaign, name) for name in CampaignBase.model_fields},
        "organizing_unit_name": campaign.organizing_unit.name,
        "weight_department": campaign.weight_department,
        "weight_expertise": campaign.weight_expertise,
        "weight_distance_per_km": campaign.weight_distance_per_km,
        "weight_continuity": campaign.weight_continuity,
        "max_distance_km": campaign.max_distance_km,
        "kinds": {p.kind: {"target": p.target, "active": p.actual} for p in progress.kinds},
        "grassroots": {"target": progress.grassroots.target, "active": progress.grassroots.actual},
        "total": {"target": progress.total.target, "active": progress.total.actual},
    }


@router.get("/campaigns", response=list[CampaignOut])
@paginate(LimitOffsetPagination)
def campaigns(request: HttpRequest, q: str = "", status: str = "") -> Any:
    """List the campaigns whose organizing unit is within your scope."""
    return campaign_list(user=_user(request), q=q, status=status)


@router.post("/campaigns", response={201: CampaignDetailOut})
def campaign_new(request: HttpRequest, payload: CampaignIn) -> Status[Any]:
    """Create a campaign with its targets per frontline kind."""
    user = _user(request)
    unit = get_unit_for_user(user=user, pk=payload.organizing_unit_id)
    data = CampaignData(
        name=payload.name,
        organizing_unit=unit,
        start_date=payload.start_date,
        end_date=payload.end_date,
        description=payload.description,
        status=payload.status,
        targets=payload.targets,
        weight_department=payload.weight_department,
        weight_expertise=payload.weight_expertise,
        weight_distance_per_km=payload.weight_distance_per_km,
        weight_continuity=payload.weight_continuity,
        max_distance_km=payload.max_distance_km,
    )
    campaign = campaign_create(actor=user, data=data)
    campaign = get_campaign_for_user(user=user, pk=campaign.pk)
    return Status(201, _campaign_detail(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut)
def campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """A campaign with, per frontline kind, its target and its number of active deployments."""
    return _campaign_detail(get_campaign_for_user(user=_user(request), pk=campaign_id))


# --- working groups ---------------------------------------------------------------------------


class WorkingGroupOut(Schema):
    id: int
    campaign_id: int
    name: str
    leader_id: int
    leader_name: str = Field(..., alias="leader.name")
    member_ids: list[int]
    post_id: int | None
    region_code: str | None = Field(None, alias="region_id")
    forms_party_branch: bool
    version: int

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[int]:
        return [m.pk for m in obj.members.all()]


class WorkingGroupIn(Schema):
    campaign_id: int
    name: str
    leader_id: int
    member_ids: list[int] = Field(default_factory=list)
    post_id: int | None = None
    forms_party_branch: bool = False


@router.get("/working-groups", response=list[WorkingGroupOut])
@paginate(LimitOffsetPagination)
def working_groups(request: HttpRequest, campaign: int | None = None) -> Any:
    """List the working groups of the campaigns within your scope."""
    return working_group_list(user=_user(request), campaign_id=campaign).prefetch_related("members")


@router.get("/working-groups/{group_id}", response=WorkingGroupOut)
def working_group(request: HttpRequest, group_id: int) -> Any:
    return get_working_group_for_user(user=_user(request), pk=group_id)


@router.post("/working-groups", response={201: WorkingGroupOut})
def working_group_new(request: HttpRequest, payload: WorkingGroupIn) -> Status[Any]:
    """Create a working group; a temporary Party branch needs at least three Party members."""
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=payload.campaign_id)
    leader = get_cadre_for_user(user=user, pk=payload.leader_id)
    members = [get_cadre_for_user(user=user, pk=pk) for pk in payload.member_ids]
    post = get_post_for_user(user=user, pk=payload.post_id) if payload.post_id else None
    group = working_group_create(
        actor=user,
        campaign=campaign,
        data=WorkingGroupData(
            name=payload.name,
            leader=leader,
            members=members,
            post=post,
            forms_party_branch=payload.forms_party_branch,
        ),
    )
    return Status(201, get_working_group_for_user(user=user, pk=group.pk))


# --- deployments ------------------------------------------------------------------------------


class DeploymentOut(Schema):
    id: int
    campaign_id: int | None
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    post_id: int
    post_name: str = Field(..., alias="post.name")
    post_kind: str = Field(..., alias="post.kind")
    role: str = Field(..., alias="role.code")
    role_name: str = Field(..., alias="role.name")
    working_group_id: int | None
    start_date: date
    planned_end: date | None
    ended_on: date | None
    is_full_time: bool
    status: str
    previous_id: int | None
    source: str
    version: int


class DeploymentIn(Schema):
    cadre_id: int
    post_id: int
    role: str = Field(..., description="role code, e.g. project_commissioner")
    start_date: date
    planned_end: date | None = None
    is_full_time: bool = True
    campaign_id: int | None = None
    working_group_id: int | None = None
    note: str = ""


class DeploymentEndIn(Schema):
    version: int
    ended_on: date | None = None
    note: str = ""


class DeploymentExtendIn(Schema):
    version: int
    planned_end: date
    note: str = ""


class DeploymentTransferIn(Schema):
    version: int
    post_id: int
    role: str | None = None
    on: date | None = None
    planned_end: date | None = None
    note: str = ""


def _role(code: str) -> DeploymentRole:
    return get_object_or_404(DeploymentRole, code=code)


@router.get("/deployments", response=list[DeploymentOut])
@paginate(LimitOffsetPagination)
def deployments(
    request: HttpRequest,
    campaign: int | None = None,
    role: str = "",
    post: int | None = None,
    cadre: int | None = None,
    status: str = "",
) -> Any:
    """List the deployments whose cadre or post is within your scope; filter by campaign, role, post, cadre."""
    role_id = None
    if role:
        role_obj = DeploymentRole.objects.filter(code=role).first()
        role_id = role_obj.pk if role_obj else -1
    return deployment_list(
        user=_user(request), campaign_id=campaign, role_id=role_id, post_id=post, cadre_id=cadre, status=status
    )


@router.get("/deployments/{deployment_id}", response=DeploymentOut)
def deployment(request: HttpRequest, deployment_id: int) -> Any:
    return get_deployment_for_user(user=_user(request), pk=deployment_id)


@router.post("/deployments", response={201: DeploymentOut})
def deployment_new(request: HttpRequest, payload: DeploymentIn) -> Status[Any]:
    """Deploy a cadre; a second active full-time deployment of the same cadre is refused."""
    user = _user(request)
    campaign_obj = get_campaign_for_user(user=user, pk=payload.campaign_id) if payload.campaign_id else None
    group = get_working_group_for_user(user=user, pk=payload.working_group_id) if payload.working_group_id else None
    created = deployment_create(
        actor=user,
        cadre=get_cadre_for_user(user=user, pk=payload.cadre_id),
        post=get_post_for_user(user=user, pk=payload.post_id),
        role=_role(payload.role),
        start_date=payload.start_date,
        planned_end=payload.planned_end,
        is_full_time=payload.is_full_time,
        campaign=campaign_obj,
        working_group=group,
        note=payload.note,
    )
    return Status(201, get_deployment_for_user(user=user, pk=created.pk))


@router.post("/deployments/{deployment_id}/end", response=DeploymentOut)
def deployment_end_api(request: HttpRequest, deployment_id: int, payload: DeploymentEndIn) -> Any:
    user = _user(request)
    current = get_deployment_for_user(user=user, pk=deployment_id)
    deployment_end(
        actor=user, deployment=current, ended_on=payload.ended_on, expected_version=payload.version, note=payload.note
    )
    return get_deployment_for_user(user=user, pk=deployment_id)


@router.post("/deployments/{deployment_id}/extend", response=DeploymentOut)
def deployment_extend_api(request: HttpRequest, deployment_id: int, payload: DeploymentExtendIn) -> Any:
    """Close the current term as extended and return the new, linked term."""
    user = _user(request)
    current = get_deployment_for_user(user=user, pk=deployment_id)
    new = deployment_extend(
        actor=user,
        deployment=current,
        planned_end=payload.planned_end,
        expected_version=payload.version,
        note=payload.note,
    )
    return get_deployment_for_user(user=user, pk=new.pk)


@router.post("/deployments/{deployment_id}/transfer", response=DeploymentOut)
def deployment_transfer_api(request: HttpRequest, deployment_id: int, payload: DeploymentTransferIn) -> Any:
    """Close the current term as transferred and return the new, linked term at the new post."""
    user = _user(request)
    current = get_deployment_for_user(user=user, pk=deployment_id)
    new = deployment_transfer(
        actor=user,
        deployment=current,
        post=get_post_for_user(user=user, pk=payload.post_id),
        role=_role(payload.role) if payload.role else None,
        expected_version=payload.version,
        on=payload.on,
        planned_end=payload.planned_end,
        note=payload.note,
    )
    return get_deployment_for_user(user=user, pk=new.pk)


# --- responsibility assignments (包保) -----------------------------------------------------------


class ResponsibilityOut(Schema):
    id: int
    campaign_id: int | None
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    post_id: int
    post_name: str = Field(..., alias="post.name")
    parent_post_id: int | None = Field(None, alias="post.parent_id")
    level: str
    start_date: date
    end_date: date | None
    ended_on: date | None
    note: str
    version: int


class ResponsibilityIn(Schema):
    cadre_id: int
    post_id: int
    level: str = Field(..., description="leadership (a key project) or deputy_section (a sub-project)")
    start_date: date
    end_date: date | None = None
    campaign_id: int | None = None
    note: str = ""


class ResponsibilityEndIn(Schema):
    version: int
    ended_on: date | None = None
    note: str = ""


@router.get("/responsibilities", response=list[ResponsibilityOut])
@paginate(LimitOffsetPagination)
def responsibilities(
    request: HttpRequest,
    campaign: int | None = None,
    cadre: int | None = None,
    post: int | None = None,
    level: str = "",
    status: str = "",
) -> Any:
    """List the 包保 assignments whose cadre or project is within your scope.

    Filter by campaign, cadre, post (a key project includes its sub-projects), level, and status
    (`current` or `ended`; both when empty).
    """
    return responsibility_list(
        user=_user(request), campaign_id=campaign, cadre_id=cadre, post_id=post, level=level, status=status
    )


@router.get("/responsibilities/{assignment_id}", response=ResponsibilityOut)
def responsibility(request: HttpRequest, assignment_id: int) -> Any:
    return get_responsibility_for_user(user=_user(request), pk=assignment_id)


@router.post("/responsibilities", response={201: ResponsibilityOut})
def responsibility_new(request: HttpRequest, payload: ResponsibilityIn) -> Status[Any]:
    """Record that a cadre answers for a key project (leadership) or a sub-project (deputy-section level)."""
    user = _user(request)
    created = responsibility_create(
        actor=user,
        cadre=get_cadre_for_user(user=user, pk=payload.cadre_id),
        post=get_post_for_user(user=user, pk=payload.post_id),
        level=payload.level,
        start_date=payload.start_date,
        end_date=payload.end_date,
        campaign=get_campaign_for_user(user=user, pk=payload.campaign_id) if payload.campaign_id else None,
        note=payload.note,
    )
    return Status(201, get_responsibility_for_user(user=user, pk=created.pk))


@router.post("/responsibilities/{assignment_id}/end", response=ResponsibilityOut)
def responsibility_end_api(request: HttpRequest, assignment_id: int, payload: ResponsibilityEndIn) -> Any:
    """End a 包保 assignment (today unless `ended_on` says otherwise); it stays in the list as history."""
    user = _user(request)
    responsibility_end(
        actor=user,
        assignment=get_responsibility_for_user(user=user, pk=assignment_id),
        ended_on=payload.ended_on,
        expected_version=payload.version,
        note=payload.note,
    )
    return get_responsibility_for_user(user=user, pk=assignment_id)


# --- post needs -------------------------------------------------------------------------------


class PostNeedOut(Schema):
    id: int
    post_id: int
    campaign_id: int | None
    role: str = Field(..., alias="role.code")
    role_name: str = Field(..., alias="role.name")
    min_count: int
    max_count: int
    preferred_unit_ids: list[int]
    expertise: list[str]
    rank_min: int | None
    rank_max: int | None
    min_party_members: int
    max_distance_km: int | None
    note: str
    submitted_by_requester: bool
    requester_contact: str
    version: int

    @staticmethod
    def resolve_preferred_unit_ids(obj: PostNeed) -> list[int]:
        return [u.pk for u in obj.preferred_units.all()]

    @staticmethod
    def resolve_expertise(obj: PostNeed) -> list[str]:
        return [t.name for t in obj.expertise.all()]


class PostNeedIn(Schema):
    role: str
    min_count: int = 1
    max_count: int = 1
    preferred_unit_ids: list[int] = Field(default_factory=list)
    expertise: list[str] = Field(default_factory=list, description="names of existing expertise tags")
    rank_min: int | None = None
    rank_max: int | None = None
    min_party_members: int = 0
    max_distance_km: int | None = None
    note: str = ""
    campaign_id: int | None = None
    submitted_by_requester: bool = False
    requester_contact: str = ""


@router.get("/posts/{post_id}/needs", response=list[PostNeedOut])
@paginate(LimitOffsetPagination)
def post_needs(request: HttpRequest, post_id: int) -> Any:
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    return post_need_list(user=user, post_id=post.pk)


@router.post("/posts/{post_id}/needs", response={201: PostNeedOut})
def post_need_new(request: HttpRequest, post_id: int, payload: PostNeedIn) -> Status[Any]:
    """State what a post needs; needs no team could satisfy are refused with the reason."""
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    units = list(unit_list(user=user).filter(pk__in=payload.preferred_unit_ids))
    if len(units) != len(set(payload.preferred_unit_ids)):
        raise Http404  # a preferred unit outside the scope is as good as missing
    need = post_need_create(
        actor=user,
        post=post,
        data=PostNeedData(
            role=_role(payload.role),
            min_count=payload.min_count,
            max_count=payload.max_count,
            preferred_units=units,
            expertise=list(ExpertiseTag.objects.filter(name__in=payload.expertise)),
            rank_min=payload.rank_min,
            rank_max=payload.rank_max,
            min_party_members=payload.min_party_members,
            max_distance_km=payload.max_distance_km,
            note=payload.note,
            campaign=get_campaign_for_user(user=user, pk=payload.campaign_id) if payload.campaign_id else None,
            submitted_by_requester=payload.submitted_by_requester,
            requester_contact=payload.requester_contact,
        ),
    )
    return Status(201, post_need_list(user=user).get(pk=need.pk))


class RequesterLinkOut(Schema):
    post_id: int
    url: str = Field(..., description="the public form; no login, rate-limited per client address")
    unit_id: int
    submissions: int
    rotated_at: datetime


def _link_out(request: HttpRequest, link: RequesterLink) -> dict[str, Any]:
    return {
        "post_id": link.post_id,
        "url": request.build_absolute_uri(link.get_absolute_url()),
        "unit_id": link.unit_id,
        "submissions": link.submissions,
        "rotated_at": link.rotated_at,
    }


@router.get("/posts/{post_id}/requester-link", response=RequesterLinkOut)
def requester_link(request: HttpRequest, post_id: int) -> dict[str, Any]:
    """The post's public "which department would you like a cadre from?" form link (404 when it has none)."""
    post = get_post_for_user(user=_user(request), pk=post_id)
    return _link_out(request, get_object_or_404(RequesterLink, post=post))


@router.post("/posts/{post_id}/requester-link", response={201: RequesterLinkOut})
def requester_link_rotate_api(request: HttpRequest, post_id: int) -> Status[Any]:
    """Create the post's public form link, or replace it: the old link answers 404 from now on."""
    user = _user(request)
    link = requester_link_rotate(actor=user, post=get_post_for_user(user=user, pk=post_id))
    return Status(201, _link_out(request, link))


@router.delete("/posts/{post_id}/requester-link", response={204: None})
def requester_link_withdraw_api(request: HttpRequest, post_id: int) -> Status[None]:
    """Withdraw the post's public form link."""
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    requester_link_withdraw(actor=user, link=get_object_or_404(RequesterLink, post=post))
    return Status(204, None)


# --- matching runs ----------------------------------------------------------------------------


class MatchingRunOut(Schema):
    id: int
    campaign_id: int
    status: str
    progress: int
    stage: str
    params: dict[str, Any]
    result: dict[str, Any]
    error: str
    previous_run_id: int | None
    created_at: datetime
    finished_at: datetime | None
    approved_at: datetime | None
    approved_by_id: int | None
    version: int


class MatchingRunIn(Schema):
    unit_ids: list[int] = Field(default_factory=list, description="home units (with subtrees) of the pool")
    tag_ids: list[int] = Field(default_factory=list, description="the pool needs one of these expertise tags")
    full_time: bool = True
    start_date: date | None = None


class ApproveIn(Schema):
    version: int | None = None


class AdjustIn(Schema):
    cadre_id: int
    post_id: int
    kind: str = Field(..., description="pin or forbid")
    reason: str = ""


class ApproveOut(Schema):
    run: MatchingRunOut
    status_url: str = Field(..., description="poll it until the run's status is approved (or done with an error)")


@router.post("/campaigns/{campaign_id}/matching-runs", response={202: MatchingRunOut})
def matching_run_new(request: HttpRequest, campaign_id: int, payload: MatchingRunIn) -> Status[Any]:
    """Start a matching run in the background; poll GET /matching-runs/{id} for progress and result."""
    user = _user(request)
    campaign_obj = get_campaign_for_user(user=user, pk=campaign_id)
    for unit_id in payload.unit_ids:
        get_unit_for_user(user=user, pk=unit_id)
    run = matching_run_start(
        actor=user,
        campaign=campaign_obj,
        params=RunParams(
            unit_ids=tuple(payload.unit_ids),
            tag_ids=tuple(payload.tag_ids),
            full_time=payload.full_time,
            start_date=payload.start_date,
        ),
    )
    return Status(202, run)


@router.get("/matching-runs/{run_id}", response=MatchingRunOut, url_name="matching_run")
def matching_run(request: HttpRequest, run_id: int) -> MatchingRun:
    """A run's status, progress and — once done — its result with reasons and explanations."""
    return get_matching_run_for_user(user=_user(request), pk=run_id)


@router.post("/matching-runs/{run_id}/adjust", response={202: MatchingRunOut})
def matching_run_adjust_api(request: HttpRequest, run_id: int, payload: AdjustIn) -> Status[Any]:
    """Pin or forbid a cadre–post pair and start a new run that replaces this one."""
    user = _user(request)
    run = get_matching_run_for_user(user=user, pk=run_id)
    new_run = matching_run_adjust(
        actor=user,
        run=run,
        cadre=get_cadre_for_user(user=user, pk=payload.cadre_id),
        post=get_post_for_user(user=user, pk=payload.post_id),
        kind=payload.kind,
        reason=payload.reason,
    )
    return Status(202, new_run)


@router.post("/matching-runs/{run_id}/approve", response={202: ApproveOut})
def matching_run_approve_api(request: HttpRequest, run_id: int, payload: ApproveIn) -> Status[Any]:
    """Approve the plan. The deployments are created, moved and ended in the background, all or nothing;
    poll `status_url` until the status is `approved`, or `done` again with the reason in `error`.
    A run is approved only once."""
    user = _user(request)
    run = matching_run_approve(
        actor=user, run=get_matching_run_for_user(user=user, pk=run_id), expected_version=payload.version
    )
    status_url = reverse("api:matching_run", kwargs={"run_id": run.pk})
    return Status(202, {"run": run, "status_url": status_url})
