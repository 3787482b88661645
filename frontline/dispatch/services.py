"""Every write of manual dispatch: campaigns, working groups, deployments, 包保 and post needs.

Each service validates, checks the actor's data scope and edit right, writes, and records an
audit row in the same transaction. Matching runs have their own module, `runs.py`.
"""

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.cadres.models import Cadre, ExpertiseTag, Rank
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.access import access_for
from frontline.core.audit import audit, diff, snapshot
from frontline.core.context import current_ip
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, AuditLog, User
from frontline.dispatch.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    Deployment,
    DeploymentRole,
    DeploymentSource,
    DeploymentStatus,
    FrontlineKind,
    MatchingRun,
    PostNeed,
    RequesterLink,
    ResponsibilityAssignment,
    ResponsibilityLevel,
    WorkingGroup,
)
from frontline.org.models import Region, Unit, UnitKind
from frontline.org.selectors import unit_list
from frontline.posts.models import Post, PostKind
from frontline.posts.selectors import post_scope_q

PARTY_BRANCH_MIN_MEMBERS = 3  # a Party branch needs at least three full members (党章 第三十条)


class DispatchValidationError(ApplicationError):
    """Field-level errors: {field: message}, each in the user's language and actionable."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()), code="invalid", extra={"errors": dict(errors)})
        self.errors = dict(errors)


# --- scope and permission guards -------------------------------------------------------------


def require_dispatch_right(actor: User | None) -> None:
    if actor is not None and not access_for(actor).can_edit:
        raise ApplicationError(_("您的角色没有选派权限。"), code="forbidden")


def require_cadres_in_scope(actor: User | None, cadres: Iterable[Cadre]) -> None:
    if actor is None:
        return
    ids = {c.pk for c in cadres}
    if not ids:
        return
    visible = set(Cadre.objects.filter(cadre_scope_q(actor), pk__in=ids).values_list("pk", flat=True))
    missing = [c for c in cadres if c.pk not in visible]
    if missing:
        raise ApplicationError(_("干部“%(name)s”不在您的管理范围内。") % {"name": missing[0].name}, code="out_of_scope")


def require_post_in_scope(actor: User | None, post: Post) -> None:
    if actor is not None and not Post.objects.filter(post_scope_q(actor), pk=post.pk).exists():
        raise ApplicationError(_("阵地“%(name)s”不在您的管理范围内。") % {"name": post.name}, code="out_of_scope")


def require_unit_in_scope(actor: User | None, unit: Unit) -> None:
    if actor is not None and not unit_list(user=actor).filter(pk=unit.pk).exists():
        raise ApplicationError(_("单位“%(name)s”不在您的管理范围内。") % {"name": unit.name}, code="out_of_scope")


def _actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _lock[M: (Campaign, WorkingGroup, Deployment, PostNeed)](
    model: type[M], pk: int, expected_version: int | None
) -> M:
    """Lock the row and check that nobody changed it since `expected_version` was read."""
    locked = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该记录已被他人修改，请刷新页面查看最新内容后再操作。"), current_version=locked.version)
    return locked


# --- campaigns --------------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "name",
    "organizing_unit_id",
    "start_date",
    "end_date",
    "description",
    "status",
    "weight_department",
    "weight_expertise",
    "weight_distance_per_km",
    "weight_continuity",
    "max_distance_km",
)


@dataclass
class CampaignData:
    name: str
    organizing_unit: Unit
    start_date: date
    end_date: date | None = None
    description: str = ""
    status: str = CampaignStatus.DRAFT
    weight_department: int = 100
    weight_expertise: int = 40
    weight_distance_per_km: int = 2
    weight_continuity: int = 60
    max_distance_km: int | None = None
    targets: dict[str, int] = field(default_factory=dict)


def _validate_campaign(data: CampaignData) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写行动名称。")
    elif len(data.name.strip()) > 100:
        errors["name"] = _("行动名称不能超过 100 个字符。")
    if data.end_date is not None and data.end_date < data.start_date:
        errors["end_date"] = _("结束日期不能早于开始日期。")
    if data.status not in CampaignStatus.values:
        errors["status"] = _("状态无效。")
    for kind, target in data.targets.items():
        if kind not in FrontlineKind.values:
            errors["targets"] = _("一线类型“%(kind)s”无效，可选：进企业、进项目、进乡村、进社区。") % {"kind": kind}
        elif target < 0:
            errors["targets"] = _("目标人数不能为负数。")
    for name in ("weight_department", "weight_expertise", "weight_distance_per_km", "weight_continuity"):
        if getattr(data, name) < 0:
            errors[name] = _("权重不能为负数。")
    if errors:
        raise DispatchValidationError(errors)


def _apply_campaign(campaign: Campaign, data: CampaignData) -> None:
    campaign.name = data.name.strip()
    campaign.organizing_unit = data.organizing_unit
    campaign.start_date = data.start_date
    campaign.end_date = data.end_date
    campaign.description = data.description.strip()
    campaign.status = data.status
    campaign.weight_department = data.weight_department
    campaign.weight_expertise = data.weight_expertise
    campaign.weight_distance_per_km = data.weight_distance_per_km
    campaign.weight_continuity = data.weight_continuity
    campaign.max_distance_km = data.max_distance_km


def _set_targets(campaign: Campaign, targets: Mapping[str, int]) -> dict[str, tuple[int | None, int | None]]:
    """Replace the campaign's targets; return {kind: (old, new)} for those that changed."""
    before = dict(campaign.targets.values_list("kind", "target"))
    wanted = {kind: n for kind, n in targets.items() if n}
    campaign.targets.exclude(kind__in=list(wanted)).delete()
    for kind, n in wanted.items():
        CampaignTarget.objects.update_or_create(campaign=campaign, kind=kind, defaults={"target": n})
    return {
        f"target_{kind}": (before.get(kind), wanted.get(kind))
        for kind in FrontlineKind.values
        if before.get(kind) != wanted.get(kind)
    }


