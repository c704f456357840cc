"""Rules that a schema cannot express: references between files, dates in order, status versus completion.

Every check takes schema-valid data and returns problems with paths; `duban.locate` adds the lines. The one
exception, `check_references_of_broken`, looks for unknown references in files that failed the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from duban.dates import parse_date
from duban.problems import PathPart, Problem
from duban.registry import Registry, TaskFile
from duban.schemas import did_you_mean, values_at

Path_ = tuple[PathPart, ...]

# Where a task refers to people, as (path pattern with "*" for list items).
PERSON_FIELDS: tuple[tuple[str, ...], ...] = (
    ("owner",),
    ("leader",),
    ("supervisor",),
    ("source", "by"),
    ("updates", "*", "by"),
    ("reminders", "*", "by"),
    ("extensions", "*", "by"),
    ("completion", "verified_by"),
    ("rating", "by"),
)
UNIT_FIELDS: tuple[tuple[str, ...], ...] = (("lead_unit",), ("co_units", "*"))


def check_settings(data: dict[str, Any], rel: str) -> list[Problem]:
    timezone = data.get("timezone")
    if not isinstance(timezone, str):
        return []
    try:
        ZoneInfo(timezone)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return [Problem(rel, "bad-timezone", {"value": timezone}, ("timezone",))]
    return []


def check_org(registry: Registry, units_rel: str, people_rel: str) -> list[Problem]:
    problems: list[Problem] = []
    unit_ids = list(registry.units)
    for index, unit in enumerate(registry.units.values()):
        parent = unit.get("parent")
        if parent is not None and parent not in registry.units:
            problems.append(_unknown(units_rel, "unknown-unit", parent, unit_ids, (index, "parent")))
    problems += _unit_cycles(registry, units_rel)
    for index, person in enumerate(registry.people.values()):
        if person["unit"] not in registry.units:
            problems.append(_unknown(people_rel, "unknown-unit", person["unit"], unit_ids, (index, "unit")))
    return problems


def _unit_cycles(registry: Registry, rel: str) -> list[Problem]:
    index_of = {unit_id: i for i, unit_id in enumerate(registry.units)}
    parents = {uid: u.get("parent") for uid, u in registry.units.items()}
    return [
        Problem(rel, "unit-cycle", {"chain": " → ".join(cycle)}, (index_of[cycle[0]], "parent"))
        for cycle in find_cycles(parents)
    ]


def find_cycles(parents: dict[str, str | None]) -> list[list[str]]:
    """Each cycle in a parent map once, as [a, b, …, a], starting at its smallest id (stable output)."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(parents):
        trail: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in done and node not in trail:
            trail.append(node)
            node = parents[node]
        if node is not None and node in trail:
            cycle = trail[trail.index(node) :]
            first = cycle.index(min(cycle))
            cycles.append([*cycle[first:], *cycle[:first], min(cycle)])
        done.update(trail)
    return cycles


def _unknown(rel: str, code: str, value: Any, known: list[str], path: Path_) -> Problem:
    return Problem(rel, code, {"value": value, "suggestion": did_you_mean(str(value), known)}, path)


@dataclass(frozen=True)
class Skip:
    """What could not be read, so references to it are not checked (its own problems say why)."""

    units: bool = False
    people: bool = False
    task_ids: frozenset[str] | set[str] = frozenset()


def check_tasks(registry: Registry, skip: Skip = Skip()) -> list[Problem]:
    """Cross-file rules for every task."""
    problems: list[Problem] = []
    for task in registry.tasks.values():
        problems += _references(task.file, task.data, registry, skip)
        problems += _task_dates(task)
        problems += _extensions(task)
        problems += _completion(task)
        problems += _indicators(task)
        problems += _evidence(task, registry.root)
    problems += _parent_cycles(registry)
    return problems


