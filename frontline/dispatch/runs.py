"""Matching runs: start one in the background, adjust it with pins and forbids, approve its plan.

The flow is: `matching_run_start` (queued) → the task `run_matching` → `matching_run_execute`
(running → done, or failed with an explanation) → people read the preview, pin or forbid pairs
with `matching_run_adjust` (a new run replaces the old) → `matching_run_approve` (approving) →
the task `approve_matching_run` → `matching_run_approve_execute` creates, moves and ends the
deployments in one transaction (approved, or back to done with the reason). An approved run
cannot be approved again.
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.cadres.models import Cadre
from frontline.core.audit import audit
from frontline.core.context import current_ip
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, User
from frontline.dispatch import matching
from frontline.dispatch.models import (
    APPROVAL_STALLED_AFTER,
    Campaign,
    CampaignStatus,
    Deployment,
    DeploymentRole,
    DeploymentSource,
    DeploymentStatus,
    FrontlineKind,
    MatchingRule,
    MatchingRuleKind,
    MatchingRun,
    MatchingRunStatus,
    PostNeed,
)
from frontline.dispatch.problem import PoolFilter, Problem, build_problem
from frontline.dispatch.services import (
    NewDeployment,
    deployment_bulk_create,
    deployment_end,
    deployment_transfer,
    require_cadres_in_scope,
    require_dispatch_right,
    require_post_in_scope,
)
from frontline.posts.models import Post

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunParams:
    """What a person chooses when starting a run."""

    unit_ids: tuple[int, ...] = ()
    tag_ids: tuple[int, ...] = ()
    full_time: bool = True
    start_date: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "unit_ids": list(self.unit_ids),
            "tag_ids": list(self.tag_ids),
            "full_time": self.full_time,
            "start_date": self.start_date.isoformat() if self.start_date else None,
        }


def _set_progress(run_id: int, progress: int, stage: str) -> None:
    # Outside any transaction the worker holds, so a polling page sees it at once.
    MatchingRun.objects.filter(pk=run_id).update(progress=progress, stage=stage[:100])


def _enqueue(run: MatchingRun) -> None:
    from frontline.dispatch.tasks import run_matching

    run_id = run.pk
    transaction.on_commit(lambda: run_matching.enqueue(run_id))


@transaction.atomic
def matching_run_start(
    *,
    actor: User | None,
    campaign: Campaign,
    params: RunParams | None = None,
    previous_run: MatchingRun | None = None,
) -> MatchingRun:
    """Queue a matching run for the campaign; the computation runs as a background task."""
    require_dispatch_right(actor)
    if campaign.status == CampaignStatus.CLOSED:
        raise ApplicationError(_("行动“%(name)s”已结束，不能再匹配。") % {"name": campaign.name}, code="closed")
    params = params or RunParams()
    run = MatchingRun.objects.create(
        campaign=campaign,
        params=params.as_json(),
        previous_run=previous_run,
        created_by=actor if actor is not None and actor.pk else None,
        stage=_("排队等待计算"),
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=run, changes={"params": (None, str(run.params))})
    _enqueue(run)
    return run


def solve(problem: Problem) -> matching.MatchResult:
    """Run the engine on the problem."""
    return matching.solve(
        problem.cadres, problem.needs, weights=problem.weights, rules=problem.rules, names=problem.names
    )


def matching_run_execute(*, run_id: int) -> MatchingRun:
    """Compute the plan of a queued run: build the problem, solve it, store the preview.

    Bad input (no needs, an empty pool, impossible needs) gives a run that is done with
    explanations; only an unexpected error marks it failed.
    """
    with transaction.atomic():
        run = (
            MatchingRun.objects.select_for_update(of=("self",)).select_related("campaign", "created_by").get(pk=run_id)
        )
        if run.status != MatchingRunStatus.QUEUED:
            return run
        run.status = MatchingRunStatus.RUNNING
        run.started_at = timezone.now()
        run.progress = 5
        run.stage = _("读取需求和人员")
        run.save(update_fields=["status", "started_at", "progress", "stage"])
    try:
        started = time.perf_counter()
        problem = build_problem(
            campaign=run.campaign, user=run.created_by, pool=PoolFilter.from_params(run.params or {})
        )
        read_s = time.perf_counter() - started
        _set_progress(run.pk, 30, _("求解最优方案"))
        outcome = solve(problem)
        _set_progress(run.pk, 90, _("整理结果"))
        result = compose_result(problem, outcome, read_s=read_s)
    except Exception as exc:
        logger.exception("matching run %s failed", run.pk)
        MatchingRun.objects.filter(pk=run.pk).update(
            status=MatchingRunStatus.FAILED,
            error=_("计算出错：%(error)s。请稍后重试；如仍失败，请联系管理员。") % {"error": type(exc).__name__},
            finished_at=timezone.now(),
            stage=_("失败"),
        )
        run.refresh_from_db()
        return run
    MatchingRun.objects.filter(pk=run.pk).update(
        status=MatchingRunStatus.DONE,
        progress=100,
        stage=_("完成"),
        result=result,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def compose_result(problem: Problem, outcome: matching.MatchResult, *, read_s: float) -> dict[str, Any]:
    """Turn the engine's result into the preview: totals, fill rates by kind, reasons, changes, explanations."""
    assigned_by_need: Counter[int] = Counter()
    assigned_cadres: set[int] = set()
    assignments: list[dict[str, Any]] = []
    for a in outcome.assignments:
        cadre = problem.cadre_info[a.cadre_id]
        need = problem.need_info[a.need_id]
        assigned_by_need[a.need_id] += 1
        assigned_cadres.add(a.cadre_id)
        assignments.append(
            {
                "cadre_id": a.cadre_id,
                "cadre_name": cadre.name,
                "unit_name": cadre.unit_name,
                "is_party_member": cadre.is_party_member,
                "need_id": a.need_id,
                "post_id": need.post_id,
                "post_name": need.post_name,
                "kind": need.frontline_kind,
                "role_id": need.role_id,
                "role_name": need.role_name,
                "cost": a.cost,
                "distance_km": a.distance_km,
                "reasons": list(a.reasons),
                "pinned": a.pinned,
                "change": a.change,
            }
        )
    assignments.sort(key=lambda a: (a["post_name"], a["role_name"], a["cadre_name"]))
    unfilled: list[dict[str, Any]] = []
    for u in outcome.unfilled:
        need = problem.need_info[u.need_id]
        unfilled.append(
            {
                "need_id": u.need_id,
                "post_id": need.post_id,
                "post_name": need.post_name,
                "kind": need.frontline_kind,
                "role_name": need.role_name,
                "min_count": need.min_count,
                "max_count": need.max_count,
                "min_party_members": need.min_party_members,
                "assigned": u.assigned,
                "missing": u.missing,
                "missing_party": u.missing_party,
                "reasons": [u.why],
            }
        )
    post_names = {n.post_id: n.post_name for n in problem.need_info.values()}
    forbidden_by_cadre: dict[int, list[str]] = {}
    for (cadre_id, post_id), why in problem.rules.forbidden.items():
        if post_id in post_names:
            forbidden_by_cadre.setdefault(cadre_id, []).append(f"{why}（{post_names[post_id]}）")
    unassigned: list[dict[str, Any]] = []
    for c in outcome.unassigned:
        cadre = problem.cadre_info[c.cadre_id]
        # The engine counts conflicts as "回避规则"; say which rule and which post.
        conflicts = forbidden_by_cadre.get(c.cadre_id, [])[:3]
        unassigned.append(
            {
                "cadre_id": c.cadre_id,
                "cadre_name": cadre.name,
                "unit_name": cadre.unit_name,
                "reasons": [c.why, *conflicts],
            }
        )
    unassigned.sort(key=lambda u: u["cadre_name"])
    # Deployments of this campaign whose cadre the plan leaves without a post end on approval.
    ending = [
        {"cadre_id": cadre_id, "cadre_name": info.name, "post_id": info.current_post_id}
        for cadre_id, info in problem.cadre_info.items()
        if info.current_post_id is not None and cadre_id not in assigned_cadres
    ]
    fill_by_kind = []
    for kind in FrontlineKind:
        needs = [(pk, n) for pk, n in problem.need_info.items() if n.frontline_kind == kind.value]
        if not needs:
            continue
        slots_max = sum(n.max_count for _pk, n in needs)
        got = sum(assigned_by_need[pk] for pk, _n in needs)
        fill_by_kind.append(
            {
                "kind": kind.value,
                "label": str(kind.label),
                "needs": len(needs),
                "min": sum(n.min_count for _pk, n in needs),
                "max": slots_max,
                "assigned": got,
                "rate": round(100 * min(got, slots_max) / slots_max) if slots_max else 0,
            }
        )
    stats = outcome.stats
    changes = Counter(a["change"] for a in assignments)
    return {
        "engine": {
            "optimal": outcome.optimal,
            "status": stats.status,
            "cost": outcome.total_cost,
            "read_s": round(read_s, 3),
            "build_s": stats.build_s,
            "solve_s": stats.solve_s,
            "name": stats.solver,
        },
        "totals": {
            "needs": len(problem.need_info),
            "slots_min": sum(n.min_count for n in problem.need_info.values()),
            "slots_max": sum(n.max_count for n in problem.need_info.values()),
            "pool": len(problem.cadre_info),
            "candidates": stats.candidates,
            "assigned": len(assignments),
            "unassigned": len(unassigned),
            "unfilled": len(unfilled),
            "keep": changes["keep"],
            "move": changes["move"],
            "new": changes["new"],
            "end": len(ending),
        },
        "fill_by_kind": fill_by_kind,
        "assignments": assignments,
        "unfilled": unfilled,
        "unassigned": unassigned,
        "ending": ending,
        "warnings": list(outcome.warnings),
    }


