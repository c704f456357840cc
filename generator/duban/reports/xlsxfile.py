"""Reports as Excel workbooks (openpyxl): one sheet per table, styled header, frozen header row, real dates.

Every table sheet starts with its header in row 1 (frozen, with a filter) so that sorting and filtering work
at once; a section's notes go below its table. Text-only sections (the bulletin's overview) get a sheet of
their own with the report's title on top.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from duban.reports.model import Cell, Column, Report, Section, Table, text_value
from duban.wording import display_width

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMATS = {"date": "yyyy-mm-dd", "percent": "0.0%", "int": "0"}
MAX_WIDTH = 60  # wider text wraps
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _BAD_SHEET_CHARACTERS.sub("_", name)[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _value(value: Cell, column: Column) -> Cell:
    """The cell's value as Excel should hold it: percent as a fraction (shown 85.7%), dates as dates."""
    if column.kind == "percent" and isinstance(value, int | float):
        return value / 100
    return value


def _width(column: Column, table: Table) -> float:
    widths = [display_width(column.label)]
    widths += [display_width(text_value(row.get(column.key), column.kind)) for row in table.rows]
    return min(max(widths) + 2, MAX_WIDTH)


def _header(sheet: Worksheet, table: Table) -> None:
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = _width(column, table)
    sheet.freeze_panes = "A2"


def _body(sheet: Worksheet, table: Table) -> None:
    for row_index, row in enumerate(table.rows, start=2):
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=row_index, column=index, value=_value(row.get(column.key), column))
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=column.kind == "text")
            if column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]


def _table_sheet(sheet: Worksheet, section: Section, table: Table) -> None:
    _header(sheet, table)
    _body(sheet, table)
    last = len(table.rows) + 1
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{last}"
    else:
        sheet.cell(row=2, column=1, value=section.empty)
        last = 2
    for offset, line in enumerate(section.lines, start=2):
        sheet.cell(row=last + offset, column=1, value=line)


def _text_sheet(sheet: Worksheet, report: Report, section: Section) -> None:
    sheet.column_dimensions["A"].width = 100
    sheet.cell(row=1, column=1, value=report.title).font = Font(bold=True, size=16)
    lines = [*report.subtitle.splitlines(), "", section.heading, *section.lines]
    for offset, line in enumerate(lines, start=2):
        cell = sheet.cell(row=offset, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line == section.heading:
            cell.font = Font(bold=True)


def write(report: Report) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # a fresh workbook comes with one empty sheet
    workbook.properties.title = report.title
    workbook.properties.creator = "duban"
    taken: set[str] = set()
    for section in report.sections:
        sheet = workbook.create_sheet(_sheet_name(section.sheet, taken))
        if section.table is None:
            _text_sheet(sheet, report, section)
        else:
            _table_sheet(sheet, section, section.table)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
