"""Statistics over the engine's states: the per-unit grid (按期办结率, ranking) and the bulletin (督查通报).

Cancelled items are left out of every number here. How each one is defined is written up in docs/engine.md.
"""

from __future__ import annotations

import calendar as _calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from duban.dates import parse_date
from duban.engine import Standing, TaskState, evaluate_task, extensions_of, reminders_within, standings
from duban.registry import Registry

# What the statistics read of an item: a full state, or a bulletin's standing (the same fields).
Item = TaskState | Standing

# The 2x2 grid, in the order offices print it: 按期办结 / 逾期办结 / 未逾期未办结 / 逾期未办结.
GRID = ("on_time", "late", "open", "overdue")


def grid_cell(state: Item) -> str | None:
    """Which cell of the grid an item falls in; None for cancelled items (not counted).

    Only `completed` is 办结: an item reported and awaiting review is still open (on time while its completion
    date is within the deadline, see the engine)."""
    if not state.counted:
        return None
    if state.status == "completed":
        return "on_time" if state.on_time else "late"
    return "overdue" if state.overdue else "open"


@dataclass(frozen=True)
class UnitStats:
    unit: str
    total: int
    on_time: int  # 按期办结
    late: int  # 逾期办结
    open: int  # 未逾期未办结 (suspended items included)
    overdue: int  # 逾期未办结
    rank: int = 0

    @property
    def due(self) -> int:
        """Items done or past due: the base of the on-time rate (open items not yet due don't count)."""
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> Fraction | None:
        """按期办结率 = 按期办结 / (按期办结 + 逾期办结 + 逾期未办结); None when nothing is due yet."""
        return Fraction(self.on_time, self.due) if self.due else None

    @property
    def rate_percent(self) -> float | None:
        return round(float(self.rate) * 100, 1) if self.rate is not None else None


def _count(unit: str, states: Iterable[Item]) -> UnitStats:
    cells = [cell for s in states if (cell := grid_cell(s))]
    return UnitStats(unit, len(cells), *(cells.count(name) for name in GRID))


def _rank_key(stats: UnitStats) -> tuple[int, Fraction, int]:
    """Higher rate first, then fewer overdue items; units with nothing due yet come last."""
    return (stats.rate is None, -(stats.rate or Fraction(0)), stats.overdue)


def unit_stats(states: Iterable[Item], unit_order: Sequence[str] = ()) -> list[UnitStats]:
    """The grid per lead unit (units with at least one counted item), ranked; ties share a rank (1, 1, 3)."""
    by_unit: dict[str, list[Item]] = {}
    for state in states:
        if state.counted:
            by_unit.setdefault(state.lead_unit, []).append(state)
    position = {unit: index for index, unit in enumerate(unit_order)}
    rows = [_count(unit, items) for unit, items in by_unit.items()]
    rows.sort(key=lambda s: (_rank_key(s), position.get(s.unit, len(position)), s.unit))
    ranked: list[UnitStats] = []
    for index, row in enumerate(rows):
        tied = ranked and _rank_key(ranked[-1]) == _rank_key(row)
        ranked.append(dataclasses.replace(row, rank=ranked[-1].rank if tied else index + 1))
    return ranked


def totals(states: Iterable[Item]) -> UnitStats:
    """The grid over every counted item (the 合计 row)."""
    return _count("", states)


# --- periods ---

_PERIOD = re.compile(r"^(\d{4})-(?:(\d{2})|[Qq]([1-4]))\Z")


@dataclass(frozen=True)
class Period:
    key: str  # 2026-06 or 2026-Q2
    start: dt.date
    end: dt.date  # inclusive

    def label(self, language: str) -> str:
        year = self.start.year
        if "Q" in self.key:
            quarter = int(self.key[-1])
            return f"{year}年第{'一二三四'[quarter - 1]}季度" if language == "zh-CN" else f"Q{quarter} {year}"
        if language == "zh-CN":
            return f"{year}年{self.start.month}月"
        return f"{_calendar.month_name[self.start.month]} {year}"