def _lock_run(run: MatchingRun, expected_version: int | None) -> MatchingRun:
    locked = MatchingRun.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=run.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该匹配方案已被他人修改，请刷新后再操作。"), current_version=locked.version)
    return locked


def _refuse_while_approving(run: MatchingRun) -> None:
    if run.status == MatchingRunStatus.APPROVING:
        raise ApplicationError(_("该方案正在批准中，请等批准完成后再调整或重新计算。"), code="approving")


@transaction.atomic
def matching_rule_set(
    *,
    actor: User | None,
    campaign: Campaign,
    cadre: Cadre,
    post: Post,
    kind: str,
    reason: str = "",
    run: MatchingRun | None = None,
) -> MatchingRule:
    """Pin a cadre to a post or forbid the pair for every later run of the campaign."""
    require_dispatch_right(actor)
    if kind not in MatchingRuleKind.values:
        raise ApplicationError(_("规则类型无效。"), code="invalid")
    require_cadres_in_scope(actor, [cadre])
    require_post_in_scope(actor, post)
    if kind == MatchingRuleKind.PIN:
        other = MatchingRule.objects.filter(campaign=campaign, cadre=cadre, kind=MatchingRuleKind.PIN).exclude(
            post=post
        )
        if other.exists():
            raise ApplicationError(
                _("%(cadre)s已锁定到其他阵地，请先取消原锁定。") % {"cadre": cadre.name}, code="already_pinned"
            )
    rule, created = MatchingRule.objects.update_or_create(
        campaign=campaign,
        cadre=cadre,
        post=post,
        defaults={
            "kind": kind,
            "reason": reason.strip()[:200],
            "run": run,
            "created_by": actor if actor and actor.pk else None,
        },
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=rule,
        changes={"kind": (None, kind), "cadre": (None, cadre.name), "post": (None, post.name)},
    )
    return rule


