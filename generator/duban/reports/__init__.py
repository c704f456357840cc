"""Reports: the overdue list, per-unit statistics and the bulletin, in Markdown, CSV, JSON and xlsx.

`build(kind, registry, as_of, period)` makes a format-independent `Report`; `FORMATS[fmt](report)` turns it
into bytes. Adding a format is one entry in FORMATS; adding a report is one entry in `build`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from duban.registry import Registry
from duban.reports import bulletin, csvfile, jsonfile, markdown, overdue, units
from duban.reports.model import Report
from duban.stats import Period, month_period

REPORTS = ("overdue", "units", "bulletin")


def _xlsx(report: Report) -> bytes:
    # openpyxl takes a while to import: only when a workbook is asked for.
    from duban.reports import xlsxfile

    return xlsxfile.write(report)


FORMATS: dict[str, Callable[[Report], bytes]] = {
    "md": markdown.write,
    "csv": csvfile.write,
    "json": jsonfile.write,
    "xlsx": _xlsx,
}


def build(kind: str, registry: Registry, as_of: dt.date, period: Period | None = None) -> Report:
    """The report `kind` as of `as_of`; with a period, as the registry stood at its end (or on `as_of`, if
    earlier). The bulletin's period defaults to the month of `as_of`."""
    if kind == "bulletin":
        return bulletin.build(registry, period or month_period(as_of), as_of)
    day = min(period.end, as_of) if period else as_of
    return overdue.build(registry, day) if kind == "overdue" else units.build(registry, day)
