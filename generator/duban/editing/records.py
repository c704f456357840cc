"""New values and records, written the way the registry writes them.

Dates are plain `2026-06-30` scalars (or quoted like the file's own `assigned`, when the file quotes
its dates); one-line text is a plain scalar (quoted only where YAML needs it); text with line breaks is a
`|` block.
The key orders come from the task schema, which lists its properties in FORMAT.md's order.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from duban.schemas import load_schema

DateValue = dt.date | SingleQuotedScalarString | DoubleQuotedScalarString


@cache
def key_order(definition: str = "") -> tuple[str, ...]:
    """The keys of a task, or of one of its records (`update`, `extension` …), in FORMAT.md's order."""
    schema = load_schema("task")
    node = schema["$defs"][definition] if definition else schema
    return tuple(node["properties"])


def date_value(day: dt.date, like: Any = None) -> DateValue:
    """`day` as the file writes dates: plain, or quoted the way `like` (an existing date of the file) is.

    Always a new object: ruamel writes an object used twice as an anchor and an alias (`&id001` … `*id001`).
    """
    if isinstance(like, (SingleQuotedScalarString, DoubleQuotedScalarString)):
        return type(like)(day.isoformat())
    return dt.date(day.year, day.month, day.day)


def text_value(text: str) -> str:
    """One line stays a plain scalar; several lines become a `|` block ending in one line break."""
    cleaned = text.replace("\r\n", "\n").strip("\n").rstrip()
    if "\n" in cleaned:
        return LiteralScalarString("\n".join(line.rstrip() for line in cleaned.split("\n")) + "\n")
    return cleaned.strip()


def record(pairs: list[tuple[str, Any]]) -> CommentedMap:
    """A mapping of the pairs whose value is given (None means "leave the key out")."""
    mapping = CommentedMap()
    for key, value in pairs:
        if value is not None:
            mapping[key] = value
    return mapping
