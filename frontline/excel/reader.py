"""Open an uploaded workbook: recognise it by its content, read its first sheet, find formula cells.

The format comes from the first bytes (a .xlsx is a ZIP holding xl/workbook.xml, a .xls an OLE2
compound file), never from the file name. python-calamine reads both and gives the cached value
of a formula cell, so for .xlsx the sheet XML is also scanned for <f> elements: a formula's result
is not what the person typed and is refused. (A .xls is not scanned; calamine gives its cached
values.)
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from frontline.core.errors import ApplicationError

Cell = int | float | str | bool | datetime.date | datetime.datetime | datetime.time | datetime.timedelta
Format = Literal["xlsx", "xls"]

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# A .xlsx expands a lot; refuse archives that would expand beyond this many times the upload limit.
MAX_EXPANSION = 40


def max_bytes() -> int:
    return int(settings.FRONTLINE_IMPORT_MAX_BYTES)


def check_size(size: int) -> None:
    """Raise ApplicationError when a file of `size` bytes is over FRONTLINE_IMPORT_MAX_BYTES."""
    limit = max_bytes()
    if size > limit:
        raise ApplicationError(
            _("文件太大（%(size)s），最大允许 %(limit)s。请分成几个文件导入。")
            % {"size": _human_size(size), "limit": _human_size(limit)},
            code="file_too_large",
        )


def sniff_format(content: bytes) -> Format:
    """Return the workbook format of `content`, or raise ApplicationError saying what the file is not."""
    if not content:
        raise ApplicationError(_("文件是空的（0 字节），请重新选择要导入的 Excel 文件。"), code="empty_file")
    check_size(len(content))
    limit = max_bytes()
    if content.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                expanded = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise ApplicationError(
                _("文件已损坏，无法打开。请在 Excel 中重新保存后再上传。"), code="bad_file"
            ) from None
        if "xl/workbook.xml" not in names:
            raise ApplicationError(
                _("这不是 Excel 工作簿（可能是 Word、WPS 文字或其他压缩文件）。请上传 .xlsx 或 .xls 文件。"),
                code="not_excel",
            )
        if expanded > limit * MAX_EXPANSION:
            raise ApplicationError(_("文件解压后过大，无法导入。请分成几个文件导入。"), code="file_too_large")
        return "xlsx"
    if content.startswith(OLE2_MAGIC):
        return "xls"
    raise ApplicationError(
        _("文件内容不是 Excel 表格（.xlsx 或 .xls），只改扩展名是不行的。请在 Excel 中“另存为”.xlsx 后再上传。"),
        code="not_excel",
    )


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


@dataclass
class Sheet:
    """The first sheet of a workbook: its rows (row 0 is Excel row 1) and the cells holding formulas."""

    rows: list[list[Cell]]
    formula_cells: set[tuple[int, int]] = field(default_factory=set)

    @property
    def header(self) -> list[Cell]:
        return self.rows[0] if self.rows else []

    def data_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """Yield (Excel row number, cells) for every row under the header that is not blank."""
        for index in range(1, len(self.rows)):
            cells = self.rows[index]
            if any(not _blank(c) for c in cells):
                yield index + 1, cells


def _blank(value: Cell) -> bool:
    return value == "" or (isinstance(value, str) and not value.strip())


def read_first_sheet(content: bytes) -> Sheet:
    """Return the first sheet of an .xlsx or .xls file; unreadable files raise ApplicationError."""
    kind = sniff_format(content)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
            if not book.sheet_names:
                raise ApplicationError(_("工作簿中没有工作表。"), code="empty_sheet")
            sheet = book.get_sheet_by_index(0)
            # Keep leading blank rows and columns so that list positions are Excel's row and column.
            rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
    except PasswordError:
        raise ApplicationError(_("文件设置了密码，请取消密码保护后再上传。"), code="encrypted") from None
    except CalamineError:
        raise ApplicationError(
            _("无法读取文件内容，文件可能已损坏。请在 Excel 中重新保存后再上传。"), code="bad_file"
        ) from None
    formulas = xlsx_formula_cells(content) if kind == "xlsx" else set()
    return Sheet(rows=rows, formula_cells=formulas)


def count_rows(content: bytes) -> int:
    """Return how many rows lie under the header of the first sheet (blank ones included), 0 if unreadable.

    Cheap: it decides whether an upload runs at once or in the background, before the sheet is
    read. A .xlsx declares its used range in <dimension> at the top of the sheet; a range that
    cannot be true for the sheet's size (stale, as some tools leave it) is not trusted, and then,
    as for a .xls, calamine parses the sheet (without making a Python value per cell).
    """
    declared = _declared_rows(content) if content.startswith(ZIP_MAGIC) else None
    if declared is not None:
        return declared
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
            end = book.get_sheet_by_index(0).end if book.sheet_names else None
    except CalamineError:
        return 0
    return end[0] if end else 0


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"[A-Z]+[0-9]+(?::[A-Z]+([0-9]+))?\"")
# Below this size any declared range is plausible; above it, a sheet needs at least one row per this
# many bytes of XML for its declared range to be believed.
_SMALL_SHEET = 256 * 1024
_MAX_BYTES_PER_ROW = 4096


def _declared_rows(content: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            path = _first_sheet_path(archive)
            if path is None:
                return None
            size = archive.getinfo(path).file_size
            with archive.open(path) as stream:
                head = stream.read(4096)
    except (zipfile.BadZipFile, KeyError):
        return None
    match = _DIMENSION.search(head)
    if match is None:
        return None
    rows = int(match.group(1) or 1) - 1
    if size > _SMALL_SHEET and size > (rows + 1) * _MAX_BYTES_PER_ROW:
        return None
    return rows


_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br(?:elationships)?:id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"\b(Id|Target)=\"([^\"]+)\"")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]+)\"[^>]*>\s*<(?:\w+:)?f[\s>/]")


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    workbook = archive.read("xl/workbook.xml")
    match = _SHEET_ENTRY.search(workbook)
    if match is None:
        return None
    rel_id = match.group(1)
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    for rel in _RELATIONSHIP.finditer(rels):
        attributes = dict(_ATTRIBUTE.findall(rel.group(0)))
        if attributes.get(b"Id") == rel_id and b"Target" in attributes:
            target = attributes[b"Target"].decode()
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def column_index(letters: str) -> int:
    """Return the 0-based index of an Excel column name: A → 0, Z → 25, AA → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


def column_letters(index: int) -> str:
    """Return the Excel column name of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def xlsx_formula_cells(content: bytes) -> set[tuple[int, int]]:
    """Return (row index, column index) of every formula cell on the first sheet of an .xlsx."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        path = _first_sheet_path(archive)
        if path is None or path not in archive.namelist():
            return set()
        # Most files have no formula at all: stream through the sheet and stop at the first <f>.
        found = False
        with archive.open(path) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    found = True
                    break
                tail = chunk[-16:]
        if not found:
            return set()
        xml = archive.read(path)
    return {(int(row) - 1, column_index(letters.decode())) for letters, row in _FORMULA_CELL.findall(xml)}
