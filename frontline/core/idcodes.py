"""Checks for Chinese identity codes: resident ID (GB 11643), USCC (GB 32100) and mobile numbers.

Pure functions, no Django: each returns the normalized value or raises `CodeError` with a
message a person can act on. The message is in Chinese; `CodeError.message` and `.params` let the
caller show it in the user's language: `gettext(exc.message) % exc.params`.
"""

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def gettext_noop(message: str) -> str:
    """Mark a message for translation (makemessages picks up this name); the caller translates it."""
    return message


class CodeError(ValueError):
    """The code is malformed; the message says what is wrong.

    `str(exc)` is the Chinese text; `message` is its msgid and `params` fill its %(name)s placeholders.
    """

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    gender: str  # "M" or "F", from the parity of the 17th digit
    region_code: str

    @property
    def masked(self) -> str:
        return mask_resident_id(self.number)


_RID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_RID_CHECK = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _RID_WEIGHTS, strict=True))
    return _RID_CHECK[total % 11]


def parse_resident_id(value: str, *, today: date) -> ResidentId:
    """Validate an 18-character resident ID number and return its parts."""
    number = re.sub(r"\s", "", str(value or "")).upper()
    if not number:
        raise CodeError(gettext_noop("身份证号不能为空。"))
    if len(number) != 18:
        raise CodeError(gettext_noop("身份证号应为 18 位，当前为 %(length)s 位。"), length=len(number))
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise CodeError(gettext_noop("身份证号前 17 位应为数字，最后一位为数字或 X。"))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError(gettext_noop("身份证号中的出生日期 %(date)s 不是有效日期。"), date=number[6:14]) from None
    if birth > today:
        raise CodeError(gettext_noop("身份证号中的出生日期 %(date)s 晚于今天。"), date=f"{birth:%Y-%m-%d}")
    if birth.year < 1900:
        raise CodeError(gettext_noop("身份证号中的出生日期 %(date)s 早于 1900 年。"), date=f"{birth:%Y-%m-%d}")
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise CodeError(gettext_noop("身份证号校验位错误：最后一位应为 %(expected)s，请核对号码。"), expected=expected)
    # python-stdnum's ric.validate adds nothing here but cost (80% of a row's validation time), and
    # its birthplace check falsely rejects real IDs; the province code is what can be checked.
    if number[:2] not in _PROVINCE_CODES:
        raise CodeError(gettext_noop("身份证号前两位 %(code)s 不是有效的省级行政区划代码。"), code=number[:2])
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, gender=gender, region_code=number[:6])


_PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
}  # fmt: skip


def mask_resident_id(number: str) -> str:
    """Return the ID with the birth date and sequence hidden: 420222********123X."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def validate_uscc(value: str) -> str:
    """Validate a Unified Social Credit Code (18 characters, GB 32100 check character)."""
    code = re.sub(r"\s", "", str(value or "")).upper()
    if not code:
        raise CodeError(gettext_noop("统一社会信用代码不能为空。"))
    if len(code) != 18:
        raise CodeError(gettext_noop("统一社会信用代码应为 18 位，当前为 %(length)s 位。"), length=len(code))
    if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", code):
        raise CodeError(gettext_noop("统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）。"))
    try:
        uscc.validate(code)
    except StdnumError:
        expected = uscc.calc_check_digit(code[:17])
        if code[17] != expected:
            raise CodeError(
                gettext_noop("统一社会信用代码校验位错误：最后一位应为 %(expected)s，请核对。"), expected=expected
            ) from None
        raise CodeError(gettext_noop("统一社会信用代码格式不正确（登记管理部门或机构类别代码无效）。")) from None
    return code


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    return str(uscc.calc_check_digit(first17))


_MOBILE = re.compile(r"1[3-9]\d{9}")


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number (11 digits starting 13–19); +86 and separators are allowed."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        raise CodeError(gettext_noop("手机号不能为空。"))
    if not _MOBILE.fullmatch(digits):
        raise CodeError(gettext_noop("手机号应为 11 位数字，以 13–19 开头。"))
    return digits


def mask_mobile(number: str) -> str:
    """Return 138****5678."""
    if len(number) != 11:
        return "*" * len(number)
    return number[:3] + "****" + number[7:]
