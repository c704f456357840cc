"""The periodic bulletin (督查通报) for a month or a quarter: a document the office can print and issue.

Period figures (new, completed, extensions approved, reminders sent) count what happened within the period;
the per-unit table and the overdue list are the picture at the period's end (see `duban.stats.bulletin`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from duban.dates import parse_date
from duban.engine import TaskState
from duban.registry import Registry
from duban.reports.common import columns, item_cells, item_json, organization
from duban.reports.labels import label
from duban.reports.model import Cell, Report, Section, Table
from duban.reports.overdue import groups
from duban.reports.units import unit_section
from duban.stats import Bulletin, Period, Record, bulletin, full_states

OVERDUE_COLUMNS = (
    "no lead_unit id title owner leader effective_deadline days_overdue workdays_overdue reminders"
)
NEW_COLUMNS = "no id title lead_unit assigned effective_deadline"
COMPLETED_COLUMNS = "no id title lead_unit effective_deadline completion_date result"
EXTENSION_COLUMNS = "no id title lead_unit deadline extended_to requested decided reason"


def _numbered(rows: list[dict[str, Cell]]) -> tuple[dict[str, Cell], ...]:
    return tuple({"no": index, **row} for index, row in enumerate(rows, start=1))


def summary(b: Bulletin) -> dict[str, Any]:
    """The period's figures (the JSON `summary`; the overview paragraph says the same)."""
    return {
        "new": len(b.new),
        "completed": len(b.completed),
        "completed_on_time": len(b.completed_on_time),
        "completed_late": len(b.completed_late),
        "overdue": len(b.overdue),
        "extensions_approved": len(b.extensions),
        "reminders": len(b.reminders),
        "total": b.total.total,
        "done": b.total.on_time + b.total.late,
        "on_time_rate": b.total.rate_percent,
    }


def _overview(b: Bulletin, language: str) -> Section:
    figures = summary(b)
    rate = figures["on_time_rate"]
    text = label(
        "bulletin.overview.text", language, new=figures["new"], completed=figures["completed"],
        on_time=figures["completed_on_time"], late=figures["completed_late"],
        extensions=figures["extensions_approved"], reminders=figures["reminders"], end=b.as_of.isoformat(),
        total=figures["total"], done=figures["done"], overdue=figures["overdue"],
        rate=label("no_rate", language) if rate is None else f"{rate:g}%",
    )  # fmt: skip
    return Section(label("bulletin.overview", language), label("bulletin.overview.sheet", language), (text,))


def _table_section(key: str, sheet: str, keys: str, rows: list[dict[str, Cell]], language: str) -> Section:
    table = Table(columns(keys, language), _numbered(rows))
    return Section(label(key, language), label(sheet, language), table=table, empty=label("none", language))


def _completed_row(state: TaskState, registry: Registry, language: str) -> dict[str, Cell]:
    late = state.days_late or 0
    result = label("late_word", language, days=late) if late else label("on_time_word", language)
    return item_cells(state, registry) | {"result": result}


def _extension_row(record: Record, state: TaskState, registry: Registry) -> dict[str, Cell]:
    return item_cells(state, registry) | {
        "extended_to": parse_date(record.data["to"]),
        "requested": parse_date(record.data["requested"]),
        "decided": record.date,
        "reason": record.data.get("reason", ""),
    }


def _full(b: Bulletin, registry: Registry) -> dict[str, TaskState]:
    """The full states of the items the bulletin lists (it holds their standings only)."""
    listed = [*b.overdue, *b.new, *b.completed, *(r.state for r in b.extensions)]
    return full_states(registry, listed, b.as_of)


def _sections(
    b: Bulletin, full: dict[str, TaskState], registry: Registry, language: str
) -> tuple[Section, ...]:
    units, _ = unit_section(b.states, registry, label("bulletin.units", language))
    overdue = [s for _, items in groups([full[s.id] for s in b.overdue], registry) for s in items]
    return (
        _overview(b, language),
        units,
        _table_section("bulletin.overdue", "overdue.sheet", OVERDUE_COLUMNS,
                       [item_cells(s, registry) for s in overdue], language),
        _table_section("bulletin.new", "bulletin.new.sheet", NEW_COLUMNS,
                       [item_cells(full[s.id], registry) for s in b.new], language),
        _table_section("bulletin.completed", "bulletin.completed.sheet", COMPLETED_COLUMNS,
                       [_completed_row(full[s.id], registry, language) for s in b.completed], language),
        _table_section("bulletin.extensions", "bulletin.extensions.sheet", EXTENSION_COLUMNS,
                       [_extension_row(r, full[r.state.id], registry) for r in b.extensions], language),
    )  # fmt: skip


def _data(b: Bulletin, full: dict[str, TaskState], registry: Registry) -> dict[str, Any]:
    _, unit_data = unit_section(b.states, registry, "")
    return {
        "report": "bulletin",
        "period": b.period.key,
        "start": b.period.start.isoformat(),
        "end": b.period.end.isoformat(),
        "as_of": b.as_of.isoformat(),
        "summary": summary(b),
        **unit_data,
        "overdue": [item_json(full[s.id], registry) for s in b.overdue],
        "new": [item_json(full[s.id], registry) for s in b.new],
        "completed": [item_json(full[s.id], registry) for s in b.completed],
        "extensions": [_record_json(r, registry) for r in b.extensions],
        "reminders": [_record_json(r, registry) for r in b.reminders],
    }


def _record_json(record: Record, registry: Registry) -> dict[str, Any]:
    state = record.state
    fields = {k: v for k, v in record.data.items() if k in ("to", "requested", "reason", "by", "note")}
    record_json = {
        "id": state.id,
        "title": state.title,
        "lead_unit": state.lead_unit,
        "lead_unit_name": registry.unit_name(state.lead_unit),
        "date": record.date.isoformat(),
    }
    return record_json | fields


def build(registry: Registry, period: Period, as_of: dt.date) -> Report:
    """The bulletin for `period`, as the registry stood at its end (or on `as_of`, if earlier)."""
    language = registry.settings.language
    b = bulletin(registry, period, as_of)
    full = _full(b, registry)
    subtitle = label("bulletin.subtitle", language, period=period.label(language))
    span = label("bulletin.as_of", language, start=period.start.isoformat(), end=b.as_of.isoformat())
    return Report(
        kind="bulletin",
        title=label("bulletin.title", language, org=organization(registry)),
        subtitle=f"{subtitle}\n{span}",
        language=language,
        sections=_sections(b, full, registry, language),
        data=_data(b, full, registry),
    )
