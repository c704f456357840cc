"""Per-unit statistics (各单位办理情况): the 2x2 grid, the on-time rate (按期办结率) and the ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from duban.engine import evaluate
from duban.registry import Registry
from duban.reports.common import columns, organization
from duban.reports.labels import label
from duban.reports.model import Cell, Report, Section, Table
from duban.stats import GRID, Item, UnitStats, totals, unit_stats

COLUMNS = "rank lead_unit total on_time late open overdue rate"


def stats_row(stats: UnitStats, name: str) -> dict[str, Cell]:
    row: dict[str, Cell] = {"rank": stats.rank or None, "lead_unit": name, "total": stats.total}
    row |= {cell: getattr(stats, cell) for cell in GRID}
    return row | {"rate": stats.rate_percent}


def stats_json(stats: UnitStats, registry: Registry) -> dict[str, Any]:
    record: dict[str, Any] = {"unit": stats.unit or None, "unit_name": registry.unit_name(stats.unit) or None}
    record |= {"rank": stats.rank or None, "total": stats.total}
    record |= {cell: getattr(stats, cell) for cell in GRID}
    return record | {"due": stats.due, "on_time_rate": stats.rate_percent}


def unit_section(states: Sequence[Item], registry: Registry, heading: str) -> tuple[Section, dict[str, Any]]:
    """The ranked per-unit table with a 合计 row, and its JSON view; shared with the bulletin."""
    language = registry.settings.language
    ranked, total = unit_stats(states, list(registry.units)), totals(states)
    rows = [stats_row(s, registry.unit_name(s.unit)) for s in ranked]
    rows.append(stats_row(total, label("sum", language)))
    table = Table(columns(COLUMNS, language), tuple(rows))
    section = Section(
        heading, label("units.sheet", language), lines=(label("units.note", language),), table=table,
        empty=label("none", language),
    )  # fmt: skip
    data = {"units": [stats_json(s, registry) for s in ranked], "total": stats_json(total, registry)}
    return section, data


def build(registry: Registry, as_of: dt.date) -> Report:
    language = registry.settings.language
    states = evaluate(registry, as_of)
    section, data = unit_section(states, registry, label("units.section", language))
    return Report(
        kind="units",
        title=label("units.title", language, org=organization(registry)),
        subtitle=label("units.subtitle", language, date=as_of.isoformat()),
        language=language,
        sections=(section,),
        data={"report": "units", "as_of": as_of.isoformat()} | data,
    )