@transaction.atomic
def matching_rule_delete(*, actor: User | None, rule: MatchingRule) -> None:
    require_dispatch_right(actor)
    audit(actor=actor, action=AuditAction.DELETE, obj=rule, changes={"kind": (rule.kind, None)})
    rule.delete()


@transaction.atomic
def matching_run_adjust(
    *,
    actor: User | None,
    run: MatchingRun,
    cadre: Cadre,
    post: Post,
    kind: str,
    reason: str = "",
) -> MatchingRun:
    """Pin or forbid a pair and re-run with the same pool; the old plan is superseded."""
    locked = _lock_run(run, None)
    if locked.status == MatchingRunStatus.APPROVED:
        raise ApplicationError(_("该方案已批准，请重新发起一次匹配再调整。"), code="approved")
    _refuse_while_approving(locked)
    matching_rule_set(
        actor=actor, campaign=locked.campaign, cadre=cadre, post=post, kind=kind, reason=reason, run=locked
    )
    return matching_run_rerun(actor=actor, run=locked)


@transaction.atomic
def matching_run_rerun(*, actor: User | None, run: MatchingRun) -> MatchingRun:
    """Start a new run with the same pool as `run`, superseding it unless it was approved."""
    locked = _lock_run(run, None)
    _refuse_while_approving(locked)
    if locked.status in (MatchingRunStatus.DONE, MatchingRunStatus.FAILED):
        locked.status = MatchingRunStatus.SUPERSEDED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
    params = locked.params or {}
    start = params.get("start_date")
    return matching_run_start(
        actor=actor,
        campaign=locked.campaign,
        params=RunParams(
            unit_ids=tuple(params.get("unit_ids", [])),
            tag_ids=tuple(params.get("tag_ids", [])),
            full_time=bool(params.get("full_time", True)),
            start_date=date.fromisoformat(start) if start else None,
        ),
        previous_run=locked,
    )


