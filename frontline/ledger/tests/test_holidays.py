"""The editable holiday table, its seeding from chinesecalendar and the 2027 fallback."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from frontline.core.errors import ApplicationError
from frontline.core.models import AuditLog
from frontline.ledger.holidays import (
    holiday_delete,
    holiday_set,
    seed_from_package,
    unconfirmed_years_ahead,
    work_calendar,
    year_schedule_confirm,
)
from frontline.ledger.models import CalendarSource, Holiday, HolidayKind, YearSchedule
from frontline.ledger.tests.factories import act, make_problem
from frontline.ledger.workdays import add_working_days, is_working_day


@pytest.mark.django_db
def test_the_migration_seeds_2004_to_2026_from_the_package_as_confirmed_years():
    assert set(YearSchedule.objects.filter(confirmed=True).values_list("year", flat=True)) == set(range(2004, 2027))
    spring = Holiday.objects.get(date=date(2026, 2, 15))
    assert (spring.kind, spring.name, spring.source) == (HolidayKind.HOLIDAY, "春节", CalendarSource.PACKAGE)
    assert Holiday.objects.get(date=date(2026, 2, 28)).kind == HolidayKind.MAKEUP_WORKDAY


@pytest.mark.django_db
def test_the_calendar_from_the_table_knows_spring_festival_and_make_up_days():
    calendar = work_calendar()
    assert not is_working_day(date(2026, 2, 16), calendar)
    assert is_working_day(date(2026, 2, 14), calendar)
    assert not calendar.is_confirmed(2027)


@pytest.mark.django_db
def test_loading_again_does_not_overwrite_a_manual_edit(lw):
    holiday_set(actor=lw.admin, day=date(2026, 2, 14), kind=HolidayKind.HOLIDAY, name="本地调整")
    result = seed_from_package()
    assert result.kept_manual == 1
    assert result.created == 0
    row = Holiday.objects.get(date=date(2026, 2, 14))
    assert (row.kind, row.source) == (HolidayKind.HOLIDAY, CalendarSource.MANUAL)


@pytest.mark.django_db
def test_the_load_holidays_command_restores_deleted_package_days(capsys):
    Holiday.objects.filter(year=2025).delete()
    call_command("load_holidays")
    assert "created=" in capsys.readouterr().out
    assert Holiday.objects.filter(date=date(2025, 10, 1), kind=HolidayKind.HOLIDAY).exists()


@pytest.mark.django_db
def test_only_an_administrator_may_edit_the_calendar(lw):
    with pytest.raises(ApplicationError, match="系统管理员"):
        holiday_set(actor=lw.xingang_official, day=date(2027, 1, 1), kind=HolidayKind.HOLIDAY)
    with pytest.raises(ApplicationError, match="系统管理员"):
        year_schedule_confirm(actor=lw.grid_head, year=2027)


@pytest.mark.django_db
def test_a_weekday_cannot_be_entered_as_a_make_up_workday(lw):
    with pytest.raises(ApplicationError, match="是工作日"):
        holiday_set(actor=lw.admin, day=date(2027, 1, 4), kind=HolidayKind.MAKEUP_WORKDAY)


@pytest.mark.django_db
def test_every_calendar_edit_is_audited(lw):
    holiday_set(actor=lw.admin, day=date(2027, 1, 1), kind=HolidayKind.HOLIDAY, name="元旦")
    holiday_delete(actor=lw.admin, day=date(2027, 1, 1))
    actions = list(AuditLog.objects.filter(object_type="ledger.holiday").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete"]


@pytest.mark.django_db
def test_a_deadline_reaching_2027_is_unconfirmed_and_administrators_are_warned(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 12, 30))
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau, today=date(2026, 12, 30))
    problem.refresh_from_db()
    assert problem.resolve_due is not None
    assert problem.resolve_due.year == 2027
    assert problem.deadline_unconfirmed is True
    assert unconfirmed_years_ahead(today=date(2026, 12, 30)) == [2027]


@pytest.mark.django_db
def test_entering_the_2027_schedule_recomputes_open_deadlines(lw):
    problem = make_problem(
        actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 12, 30), category_code="policy-application"
    )
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau, today=date(2026, 12, 30))
    problem.refresh_from_db()
    # Mon–Fri fallback: 31 Dec, Fri 1 Jan, 4, 5, 6, 7, 8 Jan.
    assert problem.resolve_due == date(2027, 1, 8)
    holiday_set(actor=lw.admin, day=date(2027, 1, 1), kind=HolidayKind.HOLIDAY, name="元旦")
    _, changed = year_schedule_confirm(actor=lw.admin, year=2027, note="国务院办公厅通知")
    assert changed == 1
    problem.refresh_from_db()
    assert problem.resolve_due == date(2027, 1, 11)
    assert problem.deadline_unconfirmed is False
    assert unconfirmed_years_ahead(today=date(2026, 12, 30)) == []


@pytest.mark.django_db
def test_recomputing_keeps_the_calendar_consistent_with_the_pure_function(lw):
    today = date(2026, 2, 13)
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=today)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau, today=today)
    problem.refresh_from_db()
    calendar = work_calendar()
    assert problem.feedback_due == add_working_days(today, 3, calendar).due == date(2026, 2, 25)
    assert problem.resolve_due == add_working_days(today, 30, calendar).due
    assert problem.resolve_due - today > timedelta(days=30)