def parse_period(text: str) -> Period | None:
    """`YYYY-MM` (a month) or `YYYY-Qn` (a quarter); None for anything else."""
    match = _PERIOD.match(text.strip())
    if not match:
        return None
    year = int(match[1])
    if match[2] is not None:
        month = int(match[2])
        return month_period(dt.date(year, month, 1)) if 1 <= month <= 12 and year >= 1 else None
    first = 3 * (int(match[3]) - 1) + 1
    if year < 1:
        return None
    last = dt.date(year, first + 2, _calendar.monthrange(year, first + 2)[1])
    return Period(f"{year}-Q{match[3]}", dt.date(year, first, 1), last)


def month_period(day: dt.date) -> Period:
    """The calendar month holding `day`."""
    last = _calendar.monthrange(day.year, day.month)[1]
    return Period(f"{day.year:04d}-{day.month:02d}", day.replace(day=1), day.replace(day=last))


# --- the bulletin ---


@dataclass(frozen=True)
class Record:
    """An extension approved or a reminder sent within the period, with the item it belongs to."""

    state: Standing
    date: dt.date
    data: dict[str, Any]


@dataclass(frozen=True)
class Bulletin:
    period: Period
    as_of: dt.date  # the picture's day: the period's end, or the as-of date when the period is not over yet
    # Items as standings (`duban.engine.standing`): a build makes twelve bulletins, and the full states of
    # every item on every month's end would cost more than the rest of the build; `full_states` gives them
    # for the items a report prints.
    states: list[Standing]  # every counted item as of that day
    new: list[Standing]  # assigned within the period
    completed: list[Standing]  # completed within the period (on time or late: see `on_time`)
    overdue: list[Standing]  # open and overdue on the picture's day, most days overdue first
    extensions: list[Record]  # approved within the period
    reminders: list[Record]  # sent within the period
    units: list[UnitStats]
    total: UnitStats

    @property
    def completed_on_time(self) -> list[Standing]:
        return [s for s in self.completed if s.on_time]

    @property
    def completed_late(self) -> list[Standing]:
        return [s for s in self.completed if not s.on_time]


def _within(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


def _extensions(registry: Registry, states: list[Standing], start: dt.date, end: dt.date) -> list[Record]:
    """Extensions approved (by their decision date) in the span."""
    found = []
    for state in states:
        for record in extensions_of(registry, state.id):
            day = parse_date(record.get("decided")) if record["decision"] == "approved" else None
            if day is not None and start <= day <= end:
                found.append(Record(state, day, record))
    return sorted(found, key=_record_order)


def _reminders(registry: Registry, states: list[Standing], start: dt.date, end: dt.date) -> list[Record]:
    """Reminders sent in the span."""
    by_id = {s.id: s for s in states if s.reminders}  # only items with a reminder by the end can have one
    found = [
        Record(by_id[i], day, record) for i, day, record in reminders_within(registry, by_id, start, end)
    ]
    return sorted(found, key=_record_order)


def _record_order(record: Record) -> tuple[dt.date, str]:
    return record.date, record.state.id


def bulletin(registry: Registry, period: Period, as_of: dt.date) -> Bulletin:
    """The bulletin for `period` as it stood at the period's end (or on `as_of`, if that comes first)."""
    end = min(period.end, as_of)
    states = [s for s in standings(registry, end) if s.counted]
    completed = [
        s for s in states if s.status == "completed" and _within(s.completion_date, period.start, end)
    ]
    overdue = sorted((s for s in states if s.overdue), key=lambda s: (-s.days_overdue, s.id))
    return Bulletin(
        period=period,
        as_of=end,
        states=states,
        new=[s for s in states if _within(s.assigned, period.start, end)],
        completed=sorted(completed, key=lambda s: (s.completion_date or end, s.id)),
        overdue=overdue,
        extensions=_extensions(registry, states, period.start, end),
        reminders=_reminders(registry, states, period.start, end),
        units=unit_stats(states, list(registry.units)),
        total=totals(states),
    )


def full_states(registry: Registry, items: Iterable[Standing], as_of: dt.date) -> dict[str, TaskState]:
    """The full state on `as_of` of each item (a bulletin's standing), by id."""
    settings, calendar = registry.settings, registry.calendar
    return {s.id: evaluate_task(registry.tasks[s.id], settings, calendar, as_of) for s in items}