def _approval_guard(run: MatchingRun) -> None:
    """Refuse to approve a run that is not a finished, unapproved plan."""
    if run.status == MatchingRunStatus.APPROVED:
        raise ApplicationError(_("该方案已批准，不能重复批准。"), code="already_approved")
    if run.status == MatchingRunStatus.APPROVING and not run.approval_is_stalled:
        raise ApplicationError(
            _("该方案已提交批准，正在后台生成任职，请勿重复提交；完成后本页会自动刷新。"), code="approving"
        )
    if run.status not in (MatchingRunStatus.DONE, MatchingRunStatus.APPROVING):
        raise ApplicationError(
            _("只有计算完成、待审批的方案才能批准（当前状态：%(s)s）。") % {"s": MatchingRunStatus(run.status).label},
            code="not_ready",
        )


@transaction.atomic
def matching_run_approve(
    *, actor: User | None, run: MatchingRun, expected_version: int | None = None, today: date | None = None
) -> MatchingRun:
    """Approve the plan: mark the run approving and queue the task that carries it out.

    The task (`matching_run_approve_execute`) creates, moves and ends the deployments in one
    transaction; until it finishes the run cannot be approved, adjusted or computed again. A
    failure puts the run back to "done" with the reason in `error`, so it can be approved again.
    """
    require_dispatch_right(actor)
    locked = _lock_run(run, expected_version)
    _approval_guard(locked)
    campaign = locked.campaign
    if campaign.status == CampaignStatus.CLOSED:
        raise ApplicationError(_("行动“%(name)s”已结束，不能再选派。") % {"name": campaign.name}, code="closed")
    result = locked.result or {}
    if not result.get("assignments") and not result.get("ending"):
        raise ApplicationError(_("该方案没有任何匹配结果，无需批准。"), code="empty")
    other = (
        MatchingRun.objects.filter(
            campaign_id=locked.campaign_id,
            status=MatchingRunStatus.APPROVING,
            approval_requested_at__gte=timezone.now() - APPROVAL_STALLED_AFTER,
        )
        .exclude(pk=locked.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if other is not None:
        raise ApplicationError(
            _("本行动的方案 #%(id)d 正在批准中，请等它完成后再批准其他方案。") % {"id": other},
            code="approving",
        )
    before = locked.status
    locked.status = MatchingRunStatus.APPROVING
    locked.progress = 0
    locked.stage = _("排队等待批准")
    locked.error = ""
    locked.approval_requested_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "progress", "stage", "error", "approval_requested_at", "version"])
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"status": (before, MatchingRunStatus.APPROVING.value)},
        note=_("提交批准") if before == MatchingRunStatus.DONE else _("批准任务中断，重新提交批准"),
    )
    _enqueue_approval(locked, actor=actor, today=today or timezone.localdate())
    return locked


def _enqueue_approval(run: MatchingRun, *, actor: User | None, today: date) -> None:
    from frontline.dispatch.tasks import approve_matching_run

    run_id = run.pk
    actor_id = actor.pk if actor is not None and actor.pk else None
    ip = current_ip.get()

    def enqueue() -> None:
        try:
            approve_matching_run.enqueue(run_id, actor_id, today.isoformat(), ip)
        except Exception:
            logger.exception("could not queue the approval of matching run %s", run_id)
            _approval_failed(run_id, _("无法启动后台批准任务，未做任何选派。请稍后重试或联系管理员。"))

    transaction.on_commit(enqueue)


