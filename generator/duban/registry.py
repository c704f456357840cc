"""The registry in memory: settings, organisation, calendar and tasks, loaded and checked in one pass.

`load_registry` is the first stage of every command's pipeline (load and validate → compute → render → write).
It never raises for bad input: it returns the problems next to whatever could be loaded.
"""

from __future__ import annotations

import marshal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duban.dates import WorkCalendar
from duban.problems import Problem
from duban.settings import Settings


@dataclass(slots=True)  # one per item: without a __dict__ each, 100 bytes less (10 MB at 100,000 items)
class TaskFile:
    """One supervised item as written in tasks/**/ID.yaml (schema-checked; dates are ISO strings).

    Its data is kept packed (`marshal`: ~1.8 KB for a 2 KB file, against ~5 KB as dicts, lists and
    strings) and unpacked by each pass that reads it (~9 µs), which holds it only while it works on the item:
    the data is otherwise the largest part of a build's memory (510 MB at 100,000 items). The loader bundles
    the packed data of many items into one bytes object (`packed` is a view into it): a process forked after
    loading (duban.site.build) then shares those memory pages with this one for as long as both live, since
    reading through a view writes nothing into them (CPython writes a reference count into every object it
    reads, and the page it is on is then copied).

    A few fields are kept as written besides, for the passes over every item that need nothing else.
    """

    id: str
    file: str  # relative to the registry root, forward slashes
    packed: bytes | memoryview  # marshal.dumps of the data
    digest: bytes = b""  # of the file's bytes (duban.documents.digest): what a warm build compares
    assigned: str = ""  # whether the item existed on a day is asked of every item, often
    parent: str | None = None
    people: tuple[str, ...] = ()  # named as leader, owner, supervisor or source: who gets a page on the site
    latest: str | None = None  # the latest date of its dated records (duban.checks); None: not known

    @classmethod
    def of(
        cls,
        task_id: str,
        file: str,
        data: dict[str, Any],
        digest: bytes = b"",
        *,
        packed: bytes | memoryview | None = None,
        latest: str | None = None,
    ) -> TaskFile:
        """The item of `data` (packed here unless `packed` is given: the same data, packed already)."""
        packed = marshal.dumps(data) if packed is None else packed
        return cls.known(file, packed, digest, facts_of(task_id, data, latest))

    @classmethod
    def known(cls, file: str, packed: bytes | memoryview, digest: bytes, facts: Facts) -> TaskFile:
        """The item whose fields besides its data are known already (`facts_of`; the read cache keeps them
        for a warm run, which then need not unpack the data: duban.loader)."""
        task_id, assigned, parent, people, latest = facts
        # Interned: a registry names the same few hundred people and days again and again (a str each per item
        # came to 30 MB at 100,000 items).
        names = tuple(map(sys.intern, people))
        return cls(
            task_id, file, packed, digest, sys.intern(assigned), interned(parent), names, interned(latest)
        )

    @property
    def facts(self) -> Facts:
        return (self.id, self.assigned, self.parent, self.people, self.latest)

    @property
    def data(self) -> dict[str, Any]:
        """A fresh copy of the data: read it once per pass, not once per field."""
        data: dict[str, Any] = marshal.loads(self.packed)
        return data


Facts = tuple[str, str, str | None, tuple[str, ...], str | None]  # id, assigned, parent, people, latest


def facts_of(task_id: str, data: dict[str, Any], latest: str | None = None) -> Facts:
    """What a TaskFile keeps of its data besides the packed data itself."""
    source = data.get("source")
    named = [data.get(role) for role in ("leader", "owner", "supervisor")]
    named.append(source.get("by") if isinstance(source, dict) else None)
    parent = data.get("parent")
    people = tuple(person for person in named if isinstance(person, str) and person)
    return (task_id, data["assigned"], parent if isinstance(parent, str) else None, people, latest)


def compacted(tasks: dict[str, TaskFile]) -> dict[str, TaskFile]:
    """The same items in objects made afresh, for a process about to fork workers that live as long as it.

    Loading makes and drops many small objects (the files found, the read cache's entries, each chunk's
    results) among those it keeps: each item's TaskFile, id, path, hash and view into its data. Python's
    allocator hands memory back to the system a whole arena (1 MiB) at a time, and one kept object keeps its
    arena. Memory left so at the fork counts twice: a page this process fills afterwards is copied, and the
    worker keeps the old one. Made again, the kept objects fill arenas of their own, and at 100,000 items
    about 25 of the ~160 arenas loading used go back (see docs/performance.md, seventh round)."""
    return {task.id: task for task in map(_made_again, tasks.values())}


def _made_again(task: TaskFile) -> TaskFile:
    packed = task.packed[:] if isinstance(task.packed, memoryview) else task.packed  # a view: the data stays
    return TaskFile(
        _text_again(task.id),
        _text_again(task.file),
        packed,
        bytes(bytearray(task.digest)),
        task.assigned,  # interned, shared by many items: not worth their own copies
        task.parent,
        (*task.people,),  # a new tuple (tuple() of a tuple is the same one)
        task.latest,
    )


def _text_again(text: str) -> str:
    """A new str object equal to `text` (str() and slicing return the same object)."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def interned(text: object) -> str | None:
    """The text, interned (one object for all its copies); None for anything else (a missing field)."""
    return sys.intern(text) if isinstance(text, str) else None


@dataclass
class Registry:
    root: Path
    settings: Settings
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    tasks: dict[str, TaskFile] = field(default_factory=dict)  # by id, in id order

    def unit_name(self, unit_id: str | None, short: bool = False) -> str:
        unit = self.units.get(unit_id or "")
        if unit is None:
            return unit_id or ""
        return str(unit.get("short") or unit["name"]) if short else str(unit["name"])

    def person_name(self, person_id: str | None) -> str:
        person = self.people.get(person_id or "")
        return str(person["name"]) if person else (person_id or "")


@dataclass
class LoadResult:
    registry: Registry
    problems: list[Problem]
    store: Any = None  # the read cache (duban.cache.Cache) it came through, if any: warm builds ask it again

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)
