"""Line and column for problems that were found by path (schema and cross-file checks).

Only files that have such problems are read again. Their node tree (libyaml's, without building any data) is
followed along each problem's path; a file where a node is reached twice (anchors and aliases, where
positions are blamed on the entry that uses the alias) is parsed again with every node's position recorded,
by the same code as the loader (`duban.yamlio`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping
from pathlib import Path

import yaml

from duban.cache import Cache, prepare, read_sealed, write_sealed
from duban.documents import digest
from duban.problems import PathPart, Problem
from duban.registry import Registry
from duban.workers import jobs, run
from duban.yamlio import LOADER, Positions, decode, parse_text

Place = tuple[int, int]
Wanted = list[tuple[tuple[PathPart, ...], str]]  # a file's problems: (path, where) each

# With this many files to read again (`duban check` on a registry with thousands of overdue items) they are
# shared by the cores: reading one costs ~0.15 ms, starting a worker as much as ~200 files.
PARALLEL_MIN = 400
CHUNK = 100


def locate_all(problems: list[Problem], root: Path, kept: KeptPlaces | None = None) -> None:
    """Fill in line and column wherever a problem has a path but no position yet; from `kept` where a file's
    places were found before (its bytes the same), and into it where not."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.line is not None or problem.where == "file":
            continue  # located already, or about the whole file (which may be huge, a FIFO, unreadable)
        by_file.setdefault(problem.file, []).append(problem)
    if not by_file:
        return
    files: list[tuple[str, Wanted]] = []
    for rel, located in by_file.items():
        wanted: Wanted = [(p.path, p.where) for p in located]
        places = kept.get(rel, wanted) if kept is not None else None
        if places is None:
            files.append((rel, wanted))
        else:
            _fill(located, places)

    def places_of(chunk: range) -> list[tuple[str, bytes, list[Place] | None]]:
        return [(rel, *_places(root / rel, rel, wanted)) for rel, wanted in (files[i] for i in chunk)]

    chunks = [range(start, min(start + CHUNK, len(files))) for start in range(0, len(files), CHUNK)]
    for found in run(places_of, chunks, jobs() if len(files) >= PARALLEL_MIN else 1):
        for rel, read, places in found:
            if places is not None:
                _fill(by_file[rel], places)
                if kept is not None:
                    kept.put(rel, read, [(p.path, p.where) for p in by_file[rel]], places)
    if kept is not None:
        kept.save()


PLACES = "places"  # the kept places' file, in the read cache's folder


def kept_places(registry: Registry, store: Cache | None) -> KeptPlaces | None:
    """The places kept for the registry's task files (none without a read cache)."""
    if store is None:
        return None
    return KeptPlaces(store.folder / PLACES, {task.file: task.digest for task in registry.tasks.values()})


def _fill(problems: list[Problem], places: list[Place]) -> None:
    for problem, (line, column) in zip(problems, places, strict=True):
        problem.line, problem.column = line, column


Known = dict[tuple[PathPart, ...], dict[str, Place]]  # a file's places: path → where → (line, column)


class KeptPlaces:
    """Places found in the task files before, kept in the read cache's folder for the next run: a file's lines
    and columns depend on its bytes alone, and `duban check` locates the same overdue items day after day (at
    10,000 items, reading ~5,000 files again took a third of its time).

    By file: its path and the hash of its bytes, as loaded (`digests`: a file not there, not a task or broken,
    is read again). The folder is the read cache's, named after the code that computes places (duban.cache);
    the file is sealed with a checksum and holds the places of the registry's task files as they are now:
    those of other versions are dropped when it is written."""

    def __init__(self, path: Path, digests: Mapping[str, bytes]) -> None:
        self.path, self.digests = path, digests
        self.changed = False

    @functools.cached_property
    def known(self) -> dict[tuple[str, bytes], Known]:
        """What the file holds, read when a place is first asked for (most runs have none to find)."""
        loaded = read_sealed(self.path)
        return {
            key: known
            for key, known in (loaded.items() if isinstance(loaded, dict) else ())
            if isinstance(key, tuple) and len(key) == 2 and isinstance(known, dict)
        }

    def get(self, rel: str, wanted: Wanted) -> list[Place] | None:
        """The places of `wanted` in the file as loaded, when all of them were found before."""
        known = self.known.get((rel, self.digests.get(rel, b"")))
        if known is None:
            return None
        places: list[Place] = []
        for path, where in wanted:
            by_where = known.get(path)
            place = by_where.get(where) if isinstance(by_where, dict) else None
            if place is None or not _is_place(place):
                return None
            places.append(place)
        return places

    def put(self, rel: str, read: bytes, wanted: Wanted, places: list[Place]) -> None:
        """Places found in the bytes whose digest is `read` (kept while they are the file's as loaded)."""
        if not read or self.digests.get(rel) != read:
            return
        known = self.known.setdefault((rel, read), {})
        for (path, where), place in zip(wanted, places, strict=True):
            known.setdefault(path, {})[where] = place
        self.changed = True

    def save(self) -> None:
        """Written when places were found, or files changed since; a cache that cannot be written is no
        error (a read-only checkout)."""
        current = {key: known for key, known in self.known.items() if self.digests.get(key[0]) == key[1]}
        if not self.changed and len(current) == len(self.known):
            return
        self.known, self.changed = current, False
        with contextlib.suppress(OSError):
            prepare(self.path.parent)
            write_sealed(self.path, current)


def _is_place(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(type(part) is int for part in value)


def _places(path: Path, rel: str, wanted: Wanted) -> tuple[bytes, list[Place] | None]:
    """The places of `wanted` in the file, and the digest of the bytes they were found in (b"": unread)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return b"", None
    return digest(raw), _places_in(raw, rel, wanted)


def _places_in(raw: bytes, rel: str, wanted: Wanted) -> list[Place] | None:
    text, _ = decode(raw, rel)
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
