"""A new task file (`duban new`): the next free id, the deadline from `--within`, the file's text.

The file looks like the registry's own: the schema modeline first (so editors check and complete it), keys in
FORMAT.md's order, lists of ids as flow lists, and a short label comment after each field in the registry's
language (牵头单位, 办结时限 …), aligned in one column.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from duban.dates import WorkCalendar
from duban.editing.catalog import FIELD_LABELS, language_of
from duban.editing.records import key_order, record, text_value
from duban.editing.roundtrip import dump, make_yaml
from duban.registry import Registry

_WITHIN = re.compile(r"^\s*(\d{1,4})\s*(wd|d)?\s*$", re.IGNORECASE)
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[a-z_]+):(?P<rest>.*)$")
LABEL_COLUMN_LIMIT = 40  # lines wider than this get their label two spaces after them, not in the column


@dataclass(frozen=True)
class Within:
    count: int
    workdays: bool

    def deadline(self, assigned: dt.date, calendar: WorkCalendar) -> dt.date:
        """`count` workdays (with the registry's calendar) or calendar days after the assigned date.

        A span of calendar days that ends on a day off ends on the next workday instead, as the Civil Code
        counts periods (民法典第二百零三条：期间的最后一日是法定休假日的，
        以法定休假日结束的次日为期间的最后一日).
        """
        if self.workdays:
            return calendar.add_workdays(assigned, self.count)
        last = assigned + dt.timedelta(days=self.count)
        return last if calendar.is_workday(last) else calendar.add_workdays(last, 1)


def parse_within(text: str) -> Within | None:
    """`20wd` → 20 workdays; `30d` or `30` → 30 calendar days; None for anything else (or zero)."""
    match = _WITHIN.match(text)
    if not match or int(match[1]) == 0:
        return None
    return Within(int(match[1]), (match[2] or "d").lower() == "wd")


def next_id(registry: Registry, year: int) -> str:
    """`<id_prefix>-<year>-<NNNN>`: one more than the highest number used for that prefix and year."""
    prefix = f"{registry.settings.id_prefix}-{year}-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    numbers = [int(m[1]) for task_id in registry.tasks if (m := pattern.fullmatch(task_id))]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def modeline(root: Path, folder: Path) -> str:
    """The yaml-language-server line for the registry's `schema/task.schema.json`, relative to `folder`."""
    schema = Path(os.path.relpath(root / "schema" / "task.schema.json", folder)).as_posix()
    return f"# yaml-language-server: $schema={schema}\n"


@dataclass(frozen=True)
class Plan:
    """When the new item is due and where its file goes (the id and the dates are settled from these)."""

    deadline: dt.date | None = None
    within: Within | None = None
    assigned: dt.date | None = None  # default: today
    folder: str | None = None  # relative to the registry root; default tasks/<assigned year>

    def deadline_for(self, assigned: dt.date, calendar: WorkCalendar) -> dt.date:
        if self.deadline is not None:
            return self.deadline
        if self.within is None:
            raise ValueError("a new task needs --deadline or --within")
        return self.within.deadline(assigned, calendar)


@dataclass(frozen=True)
class NewTask:
    """The fields of a new item; `task_id`, `assigned` and `deadline` are filled in by `create_task`."""

    title: str
    lead_unit: str
    task_id: str = ""
    assigned: dt.date | None = None
    deadline: dt.date | None = None
    source_type: str = "other"
    source_ref: str | None = None
    source_by: str | None = None
    source_date: dt.date | None = None
    category: str | None = None
    description: str | None = None
    priority: str = "normal"
    co_units: tuple[str, ...] = ()
    owner: str | None = None
    leader: str | None = None
    supervisor: str | None = None
    parent: str | None = None
    report_every: str | None = None
    status: str = "assigned"
    tags: tuple[str, ...] = ()


def build(task: NewTask) -> CommentedMap:
    """The task as a round-trip tree, keys in FORMAT.md's order."""
    source = record(
        [
            ("type", task.source_type),
            ("ref", task.source_ref),
            ("by", task.source_by),
            ("date", task.source_date),
        ]
    )
    values: dict[str, Any] = {
        "id": task.task_id,
        "title": text_value(task.title),
        "source": source,
        "category": task.category,
        "description": None if task.description is None else text_value(task.description),
        "priority": task.priority,
        "lead_unit": task.lead_unit,
        "co_units": _flow(task.co_units),
        "owner": task.owner,
        "leader": task.leader,
        "supervisor": task.supervisor,
        "parent": task.parent,
        "assigned": task.assigned,
        "deadline": task.deadline,
        "report_every": task.report_every,
        "status": task.status,
        "tags": _flow(task.tags),
    }
    return record([(key, values[key]) for key in key_order() if key in values])


def _flow(items: tuple[str, ...]) -> CommentedSeq | None:
    if not items:
        return None
    sequence = CommentedSeq(items)
    sequence.fa.set_flow_style()
    return sequence


def render(doc: CommentedMap, root: Path, folder: Path, language: str) -> str:
    """The new file's text: modeline, then the fields with their labels."""
    return modeline(root, folder) + label(dump(make_yaml(), doc), FIELD_LABELS[language_of(language)])


def label(text: str, labels: dict[str, str]) -> str:
    """Add `# label` after each labelled key line (top level and under `source:`), aligned in one column."""
    lines = text.splitlines()
    found = _labelled_lines(lines, labels)
    widths = [_width(lines[index]) for index in found]
    column = max((w for w in widths if w <= LABEL_COLUMN_LIMIT), default=0) + 2
    for index, name in found.items():
        padding = max(column - _width(lines[index]), 2)
        lines[index] += " " * padding + "# " + labels[name]
    return "\n".join(lines) + "\n"


def _labelled_lines(lines: list[str], labels: dict[str, str]) -> dict[int, str]:
    """Line index → label key, for key lines outside block scalars (`description: |` has no label)."""
    found: dict[int, str] = {}
    parent = ""
    in_block = False
    for index, line in enumerate(lines):
        match = _KEY_LINE.match(line)
        if in_block and (line.startswith(" ") or not line):
            continue
        in_block = bool(match and match["rest"].strip().startswith(("|", ">")))
        if match is None or in_block:
            continue
        name = match["key"] if not match["indent"] else f"{parent}.{match['key']}"
        parent = match["key"] if not match["indent"] else parent
        if name in labels:
            found[index] = name
    return found


def _width(line: str) -> int:
    """How wide a line shows in an editor: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