@transaction.atomic
def campaign_create(*, actor: User | None, data: CampaignData) -> Campaign:
    """Create a campaign with its targets per frontline kind."""
    require_dispatch_right(actor)
    _validate_campaign(data)
    require_unit_in_scope(actor, data.organizing_unit)
    campaign = Campaign(created_by=_actor_or_none(actor))
    _apply_campaign(campaign, data)
    campaign.save()
    target_changes = _set_targets(campaign, data.targets)
    after = snapshot(campaign, CAMPAIGN_FIELDS)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=campaign,
        changes={k: (None, v) for k, v in after.items() if v not in (None, "")} | target_changes,
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: User | None, campaign: Campaign, data: CampaignData, expected_version: int) -> Campaign:
    """Update a campaign and its targets if nobody changed it since `expected_version`."""
    require_dispatch_right(actor)
    locked = _lock(Campaign, campaign.pk, expected_version)
    _validate_campaign(data)
    require_unit_in_scope(actor, data.organizing_unit)
    before = snapshot(locked, CAMPAIGN_FIELDS)
    _apply_campaign(locked, data)
    locked.version += 1
    locked.save()
    changes = diff(before, snapshot(locked, CAMPAIGN_FIELDS)) | _set_targets(locked, data.targets)
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


# --- working groups ---------------------------------------------------------------------------


@dataclass
class WorkingGroupData:
    name: str
    leader: Cadre
    members: list[Cadre] = field(default_factory=list)
    post: Post | None = None
    region: Region | None = None
    forms_party_branch: bool = False


def _validate_working_group(data: WorkingGroupData) -> list[Cadre]:
    """Return the members with the leader included; refuse a Party branch without three Party members."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写工作组名称。")
    members = list({c.pk: c for c in [data.leader, *data.members]}.values())
    if data.forms_party_branch:
        party = [c for c in members if c.is_party_member]
        if len(party) < PARTY_BRANCH_MIN_MEMBERS:
            errors["forms_party_branch"] = _(
                "成立临时党支部需要至少 %(need)d 名党员，当前成员（含组长）中只有 %(have)d 名党员。"
                "请增加党员成员，或取消“成立临时党支部”。"
            ) % {"need": PARTY_BRANCH_MIN_MEMBERS, "have": len(party)}
    if errors:
        raise DispatchValidationError(errors)
    return members


@transaction.atomic
def working_group_create(*, actor: User | None, campaign: Campaign, data: WorkingGroupData) -> WorkingGroup:
    """Create a working group; the leader is always one of its members."""
    require_dispatch_right(actor)
    members = _validate_working_group(data)
    require_cadres_in_scope(actor, members)
    if data.post is not None:
        require_post_in_scope(actor, data.post)
    if WorkingGroup.objects.filter(campaign=campaign, name=data.name.strip()).exists():
        raise DispatchValidationError({"name": _("本行动已有同名工作组，请换一个名称。")})
    group = WorkingGroup.objects.create(
        campaign=campaign,
        name=data.name.strip(),
        leader=data.leader,
        post=data.post,
        region=data.region,
        forms_party_branch=data.forms_party_branch,
        created_by=_actor_or_none(actor),
    )
    group.members.set(members)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=group,
        changes={
            "campaign": (None, campaign.name),
            "leader": (None, data.leader.name),
            "members": (None, sorted(c.name for c in members)),
            "post": (None, data.post.name if data.post else None),
            "region": (None, data.region.name if data.region else None),
            "forms_party_branch": (None, data.forms_party_branch),
        },
    )
    return group


@transaction.atomic
def working_group_update(
    *, actor: User | None, group: WorkingGroup, data: WorkingGroupData, expected_version: int
) -> WorkingGroup:
    """Update a working group's leader, members, place and Party branch flag."""
    require_dispatch_right(actor)
    locked = _lock(WorkingGroup, group.pk, expected_version)
    members = _validate_working_group(data)
    require_cadres_in_scope(actor, members)
    if data.post is not None:
        require_post_in_scope(actor, data.post)
    name = data.name.strip()
    if WorkingGroup.objects.filter(campaign_id=locked.campaign_id, name=name).exclude(pk=locked.pk).exists():
        raise DispatchValidationError({"name": _("本行动已有同名工作组，请换一个名称。")})
    fields = ("name", "leader_id", "post_id", "region_id", "forms_party_branch")
    before = snapshot(locked, fields)
    before_members = sorted(locked.members.values_list("name", flat=True))
    locked.name = name
    locked.leader = data.leader
    locked.post = data.post
    locked.region = data.region
    locked.forms_party_branch = data.forms_party_branch
    locked.version += 1
    locked.save()
    locked.members.set(members)
    changes = diff(before, snapshot(locked, fields))
    after_members = sorted(c.name for c in members)
    if after_members != before_members:
        changes["members"] = (before_members, after_members)
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


