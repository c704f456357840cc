"""Numbers over many items: per-unit statistics, the dashboard, calendar months and monthly bulletins.

Unit statistics (按期办结率 and the 2x2 grid) and bulletins come from `duban.stats`, the same code as
`duban report`, so the site and the reports never disagree.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

from duban import stats
from duban.dates import add_months
from duban.engine import TaskState
from duban.registry import Registry
from duban.site.bulletinrows import BulletinPage
from duban.site.labels import LIGHT_ORDER
from duban.site.views import (
    Bulletin,
    BulletinMonth,
    CalendarDay,
    CalendarEvent,
    CalendarMonth,
    Dashboard,
    MonthBars,
    RateBar,
    Ref,
    Segment,
    TaskView,
    UnitView,
)

DUE_WITHIN_DAYS = 14  # the dashboard's "due in the next two weeks"
LIST_LIMIT = 12  # rows in each dashboard list: the dashboard stays small however large the registry
RATE_UNITS_LIMIT = 30  # units in the dashboard's 按期办结率 chart; the units page lists them all
CHART_MONTHS = 12  # months in the "new vs completed" chart
BULLETIN_MONTHS = 12  # monthly bulletins published: the last twelve months up to the as-of month
ACTIVE = ("assigned", "in_progress", "reported")


def unit_stats(registry: Registry, states: list[TaskState], as_of: dt.date) -> dict[str, stats.UnitStats]:
    """Every unit's statistics as of the day, zero for a unit that leads no counted item."""
    rows = {row.unit: row for row in stats.unit_stats(states, list(registry.units))}
    return {unit: rows.get(unit, stats.UnitStats(unit, 0, 0, 0, 0, 0)) for unit in registry.units}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def dashboard(views: list[TaskView], units: list[UnitView], as_of: dt.date) -> Dashboard:
    counts = Counter(v.light for v in views)
    due = [v for v in views if _due_soon(v.state)]
    overdue = [v for v in views if v.state.overdue]
    return Dashboard(
        counts={light: counts.get(light, 0) for light in LIGHT_ORDER},
        total=len(views),
        light_bar=light_segments(counts),
        unit_rates=rate_bars(u for u in sorted(units, key=_rank) if u.stats.due)[:RATE_UNITS_LIMIT],
        months=month_bars(views, as_of),
        due_soon=sorted(due, key=lambda v: (v.state.effective_deadline, v.id))[:LIST_LIMIT],
        recent=sorted(views, key=_recent_key)[:LIST_LIMIT],
        worst=sorted(overdue, key=lambda v: (-v.state.days_overdue, v.id))[:LIST_LIMIT],
    )


def _rank(unit: UnitView) -> tuple[int, int, str]:
    return (unit.stats.rank or 1_000_000, -unit.stats.total, unit.ref.id)


def _recent_key(view: TaskView) -> tuple[int, str]:
    return (-view.last_activity.toordinal(), view.id)


def _due_soon(state: TaskState) -> bool:
    """Open, being worked on and due within two weeks (reported items wait for review, not for the unit)."""
    active = state.status in ("assigned", "in_progress")
    return active and not state.overdue and 0 <= state.days_left <= DUE_WITHIN_DAYS


def light_segments(counts: Counter[str]) -> list[Segment]:
    total = sum(counts.values())
    segments, x = [], 0.0
    for light in LIGHT_ORDER:
        count = counts.get(light, 0)
        if count and total:
            width = round(100.0 * count / total, 2)
            segments.append(Segment(light, count, round(x, 2), width))
            x += width
    return segments


def rate_bars(units: Iterable[UnitView]) -> list[RateBar]:
    return [RateBar(u.ref, u.stats, u.stats.rate_percent or 0.0) for u in units]


