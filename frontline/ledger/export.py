"""Excel exports of the problems (phones masked) and the enterprise plans a user may see, through the
shared writer."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from frontline.excel.export import write_xlsx
from frontline.ledger.models import EnterprisePlan, Problem


def _headers() -> list[str]:
    return [
        _("查询码"),
        _("标题"),
        _("阵地"),
        _("类别"),
        _("来源"),
        _("状态"),
        _("承办部门"),
        _("办理层级"),
        _("登记时间"),
        _("交办期限"),
        _("首次反馈期限"),
        _("办结期限"),
        _("期限待确认"),
        _("已超期"),
        _("退单次数"),
        _("未经确认关闭"),
        _("关闭理由"),
        _("诉求人电话"),
    ]


def _rows(problems: Iterable[Problem]) -> Iterator[list[Any]]:
    for p in problems:
        yield [
            p.tracking_code,
            p.title,
            p.post.name,
            p.category.name,
            p.get_source_display(),
            p.get_status_display(),
            p.department.name if p.department else "",
            p.get_level_display(),
            p.created_at,
            p.handover_due,
            p.feedback_due,
            p.resolve_due,
            p.deadline_unconfirmed,
            p.is_overdue,
            p.send_back_count,
            p.closed_without_confirmation,
            p.close_reason,
            p.requester_phone_masked,
        ]


def problems_xlsx(problems: Iterable[Problem]) -> bytes:
    """Return an .xlsx with one row per problem."""
    return write_xlsx(_headers(), _rows(problems), sheet_name=_("问题台账"))


def _plan_headers() -> list[str]:
    return [
        _("企业"),
        _("统一社会信用代码"),
        _("一企一策"),
        _("问题总数"),
        _("未办结问题"),
        _("措施序号"),
        _("措施"),
        _("责任部门"),
        _("完成时限"),
        _("措施状态"),
        _("措施超期"),
        _("更新时间"),
    ]


def _plan_rows(plans: Iterable[EnterprisePlan]) -> Iterator[list[Any]]:
    for plan in plans:
        head = [
            plan.post.name,
            plan.post.uscc,
            plan.title,
            getattr(plan, "problem_count", None),
            getattr(plan, "open_problems", None),
        ]
        measures = list(plan.measures.all())  # prefetched with their departments
        if not measures:
            yield [*head, None, "", "", None, "", False, plan.updated_at]
        for m in measures:
            yield [
                *head,
                m.position,
                m.text,
                m.department.name,
                m.due_date,
                m.get_status_display(),
                m.is_overdue,
                plan.updated_at,
            ]


def plans_xlsx(plans: Iterable[EnterprisePlan]) -> bytes:
    """Return an .xlsx of enterprise plans (一企一策), one row per measure."""
    return write_xlsx(_plan_headers(), _plan_rows(plans), sheet_name=_("一企一策"))
