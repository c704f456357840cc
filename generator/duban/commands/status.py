"""`duban status`: every item with its light, as a terminal table, the engine's JSON, or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from duban.commands._common import as_of_option, load_or_fail, root_option
from duban.engine import JSON_FIELDS, LIGHTS, TaskState, evaluated, task_json, to_json
from duban.output import echo_chunks, joined_lines, json_chunks
from duban.registry import Registry
from duban.reports.files import emit
from duban.settings import FINDINGS
from duban.wording import LIGHT_NAMES, STATUS_NAMES, fit, pick

LIGHT_COLOURS = {"red": "red", "yellow": "yellow", "green": "green", "grey": "bright_black", "done": "blue",
                 "cancelled": "bright_black"}  # fmt: skip

HEADERS = {
    "zh-CN": ("灯", "编号", "事项名称", "牵头单位", "责任人", "办结时限", "剩余/逾期", "进度"),
    "en": ("light", "id", "title", "lead unit", "owner", "deadline", "left/overdue", "progress"),
}
# Column widths of everything but the title, which takes what the terminal has left.
WIDTHS = (8, 14, 0, 12, 8, 10, 14, 6)


@dataclass(frozen=True)
class Filters:
    units: tuple[str, ...] = ()
    lights: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()

    def keep(self, state: TaskState) -> bool:
        return (
            (not self.units or state.lead_unit in self.units)
            and (not self.lights or state.light in self.lights)
            and (not self.leaders or state.leader in self.leaders)
            and (not self.findings or any(f in state.findings for f in self.findings))
        )


def _check_ids(values: Sequence[str], known: dict[str, Any], option: str, kind: str) -> None:
    """An unknown unit or person in a filter is a usage error (exit 2), not an empty table."""
    for value in values:
        if value not in known:
            hint = ", ".join(sorted(known)[:20])
            raise click.BadParameter(f"no {kind} '{value}' in org/ (known: {hint})", param_hint=option)


# --- text ---


def days_text(state: TaskState, language: str) -> str:
    zh = language == "zh-CN"
    if state.light == "done":
        late = state.days_late or 0
        return (
            (f"逾期{late}天办结" if late else "按期办结") if zh else (f"{late}d late" if late else "on time")
        )
    if state.light in ("grey", "cancelled"):
        return pick(STATUS_NAMES, state.status, language)
    if state.days_overdue:
        return f"逾期 {state.days_overdue} 天" if zh else f"{state.days_overdue}d overdue"
    if state.days_left == 0:
        return "今天到期" if zh else "due today"
    return f"剩 {state.days_left} 天" if zh else f"{state.days_left}d left"


def _cells(state: TaskState, registry: Registry, language: str) -> tuple[str, ...]:
    return (
        pick(LIGHT_NAMES, state.light, language),
        state.id,
        state.title,
        registry.unit_name(state.lead_unit, short=True),
        registry.person_name(state.owner),
        state.effective_deadline.isoformat(),
        days_text(state, language),
        "" if state.progress is None else f"{state.progress}%",
    )


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(fit(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def table_lines(states: Sequence[TaskState], registry: Registry, verbose: bool = False) -> Iterator[str]:
    """The table's lines, one at a time (at 100,000 items the whole table is a lot of text)."""
    language = registry.settings.language
    columns = shutil.get_terminal_size((120, 24)).columns
    title_width = max(16, columns - sum(WIDTHS) - 2 * (len(WIDTHS) - 1))
    widths = [w or title_width for w in WIDTHS]
    yield "  " + click.style(_row(HEADERS["zh-CN" if language == "zh-CN" else "en"], widths), bold=True)
    for state in states:
        text = _row(_cells(state, registry, language), widths)
        yield click.style("●", fg=LIGHT_COLOURS[state.light]) + " " + text
        if verbose:
            yield from (f"{' ' * 10}- {reason.message(language)}" for reason in state.reasons)


