"""The editable holiday table: loading it as a `WorkCalendar`, seeding it from chinesecalendar,
and the audited edits administrators make (a day, or confirming a year's schedule)."""

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext

from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, User
from frontline.ledger.models import CalendarSource, Holiday, HolidayKind, YearSchedule
from frontline.ledger.workdays import WorkCalendar

# chinesecalendar's English holiday names, shown in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# The calendar changes a few times a year: each process keeps it for CALENDAR_CACHE_SECONDS, and
# an edit in this process drops it at once (other processes pick the edit up within that time).
CALENDAR_CACHE_SECONDS = 60.0
_calendar_cache: dict[str, tuple[float, WorkCalendar]] = {}


def forget_calendar() -> None:
    """Drop this process's cached calendar (after an edit, or in tests)."""
    _calendar_cache.clear()


def work_calendar() -> WorkCalendar:
    """Return the calendar from the holiday table, as cached by this process."""
    cached = _calendar_cache.get("all")
    if cached is not None and time.monotonic() - cached[0] < CALENDAR_CACHE_SECONDS:
        return cached[1]
    calendar = load_calendar()
    _calendar_cache["all"] = (time.monotonic(), calendar)
    return calendar


def load_calendar() -> WorkCalendar:
    """Return the calendar read from the database now (no cache)."""
    holidays = Holiday.objects.all()
    days: dict[str, list[date]] = {HolidayKind.HOLIDAY: [], HolidayKind.MAKEUP_WORKDAY: []}
    for day, kind in holidays.values_list("date", "kind"):
        days[kind].append(day)
    confirmed = YearSchedule.objects.filter(confirmed=True).values_list("year", flat=True)
    return WorkCalendar.build(
        holidays=days[HolidayKind.HOLIDAY],
        makeup_workdays=days[HolidayKind.MAKEUP_WORKDAY],
        confirmed_years=confirmed,
    )


@dataclass
class SeedResult:
    created: int
    updated: int
    kept_manual: int
    years: list[int]


