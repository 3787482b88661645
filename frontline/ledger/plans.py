"""Enterprise plans (一企一策): every write, each audited, with optimistic locking on the plan's version.

A plan belongs to one enterprise post; its problems are simply the problems of that post. Adding or
changing a measure bumps the plan's version too, so that two people editing the same plan at once
cannot overwrite each other: the second is told the plan changed (ConflictError, HTTP 409).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.core.access import access_for
from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, User
from frontline.ledger.models import EnterprisePlan, MeasureStatus, PlanMeasure, Problem
from frontline.ledger.services import ProblemValidationError
from frontline.org.models import Unit
from frontline.posts.models import Post, PostKind

MAX_TITLE = 200
MAX_SUMMARY = 5000
MAX_MEASURE = 500
MAX_MEASURES = 100

PLAN_FIELDS = ("title", "summary")
MEASURE_FIELDS = ("position", "text", "department_id", "due_date", "status", "problem_id")


def may_edit_plan(user: User, plan: EnterprisePlan) -> bool:
    """Return whether the user may change the plan and all its measures (see `plan_editable_posts`)."""
    from frontline.ledger.selectors import plan_editable_posts

    return plan.created_by_id == user.pk or plan_editable_posts(user=user).filter(pk=plan.post_id).exists()


def is_measure_department(user: User, measure: PlanMeasure) -> bool:
    """Return whether the user belongs to the measure's responsible department (or a unit below it)."""
    path = access_for(user).unit_path
    return bool(path) and path.startswith(measure.department.path)


def _lock(plan: EnterprisePlan, expected_version: int | None) -> EnterprisePlan:
    locked = EnterprisePlan.objects.select_for_update(of=("self",)).select_related("post").get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _("该“一企一策”已被他人修改（当前第 %(v)s 版），请刷新后再保存。") % {"v": locked.version},
            current_version=locked.version,
        )
    return locked


def _plan_values(title: str, summary: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    title, summary = title.strip(), summary.strip()
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("标题不能超过 %(n)s 个字符。") % {"n": MAX_TITLE}
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = _("概述不能超过 %(n)s 个字符。") % {"n": MAX_SUMMARY}
    if errors:
        raise ProblemValidationError(errors)
    return {"title": title, "summary": summary}


def enterprise_plan_create(*, actor: User, post: Post, title: str = "", summary: str = "") -> EnterprisePlan:
    """Start the plan of an enterprise post (one per enterprise); the title defaults to "<name>一企一策"."""
    if post.kind != PostKind.ENTERPRISE:
        raise ApplicationError(
            _("“%(name)s”不是企业，一企一策只针对企业。") % {"name": post.name}, code="not_enterprise"
        )
    values = _plan_values(title or _("%(name)s一企一策") % {"name": post.name}, summary)
    try:
        with transaction.atomic():
            plan = EnterprisePlan.objects.create(post=post, created_by=actor, **values)
            audit(
                actor=actor,
                action=AuditAction.CREATE,
                obj=plan,
                changes={"post": (None, post.name), "title": (None, plan.title), "summary": (None, plan.summary)},
            )
    except IntegrityError:
        raise ApplicationError(
            _("“%(name)s”已有一企一策，请在原方案中修改。") % {"name": post.name}, code="duplicate"
        ) from None
    return plan


@transaction.atomic
def enterprise_plan_update(
    *, actor: User, plan: EnterprisePlan, title: str, summary: str, expected_version: int
) -> EnterprisePlan:
    """Change the title and summary; refused on a stale version (ConflictError)."""
    locked = _lock(plan, expected_version)
    if not may_edit_plan(actor, locked):
        raise ApplicationError(_("您无权修改该企业的一企一策。"), code="forbidden")
    values = _plan_values(title, summary)
    before = snapshot(locked, PLAN_FIELDS)
    locked.title, locked.summary = values["title"], values["summary"]
    changes = diff(before, snapshot(locked, PLAN_FIELDS))
    if changes:
        locked.version += 1
        locked.save()
        audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@dataclass
class MeasureData:
    text: str
    department: Unit
    due_date: date | None = None
    status: str = MeasureStatus.PLANNED
    problem: Problem | None = None
    position: int | None = None  # 1-based; None appends (or keeps the place when updating)


def _check_measure(plan: EnterprisePlan, data: MeasureData) -> str:
    errors: dict[str, str] = {}
    text = (data.text or "").strip()
    if not text:
        errors["text"] = _("请填写措施内容。")
    elif len(text) > MAX_MEASURE:
        errors["text"] = _("措施不能超过 %(n)s 个字符。") % {"n": MAX_MEASURE}
    if data.status not in MeasureStatus.values:
        errors["status"] = _("状态无效：应为未开始、推进中或已完成。")
    province_root = "/".join(plan.post.unit.path.split("/")[:2]) + "/"
    if not data.department.path.startswith(province_root):
        errors["department"] = _("责任部门应为本省的单位。")
    if data.problem is not None and data.problem.post_id != plan.post_id:
        errors["problem"] = _("只能关联本企业的问题。")
    if data.due_date is not None and not date(2000, 1, 1) <= data.due_date <= date(2100, 12, 31):
        errors["due_date"] = _("完成时限不在合理范围内。")
    if errors:
        raise ProblemValidationError(errors)
    return text


def _place(plan: EnterprisePlan, measure: PlanMeasure, position: int | None) -> None:
    """Put the measure at `position` (1-based, clamped) and renumber the others 1, 2, 3 …"""
    others = list(plan.measures.exclude(pk=measure.pk).order_by("position", "id"))
    index = len(others) if position is None else min(max(position, 1), len(others) + 1) - 1
    ordered = [*others[:index], measure, *others[index:]]
    moved = []
    for number, row in enumerate(ordered, start=1):
        if row.position != number:
            row.position = number
            if row is not measure:
                moved.append(row)
    PlanMeasure.objects.bulk_update(moved, ["position"])


@transaction.atomic
def plan_measure_add(
    *, actor: User, plan: EnterprisePlan, data: MeasureData, expected_version: int | None = None
) -> PlanMeasure:
    """Add a measure (appended, or at `data.position`); checks the version when one is given."""
    locked = _lock(plan, expected_version)
    if not may_edit_plan(actor, locked):
        raise ApplicationError(_("您无权修改该企业的一企一策。"), code="forbidden")
    text = _check_measure(locked, data)
    if locked.measures.count() >= MAX_MEASURES:
        raise ApplicationError(_("每个一企一策最多 %(n)s 条措施。") % {"n": MAX_MEASURES}, code="too_many_measures")
    last = locked.measures.aggregate(n=Max("position"))["n"] or 0
    measure = PlanMeasure(
        plan=locked,
        position=last + 1,
        text=text,
        department=data.department,
        due_date=data.due_date,
        status=data.status,
        problem=data.problem,
        done_at=timezone.now() if data.status == MeasureStatus.DONE else None,
    )
    _place(locked, measure, data.position)
    measure.save()
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=measure,
        changes={f: (None, getattr(measure, f)) for f in MEASURE_FIELDS} | {"plan": (None, locked.pk)},
    )
    return measure