def summary(states: Sequence[TaskState], as_of: dt.date, language: str) -> str:
    counts = {light: sum(s.light == light for s in states) for light in LIGHTS}
    if language == "zh-CN":
        parts = "，".join(f"{pick(LIGHT_NAMES, k, language)} {v}" for k, v in counts.items() if v)
        return f"共 {len(states)} 项（截至 {as_of.isoformat()}）" + (f"：{parts}" if parts else "")
    parts = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    return f"{len(states)} items as of {as_of.isoformat()}" + (f": {parts}" if parts else "")


def _urgency(state: TaskState) -> tuple[int, int, str]:
    """Red first, then yellow, green, grey, done, cancelled; the nearest deadline first within a light."""
    return (LIGHTS.index(state.light), state.days_left, state.id)


# --- csv ---


def csv_bytes(states: Sequence[TaskState], registry: Registry) -> bytes:
    """The JSON fields as CSV (UTF-8 with a BOM, so that Excel in China opens it), plus names."""
    return b"".join(csv_chunks(states, registry))


def csv_chunks(states: Iterable[TaskState], registry: Registry, batch: int = 1000) -> Iterator[bytes]:
    """`csv_bytes` in pieces of `batch` rows, so that the whole table is never held in memory at once."""
    extra = ("lead_unit", "lead_unit_name", "owner", "owner_name", "leader", "leader_name", "deadline",
             "latest_update", "reminders")  # fmt: skip
    out = io.StringIO("\ufeff")
    out.seek(1)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(JSON_FIELDS + extra)
    for index, state in enumerate(states, 1):
        record = task_json(state) | {
            "lead_unit_name": registry.unit_name(state.lead_unit),
            "owner_name": registry.person_name(state.owner),
            "leader_name": registry.person_name(state.leader),
        }
        writer.writerow([_csv_value(record[key]) for key in JSON_FIELDS + extra])
        if index % batch == 0:
            yield _take(out)
    yield _take(out)


def _take(out: io.StringIO) -> bytes:
    """What `out` holds, encoded, and `out` emptied for the next rows."""
    data = out.getvalue().encode("utf-8")
    out.seek(0)
    out.truncate()
    return data


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


# --- the command ---


def run_status(root: Path, as_of: dt.date | None, fmt: str, filters: Filters, verbose: bool) -> int:
    loaded = load_or_fail(root, as_of, fmt)
    if loaded is None:
        return 1
    registry = loaded.registry
    _check_ids(filters.units, registry.units, "--unit", "unit")
    _check_ids(filters.leaders, registry.people, "--leader", "person")
    # JSON and CSV are written state by state: no list of all states is kept for them.
    states = (state for state in evaluated(registry, loaded.as_of) if filters.keep(state))
    language = registry.settings.language
    if fmt == "json":
        echo_chunks(json_chunks(to_json(states, loaded.as_of, language, lazy=True)))
    elif fmt == "csv":
        for chunk in csv_chunks(states, registry):
            emit(chunk)
    else:
        shown = sorted(states, key=_urgency)
        lines = table_lines(shown, registry, verbose)
        echo_chunks(joined_lines(itertools.chain(lines, [summary(shown, loaded.as_of, language)])))
    return 0


@click.command(name="status")
@root_option
@as_of_option
@click.option(
    "--unit", "units", multiple=True, metavar="UNIT", help="Only items this unit leads (the option repeats)."
)
@click.option(
    "--light", "lights", multiple=True, type=click.Choice(LIGHTS), help="Only items with this light."
)
@click.option(
    "--leader", "leaders", multiple=True, metavar="PERSON", help="Only items this leader is in charge of."
)
@click.option("--finding", "findings", multiple=True, type=click.Choice(FINDINGS), help="Only items with it.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show why each item has its light.")
def command(
    root: Path,
    as_of: dt.date | None,
    units: tuple[str, ...],
    lights: tuple[str, ...],
    leaders: tuple[str, ...],
    findings: tuple[str, ...],
    fmt: str,
    verbose: bool,
) -> None:
    """Show every item with its light (红黄绿灯) as of today, or as of --as-of.

    The text table puts red items first. --format json is the deadline engine's machine-readable view
    (fields in docs/engine.md); --format csv is the same as a table for Excel.
    """
    raise SystemExit(run_status(root, as_of, fmt, Filters(units, lights, leaders, findings), verbose))