def seed_from_package(holiday_model: type[Model] = Holiday, schedule_model: type[Model] = YearSchedule) -> SeedResult:
    """Load chinesecalendar's days into the table; rows entered by hand are never overwritten.

    Takes the model classes so that a data migration can pass its historical models.
    """
    import chinese_calendar  # type: ignore[import-untyped]

    package_days: dict[date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        package_days[day] = (HolidayKind.HOLIDAY, HOLIDAY_NAMES.get(name, name or ""))
    for day, name in chinese_calendar.workdays.items():
        package_days[day] = (HolidayKind.MAKEUP_WORKDAY, HOLIDAY_NAMES.get(name, name or ""))
    existing: dict[date, Any] = {h.date: h for h in holiday_model.objects.all()}  # type: ignore[attr-defined]
    created = updated = kept = 0
    to_create = []
    for day, (kind, name) in sorted(package_days.items()):
        row = existing.get(day)
        if row is None:
            to_create.append(
                holiday_model(date=day, kind=kind, name=name, year=day.year, source=CalendarSource.PACKAGE)
            )
            created += 1
        elif row.source == CalendarSource.MANUAL:
            kept += 1
        elif (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            row.save(update_fields=["kind", "name"])
            updated += 1
    holiday_model.objects.bulk_create(to_create, batch_size=500)  # type: ignore[attr-defined]
    years = sorted({d.year for d in package_days})
    for year in years:
        schedule, made = schedule_model.objects.get_or_create(  # type: ignore[attr-defined]
            year=year, defaults={"confirmed": True, "source": CalendarSource.PACKAGE, "note": "chinesecalendar"}
        )
        if not made and not schedule.confirmed and schedule.source == CalendarSource.PACKAGE:
            schedule.confirmed = True
            schedule.save(update_fields=["confirmed"])
    return SeedResult(created=created, updated=updated, kept_manual=kept, years=years)


def _require_admin(actor: User) -> None:
    if not access_for(actor).can_admin_org:
        raise ApplicationError(gettext("只有系统管理员可以维护节假日安排。"), code="forbidden")


@transaction.atomic
def holiday_set(*, actor: User, day: date, kind: str, name: str = "") -> Holiday:
    """Create or change the entry for one day; it becomes a manual entry that seeding keeps."""
    _require_admin(actor)
    if kind not in HolidayKind.values:
        raise ApplicationError(gettext("类型无效：请选择法定节假日或调休上班日。"))
    if kind == HolidayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise ApplicationError(gettext("%(day)s 是工作日，不需要登记为调休上班日。") % {"day": f"{day:%Y-%m-%d}"})
    row = Holiday.objects.select_for_update().filter(date=day).first()
    before = (row.kind, row.name) if row else (None, None)
    if row is None:
        row = Holiday(date=day)
    row.kind, row.name, row.source, row.updated_by = kind, name.strip()[:50], CalendarSource.MANUAL, actor
    row.save()
    audit(
        actor=actor,
        action=AuditAction.CREATE if before[0] is None else AuditAction.UPDATE,
        obj=row,
        changes={"kind": (before[0], kind), "name": (before[1], row.name)},
    )
    _recompute_after_change(actor=actor, year=day.year)
    return row


@transaction.atomic
def holiday_delete(*, actor: User, day: date) -> None:
    """Remove the entry for one day (it becomes an ordinary weekday or weekend day)."""
    _require_admin(actor)
    row = Holiday.objects.filter(date=day).first()
    if row is None:
        raise ApplicationError(gettext("%(day)s 没有节假日安排。") % {"day": f"{day:%Y-%m-%d}"}, code="not_found")
    audit(actor=actor, action=AuditAction.DELETE, obj=row, changes={"kind": (row.kind, None)})
    row.delete()
    _recompute_after_change(actor=actor, year=day.year)


@transaction.atomic
def year_schedule_confirm(*, actor: User, year: int, note: str = "") -> tuple[YearSchedule, int]:
    """Mark a year's official schedule as entered and recompute open deadlines.

    Return the schedule and the number of problems whose deadlines changed.
    """
    _require_admin(actor)
    if not 2000 <= year <= 2100:
        raise ApplicationError(gettext("年份应在 2000 到 2100 之间。"))
    schedule, _ = YearSchedule.objects.select_for_update().get_or_create(year=year)
    was = schedule.confirmed
    schedule.confirmed = True
    schedule.source = CalendarSource.MANUAL if schedule.source != CalendarSource.PACKAGE else schedule.source
    schedule.note = note.strip()[:200] or schedule.note
    schedule.confirmed_by = actor
    schedule.confirmed_at = timezone.now()
    schedule.save()
    audit(actor=actor, action=AuditAction.UPDATE, obj=schedule, changes={"confirmed": (was, True)})
    changed = _recompute_after_change(actor=actor, year=year)
    return schedule, changed


def _recompute_after_change(*, actor: User | None, year: int) -> int:
    from frontline.ledger.services import problem_deadlines_recompute

    forget_calendar()
    transaction.on_commit(forget_calendar)  # a rolled-back edit must not stay cached either

    return problem_deadlines_recompute(actor=actor, year=year)


def unconfirmed_years_ahead(*, today: date) -> list[int]:
    """Return the years from this one to the furthest open deadline that have no confirmed schedule."""
    from django.db.models import Max

    from frontline.ledger.models import OPEN_STATUSES, Problem

    furthest = Problem.objects.filter(status__in=OPEN_STATUSES).aggregate(
        h=Max("handover_due"), f=Max("feedback_due"), r=Max("resolve_due")
    )
    last = max([d for d in furthest.values() if d is not None], default=today)
    confirmed = set(YearSchedule.objects.filter(confirmed=True).values_list("year", flat=True))
    return [y for y in range(today.year, max(last, today).year + 1) if y not in confirmed]