def _approval_failed(run_id: int, message: str) -> None:
    """Put an approving run back to "done" with the reason, so that it can be approved again."""
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update(of=("self",)).get(pk=run_id)
        if run.status != MatchingRunStatus.APPROVING:
            return
        run.status = MatchingRunStatus.DONE
        run.progress = 100
        run.stage = _("批准未完成")
        run.error = message
        run.version += 1
        run.save(update_fields=["status", "progress", "stage", "error", "version"])
        audit(
            actor=None,
            action=AuditAction.UPDATE,
            obj=run,
            changes={"status": (MatchingRunStatus.APPROVING.value, MatchingRunStatus.DONE.value)},
            note=_("批准失败：%(error)s") % {"error": message},
        )


def matching_run_approve_execute(
    *, run_id: int, actor_id: int | None = None, today: date | None = None, ip: str | None = None
) -> list[Deployment]:
    """Carry out an approving run's plan (the background task); return the deployments it created.

    All or nothing: one transaction keeps, moves, creates and ends the deployments and audits all
    of it. A plan that no longer fits the registry, or any other error, writes nothing and puts the
    run back to "done" with the reason. A run that is not approving (a task delivered twice) is
    left alone.
    """
    token = current_ip.set(ip)
    try:
        with transaction.atomic():
            run = MatchingRun.objects.select_for_update(of=("self",)).get(pk=run_id)
            if run.status != MatchingRunStatus.APPROVING:
                return []
            run.progress = 10
            run.stage = _("读取方案和现有任职")
            run.save(update_fields=["progress", "stage"])
        try:
            actor = User.objects.get(pk=actor_id) if actor_id is not None else None
            return _carry_out(run_id=run_id, actor=actor, today=today or timezone.localdate())
        except ApplicationError as exc:
            _approval_failed(run_id, exc.message)
        except Exception as exc:
            logger.exception("approval of matching run %s failed", run_id)
            _approval_failed(
                run_id,
                _("批准时出错：%(error)s，未做任何选派。请稍后重试；如仍失败，请联系管理员。")
                % {"error": type(exc).__name__},
            )
        return []
    finally:
        current_ip.reset(token)


def _carry_out(*, run_id: int, actor: User | None, today: date) -> list[Deployment]:
    """Keep, move, create and end deployments as the plan says, in one transaction; audit all of it."""
    require_dispatch_right(actor)
    plan = MatchingRun.objects.only("result").get(pk=run_id).result or {}
    totals = plan.get("totals", {})
    # Progress inside the transaction below would not be visible before it commits: say what comes.
    _set_progress(
        run_id,
        30,
        _("生成任职：新派 %(new)d 人，调岗 %(move)d 人，结束 %(end)d 人")
        % {"new": totals.get("new", 0), "move": totals.get("move", 0), "end": totals.get("end", 0)},
    )
    with transaction.atomic():
        locked = MatchingRun.objects.select_for_update(of=("self",)).get(pk=run_id)
        if locked.status != MatchingRunStatus.APPROVING:
            raise ApplicationError(_("该方案已不在批准中。"), code="not_approving")
        campaign = Campaign.objects.select_for_update().get(pk=locked.campaign_id)
        if campaign.status == CampaignStatus.CLOSED:
            raise ApplicationError(_("行动“%(name)s”已结束，不能再选派。") % {"name": campaign.name}, code="closed")
        created = _apply_plan(locked, campaign, actor=actor, today=today)
        _supersede_others(locked, campaign)
        locked.status = MatchingRunStatus.APPROVED
        locked.progress = 100
        locked.stage = _("已批准")
        locked.approved_by = actor if actor is not None and actor.pk else None
        locked.approved_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "progress", "stage", "approved_by", "approved_at", "version"])
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": (MatchingRunStatus.APPROVING.value, MatchingRunStatus.APPROVED.value)},
            note=_("批准匹配方案：新派 %(new)d 人，调岗 %(move)d 人，留任 %(keep)d 人，结束 %(end)d 人")
            % {
                "new": totals.get("new", 0),
                "move": totals.get("move", 0),
                "keep": totals.get("keep", 0),
                "end": totals.get("end", 0),
            },
        )
    return created


