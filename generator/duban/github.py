"""GitHub Actions: annotations for findings and the Markdown job summary (`$GITHUB_STEP_SUMMARY`).

Workflow-command escaping lives in `duban.output` (`escape_data`, `escape_property`, `annotation`), shared
with `duban validate`; this module adds what only `duban check` needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# GitHub refuses a step summary over 1 MiB (and then shows none of it); stay well below with a margin for
# whatever else the same step writes.
STEP_SUMMARY_LIMIT = 1024 * 1024
SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"
_MARGIN = 16 * 1024


def md_cell(text: object) -> str:
    """A value safe inside a Markdown table cell: no row breaks, no column breaks, no raw HTML."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class SummaryTable:
    heading: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(md_cell(c) for c in cells) + " |\n"


def render_summary(intro: str, tables: Sequence[SummaryTable], budget: int, more: str) -> str:
    """The summary as Markdown, at most `budget` UTF-8 bytes: rows beyond it are counted in a `more` line
    (`more` is a template with a `{count}` field)."""
    parts = [intro.rstrip("\n") + "\n"]
    used = len(parts[0].encode("utf-8"))
    for table in tables:
        if not table.rows:
            continue
        head = f"\n### {table.heading}\n\n" + _row(table.headers) + "|" + "---|" * len(table.headers) + "\n"
        shown, size = _fit_rows(table.rows, budget - used - len(head.encode("utf-8")) - 200)
        if shown == 0 and table.rows:
            parts.append(f"\n### {table.heading}\n\n" + more.format(count=len(table.rows)) + "\n")
            break
        parts.append(head + "".join(_row(r) for r in table.rows[:shown]))
        used += len(head.encode("utf-8")) + size
        if shown < len(table.rows):
            parts.append("\n" + more.format(count=len(table.rows) - shown) + "\n")
            break
    return "".join(parts)


def _fit_rows(rows: Sequence[Sequence[object]], budget: int) -> tuple[int, int]:
    """How many rows (from the first) fit in `budget` bytes, and their size."""
    size = 0
    for index, row in enumerate(rows):
        length = len(_row(row).encode("utf-8"))
        if size + length > budget:
            return index, size
        size += length
    return len(rows), size


def summary_budget(path: Path) -> int:
    """Bytes this run may still append to the step summary file."""
    try:
        existing = path.stat().st_size
    except OSError:
        existing = 0
    return max(0, STEP_SUMMARY_LIMIT - _MARGIN - existing)


def summary_path(environ: Mapping[str, str] | None = None) -> Path | None:
    value = (os.environ if environ is None else environ).get(SUMMARY_VARIABLE)
    return Path(value) if value else None


def append_summary(path: Path, markdown: str) -> bool:
    """Append to the step summary; False (and nothing raised) when the file cannot be written."""
    try:
        with path.open("a", encoding="utf-8", newline="\n") as stream:
            stream.write(markdown if markdown.endswith("\n") else markdown + "\n")
    except OSError:
        return False
    return True
