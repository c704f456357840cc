"""ISO dates as the registry writes them, and the workday calendar (法定节假日与调休)."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")


def parse_date(value: object) -> dt.date | None:
    """The date an ISO `YYYY-MM-DD` string names, or None when it is not one (2026-02-30 is not)."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month (01-31 + 1 month = 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are workdays: Monday–Friday, minus holidays, plus make-up workdays (调休补班).

    Years without a calendar file fall back to plain Monday–Friday.
    """

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_lists(
        cls, years: Iterable[int], holidays: Iterable[dt.date], workdays: Iterable[dt.date]
    ) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays), frozenset(years))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def workdays_between(self, after: dt.date, until: dt.date) -> int:
        """Workdays in (after, until]: the days after `after` up to and including `until`."""
        count = 0
        day = after + dt.timedelta(days=1)
        while day <= until:
            count += self.is_workday(day)
            day += dt.timedelta(days=1)
        return count

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th workday after `start` (`--within 20wd`)."""
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            count -= self.is_workday(day)
        return day
