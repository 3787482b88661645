"""Working-day arithmetic on the official calendar, seeded from chinesecalendar (no database)."""

from datetime import date

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.ledger.workdays import WorkCalendar, add_working_days, is_working_day, working_days_between

PACKAGE = WorkCalendar.build(
    holidays=chinese_calendar.holidays,
    makeup_workdays=chinese_calendar.workdays,
    confirmed_years=range(2004, 2027),
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_the_spring_festival_2026_holiday_runs_from_february_15_to_23():
    assert not any(is_working_day(d(f"2026-02-{day:02d}"), PACKAGE) for day in range(15, 24))
    assert is_working_day(d("2026-02-24"), PACKAGE)


def test_the_make_up_saturdays_around_spring_festival_2026_are_working_days():
    assert d("2026-02-14").weekday() == 5
    assert is_working_day(d("2026-02-14"), PACKAGE)
    assert d("2026-02-28").weekday() == 5
    assert is_working_day(d("2026-02-28"), PACKAGE)


def test_one_working_day_after_the_make_up_saturday_is_the_first_day_after_the_holiday():
    assert add_working_days(d("2026-02-14"), 1, PACKAGE).due == d("2026-02-24")


def test_a_problem_handed_over_on_friday_before_spring_festival_counts_the_make_up_saturday():
    # Friday 13 Feb, 3 working days: Sat 14 (make-up), Tue 24, Wed 25.
    assert add_working_days(d("2026-02-13"), 3, PACKAGE).due == d("2026-02-25")


def test_seven_working_days_across_spring_festival_include_the_make_up_saturday_28th():
    # 24, 25, 26, 27, 28 (Sat, make-up), Mon 2 Mar, Tue 3 Mar.
    assert add_working_days(d("2026-02-23"), 7, PACKAGE).due == d("2026-03-03")


def test_national_day_2025_skips_the_golden_week_and_counts_the_make_up_saturday():
    assert is_working_day(d("2025-09-28"), PACKAGE)  # Sunday, make-up workday
    assert not is_working_day(d("2025-10-08"), PACKAGE)
    assert is_working_day(d("2025-10-11"), PACKAGE)  # Saturday, make-up workday
    assert add_working_days(d("2025-09-30"), 1, PACKAGE).due == d("2025-10-09")
    assert add_working_days(d("2025-09-30"), 3, PACKAGE).due == d("2025-10-11")


def test_national_day_2026_ends_on_the_seventh_with_make_up_days_on_20_september_and_10_october():
    assert [is_working_day(d(f"2026-10-0{day}"), PACKAGE) for day in range(1, 9)] == [False] * 7 + [True]
    assert is_working_day(d("2026-09-20"), PACKAGE)
    assert is_working_day(d("2026-10-10"), PACKAGE)
    assert add_working_days(d("2026-09-30"), 3, PACKAGE).due == d("2026-10-10")


def test_a_holiday_start_with_zero_days_is_due_on_the_next_working_day():
    assert add_working_days(d("2026-10-03"), 0, PACKAGE).due == d("2026-10-08")
    assert add_working_days(d("2026-10-08"), 0, PACKAGE).due == d("2026-10-08")


def test_a_deadline_that_runs_into_2027_falls_back_to_weekdays_and_is_unconfirmed():
    deadline = add_working_days(d("2026-12-28"), 7, PACKAGE)
    # 29, 30, 31 Dec; then 2027 Mon–Fri: Fri 1 Jan counts as a weekday, Mon 4, Tue 5, Wed 6.
    assert deadline.due == d("2027-01-06")
    assert deadline.confirmed is False


def test_a_deadline_inside_2026_is_confirmed():
    assert add_working_days(d("2026-12-01"), 7, PACKAGE).confirmed is True


def test_entering_the_2027_schedule_moves_the_deadline_and_confirms_it():
    with_2027 = WorkCalendar.build(
        holidays=set(PACKAGE.holidays) | {d("2027-01-01")},
        makeup_workdays=PACKAGE.makeup_workdays,
        confirmed_years=set(PACKAGE.confirmed_years) | {2027},
    )
    deadline = add_working_days(d("2026-12-28"), 7, with_2027)
    assert deadline == type(deadline)(due=d("2027-01-07"), confirmed=True)


def test_working_days_between_counts_the_days_after_the_start_up_to_the_end():
    assert working_days_between(d("2026-02-13"), d("2026-02-25"), PACKAGE) == 3
    assert working_days_between(d("2026-02-25"), d("2026-02-13"), PACKAGE) == -3
    assert working_days_between(d("2026-02-15"), d("2026-02-23"), PACKAGE) == 0


def test_negative_day_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(d("2026-01-05"), -1, PACKAGE)


@given(st.dates(min_value=d("2004-01-01"), max_value=d("2027-06-30")), st.integers(min_value=1, max_value=40))
def test_working_days_between_is_the_inverse_of_adding_and_the_due_day_is_a_working_day(start, n):
    deadline = add_working_days(start, n, PACKAGE)
    assert is_working_day(deadline.due, PACKAGE)
    assert working_days_between(start, deadline.due, PACKAGE) == n
    assert deadline.confirmed == (deadline.due.year <= 2026)


@given(st.dates(min_value=d("2004-01-01"), max_value=d("2026-12-31")))
def test_the_calendar_agrees_with_chinesecalendar_on_every_day_it_covers(day):
    assert is_working_day(day, PACKAGE) == chinese_calendar.is_workday(day)