# --- deployments ------------------------------------------------------------------------------

DEPLOYMENT_FIELDS = (
    "campaign_id",
    "cadre_id",
    "post_id",
    "role_id",
    "working_group_id",
    "start_date",
    "planned_end",
    "ended_on",
    "is_full_time",
    "status",
    "previous_id",
    "source",
    "note",
)


def role_kind_error(role: DeploymentRole, post: Post) -> str | None:
    """Return why `role` cannot be taken at `post`, or None."""
    if not role.is_active:
        return _("角色“%(role)s”已停用。") % {"role": role.name}
    if role.applies_to(post.kind):
        return None
    return _("角色“%(role)s”不适用于%(kind)s类阵地（适用于：%(kinds)s）。") % {
        "role": role.name,
        "kind": PostKind(post.kind).label,
        "kinds": "、".join(role.post_kind_labels()),
    }


def _full_time_conflict(cadre: Cadre, *, exclude_pk: int | None = None) -> Deployment | None:
    qs = Deployment.objects.filter(cadre=cadre, status=DeploymentStatus.ACTIVE, is_full_time=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("post").first()


def _full_time_message(cadre: Cadre, existing: Deployment) -> str:
    return _(
        "%(cadre)s已在“%(post)s”全脱产下沉（%(start)s 起），同一时间只能有一个全脱产任职。"
        "请先结束或调岗原任职，或改为兼职下沉。"
    ) % {"cadre": cadre.name, "post": existing.post.name, "start": existing.start_date.isoformat()}


def _save_deployment(deployment: Deployment) -> None:
    """Save, turning a lost race on the database constraints into a message."""
    try:
        with transaction.atomic():
            deployment.save()
    except IntegrityError as exc:
        if deployment.is_full_time and _full_time_conflict(deployment.cadre, exclude_pk=deployment.pk):
            existing = _full_time_conflict(deployment.cadre, exclude_pk=deployment.pk)
            assert existing is not None
            raise ApplicationError(_full_time_message(deployment.cadre, existing), code="full_time_conflict") from exc
        raise ApplicationError(
            _("%(cadre)s已在“%(post)s”任职，不能重复选派。")
            % {"cadre": deployment.cadre.name, "post": deployment.post.name},
            code="duplicate",
        ) from exc


def _check_new_term(
    *,
    cadre: Cadre,
    post: Post,
    role: DeploymentRole,
    start_date: date,
    planned_end: date | None,
    is_full_time: bool,
    campaign: Campaign | None,
    replacing: Deployment | None = None,
) -> None:
    errors: dict[str, str] = {}
    kind_error = role_kind_error(role, post)
    if kind_error:
        errors["role"] = kind_error
    if planned_end is not None and planned_end < start_date:
        errors["planned_end"] = _("计划结束日期不能早于开始日期。")
    if is_full_time and not cadre.full_time_eligible:
        errors["is_full_time"] = _("%(cadre)s未登记为可全脱产，只能兼职下沉。") % {"cadre": cadre.name}
    if campaign is not None and campaign.status == CampaignStatus.CLOSED:
        errors["campaign"] = _("行动“%(name)s”已结束，不能再选派。") % {"name": campaign.name}
    if errors:
        raise DispatchValidationError(errors)
    if is_full_time:
        existing = _full_time_conflict(cadre, exclude_pk=replacing.pk if replacing else None)
        if existing is not None:
            raise ApplicationError(_full_time_message(cadre, existing), code="full_time_conflict")
    duplicate = Deployment.objects.filter(cadre=cadre, post=post, status=DeploymentStatus.ACTIVE)
    if replacing is not None:
        duplicate = duplicate.exclude(pk=replacing.pk)
    if duplicate.exists():
        raise ApplicationError(
            _("%(cadre)s已在“%(post)s”任职，不能重复选派。") % {"cadre": cadre.name, "post": post.name},
            code="duplicate",
        )


@transaction.atomic
def deployment_create(
    *,
    actor: User | None,
    cadre: Cadre,
    post: Post,
    role: DeploymentRole,
    start_date: date,
    planned_end: date | None = None,
    is_full_time: bool = True,
    campaign: Campaign | None = None,
    working_group: WorkingGroup | None = None,
    note: str = "",
    source: str = DeploymentSource.MANUAL,
    matching_run: MatchingRun | None = None,
) -> Deployment:
    """Deploy a cadre to a post in a role; at most one active full-time deployment per cadre."""
    require_dispatch_right(actor)
    require_cadres_in_scope(actor, [cadre])
    require_post_in_scope(actor, post)
    # Serialize concurrent dispatches of the same cadre; the partial unique index is the backstop.
    Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
    _check_new_term(
        cadre=cadre,
        post=post,
        role=role,
        start_date=start_date,
        planned_end=planned_end,
        is_full_time=is_full_time,
        campaign=campaign,
    )
    if working_group is not None and campaign is not None and working_group.campaign_id != campaign.pk:
        raise DispatchValidationError({"working_group": _("工作组不属于该行动。")})
    deployment = Deployment(
        campaign=campaign,
        cadre=cadre,
        post=post,
        role=role,
        working_group=working_group,
        start_date=start_date,
        planned_end=planned_end,
        is_full_time=is_full_time,
        source=source,
        matching_run=matching_run,
        note=note.strip()[:300],
        created_by=_actor_or_none(actor),
    )
    _save_deployment(deployment)
    after = snapshot(deployment, DEPLOYMENT_FIELDS)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=deployment,
        changes={k: (None, v) for k, v in after.items() if v not in (None, "")},
    )
    return deployment


