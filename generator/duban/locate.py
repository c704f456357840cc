"""Line and column for problems that were found by path (schema and cross-file checks).

Only files that have such problems are read again. Their node tree (libyaml's, without building any data) is
followed along each problem's path; a file where a node is reached twice (anchors and aliases, where
positions are blamed on the entry that uses the alias) is parsed again with every node's position recorded,
by the same code as the loader (`duban.yamlio`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from duban.problems import PathPart, Problem
from duban.workers import jobs, run
from duban.yamlio import LOADER, Positions, decode, parse_text

Place = tuple[int, int]
Wanted = list[tuple[tuple[PathPart, ...], str]]  # a file's problems: (path, where) each

# With this many files to read again (`duban check` on a registry with thousands of overdue items) they are
# shared by the cores: reading one costs ~0.15 ms, starting a worker as much as ~200 files.
PARALLEL_MIN = 400
CHUNK = 100


def locate_all(problems: list[Problem], root: Path) -> None:
    """Fill in line and column wherever a problem has a path but no position yet."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.line is not None or problem.where == "file":
            continue  # located already, or about the whole file (which may be huge, a FIFO, unreadable)
        by_file.setdefault(problem.file, []).append(problem)
    files: list[tuple[str, Wanted]] = [
        (rel, [(p.path, p.where) for p in located]) for rel, located in by_file.items()
    ]

    def places_of(chunk: range) -> list[tuple[str, list[Place] | None]]:
        return [(rel, _places(root / rel, rel, wanted)) for rel, wanted in (files[i] for i in chunk)]

    chunks = [range(start, min(start + CHUNK, len(files))) for start in range(0, len(files), CHUNK)]
    for found in run(places_of, chunks, jobs() if len(files) >= PARALLEL_MIN else 1):
        for rel, places in found:
            if places is not None:
                for problem, (line, column) in zip(by_file[rel], places, strict=True):
                    problem.line, problem.column = line, column


def _places(path: Path, rel: str, wanted: Wanted) -> list[Place] | None:
    try:
        text, _ = decode(path.read_bytes(), rel)
    except OSError:
        return None
    if text is None:
        return None
    try:
        node = yaml.compose(text, Loader=LOADER)
    except (yaml.YAMLError, RecursionError):  # not a file the loader took (its problems have lines)
        return None
    if node is not None and _plain_tree(node):
        return [_follow(node, parts, where) for parts, where in wanted]
    positions = parse_text(text, rel, with_positions=True).positions
    return None if positions is None else [_find(positions, parts, where) for parts, where in wanted]


def _plain_tree(root: yaml.Node) -> bool:
    """No node is reached twice (no alias), and no deeper than the loader allows."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return True


def _follow(node: yaml.Node, path: tuple[PathPart, ...], where: str) -> Place:
    """The node at `path`, or its nearest ancestor that exists; the key's place for `where == "key"` (as
    `_find` reads positions: a problem about a missing key points at its mapping)."""
    key: yaml.Node | None = None
    for depth, part in enumerate(path):
        child = _child(node, part)
        if child is None:
            return _mark(node)
        key, node = child
        if depth < len(path) - 1:
            key = None
    if where == "key" and key is not None:
        return _mark(key)
    return _mark(node)


def _child(node: yaml.Node, part: PathPart) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return key_node, value_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _mark(node: yaml.Node) -> Place:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _find(positions: Positions, path: tuple[PathPart, ...], where: str) -> Place:
    """The node at `path`, or its nearest ancestor that exists (a missing key is reported at its mapping)."""
    for end in range(len(path), -1, -1):
        position = positions.get(path[:end])
        if position is None:
            continue
        if where == "key" and end == len(path) and position.key_line is not None:
            return position.key_line, position.key_column or 1
        return position.line, position.column
    return 1, 1
