"""Excel export of the problems a user may see (phones masked), through the shared writer."""

from collections.abc import Iterable, Iterator
from typing import Any

from frontline.excel.export import write_xlsx
from frontline.ledger.models import Problem

HEADERS = [
    "查询码",
    "标题",
    "阵地",
    "类别",
    "来源",
    "状态",
    "承办部门",
    "办理层级",
    "登记时间",
    "交办期限",
    "首次反馈期限",
    "办结期限",
    "期限待确认",
    "已超期",
    "退单次数",
    "未经确认关闭",
    "关闭理由",
    "诉求人电话",
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
    return write_xlsx(HEADERS, _rows(problems), sheet_name="问题台账")