def month_bars(views: list[TaskView], as_of: dt.date) -> list[MonthBars]:
    """Items assigned and items completed per month, over the last twelve months up to the as-of month."""
    first = add_months(month_start(as_of), -(CHART_MONTHS - 1))
    new: Counter[str] = Counter(month_key(v.state.assigned) for v in views if v.state.assigned >= first)
    done: Counter[str] = Counter(
        month_key(v.state.completion_date)
        for v in views
        if v.state.status == "completed" and v.state.completion_date and v.state.completion_date >= first
    )
    months = [add_months(first, i) for i in range(CHART_MONTHS)]
    peak = max([*new.values(), *done.values(), 1])
    return [
        MonthBars(
            month_key(m),
            m,
            new[month_key(m)],
            done[month_key(m)],
            round(100.0 * new[month_key(m)] / peak, 2),
            round(100.0 * done[month_key(m)] / peak, 2),
        )
        for m in months
    ]


def calendar_path(key: str) -> str:
    return f"calendar/{key}/index.html"


def _events(views: list[TaskView]) -> dict[dt.date, list[CalendarEvent]]:
    """Deadlines and milestones by day; cancelled items have none."""
    events: dict[dt.date, list[CalendarEvent]] = defaultdict(list)
    for view in sorted(views, key=lambda v: v.id):
        if view.light == "cancelled":
            continue
        ref = view.ref  # one link for all the item's events
        events[view.state.effective_deadline].append(CalendarEvent("deadline", ref, view.light, ""))
        for milestone in view.state.milestones:
            light = "done" if milestone.done else ("red" if milestone.overdue else view.light)
            events[milestone.due].append(CalendarEvent("milestone", ref, light, milestone.name))
    return events


def calendar_months(views: list[TaskView], registry: Registry, as_of: dt.date) -> list[CalendarMonth]:
    """A month grid for every month that has a deadline or a milestone, and for the as-of month."""
    events = _events(views)
    keys = sorted({month_start(day) for day in events} | {month_start(as_of)})
    months = [_month(first, events, registry, as_of) for first in keys]
    for before, after in itertools.pairwise(months):
        before.next, after.previous = after.path, before.path
    return months


def _month(
    first: dt.date, events: dict[dt.date, list[CalendarEvent]], registry: Registry, as_of: dt.date
) -> CalendarMonth:
    grid = _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    weeks = [
        [
            CalendarDay(
                day,
                day.month == first.month,
                tuple(events.get(day, ())) if day.month == first.month else (),
                day == as_of,
                registry.calendar.is_workday(day),
            )
            for day in week
        ]
        for week in grid
    ]
    count = sum(len(day.events) for week in weeks for day in week)
    key = month_key(first)
    return CalendarMonth(key, first, calendar_path(key), weeks, count)


def bulletin_path(key: str) -> str:
    return f"bulletins/{key}/index.html"


def bulletin_months(views: list[TaskView], as_of: dt.date) -> list[BulletinMonth]:
    """Months with a 督查通报: the last twelve up to the as-of month, from the first item's; newest first."""
    if not views:
        return []
    earliest = month_start(min(v.state.assigned for v in views))
    first = max(earliest, add_months(month_start(as_of), -(BULLETIN_MONTHS - 1)))
    months = []
    month = month_start(as_of)
    while month >= first:
        months.append(BulletinMonth(month_key(month), month, bulletin_path(month_key(month))))
        month = add_months(month, -1)
    return months


def bulletin(registry: Registry, month: BulletinMonth, as_of: dt.date) -> Bulletin:
    """One month's bulletin. Computed when its page is rendered: each month is the engine run again as of the
    month's end (items' standings only, see `duban.stats.bulletin`), and pages may be rendered in parallel."""
    report = stats.bulletin(registry, stats.month_period(month.first), as_of)
    names = {u: registry.unit_name(u, short=True) for u in registry.units}
    rates = [RateBar(_unit_ref(row.unit, names), row, row.rate_percent or 0.0) for row in report.units]
    return BulletinPage(month, report, rates)


def _unit_ref(unit_id: str, names: dict[str, str]) -> Ref:
    return Ref(unit_id, names.get(unit_id, unit_id), f"units/{unit_id}/index.html")
