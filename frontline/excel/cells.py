"""Read one cell of a sheet as the value its column expects, or say why it cannot be used."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from frontline.core.idcodes import mask_mobile, mask_resident_id
from frontline.excel.columns import NO, TAG_SEPARATORS, YES, CellType, Column
from frontline.excel.reader import Cell

# A text starting with one of these is taken for a formula by Excel (and by anything the value
# is later pasted into); imports refuse such text and exports neutralize it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CellError(ValueError):
    """The cell cannot be read as its column expects; the message says how to fix it."""


def display_value(column: Column, raw: object) -> str:
    """Return the cell as shown in an error report: ID numbers and phones masked."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        text = str(int(raw))
    elif isinstance(raw, datetime.datetime | datetime.date):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    if column.sensitive == "id":
        compact = "".join(text.split())
        return mask_resident_id(compact) if len(compact) == 18 else _mask_tail(compact, 6)
    if column.sensitive == "phone":
        compact = "".join(text.split())
        return mask_mobile(compact) if len(compact) == 11 else _mask_tail(compact, 3)
    return text[:100]


def _mask_tail(text: str, keep: int) -> str:
    if len(text) <= keep + 2:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - keep)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _is_blank(raw: Cell) -> bool:
    return raw == "" or (isinstance(raw, str) and not raw.strip())


def read_text(column: Column, raw: Cell) -> str | None:
    if isinstance(raw, bool):
        text = YES if raw else NO
    elif isinstance(raw, float | int):
        text = _number_text(float(raw))
    elif isinstance(raw, datetime.datetime):
        text = raw.isoformat(sep=" ")
    elif isinstance(raw, datetime.date):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    if not text:
        return None
    if column.free_text and isinstance(raw, str) and text.startswith(FORMULA_PREFIXES):
        raise CellError(
            _("内容以“%(char)s”开头，Excel 可能把它当作公式执行，不能导入。请去掉开头的“%(char)s”。")
            % {"char": text[0]}
        )
    if column.max_length is not None and len(text) > column.max_length:
        raise CellError(
            _("%(header)s不能超过 %(n)s 个字，当前为 %(len)s 个字。")
            % {"header": column.header, "n": column.max_length, "len": len(text)}
        )
    return text


def read_code(column: Column, raw: Cell) -> str | None:
    if isinstance(raw, bool):
        raise CellError(_("%(header)s应为文本，不能是“是/否”。") % {"header": column.header})
    if isinstance(raw, float | int):
        if column.refuse_numbers:
            raise CellError(
                _("%(header)s必须以文本格式填写：以数字格式保存会丢失末几位。请把该列设为文本格式后重新输入。")
                % {"header": column.header}
            )
        value = float(raw)
        if not value.is_integer() or abs(value) >= 1e15:
            raise CellError(_("%(header)s应以文本格式填写。") % {"header": column.header})
        return str(int(value))
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta):
        raise CellError(_("%(header)s应为文本，不能是日期或时间。") % {"header": column.header})
    text = "".join(str(raw).split())
    return text or None


def read_choice(column: Column, raw: Cell, mapping: dict[str, str | int]) -> str | int | None:
    text = _number_text(float(raw)) if isinstance(raw, float | int) and not isinstance(raw, bool) else str(raw)
    text = text.strip()
    if not text:
        return None
    if text in mapping:
        return mapping[text]
    raise CellError(
        _("“%(value)s”不是有效的%(header)s，可填：%(allowed)s。")
        % {"value": text[:30], "header": column.header, "allowed": "、".join(column.labels())}
    )


_TRUE = {YES, "Y", "YES", "TRUE", "1", "√"}
_FALSE = {NO, "N", "NO", "FALSE", "0", "×"}


def read_bool(column: Column, raw: Cell) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _number_text(float(raw)) if isinstance(raw, float | int) else str(raw)
    text = text.strip().upper()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("%(header)s请填“是”或“否”。") % {"header": column.header})


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def read_date(column: Column, raw: Cell) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        match = _DATE_TEXT.fullmatch(text)
        if match:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
        if re.fullmatch(r"\d{8}", text):
            try:
                return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                pass
    raise CellError(_("%(header)s不是有效日期，请按 2026-03-01 的格式填写。") % {"header": column.header})


def read_number(column: Column, raw: Cell) -> float | None:
    if isinstance(raw, bool):
        raise CellError(_("%(header)s应为数字。") % {"header": column.header})
    if isinstance(raw, float | int):
        return float(raw)
    text = str(raw).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise CellError(_("%(header)s应为数字，如 30.05。") % {"header": column.header}) from None


def read_decimal(column: Column, raw: Cell) -> Decimal | None:
    if isinstance(raw, bool):
        raise CellError(_("%(header)s应为数字。") % {"header": column.header})
    text = (_number_text(float(raw)) if isinstance(raw, float | int) else str(raw)).strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(_("%(header)s应为数字，如 12500.50。") % {"header": column.header}) from None
    if not value.is_finite() or value < 0:
        raise CellError(_("%(header)s应为不小于 0 的数字。") % {"header": column.header})
    if value != value.quantize(Decimal("0.01")):
        raise CellError(_("%(header)s最多两位小数。") % {"header": column.header})
    if value >= Decimal("1e12"):
        raise CellError(_("%(header)s过大，请核对单位（万元）。") % {"header": column.header})
    return value.quantize(Decimal("0.01"))


def read_integer(column: Column, raw: Cell) -> int | None:
    if isinstance(raw, bool):
        raise CellError(_("%(header)s应为整数。") % {"header": column.header})
    if isinstance(raw, float | int):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise CellError(_("%(header)s应为整数。") % {"header": column.header}) from None
    if not value.is_integer() or value < 0 or value > 2_000_000_000:
        raise CellError(_("%(header)s应为不小于 0 的整数。") % {"header": column.header})
    return int(value)


CellReader = Callable[[Cell], object]


def reader_for(column: Column) -> CellReader:
    """Return a function reading one cell of `column`: None for a blank cell, CellError when unusable."""
    if column.cell_type == CellType.CHOICE:
        mapping = column.value_by_label()

        def choice(raw: Cell) -> object:
            return None if _is_blank(raw) else read_choice(column, raw, mapping)

        return choice
    read = {
        CellType.TEXT: read_text,
        CellType.CODE: read_code,
        CellType.BOOL: read_bool,
        CellType.DATE: read_date,
        CellType.NUMBER: read_number,
        CellType.DECIMAL: read_decimal,
        CellType.INTEGER: read_integer,
    }[column.cell_type]

    def cell(raw: Cell) -> object:
        return None if _is_blank(raw) else read(column, raw)

    return cell


_TAG_SPLIT = re.compile("[" + re.escape(TAG_SEPARATORS) + "]")


def split_tags(text: str | None) -> list[str]:
    """Return the tags of an expertise cell, split on 、 , ， ; ； / and line breaks."""
    if not text:
        return []
    return [t for t in (part.strip() for part in _TAG_SPLIT.split(text)) if t]