@dataclass(frozen=True)
class NewDeployment:
    cadre: Cadre
    post: Post
    role: DeploymentRole


@transaction.atomic
def deployment_bulk_create(
    *,
    actor: User | None,
    items: Sequence[NewDeployment],
    start_date: date,
    planned_end: date | None = None,
    is_full_time: bool = True,
    campaign: Campaign | None = None,
    source: str = DeploymentSource.MANUAL,
    matching_run: MatchingRun | None = None,
) -> list[Deployment]:
    """Create many deployments with the checks of `deployment_create`, in a fixed number of queries.

    All or nothing: if any item breaks a rule, nothing is written and the error lists every item
    with its reason. Each deployment gets its own audit row.
    """
    require_dispatch_right(actor)
    if not items:
        return []
    cadres = [item.cadre for item in items]
    require_cadres_in_scope(actor, cadres)
    post_ids = {item.post.pk for item in items}
    if actor is not None:
        visible = set(Post.objects.filter(post_scope_q(actor), pk__in=post_ids).values_list("pk", flat=True))
        outside = [item.post for item in items if item.post.pk not in visible]
        if outside:
            raise ApplicationError(
                _("阵地“%(name)s”不在您的管理范围内。") % {"name": outside[0].name}, code="out_of_scope"
            )
    cadre_ids = [c.pk for c in cadres]
    list(Cadre.objects.select_for_update().filter(pk__in=cadre_ids).values_list("pk", flat=True))
    busy: dict[int, Deployment] = {}
    if is_full_time:
        busy = {
            d.cadre_id: d
            for d in Deployment.objects.filter(
                cadre_id__in=cadre_ids, status=DeploymentStatus.ACTIVE, is_full_time=True
            ).select_related("post")
        }
    taken = set(
        Deployment.objects.filter(cadre_id__in=cadre_ids, status=DeploymentStatus.ACTIVE).values_list(
            "cadre_id", "post_id"
        )
    )
    problems: list[str] = []
    if campaign is not None and campaign.status == CampaignStatus.CLOSED:
        problems.append(_("行动“%(name)s”已结束，不能再选派。") % {"name": campaign.name})
    if planned_end is not None and planned_end < start_date:
        problems.append(_("计划结束日期不能早于开始日期。"))
    seen: set[int] = set()
    for item in items:
        cadre = item.cadre
        why = role_kind_error(item.role, item.post)
        if why is None and cadre.pk in seen:
            why = _("同一批次中重复出现。")
        if why is None and is_full_time and not cadre.full_time_eligible:
            why = _("%(cadre)s未登记为可全脱产，只能兼职下沉。") % {"cadre": cadre.name}
        if why is None and cadre.pk in busy:
            why = _full_time_message(cadre, busy[cadre.pk])
        if why is None and (cadre.pk, item.post.pk) in taken:
            why = _("%(cadre)s已在“%(post)s”任职，不能重复选派。") % {"cadre": cadre.name, "post": item.post.name}
        if why is not None:
            problems.append(f"{cadre.name}：{why}")
        seen.add(cadre.pk)
    if problems:
        raise ApplicationError("；".join(problems[:10]), code="invalid", extra={"problems": problems})
    created_by = _actor_or_none(actor)
    deployments = [
        Deployment(
            campaign=campaign,
            cadre=item.cadre,
            post=item.post,
            role=item.role,
            start_date=start_date,
            planned_end=planned_end,
            is_full_time=is_full_time,
            source=source,
            matching_run=matching_run,
            created_by=created_by,
        )
        for item in items
    ]
    try:
        with transaction.atomic():
            Deployment.objects.bulk_create(deployments, batch_size=500)
    except IntegrityError as exc:
        raise ApplicationError(
            _("有干部在此期间已被选派到其他阵地，未做任何选派，请刷新后重试。"), code="full_time_conflict"
        ) from exc
    audit_many(
        actor=actor,
        action=AuditAction.CREATE,
        rows=[
            (
                d,
                {
                    "campaign_id": (None, d.campaign_id),
                    "cadre_id": (None, d.cadre_id),
                    "post_id": (None, d.post_id),
                    "role_id": (None, d.role_id),
                    "start_date": (None, d.start_date.isoformat()),
                    "planned_end": (None, d.planned_end.isoformat() if d.planned_end else None),
                    "is_full_time": (None, d.is_full_time),
                    "source": (None, d.source),
                },
            )
            for d in deployments
        ],
    )
    return deployments


def audit_many(
    *,
    actor: User | None,
    action: str,
    rows: Sequence[tuple[models.Model, Mapping[str, tuple[Any, Any]]]],
    note: str = "",
) -> None:
    """Write one audit row per object in one INSERT, in the caller's transaction (like `audit`)."""
    who = _actor_or_none(actor)
    ip = current_ip.get()
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=who,
                actor_name=who.get_username() if who is not None else "",
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                changes={k: [v[0], v[1]] for k, v in changes.items()},
                ip=ip,
                note=note[:500],
            )
            for obj, changes in rows
        ],
        batch_size=500,
    )


