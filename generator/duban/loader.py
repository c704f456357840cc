"""Stage one of every pipeline: read every file of a registry, check it, and build the Registry.

Reading order: duban.yaml → org/ → calendar/ → tasks/. Each file is decoded, parsed and schema-checked on its own;
the cross-file rules run once everything is in memory. Nothing here raises for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from duban import checks
from duban.dates import WorkCalendar, parse_date
from duban.locate import locate_all
from duban.problems import Problem
from duban.registry import LoadResult, Registry, TaskFile
from duban.schemas import date_paths, schema_problems, values_at
from duban.settings import Settings
from duban.yamlio import MAX_FILE_BYTES, decode, parse_text

SETTINGS_FILE = "duban.yaml"
UNITS_FILE = "org/units.yaml"
PEOPLE_FILE = "org/people.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Document:
    rel: str
    data: Any
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def read_document(path: Path, rel: str, kind: str) -> Document:
    """Decode, parse and schema-check one file; `data` is None when it could not be parsed."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Document(rel, None, [Problem(rel, "too-large", {"size": size, "limit": MAX_FILE_BYTES})])
        raw = path.read_bytes()
    except OSError as error:
        return Document(rel, None, [Problem(rel, "unreadable", {"error": error.strerror or str(error)})])
    text, problems = decode(raw, rel)
    if text is None:
        return Document(rel, None, problems)
    parsed = parse_text(text, rel)
    if not parsed.ok:
        return Document(rel, None, parsed.problems)
    problems = schema_problems(kind, parsed.data, rel)
    problems += _impossible_dates(kind, parsed.data, rel)
    return Document(rel, parsed.data, problems)


def _impossible_dates(kind: str, data: Any, rel: str) -> list[Problem]:
    """The schema checks a date's shape; 2026-02-30 has the shape but is no day."""
    problems = []
    for pattern in date_paths(kind):
        for path, value in values_at(data, pattern):
            if isinstance(value, str) and parse_date(value) is None and _looks_like_date(value):
                problems.append(Problem(rel, "bad-date", {"value": value}, path))
    return problems


def _looks_like_date(value: str) -> bool:
    # Values of the wrong shape already got a bad-date problem from the schema's pattern.
    return len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit()


def load_registry(root: Path) -> LoadResult:
    """Every file of the registry at `root`, checked; problems carry paths (lines come from `finish_problems`)."""
    problems: list[Problem] = []
    settings_doc = _required(root, SETTINGS_FILE, "settings", problems)
    settings_data = settings_doc.data if settings_doc and settings_doc.ok else {}
    settings_problems = checks.check_settings(settings_data, SETTINGS_FILE)
    problems += settings_problems
    settings = Settings.from_data(settings_data)
    if settings_problems:  # an unknown timezone must not stop the other checks
        settings = dataclasses.replace(settings, timezone=Settings().timezone)
    registry = Registry(root=root, settings=settings)
    units, people = _org(root, UNITS_FILE, "units", problems), _org(root, PEOPLE_FILE, "people", problems)
    registry.units, registry.people = units or {}, people or {}
    if units is not None and people is not None:
        problems += checks.check_org(registry, UNITS_FILE, PEOPLE_FILE)
    registry.calendar = _calendars(root, problems)
    registry.tasks, unchecked = _tasks(root, problems)
    # A broken org file or task file is reported once, not again as every reference to it.
    skip = checks.Skip(units=units is None, people=people is None, task_ids=unchecked)
    problems += checks.check_tasks(registry, skip)
    return LoadResult(registry, problems)


def finish_problems(result: LoadResult, today: dt.date, paths: tuple[Path, ...] = ()) -> list[Problem]:
    """Add the date-dependent warnings, keep those under `paths` (all when empty), locate and sort them."""
    problems = result.problems + checks.check_future(result.registry, today)
    if paths:
        problems = [p for p in problems if _under(result.registry.root / p.file, paths)]
    locate_all(problems, result.registry.root)
    return sorted(problems, key=Problem.sort_key)


def _under(path: Path, paths: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved == p.resolve() or p.resolve() in resolved.parents for p in paths)


def _required(root: Path, rel: str, kind: str, problems: list[Problem]) -> Document | None:
    path = root / rel
    if not path.is_file():
        problems.append(Problem(rel, "missing-file", {"name": rel, "root": str(root)}))
        return None
    document = read_document(path, rel, kind)
    problems += document.problems
    return document


