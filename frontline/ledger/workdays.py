"""Working-day arithmetic on the Chinese official calendar, with no Django import.

A `WorkCalendar` holds the statutory holidays, the make-up workdays (调休) and the years whose
official schedule has been entered. Days of a year without a schedule fall back to Monday to
Friday, and any result that depends on such a year is reported as unconfirmed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar: holidays, make-up workdays and the years it is confirmed for."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)
    confirmed_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls, *, holidays: Iterable[date] = (), makeup_workdays: Iterable[date] = (), confirmed_years: Iterable[int] = ()
    ) -> "WorkCalendar":
        return cls(frozenset(holidays), frozenset(makeup_workdays), frozenset(confirmed_years))

    def is_confirmed(self, year: int) -> bool:
        """Return whether the official schedule of `year` has been entered."""
        return year in self.confirmed_years


@dataclass(frozen=True)
class Deadline:
    """A computed due date and whether every year it depends on has a confirmed schedule."""

    due: date
    confirmed: bool


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """Return whether `day` is a working day: a make-up workday, or a weekday that is not a holiday."""
    if day in calendar.makeup_workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < 5


def _confirmed_between(start: date, end: date, calendar: WorkCalendar) -> bool:
    low, high = min(start, end), max(start, end)
    return all(calendar.is_confirmed(year) for year in range(low.year, high.year + 1))


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> Deadline:
    """Return the `n`-th working day after `start` (`start` itself is not counted).

    With n = 0 the result is `start` if it is a working day, else the next working day: a
    problem registered on a holiday is due on the first working day after it.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    if n == 0:
        while not is_working_day(day, calendar):
            day += ONE_DAY
    else:
        remaining = n
        while remaining:
            day += ONE_DAY
            if is_working_day(day, calendar):
                remaining -= 1
    return Deadline(due=day, confirmed=_confirmed_between(start, day, calendar))


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """Return the number of working days in (start, end]; negative when `end` is before `start`.

    It is the inverse of `add_working_days`: working_days_between(s, add_working_days(s, n).due) == n
    for n >= 1.
    """
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if is_working_day(day, calendar):
            count += 1
        day += ONE_DAY
    return count


def unconfirmed_years(days: Iterable[date], calendar: WorkCalendar) -> list[int]:
    """Return the sorted years among `days` that have no confirmed schedule."""
    return sorted({d.year for d in days if not calendar.is_confirmed(d.year)})
