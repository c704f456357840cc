"""Stage one of every pipeline: read every file of a registry, check it, and build the Registry.

Reading order: duban.yaml → org/ → calendar/ → tasks/. Each file is decoded, parsed and schema-checked alone;
the cross-file rules run once everything is in memory. Nothing here raises for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from duban import checks
from duban.cache import Cache, Entry, Key, problem_from, problem_tuple
from duban.dates import WorkCalendar, parse_date
from duban.documents import Document, read_document, read_documents
from duban.locate import kept_places, locate_all
from duban.messages import LANGUAGES
from duban.problems import Problem
from duban.registry import LoadResult, Registry, TaskFile, facts_of
from duban.settings import Settings

__all__ = ["Document", "finish_problems", "load_registry", "read_document"]

SETTINGS_FILE = "duban.yaml"
UNITS_FILE = "org/units.yaml"
PEOPLE_FILE = "org/people.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def load_registry(root: Path, *, cache: bool = True) -> LoadResult:
    """Every file of the registry at `root`, checked; problems carry paths (`finish_problems` adds lines).

    Files whose bytes were read before come from the cache (duban.cache) unless `cache` is False."""
    problems: list[Problem] = []
    store = Cache.for_root(root) if cache else None
    registry = Registry(root=root, settings=_settings(root, problems, store))
    units = _org(root, UNITS_FILE, "units", problems, store)
    people = _org(root, PEOPLE_FILE, "people", problems, store)
    registry.units, registry.people = units or {}, people or {}
    if units is not None:  # people's units are checked too (none when people.yaml is broken)
        problems += checks.check_org(registry, UNITS_FILE, PEOPLE_FILE)
    registry.calendar = _calendars(root, problems, store)
    # A broken org file or task file is reported once, not again as every reference to it.
    skip = checks.Skip(units=units is None, people=people is None)
    registry.tasks, broken = _tasks(root, problems, store, _TaskChecks(registry, skip, store))
    if store is not None:
        store.save()
    skip = dataclasses.replace(skip, task_ids=_ids(broken))
    problems += checks.check_parents(registry, skip)
    problems += checks.check_references_of_broken(broken, registry, skip)
    return LoadResult(registry, problems, store)


def _settings(root: Path, problems: list[Problem], store: Cache | None) -> Settings:
    """duban.yaml's settings; the defaults for whatever is missing or broken (problems say so)."""
    document = _required(root, SETTINGS_FILE, "settings", problems, store)
    data = document.data if document and document.ok else {}
    timezone_problems = checks.check_settings(data, SETTINGS_FILE)
    problems += timezone_problems
    settings = Settings.from_data(data)
    if timezone_problems:  # an unknown timezone must not stop the other checks
        settings = dataclasses.replace(settings, timezone=Settings().timezone)
    if document is not None and isinstance(document.data, dict):
        # Speak the registry's language even while its duban.yaml has an error elsewhere.
        language = document.data.get("language")
        if language in LANGUAGES:
            settings = dataclasses.replace(settings, language=language)
    return settings


def finish_problems(result: LoadResult, today: dt.date, paths: tuple[Path, ...] = ()) -> list[Problem]:
    """Add the date-dependent warnings, keep those under `paths` (all when empty), locate and sort them."""
    problems = result.problems + checks.check_future(result.registry, today)
    if paths:
        problems = [p for p in problems if _under(result.registry.root / p.file, paths)]
    locate_all(problems, result.registry.root, kept_places(result.registry, result.store))
    return sorted(problems, key=Problem.sort_key)


def _under(path: Path, paths: tuple[Path, ...]) -> bool:
    """Whether `path` is one of `paths` or inside one: as written (a link in a folder belongs to the folder)
    or with links resolved (a PATH given through a link)."""
    forms = {_absolute(path), _resolved(path)}
    for given in paths:
        bases = {_absolute(given), _resolved(given)}
        if any(form == base or base in form.parents for form in forms for base in bases):
            return True
    return False


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))  # noqa: PTH100 - normalised without following links, unlike resolve()


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return _absolute(path)


def _required(
    root: Path, rel: str, kind: str, problems: list[Problem], store: Cache | None
) -> Document | None:
    path = root / rel
    link_problem = _link_problem(path, rel, root.resolve())
    if link_problem is not None:
        problems.append(link_problem)
        return None
    if not path.is_file():
        problems.append(Problem(rel, "missing-file", {"name": rel, "root": str(root)}, where="file"))
        return None
    [document] = read_documents([(path, rel)], kind, store)
    problems += document.problems
    return document


