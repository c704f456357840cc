"""Reports as Markdown: a document to read on GitHub, paste into a message, or convert for printing."""

from __future__ import annotations

from duban.reports.model import Cell, Kind, Report, Section, Table, text_value


def cell_text(value: object) -> str:
    """Text safe inside a Markdown table cell: no row breaks, no column breaks, no raw HTML."""
    text = "" if value is None else str(value)
    text = " ".join(text.splitlines())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _text(value: Cell, kind: Kind) -> str:
    """A dash for a missing number (a rate with nothing due yet), so that a blank cell is never ambiguous."""
    return "—" if value is None and kind in ("int", "percent") else text_value(value, kind)


def _table(table: Table, rows: tuple[dict[str, Cell], ...], skip: str | None = None) -> list[str]:
    columns = [c for c in table.columns if c.key != skip]
    head = "| " + " | ".join(cell_text(c.label) for c in columns) + " |"
    rule = "|" + "|".join("---:" if c.kind in ("int", "percent") else "---" for c in columns) + "|"
    body = [
        "| " + " | ".join(cell_text(_text(row.get(c.key), c.kind)) for c in columns) + " |" for row in rows
    ]
    return [head, rule, *body]


def _grouped(table: Table) -> list[str]:
    """One sub-table per value of the group column, in the order the rows come."""
    assert table.group is not None
    groups: dict[Cell, list[dict[str, Cell]]] = {}
    for row in table.rows:
        groups.setdefault(row.get(table.group), []).append(row)
    lines: list[str] = []
    for value, rows in groups.items():
        heading = table.group_heading.format(value=value, count=len(rows))
        lines += ["", f"### {cell_text(heading)}", "", *_table(table, tuple(rows), skip=table.group)]
    return lines


def _section(section: Section) -> list[str]:
    lines = ["", f"## {section.heading}"]
    for line in section.lines:
        lines += ["", line]
    table = section.table
    if table is None:
        return lines
    if not table.rows:
        return [*lines, "", section.empty]
    if table.group:
        return lines + _grouped(table)
    return [*lines, "", *_table(table, table.rows)]


def write(report: Report) -> bytes:
    lines = [f"# {report.title}", ""]
    for line in report.subtitle.splitlines():
        lines += [line, ""]
    for section in report.sections:
        lines += _section(section)
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
