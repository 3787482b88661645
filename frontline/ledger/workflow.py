"""The problem workflow: one table of transitions and one service that performs them.

registered → hand_over → handed_over → accept → in_progress ⟲ update → resolve → resolved
handed_over → send_back → sent_back → hand_over (the sender re-routes; send-backs are counted)
resolved → confirm (the requester is satisfied) → closed
resolved → reopen (not satisfied) → supervised ⟲ update → resolve → resolved
registered / sent_back / resolved → close_unconfirmed (reason recorded, counted) → closed
any open state but resolved → escalate (overdue: one level up, same state)
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontline.core.access import Access, access_for
from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, DataScope, User
from frontline.ledger.models import (
    EscalationLevel,
    Notification,
    Problem,
    ProblemEvent,
    ProblemStatus,
)
from frontline.ledger.tally import tally_key, tally_move
from frontline.org.models import Unit, UnitKind

S = ProblemStatus
logger = logging.getLogger(__name__)


class Action(StrEnum):
    REGISTER = "register"
    HAND_OVER = "hand_over"
    ACCEPT = "accept"
    SEND_BACK = "send_back"
    UPDATE = "update"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    CLOSE_UNCONFIRMED = "close_unconfirmed"
    ESCALATE = "escalate"


ACTION_LABELS: dict[str, Any] = {
    Action.REGISTER: _("登记"),
    Action.HAND_OVER: _("交办"),
    Action.ACCEPT: _("签收"),
    Action.SEND_BACK: _("退单"),
    Action.UPDATE: _("反馈进展"),
    Action.RESOLVE: _("办结"),
    Action.CONFIRM: _("回访满意，关闭"),
    Action.REOPEN: _("不满意，重新督办"),
    Action.CLOSE_UNCONFIRMED: _("未经确认关闭"),
    Action.ESCALATE: _("超期升级"),
}


class Who(StrEnum):
    """Who may perform an action."""

    REGISTRAR = "registrar"  # the cadre who logged it, the level owner, or a supervisor in scope
    DEPARTMENT = "department"  # a member of the handling department
    FOLLOW_UP = "follow_up"  # the requester (through the tracking code) or a registrar
    SUPERVISOR = "supervisor"  # the system job, or a supervisor in scope


Guard = Callable[[Problem, Mapping[str, Any]], None]


def _always(problem: Problem, fields: Mapping[str, Any]) -> None:
    return None


def _text(fields: Mapping[str, Any], name: str) -> str:
    return str(fields.get(name) or "").strip()


def _needs_department(problem: Problem, fields: Mapping[str, Any]) -> None:
    department = fields.get("department")
    if not isinstance(department, Unit):
        raise ApplicationError(gettext("请选择承办的职能部门。"), code="department_required")
    if department.kind != UnitKind.FUNCTIONAL_DEPARTMENT:
        raise ApplicationError(
            gettext("“%(department)s”不是职能部门，只能交办给职能部门。") % {"department": department},
            code="not_a_department",
        )


def _needs_note(problem: Problem, fields: Mapping[str, Any]) -> None:
    if not _text(fields, "note"):
        raise ApplicationError(gettext("请填写说明。"), code="note_required")


def _needs_reason(problem: Problem, fields: Mapping[str, Any]) -> None:
    if not _text(fields, "note"):
        raise ApplicationError(gettext("请填写理由：退单、督办和未经确认关闭都必须说明原因。"), code="reason_required")


def _needs_resolution(problem: Problem, fields: Mapping[str, Any]) -> None:
    if not _text(fields, "resolution"):
        raise ApplicationError(gettext("请填写办理结果。"), code="resolution_required")


def _can_escalate(problem: Problem, fields: Mapping[str, Any]) -> None:
    if problem.level >= EscalationLevel.COUNTY:
        raise ApplicationError(gettext("已在县区层级，不能再升级。"), code="top_level")


@dataclass(frozen=True)
class Transition:
    to: ProblemStatus | None  # None keeps the current state
    guard: Guard
    who: Who


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.REGISTERED, Action.HAND_OVER): Transition(S.HANDED_OVER, _needs_department, Who.REGISTRAR),
    (S.SENT_BACK, Action.HAND_OVER): Transition(S.HANDED_OVER, _needs_department, Who.REGISTRAR),
    (S.HANDED_OVER, Action.ACCEPT): Transition(S.IN_PROGRESS, _always, Who.DEPARTMENT),
    (S.HANDED_OVER, Action.SEND_BACK): Transition(S.SENT_BACK, _needs_reason, Who.DEPARTMENT),
    (S.IN_PROGRESS, Action.UPDATE): Transition(S.IN_PROGRESS, _needs_note, Who.DEPARTMENT),
    (S.SUPERVISED, Action.UPDATE): Transition(S.SUPERVISED, _needs_note, Who.DEPARTMENT),
    (S.IN_PROGRESS, Action.RESOLVE): Transition(S.RESOLVED, _needs_resolution, Who.DEPARTMENT),
    (S.SUPERVISED, Action.RESOLVE): Transition(S.RESOLVED, _needs_resolution, Who.DEPARTMENT),
    (S.RESOLVED, Action.CONFIRM): Transition(S.CLOSED, _always, Who.FOLLOW_UP),
    (S.RESOLVED, Action.REOPEN): Transition(S.SUPERVISED, _needs_reason, Who.FOLLOW_UP),
    (S.REGISTERED, Action.CLOSE_UNCONFIRMED): Transition(S.CLOSED, _needs_reason, Who.REGISTRAR),
    (S.SENT_BACK, Action.CLOSE_UNCONFIRMED): Transition(S.CLOSED, _needs_reason, Who.REGISTRAR),
    (S.RESOLVED, Action.CLOSE_UNCONFIRMED): Transition(S.CLOSED, _needs_reason, Who.REGISTRAR),
    (S.REGISTERED, Action.ESCALATE): Transition(None, _can_escalate, Who.SUPERVISOR),
    (S.HANDED_OVER, Action.ESCALATE): Transition(None, _can_escalate, Who.SUPERVISOR),
    (S.SENT_BACK, Action.ESCALATE): Transition(None, _can_escalate, Who.SUPERVISOR),
    (S.IN_PROGRESS, Action.ESCALATE): Transition(None, _can_escalate, Who.SUPERVISOR),
    (S.SUPERVISED, Action.ESCALATE): Transition(None, _can_escalate, Who.SUPERVISOR),
}

# Timeline rows of these actions are shown on the public tracking page.
PUBLIC_ACTIONS = {
    Action.REGISTER,
    Action.HAND_OVER,
    Action.ACCEPT,
    Action.RESOLVE,
    Action.CONFIRM,
    Action.REOPEN,
    Action.CLOSE_UNCONFIRMED,
}

AUDITED_FIELDS = (
    "status",
    "department_id",
    "level",
    "owner_id",
    "handover_due",
    "feedback_due",
    "resolve_due",
    "deadline_unconfirmed",
    "send_back_count",
    "reopen_count",
    "closed_without_confirmation",
    "close_reason",
    "resolution",
)


# --- Who is who ------------------------------------------------------------------------------


def problem_in_scope(access: Access, problem: Problem) -> bool:
    """Return whether the problem's post unit or handling department is within a unit scope.

    Mirrors `selectors.problem_scope_q` for one loaded problem (post_unit and department).
    """
    units = [u for u in (problem.post_unit, problem.department) if u is not None]
    if access.scope == DataScope.ALL:
        return True
    if access.scope == DataScope.SUBTREE:
        return any(u.path.startswith(access.unit_path) for u in units)
    if access.scope == DataScope.NODE:
        return any(u.pk == access.unit_id for u in units)
    return False


def is_supervisor(user: User, problem: Problem) -> bool:
    access = access_for(user)
    return access.can_edit and problem_in_scope(access, problem)


def is_registrar(user: User, problem: Problem) -> bool:
    return user.pk in (problem.created_by_id, problem.owner_id) or is_supervisor(user, problem)


def is_department_member(user: User, problem: Problem) -> bool:
    department = problem.department
    if department is None:
        return False
    path = access_for(user).unit_path
    return bool(path) and path.startswith(department.path)


def _may(who: Who, actor: User | None, problem: Problem, *, as_requester: bool) -> bool:
    if actor is None:
        if as_requester:
            return who == Who.FOLLOW_UP
        return who == Who.SUPERVISOR  # the background job
    if who == Who.DEPARTMENT:
        return is_department_member(actor, problem)
    if who == Who.SUPERVISOR:
        return is_supervisor(actor, problem)
    return is_registrar(actor, problem)


def allowed_actions(user: User, problem: Problem) -> list[str]:
    """Return the actions this user may take on the problem now (for the page's buttons)."""
    return [
        action
        for (state, action), rule in TRANSITIONS.items()
        if state == problem.status and _may(rule.who, user, problem, as_requester=False)
    ]


# --- The transition service ------------------------------------------------------------------


def problem_transition(
    *,
    actor: User | None,
    problem: Problem,
    action: str,
    expected_version: int,
    as_requester: bool = False,
    today: date | None = None,
    **fields: Any,
) -> Problem:
    """Perform one workflow action on a problem and return the updated row.

    Lock the row, refuse a stale version (ConflictError) and an illegal or unauthorized action
    (ApplicationError with a message in the user's language), apply the change, write the timeline event and
    the audit row in the same transaction, then notify after commit.
    """
    from frontline.ledger.services import problem_apply_deadlines

    try:
        act = Action(action)
    except ValueError:
        raise ApplicationError(
            gettext("未知的操作：%(action)s。") % {"action": action}, code="unknown_action"
        ) from None
    with transaction.atomic():
        locked = (
            Problem.objects.select_for_update(of=("self",))
            .select_related("post_unit", "post", "department", "category")
            .get(pk=problem.pk)
        )
        if locked.version != expected_version:
            raise ConflictError(
                gettext("该问题已被他人处理（当前状态：%(status)s），请刷新后查看最新情况。")
                % {"status": locked.get_status_display()},
                current_version=locked.version,
            )
        rule = TRANSITIONS.get((locked.status, act))
        if rule is None:
            raise ApplicationError(
                gettext("当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"status": locked.get_status_display(), "action": ACTION_LABELS[act]},
                code="illegal_transition",
                extra={"status": locked.status},
            )
        if not _may(rule.who, actor, locked, as_requester=as_requester):
            raise ApplicationError(
                gettext("您无权对该问题执行“%(action)s”。") % {"action": ACTION_LABELS[act]}, code="forbidden"
            )
        rule.guard(locked, fields)
        tally_before = tally_key(locked)
        today = today or timezone.localdate()
        now = timezone.now()
        before = snapshot(locked, AUDITED_FIELDS)
        from_status = locked.status
        department_before = locked.department
        note = _text(fields, "note") or _text(fields, "resolution")
        notify: list[tuple[User, str, str]] = []
        _apply(act, locked, fields, now=now, today=today, notify=notify)
        if rule.to is not None:
            locked.status = rule.to
        problem_apply_deadlines(locked, today=today)
        locked.version += 1
        locked.save()
        public = act in PUBLIC_ACTIONS or (act == Action.UPDATE and bool(fields.get("public")))
        ProblemEvent.objects.create(
            problem=locked,
            action=act,
            actor=actor,
            actor_name=("群众/企业" if as_requester else "系统") if actor is None else str(actor),
            from_status=from_status,
            to_status=locked.status,
            note=note,
            department=locked.department or department_before,
            public=public,
            created_at=now,
        )
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes=diff(before, snapshot(locked, AUDITED_FIELDS)),
            note=f"{act}: {note}"[:500],
            actor_name="" if actor else ("requester" if as_requester else "system"),
        )
        tally_move(before=tally_before, after=tally_key(locked))
        if notify:
            transaction.on_commit(lambda: _send_notifications(locked, notify))
    return locked


def _apply(
    act: Action,
    problem: Problem,
    fields: Mapping[str, Any],
    *,
    now: Any,
    today: date,
    notify: list[tuple[User, str, str]],
) -> None:
    """Apply the effects of an allowed action to the locked row (not saved yet)."""
    note = _text(fields, "note")
    if act == Action.HAND_OVER:
        department = fields["department"]
        problem.department = department
        problem.handed_over_at = now
        problem.acknowledged_at = None
        problem.first_feedback_at = None
        problem.clock_started_on = today
        for member in User.objects.filter(unit=department, is_active=True):
            notify.append((member, "hand_over", f"新交办问题：{problem.title}"))
    elif act == Action.ACCEPT:
        problem.acknowledged_at = now
    elif act == Action.SEND_BACK:
        problem.send_back_count += 1
        problem.department = None
        problem.clock_started_on = today
        for user in _registrars(problem):
            notify.append((user, "send_back", f"问题被退单（第 {problem.send_back_count} 次）：{problem.title}"))
    elif act == Action.UPDATE:
        problem.first_feedback_at = problem.first_feedback_at or now
    elif act == Action.RESOLVE:
        problem.resolution = _text(fields, "resolution")
        problem.resolved_at = now
        problem.first_feedback_at = problem.first_feedback_at or now
    elif act == Action.CONFIRM:
        problem.closed_at = now
    elif act == Action.REOPEN:
        problem.reopen_count += 1
        problem.resolved_at = None
        problem.clock_started_on = today
        if problem.department is not None:
            for member in User.objects.filter(unit=problem.department, is_active=True):
                notify.append((member, "reopen", f"问题被督办（诉求人不满意）：{problem.title}"))
    elif act == Action.CLOSE_UNCONFIRMED:
        problem.closed_without_confirmation = True
        problem.close_reason = note[:300]
        problem.closed_at = now
    elif act == Action.ESCALATE:
        from frontline.ledger.services import escalation_owner_for

        problem.level = EscalationLevel(problem.level + 1)
        problem.owner = escalation_owner_for(problem.post_unit, problem.level) or problem.owner
        due = fields.get("overdue_deadline")
        problem.escalated_for = due if isinstance(due, date) else today
        problem.is_overdue = True
        recipients = [problem.owner] if problem.owner else list(_registrars(problem))
        for user in recipients:
            notify.append((user, "overdue", f"问题超期，已升级至{problem.get_level_display()}：{problem.title}"))


def _registrars(problem: Problem) -> list[User]:
    users = [u for u in (problem.created_by, problem.owner) if u is not None]
    return list({u.pk: u for u in users}.values())


def _send_notifications(problem: Problem, notify: list[tuple[User, str, str]]) -> None:
    """Create in-app notifications and send e-mail to recipients who have an address."""
    Notification.objects.bulk_create(
        [Notification(user=user, problem=problem, kind=kind, message=message[:300]) for user, kind, message in notify]
    )
    if not getattr(settings, "MAILERS", None):
        return
    for user, _kind, message in notify:
        if user.email:
            try:
                send_mail(f"[一线] {message}"[:120], f"{message}\n查询码：{problem.tracking_code}", None, [user.email])
            except Exception:  # a mail server outage must not break the workflow; the in-app note stays
                logger.exception("notification e-mail to %s failed", user.pk)