def check_references_of_broken(
    broken: list[tuple[str, dict[str, Any], list[Problem]]], registry: Registry, skip: Skip
) -> list[Problem]:
    """The references in task files that failed the schema, so that one run reports all of a file's problems.

    `broken` holds each such file's path, data and problems. Only text values are checked, and none where the
    file already has a problem (a unit id that breaks the schema's pattern is not also called unknown).
    """
    problems: list[Problem] = []
    for rel, data, found in broken:
        flawed = [problem.path for problem in found if problem.path]  # () is the whole file: no data
        problems += [
            problem
            for problem in _references(rel, data, registry, skip)
            if not any(problem.path[: len(path)] == path for path in flawed)
        ]
    return problems


def _references(rel: str, data: dict[str, Any], registry: Registry, skip: Skip) -> Iterator[Problem]:
    kinds = (
        ("unknown-unit", UNIT_FIELDS, registry.units, skip.units),
        ("unknown-person", PERSON_FIELDS, registry.people, skip.people),
    )
    for code, patterns, known, skipped in kinds:
        for pattern in () if skipped else patterns:
            for path, value in values_at(data, pattern):
                if isinstance(value, str) and value not in known:
                    yield _unknown(rel, code, value, list(known), path)
    parent = data.get("parent")
    if isinstance(parent, str) and parent not in registry.tasks and parent not in skip.task_ids:
        yield _unknown(rel, "unknown-parent", parent, list(registry.tasks), ("parent",))
    lead, co_units = data.get("lead_unit"), data.get("co_units")
    for index, unit in enumerate(co_units if isinstance(co_units, list) else []):
        if unit == lead:
            yield Problem(rel, "co-unit-is-lead", {"value": unit}, ("co_units", index), "warning")


def _task_dates(task: TaskFile) -> Iterator[Problem]:
    data = task.data
    assigned, deadline = parse_date(data["assigned"]), parse_date(data["deadline"])
    if assigned and deadline and deadline < assigned:
        yield Problem(
            task.file,
            "deadline-before-assigned",
            {"deadline": data["deadline"], "assigned": data["assigned"]},
            ("deadline",),
        )
    previous: dt.date | None = None
    for index, update in enumerate(data.get("updates", [])):
        day = parse_date(update["date"])
        if day and previous and day < previous:
            yield Problem(
                task.file,
                "updates-out-of-order",
                {"date": update["date"], "previous": previous.isoformat()},
                ("updates", index, "date"),
            )
        previous = day or previous


def _extensions(task: TaskFile) -> Iterator[Problem]:
    current = parse_date(task.data["deadline"])
    for index, extension in enumerate(task.data.get("extensions", [])):
        path: Path_ = ("extensions", index)
        decision = extension["decision"]
        if decision == "pending" and ("decided" in extension or "by" in extension):
            yield Problem(task.file, "extension-pending-decided", {}, path, "warning")
        if decision != "pending" and not ("decided" in extension and "by" in extension):
            yield Problem(task.file, "extension-undecided", {"decision": decision}, path)
        requested, decided = parse_date(extension["requested"]), parse_date(extension.get("decided"))
        if requested and decided and decided < requested:
            yield Problem(
                task.file,
                "extension-decided-before-requested",
                {"decided": extension["decided"], "requested": extension["requested"]},
                (*path, "decided"),
            )
        to = parse_date(extension["to"])
        if to and current and to <= current:
            yield Problem(
                task.file,
                "extension-not-later",
                {"to": extension["to"], "deadline": current.isoformat()},
                (*path, "to"),
            )
        if decision == "approved" and to:
            current = to


def _completion(task: TaskFile) -> Iterator[Problem]:
    status, completion = task.data["status"], task.data.get("completion")
    if status == "completed" and completion is None:
        yield Problem(task.file, "completion-required", {"status": status}, ("status",))
    if completion is not None and status not in ("completed", "reported"):
        yield Problem(task.file, "completion-forbidden", {"status": status}, ("completion",), where="key")
    assigned = parse_date(task.data["assigned"])
    done_text = completion["date"] if completion is not None else None
    done = parse_date(done_text)
    if assigned and done and done < assigned:
        args = {"date": done_text, "assigned": task.data["assigned"]}
        yield Problem(task.file, "completion-before-assigned", args, ("completion", "date"))