def _close(deployment: Deployment, *, status: str, on: date, note: str = "") -> None:
    if deployment.status != DeploymentStatus.ACTIVE:
        raise ApplicationError(
            _("该任职已%(status)s，不能再次操作。") % {"status": DeploymentStatus(deployment.status).label},
            code="not_active",
        )
    if on < deployment.start_date:
        raise DispatchValidationError(
            {"ended_on": _("结束日期不能早于任职开始日期 %(start)s。") % {"start": deployment.start_date.isoformat()}}
        )
    deployment.status = status
    deployment.ended_on = on
    if note:
        deployment.note = note.strip()[:300]
    deployment.version += 1
    deployment.save()


@transaction.atomic
def deployment_end(
    *, actor: User | None, deployment: Deployment, ended_on: date | None = None, expected_version: int, note: str = ""
) -> Deployment:
    """End an active deployment; the row stays as history."""
    require_dispatch_right(actor)
    locked = _lock(Deployment, deployment.pk, expected_version)
    require_cadres_in_scope(actor, [locked.cadre])
    before = snapshot(locked, DEPLOYMENT_FIELDS)
    _close(locked, status=DeploymentStatus.ENDED, on=ended_on or timezone.localdate(), note=note)
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, DEPLOYMENT_FIELDS)))
    return locked


def _successor(old: Deployment, *, actor: User | None, **changes: object) -> Deployment:
    new = Deployment(
        campaign=old.campaign,
        cadre=old.cadre,
        post=old.post,
        role=old.role,
        working_group=old.working_group,
        start_date=old.start_date,
        planned_end=old.planned_end,
        is_full_time=old.is_full_time,
        source=old.source,
        matching_run=old.matching_run,
        previous=old,
        created_by=_actor_or_none(actor),
    )
    for name, value in changes.items():
        setattr(new, name, value)
    return new


@transaction.atomic
def deployment_extend(
    *,
    actor: User | None,
    deployment: Deployment,
    planned_end: date,
    expected_version: int,
    on: date | None = None,
    note: str = "",
) -> Deployment:
    """Extend a deployment: close the current term as "extended" and open a linked one to `planned_end`."""
    require_dispatch_right(actor)
    locked = _lock(Deployment, deployment.pk, expected_version)
    require_cadres_in_scope(actor, [locked.cadre])
    on = on or timezone.localdate()
    on = max(on, locked.start_date)
    if locked.planned_end is not None and planned_end <= locked.planned_end:
        raise DispatchValidationError(
            {"planned_end": _("延期后的结束日期应晚于原计划结束日期 %(d)s。") % {"d": locked.planned_end.isoformat()}}
        )
    if planned_end < on:
        raise DispatchValidationError({"planned_end": _("延期后的结束日期不能早于今天。")})
    before = snapshot(locked, DEPLOYMENT_FIELDS)
    _close(locked, status=DeploymentStatus.EXTENDED, on=on)
    new = _successor(locked, actor=actor, start_date=on, planned_end=planned_end, note=note.strip()[:300])
    _save_deployment(new)
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, DEPLOYMENT_FIELDS)))
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=new,
        changes={"previous_id": (None, locked.pk), "planned_end": (locked.planned_end, planned_end)},
        note=_("延期"),
    )
    return new


@transaction.atomic
def deployment_transfer(
    *,
    actor: User | None,
    deployment: Deployment,
    post: Post,
    role: DeploymentRole | None = None,
    expected_version: int,
    on: date | None = None,
    planned_end: date | None = None,
    note: str = "",
) -> Deployment:
    """Move a cadre to another post: close the current term as "transferred" and open a linked one."""
    require_dispatch_right(actor)
    locked = _lock(Deployment, deployment.pk, expected_version)
    require_cadres_in_scope(actor, [locked.cadre])
    require_post_in_scope(actor, post)
    if post.pk == locked.post_id and (role is None or role.pk == locked.role_id):
        raise DispatchValidationError({"post": _("调岗的新阵地与原阵地相同；如需延长任期，请使用“延期”。")})
    on = max(on or timezone.localdate(), locked.start_date)
    role = role or locked.role
    new_end = planned_end if planned_end is not None else locked.planned_end
    _check_new_term(
        cadre=locked.cadre,
        post=post,
        role=role,
        start_date=on,
        planned_end=new_end,
        is_full_time=locked.is_full_time,
        campaign=None,
        replacing=locked,
    )
    before = snapshot(locked, DEPLOYMENT_FIELDS)
    _close(locked, status=DeploymentStatus.TRANSFERRED, on=on)
    new = _successor(
        locked, actor=actor, post=post, role=role, start_date=on, planned_end=new_end, note=note.strip()[:300]
    )
    if post.pk != locked.post_id:
        new.working_group = None
    _save_deployment(new)
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, DEPLOYMENT_FIELDS)))
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=new,
        changes={
            "previous_id": (None, locked.pk),
            "post": (locked.post.name, post.name),
            "role": (locked.role.name, role.name),
        },
        note=_("调岗"),
    )
    return new


# --- responsibility assignments (包保) ----------------------------------------------------------


RESPONSIBILITY_FIELDS = ("campaign_id", "cadre_id", "post_id", "level", "start_date", "end_date", "ended_on", "note")