def _org(
    root: Path, rel: str, kind: str, problems: list[Problem], store: Cache | None
) -> dict[str, dict[str, Any]] | None:
    """Records by id; None when the file is missing or broken."""
    document = _required(root, rel, kind, problems, store)
    if document is None or not document.ok:
        return None
    records: dict[str, dict[str, Any]] = {}
    for index, record in enumerate(document.data):
        if record["id"] in records:
            problems.append(Problem(rel, "duplicate-id", {"id": record["id"], "other": rel}, (index, "id")))
        else:
            records[record["id"]] = record
    return records


def _calendars(root: Path, problems: list[Problem], store: Cache | None) -> WorkCalendar:
    years: dict[int, str] = {}
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    files = list(_yaml_files(root, "calendar", problems))
    for document in read_documents(files, "calendar", store):
        rel = document.rel
        problems += document.problems
        if not document.ok:
            continue
        year = int(document.data["year"])  # the schema's "integer" also admits 2026.0
        if year in years:
            problems.append(
                Problem(rel, "calendar-duplicate-year", {"year": year, "other": years[year]}, ("year",))
            )
            continue
        years[year] = rel
        problems += _calendar_problems(document.data, rel, Path(rel).stem)
        holidays += [d for d in map(parse_date, document.data.get("holidays", [])) if d]
        workdays += [d for d in map(parse_date, document.data.get("workdays", [])) if d]
    return WorkCalendar.from_lists(years, holidays, workdays)


def _calendar_problems(data: dict[str, Any], rel: str, stem: str) -> Iterator[Problem]:
    year = int(data["year"])
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


# A task file that failed the schema: its path, its data ({} when it could not be parsed) and its problems.
Broken = list[tuple[str, dict[str, Any], list[Problem]]]


def _tasks(
    root: Path, problems: list[Problem], store: Cache | None, check: _TaskChecks
) -> tuple[dict[str, TaskFile], Broken]:
    """Schema-valid tasks by id, and the files that failed (so that nothing else calls them missing).
    `check` makes each task's TaskFile and its cross-file problems."""
    tasks: dict[str, TaskFile] = {}
    broken: Broken = []
    files = list(_yaml_files(root, "tasks", problems))
    for (path, rel), document in zip(files, read_documents(files, "task", store, check.entry), strict=True):
        problems += document.problems
        if not document.ok:
            data = _unpacked(document.data)
            broken.append((rel, data if isinstance(data, dict) else {}, document.problems))
            continue
        task, found = check(rel, document)
        stem = path.name.rsplit(".", 1)[0]
        if task.id != stem:
            problems.append(Problem(rel, "id-mismatch", {"id": task.id, "stem": stem}, ("id",)))
        if task.id in tasks:
            problems.append(
                Problem(rel, "duplicate-id", {"id": task.id, "other": tasks[task.id].file}, ("id",))
            )
            continue
        tasks[task.id] = task
        problems += found
    return dict(sorted(tasks.items())), broken


def _unpacked(data: Any) -> Any:
    """A document's data; the PACKED_KINDS' is packed (duban.registry.TaskFile)."""
    return marshal.loads(data) if isinstance(data, (bytes, memoryview)) else data


CHECKED = "task-checked"  # the read cache's kind for a task's facts and cross-file problems (`_TaskChecks`)