def _org(root: Path, rel: str, kind: str, problems: list[Problem]) -> dict[str, dict[str, Any]] | None:
    """Records by id; None when the file is missing or broken."""
    document = _required(root, rel, kind, problems)
    if document is None or not document.ok:
        return None
    records: dict[str, dict[str, Any]] = {}
    for index, record in enumerate(document.data):
        if record["id"] in records:
            problems.append(Problem(rel, "duplicate-id", {"id": record["id"], "other": rel}, (index, "id")))
        else:
            records[record["id"]] = record
    return records


def _calendars(root: Path, problems: list[Problem]) -> WorkCalendar:
    years: dict[int, str] = {}
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for path, rel in _yaml_files(root, "calendar", problems):
        document = read_document(path, rel, "calendar")
        problems += document.problems
        if not document.ok:
            continue
        year = document.data["year"]
        if year in years:
            problems.append(Problem(rel, "calendar-duplicate-year", {"year": year, "other": years[year]}, ("year",)))
            continue
        years[year] = rel
        problems += _calendar_problems(document.data, rel, Path(rel).stem)
        holidays += [d for d in map(parse_date, document.data.get("holidays", [])) if d]
        workdays += [d for d in map(parse_date, document.data.get("workdays", [])) if d]
    return WorkCalendar.from_lists(years, holidays, workdays)


def _calendar_problems(data: dict[str, Any], rel: str, stem: str) -> Iterator[Problem]:
    year = data["year"]
    if stem != str(year):
        yield Problem(rel, "calendar-file-name", {"expected": f"{year}.yaml", "year": year}, ("year",))
    holidays = set(data.get("holidays", []))
    for key in ("holidays", "workdays"):
        for index, value in enumerate(data.get(key, [])):
            day = parse_date(value)
            if day is None:
                continue
            path = (key, index)
            if day.year != year:
                yield Problem(rel, "calendar-year", {"date": value, "year": year}, path)
            elif key == "workdays" and value in holidays:
                yield Problem(rel, "calendar-conflict", {"date": value}, path)
            elif key == "holidays" and day.weekday() >= 5:
                yield Problem(rel, "calendar-holiday-weekend", {"date": value}, path, "warning")
            elif key == "workdays" and day.weekday() < 5:
                yield Problem(rel, "calendar-workday-weekday", {"date": value}, path, "warning")


def _tasks(root: Path, problems: list[Problem]) -> tuple[dict[str, TaskFile], set[str]]:
    """Schema-valid tasks by id, and the ids of the files that failed (so that nothing else calls them missing)."""
    tasks: dict[str, TaskFile] = {}
    unchecked: set[str] = set()
    for path, rel in _yaml_files(root, "tasks", problems):
        document = read_document(path, rel, "task")
        problems += document.problems
        stem = path.name.rsplit(".", 1)[0]
        if not document.ok:
            unchecked.add(stem)
            if isinstance(document.data, dict) and isinstance(document.data.get("id"), str):
                unchecked.add(document.data["id"])
            continue
        task_id = document.data["id"]
        if task_id != stem:
            problems.append(Problem(rel, "id-mismatch", {"id": task_id, "stem": stem}, ("id",)))
        if task_id in tasks:
            problems.append(Problem(rel, "duplicate-id", {"id": task_id, "other": tasks[task_id].file}, ("id",)))
            continue
        tasks[task_id] = TaskFile(task_id, rel, document.data)
    return dict(sorted(tasks.items())), unchecked


def _yaml_files(root: Path, folder: str, problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    """YAML files below `folder`, sorted; symlinks that leave the registry are reported, not followed."""
    base = root / folder
    if not base.is_dir():
        return
    real_root = root.resolve()
    found: list[tuple[str, Path]] = []
    for directory, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames + filenames:
            path = Path(directory) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() and not _inside(path, real_root):
                problems.append(Problem(rel, "symlink-outside", {"target": os.readlink(path)}))
                if name in dirnames:
                    dirnames.remove(name)
            elif name in filenames and name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                found.append((rel, path))
    for rel, path in sorted(found):
        yield path, rel


def _inside(path: Path, real_root: Path) -> bool:
    try:
        path.resolve().relative_to(real_root)
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True
