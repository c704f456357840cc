"""Reports as CSV: UTF-8 with a byte-order mark, so that Excel in China opens it without garbling.

A report with one table is that table, nothing else (easy to read back). A report with several sections (the
bulletin) is written as blocks: the title, then each section's heading, text and table, with an empty row
between blocks — the layout an office expects when it opens the file in Excel.
"""

from __future__ import annotations

import csv
import io

from duban.reports.model import Report, Table, text_value

BOM = "\ufeff"


def _rows(table: Table) -> list[list[str]]:
    header = [c.label for c in table.columns]
    return [header] + [[text_value(row.get(c.key), c.kind) for c in table.columns] for row in table.rows]


def _blocks(report: Report) -> list[list[str]]:
    rows: list[list[str]] = [[report.title], *([line] for line in report.subtitle.splitlines())]
    for section in report.sections:
        rows += [[], [section.heading], *([line] for line in section.lines)]
        if section.table is not None:
            rows += _rows(section.table) if section.table.rows else [[section.empty]]
    return rows


def write(report: Report) -> bytes:
    tables = [s.table for s in report.sections if s.table is not None]
    single = len(report.sections) == 1 and len(tables) == 1
    rows = _rows(tables[0]) if single else _blocks(report)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (BOM + out.getvalue()).encode("utf-8")