def _indicators(task: TaskFile) -> Iterator[Problem]:
    for index, indicator in enumerate(task.data.get("indicators", [])):
        cumulative = indicator.get("measure", "cumulative") == "cumulative"
        if cumulative and indicator["target"] == indicator.get("baseline", 0):
            yield Problem(
                task.file,
                "indicator-target-baseline",
                {"name": indicator["name"], "target": indicator["target"]},
                ("indicators", index, "target"),
            )


def _evidence(task: TaskFile, root: Path) -> Iterator[Problem]:
    evidence = (task.data.get("completion") or {}).get("evidence", [])
    for index, item in enumerate(evidence):
        reason = evidence_fault(item["url"], root)
        if reason is not None:
            args = {"url": item["url"], "reason": EVIDENCE_REASONS[reason]}
            yield Problem(task.file, "evidence-url", args, ("completion", "evidence", index, "url"))


# Why an evidence link is refused, by language (the site links to it, so it must be safe to follow).
EVIDENCE_REASONS: dict[str, dict[str, str]] = {
    "scheme": {
        "zh-CN": "只能是 http(s) 地址或登记库内的相对路径",
        "en": "must be an http(s) URL or a relative path inside the registry",
    },
    "outside": {"zh-CN": "指向登记库之外", "en": "points outside the registry"},
    "missing": {"zh-CN": "在登记库中找不到该文件", "en": "names no file in the registry"},
}


def evidence_fault(url: str, root: Path) -> str | None:
    """None for http(s) links and relative paths to a file in the registry, else why not (a reason key)."""
    if url.lower().startswith(("http://", "https://")):
        return None
    if ":" in url or "\\" in url:  # javascript:, data:, C:\ …
        return "scheme"
    parts = PurePosixPath(url).parts
    if url.startswith("/") or ".." in parts:
        return "outside"
    return None if parts and _file_inside(root.joinpath(*parts), root) else "missing"


def is_safe_evidence(url: str, root: Path) -> bool:
    """http(s) links, or a relative path to a file inside the registry (no `..`, no drive, no scheme)."""
    return evidence_fault(url, root) is None


def _file_inside(path: Path, root: Path) -> bool:
    """An existing regular file that stays inside the registry, also through symlinks."""
    try:
        return path.is_file() and path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):  # a name too long for the file system, a NUL, a symlink loop
        return False


def _parent_cycles(registry: Registry) -> list[Problem]:
    parents = {tid: t.data.get("parent") for tid, t in registry.tasks.items()}
    return [
        Problem(registry.tasks[cycle[0]].file, "parent-cycle", {"chain": " → ".join(cycle)}, ("parent",))
        for cycle in find_cycles(parents)
    ]


# Records that carry a date, for the "dated after today" warning: (path pattern, record name).
DATED_RECORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("updates", "*", "date"), "update"),
    (("milestones", "*", "done"), "milestone"),
    (("completion", "date"), "completion"),
    (("reminders", "*", "date"), "reminder"),
    (("extensions", "*", "requested"), "request"),
    (("extensions", "*", "decided"), "decision"),
    (("rating", "date"), "rating"),
)


def check_future(registry: Registry, today: dt.date) -> list[Problem]:
    """Records dated after today have not happened: a typo, or a report written ahead of time (warnings)."""
    from duban.messages import RECORD_NAMES

    # Dates are `YYYY-MM-DD` text, which sorts as the days do: a text comparison skips the parsing of every
    # record that cannot be later (all but a few), and `parse_date` has the last word on the rest.
    after = today.isoformat()
    problems: list[Problem] = []
    for task in registry.tasks.values():
        data = task.data
        for pattern, name in DATED_RECORDS:
            if pattern[0] not in data:  # an item has a few kinds of record, not all seven
                continue
            for path, value in values_at(data, pattern):
                if isinstance(value, str) and value <= after:
                    continue
                day = parse_date(value)
                if day and day > today:
                    args = {"what": RECORD_NAMES[name], "date": value, "today": today.isoformat()}
                    problems.append(Problem(task.file, "future-record", args, path, "warning"))
    return problems