class _TaskChecks:
    """Each task's TaskFile and the problems of its own cross-file checks (checks.check_task), from the read
    cache when the same bytes at the same path were checked against the same organisation before: a warm run
    then unpacks no task (~0.25 s of a warm build at 10,000 items). A file parsed in this run is checked
    where it is parsed (`entry`, documents.read_documents: by the workers, when there are many), into the
    cache for the next run and to this process with the document (`Document.made`).

    The checks read the task, the ids of the units and people in their order (an unknown one's suggestion
    is the closest of them) and what could not be read (`Skip`); the entry's key covers all of them, and the
    cache's folder the code (duban.cache). Evidence given as a path is looked up on disk: such a task is
    checked every time, here."""

    def __init__(self, registry: Registry, skip: checks.Skip, store: Cache | None) -> None:
        self.registry, self.skip, self.store = registry, skip, store
        parts = (list(registry.units), list(registry.people), skip.units, skip.people)
        self.context = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).digest()
        self.made: tuple[bytes | None, list[Any]] = (None, [])  # the last chunk's `Document.made`, unpacked

    def __call__(self, rel: str, document: Document) -> tuple[TaskFile, list[Problem]]:
        found = self._made(document)
        if found is None and self.store is not None:
            found = self.store.get(self._key(rel, document.digest))
        if found is not None and _is_facts(found[0]):
            task = TaskFile.known(rel, document.data, document.digest, found[0])
            return task, [problem_from(fields) for fields in found[1]]
        data = _unpacked(document.data)  # unpacked here, for a moment
        task = TaskFile.of(
            data["id"], rel, data, document.digest, packed=document.data, latest=checks.latest_date(data)
        )
        problems = checks.check_task(self.registry, self.skip, rel, data)
        if self.store is not None and not checks.reads_other_files(data):
            self.store.add([(*self._key(rel, document.digest), task.facts, _tuples(problems))])
        return task, problems

    def _made(self, document: Document) -> tuple[Any, list[tuple[Any, ...]]] | None:
        """What `entry` made of the document where it was parsed: (facts, problems), or None."""
        if document.made is None:
            return None
        if document.made is not self.made[0]:  # a chunk's first document: the chunk's list, unpacked once
            self.made = (document.made, marshal.loads(document.made))
        entry = self.made[1][document.made_at]
        return (entry[3], entry[4]) if entry is not None else None

    def entry(self, rel: str, digest: bytes, data: dict[str, Any]) -> Entry | None:
        """The cache entry of a task just parsed and valid (None when it must be checked every time)."""
        if checks.reads_other_files(data):
            return None
        facts = facts_of(data["id"], data, checks.latest_date(data))
        return (
            *self._key(rel, digest),
            facts,
            _tuples(checks.check_task(self.registry, self.skip, rel, data)),
        )

    def _key(self, rel: str, digest: bytes) -> Key:
        return (CHECKED, rel, hashlib.blake2b(digest + self.context, digest_size=16).digest())


def _tuples(problems: list[Problem]) -> list[tuple[Any, ...]]:
    return [problem_tuple(problem) for problem in problems]


def _is_facts(value: Any) -> bool:
    """The shape of TaskFile.facts (a cache entry is trusted to be duban's, not to be of this version)."""
    return (
        isinstance(value, tuple)
        and len(value) == 5
        and all(isinstance(value[i], str) for i in (0, 1))
        and all(value[i] is None or isinstance(value[i], str) for i in (2, 4))
        and isinstance(value[3], tuple)
        and all(isinstance(person, str) for person in value[3])
    )


def _ids(broken: Broken) -> set[str]:
    """The names and ids of the broken task files: a parent among them is not unknown, only broken."""
    ids = {PurePosixPath(rel).name.rsplit(".", 1)[0] for rel, _, _ in broken}
    return ids | {data["id"] for _, data, _ in broken if isinstance(data.get("id"), str)}


def _yaml_files(root: Path, folder: str, problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    """YAML files below `folder`, sorted; symlinks that leave the registry are reported, not followed."""
    base = root / folder
    if not base.is_dir():
        return
    real_root = root.resolve()
    link_problem = _link_problem(base, folder, real_root)
    if link_problem is not None:
        problems.append(link_problem)
        return
    found: list[tuple[str, Path]] = []
    _walk(base, folder, real_root, problems, found)
    for rel, path in sorted(found):
        yield path, rel


def _walk(
    directory: Path, rel: str, real_root: Path, problems: list[Problem], found: list[tuple[str, Path]]
) -> None:
    """os.walk's choices (folders are what `is_dir` says, links to folders are not entered, hidden folders
    are skipped) with os.scandir, which knows links and folders without a system call per file."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:  # unreadable: os.walk skips it silently too
        return
    for entry in entries:
        name, path, entry_rel = entry.name, Path(entry.path), f"{rel}/{entry.name}"
        is_dir = _is_dir(entry)
        if is_dir and name.startswith("."):
            continue
        if entry.is_symlink():
            link_problem = _link_problem(path, entry_rel, real_root)
            if link_problem is not None:
                problems.append(link_problem)
                continue
        if is_dir:
            if not entry.is_symlink():
                _walk(path, entry_rel, real_root, problems, found)
        elif name.endswith(YAML_SUFFIXES) and not name.startswith("."):
            found.append((entry_rel, path))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_problem(path: Path, rel: str, real_root: Path) -> Problem | None:
    """A problem when `path` leads outside the registry through a symbolic link (itself or a folder above it),
    or into a loop of links. A pull request could point org/people.yaml at a secret on the CI machine: such a
    file is never read, so nothing of it can show up in a message."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        return Problem(rel, "unreadable", {"error": "symbolic link loop"}, where="file")
    if resolved.is_relative_to(real_root):
        return None
    target = path.readlink() if path.is_symlink() else resolved
    return Problem(rel, "symlink-outside", {"target": target.as_posix()}, where="file")
