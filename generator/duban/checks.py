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
from duban.registry import Registry
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
        problems += check_task(registry, skip, task.file, task.data)
    return problems + check_parents(registry, skip)


def check_task(registry: Registry, skip: Skip, rel: str, data: dict[str, Any]) -> list[Problem]:
    """The cross-file rules of one task that need no other task (the loader runs them on each task's data as
    it comes, unpacked once: duban.registry.TaskFile); `check_parents` does the rest, once all are there."""
    return [
        *_references(rel, data, registry, skip),
        *_task_dates(rel, data),
        *_extensions(rel, data),
        *_completion(rel, data),
        *_indicators(rel, data),
        *_evidence(rel, data, registry.root),
    ]


def check_parents(registry: Registry, skip: Skip) -> list[Problem]:
    """Every parent is an item of the registry (or a broken file, reported already), and none is its own
    ancestor."""
    problems = [
        _unknown(task.file, "unknown-parent", task.parent, list(registry.tasks), ("parent",))
        for task in registry.tasks.values()
        if task.parent is not None and task.parent not in registry.tasks and task.parent not in skip.task_ids
    ]
    return problems + _parent_cycles(registry)


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
        found_here = [*_references(rel, data, registry, skip), *_parent_reference(rel, data, registry, skip)]
        problems += [
            problem for problem in found_here if not any(problem.path[: len(path)] == path for path in flawed)
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
    lead, co_units = data.get("lead_unit"), data.get("co_units")
    for index, unit in enumerate(co_units if isinstance(co_units, list) else []):
        if unit == lead:
            yield Problem(rel, "co-unit-is-lead", {"value": unit}, ("co_units", index), "warning")


def _parent_reference(rel: str, data: dict[str, Any], registry: Registry, skip: Skip) -> Iterator[Problem]:
    parent = data.get("parent")
    if isinstance(parent, str) and parent not in registry.tasks and parent not in skip.task_ids:
        yield _unknown(rel, "unknown-parent", parent, list(registry.tasks), ("parent",))


def _task_dates(rel: str, data: dict[str, Any]) -> Iterator[Problem]:
    assigned, deadline = parse_date(data["assigned"]), parse_date(data["deadline"])
    if assigned and deadline and deadline < assigned:
        yield Problem(
            rel,
            "deadline-before-assigned",
            {"deadline": data["deadline"], "assigned": data["assigned"]},
            ("deadline",),
        )
    previous: dt.date | None = None
    for index, update in enumerate(data.get("updates", [])):
        day = parse_date(update["date"])
        if day and previous and day < previous:
            yield Problem(
                rel,
                "updates-out-of-order",
                {"date": update["date"], "previous": previous.isoformat()},
                ("updates", index, "date"),
            )
        previous = day or previous


def _extensions(rel: str, data: dict[str, Any]) -> Iterator[Problem]:
    current = parse_date(data["deadline"])
    for index, extension in enumerate(data.get("extensions", [])):
        path: Path_ = ("extensions", index)
        decision = extension["decision"]
        if decision == "pending" and ("decided" in extension or "by" in extension):
            yield Problem(rel, "extension-pending-decided", {}, path, "warning")
        if decision != "pending" and not ("decided" in extension and "by" in extension):
            yield Problem(rel, "extension-undecided", {"decision": decision}, path)
        requested, decided = parse_date(extension["requested"]), parse_date(extension.get("decided"))
        if requested and decided and decided < requested:
            yield Problem(
                rel,
                "extension-decided-before-requested",
                {"decided": extension["decided"], "requested": extension["requested"]},
                (*path, "decided"),
            )
        to = parse_date(extension["to"])
        if to and current and to <= current:
            yield Problem(
                rel,
                "extension-not-later",
                {"to": extension["to"], "deadline": current.isoformat()},
                (*path, "to"),
            )
        if decision == "approved" and to:
            current = to


def _completion(rel: str, data: dict[str, Any]) -> Iterator[Problem]:
    status, completion = data["status"], data.get("completion")
    if status == "completed" and completion is None:
        yield Problem(rel, "completion-required", {"status": status}, ("status",))
    if completion is not None and status not in ("completed", "reported"):
        yield Problem(rel, "completion-forbidden", {"status": status}, ("completion",), where="key")
    assigned = parse_date(data["assigned"])
    done_text = completion["date"] if completion is not None else None
    done = parse_date(done_text)
    if assigned and done and done < assigned:
        args = {"date": done_text, "assigned": data["assigned"]}
        yield Problem(rel, "completion-before-assigned", args, ("completion", "date"))


def _indicators(rel: str, data: dict[str, Any]) -> Iterator[Problem]:
    for index, indicator in enumerate(data.get("indicators", [])):
        cumulative = indicator.get("measure", "cumulative") == "cumulative"
        if cumulative and indicator["target"] == indicator.get("baseline", 0):
            yield Problem(
                rel,
                "indicator-target-baseline",
                {"name": indicator["name"], "target": indicator["target"]},
                ("indicators", index, "target"),
            )


def _evidence(rel: str, data: dict[str, Any], root: Path) -> Iterator[Problem]:
    evidence = (data.get("completion") or {}).get("evidence", [])
    for index, item in enumerate(evidence):
        reason = evidence_fault(item["url"], root)
        if reason is not None:
            args = {"url": item["url"], "reason": EVIDENCE_REASONS[reason]}
            yield Problem(rel, "evidence-url", args, ("completion", "evidence", index, "url"))


# Why an evidence link is refused, by language (the site links to it, so it must be safe to follow).
EVIDENCE_REASONS: dict[str, dict[str, str]] = {
    "scheme": {
        "zh-CN": "只能是 http(s) 地址或登记库内的相对路径",
        "en": "must be an http(s) URL or a relative path inside the registry",
    },
    "outside": {"zh-CN": "指向登记库之外", "en": "points outside the registry"},
    "missing": {"zh-CN": "在登记库中找不到该文件", "en": "names no file in the registry"},
}


def reads_other_files(data: dict[str, Any]) -> bool:
    """Whether `check_task` looks at files besides the task's own for it: evidence given as a path (whose
    file may come or go while the task stays the same)."""
    evidence = (data.get("completion") or {}).get("evidence", [])
    return any(not _is_web(item["url"]) for item in evidence)


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def evidence_fault(url: str, root: Path) -> str | None:
    """None for http(s) links and relative paths to a file in the registry, else why not (a reason key)."""
    if _is_web(url):
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
    parents = {task_id: task.parent for task_id, task in registry.tasks.items()}
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
        if task.latest is not None and task.latest <= after:  # nothing later: not unpacked (TaskFile)
            continue
        for path, value, name in _dated_values(task.data):
            if isinstance(value, str) and value <= after:
                continue
            day = parse_date(value)
            if day and day > today:
                args = {"what": RECORD_NAMES[name], "date": value, "today": today.isoformat()}
                problems.append(Problem(task.file, "future-record", args, path, "warning"))
    return problems


def latest_date(data: dict[str, Any]) -> str:
    """The latest of the task's record dates as text (they sort as the days do), for `check_future` to pass
    the task by without reading it again; a value that is not text gives a text later than any date."""
    latest = ""
    for _, value, _ in _dated_values(data):
        latest = max(latest, value) if isinstance(value, str) else "\uffff"
    return latest


def _dated_values(data: dict[str, Any]) -> Iterator[tuple[tuple[PathPart, ...], Any, str]]:
    for pattern, name in DATED_RECORDS:
        if pattern[0] in data:  # an item has a few kinds of record, not all seven
            for path, value in values_at(data, pattern):
                yield path, value, name
