"""ISO dates as the registry writes them, and the workday calendar (法定节假日与调休)."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import functools
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")


def parse_date(value: object) -> dt.date | None:
    """The date an ISO `YYYY-MM-DD` string names, or None when it is not one (2026-02-30 is not)."""
    if not isinstance(value, str):
        return None
    return _parse_iso(value)


# A registry names the same few thousand days over and over (the checks and the engine parse ~15 dates per
# item): remembering them makes parsing a dictionary lookup.
@functools.lru_cache(maxsize=65_536)
def _parse_iso(value: str) -> dt.date | None:
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
    # Sorted exceptions to Monday–Friday, so that counting workdays over any span is two bisections:
    # weekday holidays (days off) and weekend make-up days (调休补班).
    _days_off: tuple[dt.date, ...] = field(default=(), init=False, repr=False, compare=False)
    _extra_days: tuple[dt.date, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days_off = sorted(d for d in self.holidays if d.weekday() < 5 and d not in self.workdays)
        extra_days = sorted(d for d in self.workdays if d.weekday() >= 5)
        object.__setattr__(self, "_days_off", tuple(days_off))
        object.__setattr__(self, "_extra_days", tuple(extra_days))

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
        """Workdays in (after, until]: the days after `after` up to and including `until`.

        A formula, not a loop over the days: the engine calls this for every overdue item.
        """
        if until <= after:
            return 0
        count = _weekdays_through(until) - _weekdays_through(after)
        count -= bisect_right(self._days_off, until) - bisect_right(self._days_off, after)
        count += bisect_right(self._extra_days, until) - bisect_right(self._extra_days, after)
        return count

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th workday after `start` (`--within 20wd`)."""
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            count -= self.is_workday(day)
        return day


def _weekdays_through(day: dt.date) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)
