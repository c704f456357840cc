"""The overdue list (逾期事项清单): open overdue items grouped by lead unit, the longest overdue first."""

from __future__ import annotations

import datetime as dt

from duban.engine import TaskState, evaluate
from duban.registry import Registry
from duban.reports.common import columns, item_cells, item_json, organization
from duban.reports.labels import label
from duban.reports.model import Report, Section, Table

COLUMNS = (
    "lead_unit id title owner leader effective_deadline days_overdue workdays_overdue latest_update "
    "reminders progress"
)


def groups(states: list[TaskState], registry: Registry) -> list[tuple[str, list[TaskState]]]:
    """(unit id, its overdue items) — the unit with most overdue items first, then in org/units.yaml order."""
    by_unit: dict[str, list[TaskState]] = {}
    for state in sorted(states, key=lambda s: (-s.days_overdue, s.id)):
        if state.overdue:
            by_unit.setdefault(state.lead_unit, []).append(state)
    order = {unit: index for index, unit in enumerate(registry.units)}
    return sorted(by_unit.items(), key=lambda item: (-len(item[1]), order.get(item[0], len(order)), item[0]))


def build(registry: Registry, as_of: dt.date) -> Report:
    language = registry.settings.language
    grouped = groups(evaluate(registry, as_of), registry)
    items = [state for _, unit_items in grouped for state in unit_items]
    rows = tuple(item_cells(state, registry) for state in items)
    heading = label("overdue.group", language, unit="{value}", count="{count}")
    table = Table(columns(COLUMNS, language), rows, group="lead_unit", group_heading=heading)
    section = Section(
        label("overdue.section", language), label("overdue.sheet", language), table=table,
        empty=label("none", language),
    )  # fmt: skip
    data = {
        "report": "overdue",
        "as_of": as_of.isoformat(),
        "total": len(items),
        "units": [
            {"unit": unit, "unit_name": registry.unit_name(unit), "count": len(unit_items),
             "tasks": [item_json(s, registry) for s in unit_items]}
            for unit, unit_items in grouped
        ],
    }  # fmt: skip
    return Report(
        kind="overdue",
        title=label("overdue.title", language, org=organization(registry)),
        subtitle=label("overdue.subtitle", language, date=as_of.isoformat(), count=len(items),
                       units=len(grouped)),
        language=language,
        sections=(section,),
        data=data,
    )  # fmt: skip