@transaction.atomic
def responsibility_create(
    *,
    actor: User | None,
    cadre: Cadre,
    post: Post,
    level: str,
    start_date: date,
    end_date: date | None = None,
    campaign: Campaign | None = None,
    note: str = "",
) -> ResponsibilityAssignment:
    """Record that a cadre answers for a key project (leadership) or a sub-project (deputy-section level)."""
    require_dispatch_right(actor)
    errors: dict[str, str] = {}
    if level not in ResponsibilityLevel.values:
        errors["level"] = _("包保层级无效。")
    if post.kind != PostKind.PROJECT:
        errors["post"] = _("包保只适用于项目，“%(name)s”不是项目。") % {"name": post.name}
    elif level == ResponsibilityLevel.DEPUTY_SECTION and post.parent_id is None:
        errors["post"] = _("副科级干部包保子项目；“%(name)s”是一级项目，应由班子成员包保。") % {"name": post.name}
    elif level == ResponsibilityLevel.LEADERSHIP and post.parent_id is not None:
        errors["post"] = _("班子成员包保重点项目；“%(name)s”是子项目，应由副科级干部包保。") % {"name": post.name}
    if level == ResponsibilityLevel.DEPUTY_SECTION and cadre.rank < Rank.DEPUTY_SECTION:
        errors["cadre"] = _("%(cadre)s的职级低于副科级，不能包保子项目。") % {"cadre": cadre.name}
    if end_date is not None and end_date < start_date:
        errors["end_date"] = _("结束日期不能早于开始日期。")
    if campaign is not None and campaign.status == CampaignStatus.CLOSED:
        errors["campaign"] = _("行动“%(name)s”已结束，不能再安排包保。") % {"name": campaign.name}
    if len(note) > 300:
        errors["note"] = _("备注不能超过 300 个字符。")
    if errors:
        raise DispatchValidationError(errors)
    require_cadres_in_scope(actor, [cadre])
    require_post_in_scope(actor, post)
    if ResponsibilityAssignment.objects.filter(cadre=cadre, post=post, ended_on__isnull=True).exists():
        raise DispatchValidationError(
            {"cadre": _("%(cadre)s已在包保“%(post)s”，无需重复登记。") % {"cadre": cadre.name, "post": post.name}}
        )
    assignment = ResponsibilityAssignment(
        campaign=campaign,
        cadre=cadre,
        post=post,
        level=level,
        start_date=start_date,
        end_date=end_date,
        note=note.strip(),
        created_by=_actor_or_none(actor),
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent registration of the same pair won the race
        raise DispatchValidationError(
            {"cadre": _("%(cadre)s已在包保“%(post)s”，无需重复登记。") % {"cadre": cadre.name, "post": post.name}}
        ) from exc
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assignment,
        changes={
            "cadre": (None, cadre.name),
            "post": (None, post.name),
            "level": (None, level),
            "campaign": (None, campaign.name if campaign else None),
            "start_date": (None, start_date.isoformat()),
            "end_date": (None, end_date.isoformat() if end_date else None),
        },
    )
    return assignment


@transaction.atomic
def responsibility_end(
    *,
    actor: User | None,
    assignment: ResponsibilityAssignment,
    ended_on: date | None = None,
    expected_version: int,
    note: str = "",
) -> ResponsibilityAssignment:
    """End a 包保 assignment on `ended_on` (today by default); the row stays as history."""
    require_dispatch_right(actor)
    locked = ResponsibilityAssignment.objects.select_for_update().select_related("cadre", "post").get(pk=assignment.pk)
    if locked.version != expected_version:
        raise ConflictError(_("该记录已被他人修改，请刷新页面查看最新内容后再操作。"), current_version=locked.version)
    require_cadres_in_scope(actor, [locked.cadre])
    require_post_in_scope(actor, locked.post)
    if locked.ended_on is not None:
        raise ApplicationError(
            _("该包保已于 %(d)s 结束，不能再次结束。") % {"d": locked.ended_on.isoformat()}, code="not_active"
        )
    ended_on = ended_on or timezone.localdate()
    if ended_on < locked.start_date:
        raise DispatchValidationError(
            {"ended_on": _("结束日期不能早于包保开始日期 %(start)s。") % {"start": locked.start_date.isoformat()}}
        )
    if len(note) > 300:
        raise DispatchValidationError({"note": _("备注不能超过 300 个字符。")})
    before = snapshot(locked, RESPONSIBILITY_FIELDS)
    locked.ended_on = ended_on
    if note.strip():
        locked.note = note.strip()
    locked.version += 1
    locked.save(update_fields=["ended_on", "note", "version"])
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes=diff(before, snapshot(locked, RESPONSIBILITY_FIELDS)),
        note=_("结束包保"),
    )
    return locked


# --- post needs -------------------------------------------------------------------------------


@dataclass
class PostNeedData:
    role: DeploymentRole
    min_count: int = 1
    max_count: int = 1
    preferred_units: list[Unit] = field(default_factory=list)
    expertise: list[ExpertiseTag] = field(default_factory=list)
    rank_min: int | None = None
    rank_max: int | None = None
    min_party_members: int = 0
    max_distance_km: int | None = None
    note: str = ""
    campaign: Campaign | None = None
    submitted_by_requester: bool = False
    requester_contact: str = ""


