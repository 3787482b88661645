"""Export to Excel: a matching run's preview or approved result (matches, unfilled needs, unassigned
cadres), and the 包保 list."""

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontline.dispatch.models import FrontlineKind, MatchingRun, ResponsibilityAssignment

CHANGE_LABELS = {"keep": gettext_lazy("留任"), "move": gettext_lazy("调岗"), "new": gettext_lazy("新派")}


class _Writer(Protocol):
    def add_sheet(self, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int: ...

    def close(self) -> bytes: ...


class _PlainWriter:
    """Used only when the shared writer (frontline.excel.export) is absent: every text cell via write_string."""

    def __init__(self) -> None:
        import xlsxwriter

        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False})
        self.bold = self.book.add_format({"bold": True})

    def add_sheet(self, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        sheet = self.book.add_worksheet(name)
        for col, title in enumerate(columns):
            sheet.write_string(0, col, str(title), self.bold)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, col, value)
                elif value is not None:
                    sheet.write_string(r, col, str(value))
        return len(rows)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _writer() -> _Writer:
    try:
        from frontline.excel.export import WorkbookWriter
    except ImportError:
        return _PlainWriter()
    return WorkbookWriter()  # type: ignore[return-value,unused-ignore]


def run_sheets(run: MatchingRun) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Return (sheet name, columns, rows) for the matches, the unfilled needs and the unassigned cadres."""
    result: dict[str, Any] = run.result or {}
    kinds = {k: str(label) for k, label in FrontlineKind.choices}
    matches = [
        [
            a["cadre_name"],
            a["unit_name"],
            _("是") if a.get("is_party_member") else _("否"),
            a["post_name"],
            kinds.get(a["kind"], a["kind"]),
            a["role_name"],
            a["distance_km"],
            str(CHANGE_LABELS.get(a["change"], a["change"])),
            _("是") if a.get("pinned") else "",
            "；".join(a["reasons"]),
        ]
        for a in result.get("assignments", [])
    ]
    unfilled = [
        [
            u["post_name"],
            kinds.get(u["kind"], u["kind"]),
            u["role_name"],
            u["min_count"],
            u["max_count"],
            u["assigned"],
            u["missing"],
            "；".join(u["reasons"]),
        ]
        for u in result.get("unfilled", [])
    ]
    unassigned = [[c["cadre_name"], c["unit_name"], "；".join(c["reasons"])] for c in result.get("unassigned", [])]
    return [
        (
            _("匹配结果"),
            [
                _("干部"),
                _("派出单位"),
                _("党员"),
                _("阵地"),
                _("一线类型"),
                _("角色"),
                _("距离（公里）"),
                _("变动"),
                _("人工锁定"),
                _("理由"),
            ],
            matches,
        ),
        (
            _("未满足需求"),
            [_("阵地"), _("一线类型"), _("角色"), _("最少"), _("最多"), _("已匹配"), _("缺额"), _("原因")],
            unfilled,
        ),
        (_("未安排干部"), [_("干部"), _("派出单位"), _("原因")], unassigned),
    ]


def run_xlsx(run: MatchingRun) -> bytes:
    writer = _writer()
    for name, columns, rows in run_sheets(run):
        writer.add_sheet(name, columns, rows)
    return writer.close()


def responsibility_rows(assignments: Iterable[ResponsibilityAssignment]) -> Iterator[list[Any]]:
    for r in assignments:
        yield [
            r.post.parent.name if r.post.parent else r.post.name,
            r.post.name if r.post.parent else "",
            r.get_level_display(),
            r.cadre.name,
            r.cadre.home_unit.name,
            r.cadre.position,
            r.campaign.name if r.campaign else "",
            r.start_date.isoformat(),
            r.end_date.isoformat() if r.end_date else "",
            r.ended_on.isoformat() if r.ended_on else "",
            r.note,
        ]


def responsibilities_xlsx(assignments: Iterable[ResponsibilityAssignment]) -> bytes:
    """Return the 包保 list as an .xlsx file: one row per assignment, sub-projects under their project."""
    writer = _writer()
    writer.add_sheet(
        _("包保责任"),
        [
            _("重点项目"),
            _("子项目"),
            _("包保层级"),
            _("包保人"),
            _("派出单位"),
            _("职务"),
            _("行动"),
            _("开始日期"),
            _("计划结束"),
            _("实际结束"),
            _("备注"),
        ],
        list(responsibility_rows(assignments)),
    )
    return writer.close()
