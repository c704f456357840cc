"""The registry in memory: settings, organisation, calendar and tasks, loaded and checked in one pass.

`load_registry` is the first stage of every command's pipeline (load and validate → compute → render → write).
It never raises for bad input: it returns the problems next to whatever could be loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duban.dates import WorkCalendar
from duban.problems import Problem
from duban.settings import Settings


@dataclass(slots=True)  # one per item: without a __dict__ each, 100 bytes less (10 MB at 100,000 items)
class TaskFile:
    """One supervised item as written in tasks/**/ID.yaml (schema-checked; dates are ISO strings)."""

    id: str
    file: str  # relative to the registry root, forward slashes
    data: dict[str, Any]
    digest: bytes = b""  # of the file's bytes (duban.documents.digest): what a warm build compares


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