def validate_post_need(post: Post, data: PostNeedData) -> dict[str, str]:
    """Return {field: message} for a need that cannot be met as stated."""
    errors: dict[str, str] = {}
    kind_error = role_kind_error(data.role, post)
    if kind_error:
        errors["role"] = kind_error
    if data.max_count < 1:
        errors["max_count"] = _("最多人数至少为 1。")
    if data.min_count < 0:
        errors["min_count"] = _("最少人数不能为负数。")
    elif data.min_count > data.max_count:
        errors["min_count"] = _("最少人数（%(min)d）不能多于最多人数（%(max)d）。") % {
            "min": data.min_count,
            "max": data.max_count,
        }
    for name, value in (("rank_min", data.rank_min), ("rank_max", data.rank_max)):
        if value is not None and value not in Rank.values:
            errors[name] = _("职级无效。")
    if (
        data.rank_min is not None
        and data.rank_max is not None
        and "rank_min" not in errors
        and "rank_max" not in errors
        and data.rank_min > data.rank_max
    ):
        errors["rank_max"] = _("职级范围无效：最低职级“%(lo)s”高于最高职级“%(hi)s”。") % {
            "lo": Rank(data.rank_min).label,
            "hi": Rank(data.rank_max).label,
        }
    if data.min_party_members < 0:
        errors["min_party_members"] = _("党员人数不能为负数。")
    elif data.min_party_members > data.max_count:
        errors["min_party_members"] = _("至少党员人数（%(p)d）不能多于最多人数（%(max)d）。") % {
            "p": data.min_party_members,
            "max": data.max_count,
        }
    if len(data.requester_contact) > 50:
        errors["requester_contact"] = _("联系人不能超过 50 个字符。")
    return errors


NEED_FIELDS = (
    "campaign_id",
    "role_id",
    "min_count",
    "max_count",
    "rank_min",
    "rank_max",
    "min_party_members",
    "max_distance_km",
    "note",
    "submitted_by_requester",
    "requester_contact",
)


def _apply_need(need: PostNeed, data: PostNeedData) -> None:
    need.campaign = data.campaign
    need.role = data.role
    need.min_count = data.min_count
    need.max_count = data.max_count
    need.rank_min = data.rank_min
    need.rank_max = data.rank_max
    need.min_party_members = data.min_party_members
    need.max_distance_km = data.max_distance_km
    need.note = data.note.strip()
    need.submitted_by_requester = data.submitted_by_requester
    need.requester_contact = data.requester_contact.strip()


def _need_relations(data: PostNeedData) -> dict[str, tuple[object, object]]:
    return {
        "preferred_units": (None, sorted(u.name for u in data.preferred_units)),
        "expertise": (None, sorted(t.name for t in data.expertise)),
    }


@transaction.atomic
def post_need_create(*, actor: User | None, post: Post, data: PostNeedData, actor_name: str = "") -> PostNeed:
    """Record what a post needs; refuse needs that no team could ever satisfy.

    `actor_name` names an actor without an account in the audit row ("public" for the token link).
    """
    if not data.submitted_by_requester:
        require_dispatch_right(actor)
    require_post_in_scope(actor, post)
    errors = validate_post_need(post, data)
    if errors:
        raise DispatchValidationError(errors)
    need = PostNeed(post=post, created_by=_actor_or_none(actor))
    _apply_need(need, data)
    need.save()
    need.preferred_units.set(data.preferred_units)
    need.expertise.set(data.expertise)
    after = snapshot(need, NEED_FIELDS)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=need,
        changes={k: (None, v) for k, v in after.items() if v not in (None, "")} | _need_relations(data),
        actor_name=actor_name,
    )
    return need


@transaction.atomic
def post_need_update(
    *, actor: User | None, need: PostNeed, data: PostNeedData, expected_version: int, actor_name: str = ""
) -> PostNeed:
    """Update a need if nobody changed it since `expected_version`."""
    require_dispatch_right(actor)
    locked = _lock(PostNeed, need.pk, expected_version)
    require_post_in_scope(actor, locked.post)
    errors = validate_post_need(locked.post, data)
    if errors:
        raise DispatchValidationError(errors)
    before = snapshot(locked, NEED_FIELDS)
    before_units = sorted(locked.preferred_units.values_list("name", flat=True))
    before_tags = sorted(locked.expertise.values_list("name", flat=True))
    _apply_need(locked, data)
    locked.version += 1
    locked.save()
    locked.preferred_units.set(data.preferred_units)
    locked.expertise.set(data.expertise)
    changes = diff(before, snapshot(locked, NEED_FIELDS))
    relations = _need_relations(data)
    if relations["preferred_units"][1] != before_units:
        changes["preferred_units"] = (before_units, relations["preferred_units"][1])
    if relations["expertise"][1] != before_tags:
        changes["expertise"] = (before_tags, relations["expertise"][1])
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes, actor_name=actor_name)
    return locked


@transaction.atomic
def post_need_delete(*, actor: User | None, need: PostNeed) -> None:
    """Withdraw a need; the audit row keeps what it asked for."""
    require_dispatch_right(actor)
    require_post_in_scope(actor, need.post)
    audit(
        actor=actor,
        action=AuditAction.DELETE,
        obj=need,
        changes={"role": (need.role.name, None), "max_count": (need.max_count, None)},
    )
    need.delete()