@transaction.atomic
def plan_measure_update(
    *, actor: User, plan: EnterprisePlan, measure: PlanMeasure, expected_version: int, **fields: Any
) -> PlanMeasure:
    """Change some of a measure's fields (text, department, due_date, status, problem, position).

    A plan editor may change any of them; a member of the responsible department only the status.
    Refused on a stale plan version (ConflictError); the plan's version is bumped on any change.
    """
    locked_plan = _lock(plan, expected_version)
    row = PlanMeasure.objects.select_related("department", "problem").get(pk=measure.pk, plan=locked_plan)
    unknown = set(fields) - {"text", "department", "due_date", "status", "problem", "position"}
    if unknown:
        raise ApplicationError(_("不能修改这些字段：%(f)s。") % {"f": "、".join(sorted(unknown))}, code="invalid")
    if not may_edit_plan(actor, locked_plan):
        # The responsible department reports progress on its own measure; it does not rewrite the plan.
        if not is_measure_department(actor, row):
            raise ApplicationError(_("只有一企一策的维护人或该措施的责任部门可以修改措施。"), code="forbidden")
        if set(fields) - {"status"}:
            raise ApplicationError(_("责任部门只能更新措施的办理状态。"), code="forbidden")
    data = MeasureData(
        text=fields.get("text", row.text),
        department=fields.get("department", row.department),
        due_date=fields.get("due_date", row.due_date),
        status=fields.get("status", row.status),
        problem=fields.get("problem", row.problem),
        position=fields.get("position"),
    )
    before = snapshot(row, MEASURE_FIELDS)
    row.text = _check_measure(locked_plan, data)
    row.department, row.due_date, row.problem = data.department, data.due_date, data.problem
    if data.status != row.status:
        row.done_at = timezone.now() if data.status == MeasureStatus.DONE else None
        row.status = data.status
    if data.position is not None:
        _place(locked_plan, row, data.position)
    changes = diff(before, snapshot(row, MEASURE_FIELDS))
    if changes:
        row.save()
        locked_plan.version += 1
        locked_plan.save(update_fields=["version", "updated_at"])
        audit(actor=actor, action=AuditAction.UPDATE, obj=row, changes=changes, note=f"plan {locked_plan.pk}")
    return row
