"""Problems are data: every check returns them, nothing raises them.

A problem names a file and a JSON-style path inside it; the line and column are filled in afterwards by
`duban.locate`, which re-reads only the files with problems (keeping positions of every node of every file
would cost more memory than the data itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from duban.messages import render

Severity = Literal["error", "warning"]
PathPart = str | int
# Where a problem found by path points: at the node's value, at its key (unknown keys), or at no line at all
# (the file as a whole: missing, unreadable, too large; `duban.locate` leaves those alone).
Where = Literal["value", "key", "file"]


@dataclass
class Problem:
    file: str  # relative to the registry root, with forward slashes
    code: str
    args: dict[str, Any] = field(default_factory=dict)
    path: tuple[PathPart, ...] = ()
    severity: Severity = "error"
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    where: Where = "value"

    def message(self, language: str) -> str:
        return render(self.code, self.args, language)

    def json_path(self) -> str:
        return format_path(self.path)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line or 0, self.column or 0, self.code)


def format_path(path: tuple[PathPart, ...]) -> str:
    """`$.updates[1].date` — the notation check-jsonschema users already read."""
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