def _supersede_others(run: MatchingRun, campaign: Campaign) -> None:
    """The campaign's other plans awaiting approval were computed before this one took effect."""
    MatchingRun.objects.filter(campaign=campaign, status=MatchingRunStatus.DONE).exclude(pk=run.pk).update(
        status=MatchingRunStatus.SUPERSEDED
    )


def _apply_plan(locked: MatchingRun, campaign: Campaign, *, actor: User | None, today: date) -> list[Deployment]:
    """Write the plan's deployments; raise a "stale_plan" error listing every item that no longer fits."""
    result = locked.result or {}
    start_text = (locked.params or {}).get("start_date")
    start = date.fromisoformat(start_text) if start_text else max(today, campaign.start_date)
    full_time = bool((locked.params or {}).get("full_time", True))
    assignments: list[dict[str, Any]] = result.get("assignments", [])
    cadres = Cadre.objects.in_bulk(
        [a["cadre_id"] for a in assignments] + [e["cadre_id"] for e in result.get("ending", [])]
    )
    posts = Post.objects.in_bulk([a["post_id"] for a in assignments])
    roles = DeploymentRole.objects.in_bulk([a["role_id"] for a in assignments])
    current = {
        d.cadre_id: d
        for d in Deployment.objects.select_for_update(of=("self",))
        .filter(campaign=campaign, status=DeploymentStatus.ACTIVE, cadre_id__in=list(cadres))
        .select_related("post", "role", "cadre")
    }
    problems: list[str] = []
    created: list[Deployment] = []

    def fail(exc: ApplicationError, who: str) -> None:
        problems.append(f"{who}：{exc.message}")

    for item in result.get("ending", []):
        existing = current.get(item["cadre_id"])
        if existing is None:
            continue
        try:
            deployment_end(
                actor=actor,
                deployment=existing,
                ended_on=max(start, existing.start_date),
                expected_version=existing.version,
                note=_("匹配方案 #%(id)d 调整") % {"id": locked.pk},
            )
        except ApplicationError as exc:
            fail(exc, item["cadre_name"])
    fresh: list[NewDeployment] = []
    for item in assignments:
        cadre = cadres.get(item["cadre_id"])
        post = posts.get(item["post_id"])
        role = roles.get(item["role_id"])
        if cadre is None or post is None or role is None:
            problems.append(_("%(cadre)s：干部、阵地或角色已被删除。") % {"cadre": item["cadre_name"]})
            continue
        existing = current.get(cadre.pk)
        if existing is None:
            fresh.append(NewDeployment(cadre=cadre, post=post, role=role))
            continue
        if existing.post_id == post.pk and existing.role_id == role.pk:
            continue
        try:
            created.append(
                deployment_transfer(
                    actor=actor,
                    deployment=existing,
                    post=post,
                    role=role,
                    expected_version=existing.version,
                    on=max(start, existing.start_date),
                    note=_("匹配方案 #%(id)d 调整") % {"id": locked.pk},
                )
            )
        except ApplicationError as exc:
            fail(exc, item["cadre_name"])
    if not problems and fresh:
        try:
            created.extend(
                deployment_bulk_create(
                    actor=actor,
                    items=fresh,
                    start_date=start,
                    planned_end=campaign.end_date if campaign.end_date and campaign.end_date >= start else None,
                    is_full_time=full_time,
                    campaign=campaign,
                    source=DeploymentSource.MATCHING,
                    matching_run=locked,
                )
            )
        except ApplicationError as exc:
            problems.extend(exc.extra.get("problems", [exc.message]))
    if problems:
        # All or nothing: a plan that no longer fits the registry is computed again.
        raise ApplicationError(
            _("方案计算后情况有变化，未做任何选派，请重新计算：") + "；".join(problems[:10]),
            code="stale_plan",
            extra={"problems": problems},
        )
    adopted = PostNeed.objects.filter(
        pk__in=[a["need_id"] for a in assignments], campaign__isnull=True
    ).select_for_update()
    for need in adopted:
        need.campaign = campaign
        need.version += 1
        need.save(update_fields=["campaign", "version"])
        audit(actor=actor, action=AuditAction.UPDATE, obj=need, changes={"campaign": (None, campaign.name)})
    return created