@transaction.atomic
def requester_need_submit(
    *,
    actor: User | None,
    post: Post,
    preferred_unit: Unit | None,
    note: str,
    contact_name: str = "",
    role: DeploymentRole | None = None,
    actor_name: str = "",
) -> PostNeed:
    """Record an enterprise's own answer to "which department would you most like a cadre from?".

    The post keeps one standing self-stated need: a later answer updates it (its preferred
    department, note and contact) until a campaign adopts it; after that a new need is recorded.
    """
    if not note.strip() and preferred_unit is None:
        raise DispatchValidationError({"note": _("请选择希望的派出单位，或说明需要什么样的干部。")})
    if len(contact_name) > 50:
        raise DispatchValidationError({"contact_name": _("联系人不能超过 50 个字符。")})
    standing = (
        PostNeed.objects.select_for_update()
        .filter(post=post, submitted_by_requester=True, campaign__isnull=True)
        .select_related("role")
        .order_by("-id")
        .first()
    )
    if standing is not None:
        return post_need_update(
            actor=actor,
            need=standing,
            data=PostNeedData(
                role=standing.role,
                min_count=standing.min_count,
                max_count=standing.max_count,
                preferred_units=[preferred_unit] if preferred_unit else [],
                expertise=list(standing.expertise.all()),
                rank_min=standing.rank_min,
                rank_max=standing.rank_max,
                min_party_members=standing.min_party_members,
                max_distance_km=standing.max_distance_km,
                note=note,
                submitted_by_requester=True,
                requester_contact=contact_name,
            ),
            expected_version=standing.version,
            actor_name=actor_name,
        )
    if role is None:
        role = DeploymentRole.objects.filter(code="enterprise_commissioner", is_active=True).first()
        if role is None or not role.applies_to(post.kind):
            role = DeploymentRole.objects.filter(is_active=True, post_kinds=[]).order_by("sort_order").first()
    if role is None:
        raise ApplicationError(_("尚未配置可用的下沉角色，请联系组织部门。"), code="no_role")
    return post_need_create(
        actor=actor,
        post=post,
        data=PostNeedData(
            role=role,
            preferred_units=[preferred_unit] if preferred_unit else [],
            note=note,
            submitted_by_requester=True,
            requester_contact=contact_name,
        ),
        actor_name=actor_name,
    )


# --- the enterprise's own form, public through a token link ---------------------------------------

PUBLIC_ACTOR = "public"  # the audit rows' actor for submissions through a token link


def _new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits


def requester_departments(link: RequesterLink) -> QuerySet[Unit]:
    """Return the departments the link's form offers: functional departments under the link's unit."""
    return Unit.objects.filter(path__startswith=link.unit.path, kind=UnitKind.FUNCTIONAL_DEPARTMENT).order_by("path")


@transaction.atomic
def requester_link_rotate(*, actor: User | None, post: Post, unit: Unit | None = None) -> RequesterLink:
    """Give the post a new public form link; any earlier link of the post stops working at once.

    The form offers the functional departments under `unit` (by default the actor's own unit).
    """
    require_dispatch_right(actor)
    require_post_in_scope(actor, post)
    if unit is None:
        unit = actor.unit if actor is not None and actor.unit is not None else (post.unit.parent or post.unit)
    require_unit_in_scope(actor, unit)
    link = RequesterLink.objects.select_for_update().filter(post=post).first()
    if link is None:
        link = RequesterLink.objects.create(post=post, unit=unit, token=_new_token(), created_by=_actor_or_none(actor))
        audit(
            actor=actor,
            action=AuditAction.CREATE,
            obj=link,
            changes={"post": (None, post.name), "unit": (None, unit.name)},
            note=_("生成需求自报链接"),
        )
        return link
    before_unit = link.unit.name
    link.token = _new_token()
    link.unit = unit
    link.version += 1
    link.save()
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=link,
        changes={"token": (_("旧链接"), _("新链接")), "unit": (before_unit, unit.name)},
        note=_("更换需求自报链接，旧链接作废"),
    )
    return link


@transaction.atomic
def requester_link_withdraw(*, actor: User | None, link: RequesterLink) -> None:
    """Withdraw the post's public form link; it answers 404 from now on."""
    require_dispatch_right(actor)
    require_post_in_scope(actor, link.post)
    audit(
        actor=actor,
        action=AuditAction.DELETE,
        obj=link,
        changes={"post": (link.post.name, None)},
        note=_("停用需求自报链接"),
    )
    link.delete()


def requester_need_submit_public(
    *,
    link: RequesterLink,
    preferred_unit: Unit | None,
    note: str,
    contact_name: str = "",
    client_ip: str | None,
) -> PostNeed:
    """Record the answer an enterprise gave on its public form link; rate-limited per client address."""
    # The same per-address limit as the ledger's public intake, counted in the same table: one
    # budget of anonymous submissions per address, whichever public form they use.
    from frontline.ledger.services import public_intake_check

    public_intake_check(client_ip=client_ip)
    with transaction.atomic():
        locked = RequesterLink.objects.select_for_update().select_related("post", "unit").get(pk=link.pk)
        if locked.token != link.token:
            raise ApplicationError(_("该链接已更换，请向组织部门索取新链接。"), code="not_found")
        if preferred_unit is not None and not requester_departments(locked).filter(pk=preferred_unit.pk).exists():
            raise DispatchValidationError({"preferred_unit": _("请从列表中选择派出单位。")})
        need = requester_need_submit(
            actor=None,
            post=locked.post,
            preferred_unit=preferred_unit,
            note=note,
            contact_name=contact_name,
            actor_name=PUBLIC_ACTOR,
        )
        RequesterLink.objects.filter(pk=locked.pk).update(submissions=F("submissions") + 1)
    return need
