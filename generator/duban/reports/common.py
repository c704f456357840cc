"""Pieces the reports share: columns, the cells of an item's row, and an item's JSON record."""

from __future__ import annotations

from typing import Any

from duban.engine import JSON_FIELDS, TaskState, task_json
from duban.registry import Registry
from duban.reports.labels import label
from duban.reports.model import Cell, Column, Kind

# The kind of each column key that is not text.
KINDS: dict[str, Kind] = {
    "no": "int", "rank": "int", "assigned": "date", "deadline": "date", "effective_deadline": "date",
    "days_overdue": "int", "workdays_overdue": "int", "latest_update": "date", "reminders": "int",
    "progress": "percent", "completion_date": "date", "requested": "date", "decided": "date",
    "extended_to": "date", "total": "int", "on_time": "int", "late": "int", "open": "int", "overdue": "int",
    "rate": "percent",
}  # fmt: skip


def columns(keys: str, language: str) -> tuple[Column, ...]:
    """Columns from space-separated keys, labelled in `language`."""
    return tuple(Column(key, label(key, language), KINDS.get(key, "text")) for key in keys.split())


def item_cells(state: TaskState, registry: Registry) -> dict[str, Cell]:
    """Every cell an item's row may show, keyed like the columns."""
    return {
        "id": state.id,
        "title": state.title,
        "lead_unit": registry.unit_name(state.lead_unit),
        "owner": registry.person_name(state.owner),
        "leader": registry.person_name(state.leader),
        "assigned": state.assigned,
        "deadline": state.deadline,
        "effective_deadline": state.effective_deadline,
        "days_overdue": state.days_overdue,
        "workdays_overdue": state.workdays_overdue,
        "latest_update": state.latest_update,
        "reminders": state.reminders,
        "progress": state.progress,
        "completion_date": state.completion_date,
    }


def item_json(state: TaskState, registry: Registry) -> dict[str, Any]:
    """An item in a report's JSON: the status JSON's fields, then who and when (names resolved)."""
    record = task_json(state)
    core = {key: record[key] for key in JSON_FIELDS}
    return core | {
        "lead_unit": state.lead_unit,
        "lead_unit_name": registry.unit_name(state.lead_unit),
        "owner": state.owner,
        "owner_name": registry.person_name(state.owner) if state.owner else None,
        "leader": state.leader,
        "leader_name": registry.person_name(state.leader) if state.leader else None,
        "assigned": record["assigned"],
        "deadline": record["deadline"],
        "latest_update": record["latest_update"],
        "reminders": state.reminders,
        "completion_date": record["completion_date"],
        "days_late": state.days_late,
    }


def organization(registry: Registry) -> str:
    settings = registry.settings
    return settings.organization or settings.title
