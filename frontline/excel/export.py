"""Write .xlsx files with XlsxWriter: exports, import templates and error reports.

Every cell is written explicitly as text (`write_string`) or as a number (`write_number`), never as
a formula. Columns holding ID numbers, phones and codes are formatted as text ("@") so Excel keeps
all their digits. A string starting with = + - @, a tab or a carriage return is written with an
apostrophe in front ("'=SUM(A1)"): it is a plain text cell in the file either way, and the visible
apostrophe keeps it from turning into a formula when someone edits the cell or pastes the value
into another program (the usual defence against spreadsheet formula injection). The apostrophe is
part of the value, so it shows; an import refuses such text rather than stripping it.
"""

import datetime
import io
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

from frontline.excel.cells import FORMULA_PREFIXES
from frontline.excel.columns import COLUMNS_BY_KIND, NO, SHEET_TITLES, YES, CellType, Column
from frontline.excel.units import UnitDirectory

NEUTRALIZING_PREFIX = "'"
TEMPLATE_ROWS = 10_000  # drop-down lists in a template cover this many rows


def neutralize(text: str) -> str:
    """Return `text` with an apostrophe in front when a spreadsheet could read it as a formula."""
    return NEUTRALIZING_PREFIX + text if text.startswith(FORMULA_PREFIXES) else text


def _as_column(spec: str | Column) -> Column:
    return spec if isinstance(spec, Column) else Column(str(spec), "")


class WorkbookWriter:
    """A workbook being written row by row (XlsxWriter's constant-memory mode)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.header_format = self.book.add_format({"bold": True, "bg_color": "#F0F2F4", "num_format": 49})
        self.text_format = self.book.add_format({"num_format": 49})
        self.wrap_format = self.book.add_format({"text_wrap": True, "valign": "top"})

    def add_sheet(
        self,
        name: str,
        columns: Sequence[str | Column],
        rows: Iterable[Sequence[Any]],
        *,
        drop_downs: bool = False,
    ) -> int:
        """Write a sheet with a bold header row; return the number of data rows written."""
        specs = [_as_column(c) for c in columns]
        sheet = self.book.add_worksheet(name)
        for index, column in enumerate(specs):
            sheet.set_column(index, index, column.width, self.text_format if column.text_format else None)
            sheet.write_string(0, index, column.header, self.header_format)
            labels = column.labels() if drop_downs else []
            if labels:
                sheet.data_validation(
                    1,
                    index,
                    TEMPLATE_ROWS,
                    index,
                    {
                        "validate": "list",
                        "source": labels,
                        "error_title": column.header,
                        "error_message": "可填：" + "、".join(labels),
                    },
                )
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                column = specs[index] if index < len(specs) else Column("", "")
                self._write(sheet, count, index, value, column)
        return count

    def _write(self, sheet: Any, row: int, col: int, value: Any, column: Column) -> None:
        fmt = self.text_format if column.text_format else None
        if value is None or value == "":
            return
        if isinstance(value, bool):
            sheet.write_string(row, col, YES if value else NO, fmt)
        elif isinstance(value, int | float | Decimal):
            number = float(value)
            if column.text_format or not math.isfinite(number):
                sheet.write_string(row, col, str(value), fmt)
            else:
                sheet.write_number(row, col, number, fmt)
        elif isinstance(value, datetime.datetime):
            moment = timezone.localtime(value) if timezone.is_aware(value) else value
            sheet.write_string(row, col, moment.strftime("%Y-%m-%d %H:%M"), fmt)
        elif isinstance(value, datetime.date):
            sheet.write_string(row, col, value.isoformat(), fmt)
        else:
            sheet.write_string(row, col, neutralize(str(value)), fmt)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def write_xlsx(columns: Sequence[str | Column], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Sheet1") -> bytes:
    """Return an .xlsx with one sheet: a header row of `columns`, then `rows`, each cell as text or number."""
    writer = WorkbookWriter()
    writer.add_sheet(sheet_name, columns, rows)
    return writer.close()


_TYPE_NAMES = {
    CellType.TEXT: "文本",
    CellType.CODE: "文本（数字也须以文本格式填写）",
    CellType.CHOICE: "从下拉列表选择",
    CellType.BOOL: "是 / 否",
    CellType.DATE: "日期，如 2026-03-01",
    CellType.NUMBER: "数字",
    CellType.DECIMAL: "数字，最多两位小数",
    CellType.INTEGER: "整数",
}


def template_xlsx(kind: str, *, units: UnitDirectory) -> bytes:
    """Return the import template: the header row, a 说明 sheet explaining each column, and the units."""
    columns = COLUMNS_BY_KIND[kind]
    writer = WorkbookWriter()
    writer.add_sheet(SHEET_TITLES[kind], columns, [], drop_downs=True)
    notes = [
        Column("列名", "", width=16),
        Column("必填", "", width=6),
        Column("格式", "", width=22),
        Column("填写说明", "", width=60),
        Column("可填的值", "", width=40),
        Column("示例", "", width=20),
    ]
    note_rows: list[list[Any]] = [
        [c.header, YES if c.required else "", _TYPE_NAMES[c.cell_type], c.help, "、".join(c.labels()), c.example]
        for c in columns
    ]
    note_rows += [
        [],
        ["填写须知"],
        [f"数据填在第一个工作表“{SHEET_TITLES[kind]}”中：第 1 行是列名，不要修改；从第 2 行起每行一条记录。"],
        ["文本格式的列（身份证号、手机号、代码）请不要改成数字格式，否则长数字会丢失末几位。"],
        ["单元格不能是公式，文字不能以 = + - @ 开头。"],
        ["只要有一行有错误，整个文件都不会导入；请按错误报告改正后重新上传。"],
        [],
        ["示例行（只作参考，请填写在第一个工作表中）"],
        [c.header for c in columns],
        [c.example for c in columns],
    ]
    writer.add_sheet("说明", notes, note_rows)
    writer.add_sheet(
        "单位",
        [Column("单位名称", "", width=30), Column("完整路径（单位重名时填写）", "", width=60)],
        ([u.name, u.full_path] for u in units.units),
    )
    return writer.close()


ERROR_REPORT_COLUMNS = (
    Column("行号", "", width=8),
    Column("列", "", width=16),
    Column("值", "", width=24),
    Column("错误原因", "", width=80),
)


def error_report_xlsx(errors: Iterable[dict[str, Any]]) -> bytes:
    """Return the problems of an import as a sheet: row, column, value (already masked), reason."""
    rows = ([e.get("row") or "", e.get("column", ""), e.get("value", ""), e.get("message", "")] for e in errors)
    return write_xlsx(ERROR_REPORT_COLUMNS, rows, sheet_name="错误报告")
