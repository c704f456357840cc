"""What a report is, independent of its format: a title, sections with text and tables, and a JSON view.

Each report (overdue, units, bulletin) builds one `Report`; each format (md, csv, json, xlsx) writes any
`Report`. Table cells hold typed values (str, int, float, date, None): xlsx gets real dates and numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from duban.wording import number

Kind = Literal["text", "int", "date", "percent"]
Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Cell], ...]
    group: str | None = None  # a column key: Markdown prints one sub-table per value (overdue items by unit)
    group_heading: str = "{value} ({count})"  # the sub-table's heading

    def cells(self, row: dict[str, Cell]) -> list[Cell]:
        return [row.get(c.key) for c in self.columns]


@dataclass(frozen=True)
class Section:
    heading: str
    sheet: str  # the xlsx sheet name (at most 31 characters, no []:*?/\)
    lines: tuple[str, ...] = ()
    table: Table | None = None
    empty: str = ""  # printed instead of an empty table ("无。")


@dataclass(frozen=True)
class Report:
    kind: str  # overdue | units | bulletin
    title: str
    subtitle: str
    language: str
    sections: tuple[Section, ...]
    data: dict[str, Any] = field(default_factory=dict)  # the JSON view (docs/engine.md)


def text_value(value: Cell, kind: Kind) -> str:
    """A cell as text for Markdown and CSV: ISO dates, percent with its sign, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind == "percent" and isinstance(value, int | float):
        return f"{number(value)}%"
    if isinstance(value, float):
        return number(value)
    return str(value)
