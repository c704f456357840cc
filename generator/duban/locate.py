"""Line and column for problems that were found by path (schema and cross-file checks).

Only files that have such problems are parsed a second time, now recording every node's position.
"""

from __future__ import annotations

from pathlib import Path

from duban.problems import PathPart, Problem
from duban.yamlio import Positions, decode, parse_text


def locate_all(problems: list[Problem], root: Path) -> None:
    """Fill in line and column wherever a problem has a path but no position yet."""
    cache: dict[str, Positions | None] = {}
    for problem in problems:
        if problem.line is not None or problem.where == "file":
            continue  # located already, or about the whole file (which may be huge, a FIFO, unreadable)
        if problem.file not in cache:
            cache[problem.file] = _positions(root / problem.file, problem.file)
        positions = cache[problem.file]
        if positions is not None:
            problem.line, problem.column = _find(positions, problem.path, problem.where)


def _positions(path: Path, rel: str) -> Positions | None:
    try:
        text, _ = decode(path.read_bytes(), rel)
    except OSError:
        return None
    if text is None:
        return None
    return parse_text(text, rel, with_positions=True).positions


def _find(positions: Positions, path: tuple[PathPart, ...], where: str) -> tuple[int, int]:
    """The node at `path`, or its nearest ancestor that exists (a missing key is reported at its mapping)."""
    for end in range(len(path), -1, -1):
        position = positions.get(path[:end])
        if position is None:
            continue
        if where == "key" and end == len(path) and position.key_line is not None:
            return position.key_line, position.key_column or 1
        return position.line, position.column
    return 1, 1
