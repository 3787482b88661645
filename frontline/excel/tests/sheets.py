"""Build small workbooks for the tests, including the malformed ones a person can produce."""

import io
import itertools
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from frontline.core.idcodes import resident_id_check_char

CADRE_HEADER = [
    "姓名", "身份证号", "手机号", "政治面貌", "派出单位", "职务", "职级", "专长", "可全脱产", "居住地区划代码", "备注",
]  # fmt: skip
POST_HEADER = [
    "类型", "名称", "所在区划代码", "管理单位", "上级名称", "地址", "纬度", "经度", "重点",
    "统一社会信用代码", "行业", "规模", "总投资（万元）", "阶段", "计划开工", "实际开工", "户数",
]  # fmt: skip
_ids = itertools.count(1)


@dataclass(frozen=True)
class Formula:
    """A real formula cell, with the value Excel would have cached."""

    text: str
    value: str = ""


def new_id(region6: str = "420281") -> str:
    """Return a valid resident ID number that no other test uses."""
    n = next(_ids)
    first17 = f"{region6}{date(1980, 1, 1) + timedelta(days=n * 7):%Y%m%d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def cadre_row(name: str, id_number: str | None = None, *, unit: str = "新港园区", **columns: object) -> list[object]:
    values: dict[str, object] = {
        "姓名": name,
        "身份证号": id_number or new_id(),
        "手机号": "13900001111",
        "政治面貌": "中共党员",
        "派出单位": unit,
        "职务": "科员",
        "职级": "科员",
        "专长": "规划、建设",
        "可全脱产": "是",
        "居住地区划代码": "",
        "备注": "",
    }
    values.update(columns)
    return [values[h] for h in CADRE_HEADER]


def xlsx(rows: Sequence[Sequence[object]], *, sheet: str = "干部") -> bytes:
    """Return an .xlsx whose first sheet holds `rows`: str as text, numbers as numbers, Formula as formulas."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                ws.write_formula(r, c, value.text, None, value.value)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime.combine(value, time()), date_format)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value is not None and value != "":
                ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def cadres_xlsx(*rows: list[object]) -> bytes:
    return xlsx([CADRE_HEADER, *rows])


def read_xlsx(content: bytes, sheet: int | str = 0) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    ws = book.get_sheet_by_index(sheet) if isinstance(sheet, int) else book.get_sheet_by_name(sheet)
    return ws.to_python()


def sheet_xml(content: bytes) -> str:
    """Return the XML of every worksheet of an .xlsx, joined."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/sheet")
        )
