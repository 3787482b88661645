"""Property tests for the identity-code checks: good codes pass, every one-character slip is caught."""

import string
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import uscc

from frontline.core.idcodes import (
    CodeError,
    mask_mobile,
    mask_resident_id,
    parse_resident_id,
    resident_id_check_char,
    uscc_check_char,
    validate_mobile,
    validate_uscc,
)

TODAY = date(2026, 6, 1)
PROVINCES = ["11", "12", "13", "31", "32", "37", "42", "44", "50", "51", "65", "81"]
RID_CHARS = string.digits + "X"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# --- resident ID (GB 11643) -------------------------------------------------------------------


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """A valid resident ID: a real province, a past birth date, any sequence, the right check character."""
    region = draw(st.sampled_from(PROVINCES)) + draw(st.text(string.digits, min_size=4, max_size=4))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY - timedelta(days=1)))
    sequence = draw(st.text(string.digits, min_size=3, max_size=3))
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + resident_id_check_char(first17)


def rid_check_by_hand(first17: str) -> str:
    """GB 11643 computed from its definition: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@given(resident_ids())
def test_a_valid_resident_id_is_accepted_with_its_birth_date_and_gender(number):
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert parsed.gender == ("M" if int(number[16]) % 2 else "F")
    assert parsed.region_code == number[:6]


@given(resident_ids())
def test_the_check_character_matches_the_standards_definition(number):
    assert number[17] == rid_check_by_hand(number[:17])


@given(resident_ids())
def test_a_resident_id_is_accepted_with_spaces_and_a_lower_case_x(number):
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    assert parse_resident_id(spaced, today=TODAY).number == number


@given(resident_ids())
def test_every_single_character_change_to_a_resident_id_is_rejected(number):
    for position in range(18):
        for char in RID_CHARS:
            if char == number[position]:
                continue
            mutated = number[:position] + char + number[position + 1 :]
            with pytest.raises(CodeError):
                parse_resident_id(mutated, today=TODAY)


@given(resident_ids(), st.integers(min_value=0, max_value=15))
def test_swapping_two_adjacent_different_digits_is_rejected(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(CodeError):
        parse_resident_id(swapped, today=TODAY)


@given(resident_ids(), st.integers(min_value=1, max_value=3))
def test_a_resident_id_missing_a_character_says_how_long_it_is(number, missing):
    with pytest.raises(CodeError, match=f"当前为 {18 - missing} 位"):
        parse_resident_id(number[:-missing], today=TODAY)


def test_a_birth_date_after_today_is_rejected():
    first17 = "42022220260602001"
    with pytest.raises(CodeError, match="晚于今天"):
        parse_resident_id(first17 + resident_id_check_char(first17), today=TODAY)


def test_an_impossible_birth_date_is_rejected():
    first17 = "42022219900230001"
    with pytest.raises(CodeError, match="不是有效日期"):
        parse_resident_id(first17 + resident_id_check_char(first17), today=TODAY)


def test_an_unknown_province_is_rejected():
    first17 = "99022219900101001"
    with pytest.raises(CodeError, match="省级行政区划代码"):
        parse_resident_id(first17 + resident_id_check_char(first17), today=TODAY)


def test_a_wrong_check_character_names_the_right_one():
    first17 = "42022219900517001"
    right = resident_id_check_char(first17)
    wrong = "0" if right != "0" else "1"
    with pytest.raises(CodeError, match=f"最后一位应为 {right}"):
        parse_resident_id(first17 + wrong, today=TODAY)


@given(resident_ids())
def test_the_masked_id_hides_the_birth_date_and_sequence(number):
    assert mask_resident_id(number) == number[:6] + "********" + number[14:]


# --- unified social credit code (GB 32100) ----------------------------------------------------


def uscc_is_valid_by_hand(code: str) -> bool:
    """GB 32100 computed from its definition, independently of python-stdnum."""
    if len(code) != 18 or not code[:8].isdigit() or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return code[17] == USCC_ALPHABET[(31 - total % 31) % 31]


@st.composite
def usccs(draw: st.DrawFn) -> str:
    """A valid USCC: registration authority and entity type digits, a region, an organization code."""
    authority_and_type = draw(st.sampled_from(["11", "12", "13", "19", "51", "52", "53", "91", "92", "93"]))
    region = draw(st.sampled_from(PROVINCES)) + draw(st.text(string.digits, min_size=4, max_size=4))
    organization = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    first17 = authority_and_type + region + organization
    return first17 + uscc.calc_check_digit(first17 + "0")


@given(usccs())
def test_a_valid_uscc_is_accepted(code):
    assert uscc_is_valid_by_hand(code)
    assert validate_uscc(code) == code
    assert validate_uscc(f" {code.lower()} ") == code
    assert uscc_check_char(code[:17]) == code[17]


@given(usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(string.digits + string.ascii_uppercase))
def test_a_single_character_change_to_a_uscc_is_rejected_unless_it_makes_another_valid_code(code, position, char):
    assume(char != code[position])
    mutated = code[:position] + char + code[position + 1 :]
    if uscc_is_valid_by_hand(mutated):
        assert validate_uscc(mutated) == mutated
    else:
        with pytest.raises(CodeError):
            validate_uscc(mutated)


@given(usccs())
def test_every_single_character_change_to_a_uscc_is_caught_by_the_check_character(code):
    for position in range(18):
        for char in USCC_ALPHABET:
            if char != code[position]:
                assert not uscc_is_valid_by_hand(code[:position] + char + code[position + 1 :])


def test_a_uscc_with_a_wrong_check_character_names_the_right_one():
    with pytest.raises(CodeError, match="最后一位应为 F"):
        validate_uscc("91420222MA4F000001")


def test_a_uscc_with_letters_it_never_uses_is_rejected():
    with pytest.raises(CodeError, match="不含 I、O、Z、S、V"):
        validate_uscc("91420222MA4F0000IO")


# --- mobile numbers ---------------------------------------------------------------------------

mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}", st.sampled_from("3456789"), st.text(string.digits, min_size=9, max_size=9)
)


@given(mobiles)
def test_a_mainland_mobile_number_is_accepted_with_or_without_country_code_and_separators(number):
    assert validate_mobile(number) == number
    assert validate_mobile(f"+86 {number[:3]}-{number[3:7]}-{number[7:]}") == number
    assert validate_mobile(f"0086{number}") == number


@given(mobiles)
def test_the_masked_mobile_number_shows_only_the_first_three_and_last_four_digits(number):
    assert mask_mobile(number) == number[:3] + "****" + number[7:]


@given(mobiles, st.integers(min_value=1, max_value=10))
def test_a_mobile_number_of_the_wrong_length_is_rejected(number, cut):
    with pytest.raises(CodeError):
        validate_mobile(number[:-cut])
    with pytest.raises(CodeError):
        validate_mobile(number + number[:cut])


@given(mobiles, st.sampled_from("012"))
def test_a_mobile_number_whose_second_digit_is_0_1_or_2_is_rejected(number, second):
    with pytest.raises(CodeError):
        validate_mobile(number[0] + second + number[2:])


@given(mobiles, st.integers(min_value=0, max_value=10), st.sampled_from("aX.#"))
def test_a_mobile_number_with_a_non_digit_is_rejected(number, position, char):
    with pytest.raises(CodeError):
        validate_mobile(number[:position] + char + number[position + 1 :])


def test_an_empty_mobile_number_says_it_is_empty():
    with pytest.raises(CodeError, match="不能为空"):
        validate_mobile("  ")
