"""What each editing command does to a task: one function per change, on the round-trip tree.

Each function checks what only it can know (a closed item takes no progress report; a decision needs a pending
request), changes the tree and returns an `Outcome`: the sentences saying what changed, the commit message and
the top-level keys it was allowed to touch. Everything else (schema, references, dates in order) is checked
afterwards on the text that would be written, by duban's own validation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap

from duban.editing.catalog import EditRefused, say, status_name
from duban.editing.layout import append_item, put_key, set_value
from duban.editing.records import DateValue, date_value, key_order, record, text_value

CLOSED = ("completed", "cancelled")


@dataclass(frozen=True)
class Target:
    """The task being edited: its tree, its id and file, "today" and the language to speak."""

    doc: CommentedMap
    task_id: str
    file: str
    today: dt.date
    language: str
    person_name: Callable[[str | None], str] = str

    def date(self, day: dt.date | None) -> DateValue:
        """`day` (default today) written like the file's own dates."""
        return date_value(day or self.today, self.doc.get("assigned"))

    def say(self, key: str, **args: Any) -> str:
        return say(key, self.language, file=self.file, id=self.task_id, **args)


@dataclass(frozen=True)
class Outcome:
    lines: list[str]  # what changed, one sentence each
    commit: str  # the commit message
    touched: frozenset[str] = field(default_factory=frozenset)  # the top-level keys the change may alter


@dataclass(frozen=True)
class UpdateInput:
    text: str
    day: dt.date | None = None
    progress: int | None = None
    by: str | None = None
    problems: str | None = None
    next: str | None = None


@dataclass(frozen=True)
class CompleteInput:
    summary: str | None
    day: dt.date | None = None
    verified_by: str | None = None
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExtensionInput:
    to: dt.date
    reason: str
    day: dt.date | None = None
    decision: str | None = None  # approved | rejected: recorded together with the request
    by: str | None = None


@dataclass(frozen=True)
class ReminderInput:
    note: str | None = None
    day: dt.date | None = None
    by: str | None = None


def _optional_text(text: str | None) -> str | None:
    return None if text is None else text_value(text)


def require_open(target: Target, action: str) -> None:
    status = str(target.doc.get("status"))
    if status in CLOSED:
        raise EditRefused(
            "closed",
            id=target.task_id,
            status=status_name(status, target.language),
            action=say(action, target.language),
        )


def add_update(target: Target, given: UpdateInput) -> Outcome:
    """Append a progress report (进展反馈); an item still `assigned` moves to `in_progress`."""
    require_open(target, "action-update")
    day = given.day or target.today
    item = record(
        [
            ("date", target.date(day)),
            ("by", given.by),
            ("progress", given.progress),
            ("text", text_value(given.text)),
            ("problems", _optional_text(given.problems)),
            ("next", _optional_text(given.next)),
        ]
    )
    append_item(target.doc, "updates", item, key_order())
    progress = (
        "" if given.progress is None else say("progress-part", target.language, progress=given.progress)
    )
    lines = [target.say("updated", date=day.isoformat(), progress_part=progress)]
    touched = {"updates"}
    if target.doc.get("status") == "assigned":
        set_value(target.doc, "status", "in_progress")
        lines.append(
            target.say(
                "status-changed",
                old=status_name("assigned", target.language),
                new=status_name("in_progress", target.language),
            )
        )
        touched.add("status")
    return Outcome(lines, target.say("commit-update", date=day.isoformat()), frozenset(touched))


def complete(target: Target, given: CompleteInput) -> Outcome:
    """Record the completion: `reported` (the unit reports, the office reviews), or `completed`."""
    require_open(target, "action-complete")
    existing = target.doc.get("completion")
    if given.summary is None and not isinstance(existing, CommentedMap):
        raise EditRefused("summary-required", id=target.task_id)
    completion = existing if isinstance(existing, CommentedMap) else CommentedMap()
    order = key_order("completion")
    if given.day is not None or "date" not in completion:
        put_key(completion, "date", target.date(given.day), order)
    if given.summary is not None:
        put_key(completion, "summary", text_value(given.summary), order)
    for title, url in given.evidence:
        append_item(completion, "evidence", record([("title", title), ("url", url)]), order)
    if given.verified_by is not None:
        put_key(completion, "verified_by", given.verified_by, order)
    if existing is None:
        put_key(target.doc, "completion", completion, key_order())
    status = "completed" if given.verified_by is not None else "reported"
    set_value(target.doc, "status", status)
    key = "verified" if status == "completed" else "reported"
    day = str(completion["date"])
    lines = [target.say(key, date=day, by=target.person_name(given.verified_by))]
    return Outcome(lines, target.say(f"commit-{key}", date=day), frozenset({"completion", "status"}))


def request_extension(target: Target, given: ExtensionInput) -> Outcome:
    """Append an extension request (延期申请), pending unless a decision is recorded with it."""
    require_open(target, "action-extend")
    day = target.date(given.day)
    decision = [("decided", target.date(given.day)), ("by", given.by)] if given.decision else []
    item = record(
        [
            ("requested", day),
            ("to", target.date(given.to)),
            ("reason", text_value(given.reason)),
            ("decision", given.decision or "pending"),
            *decision,
        ]
    )
    append_item(target.doc, "extensions", item, key_order())
    key = f"extension-{given.decision or 'requested'}"
    to, when = given.to.isoformat(), str(day)
    lines = [target.say(key, to=to, by=target.person_name(given.by), date=when)]
    return Outcome(lines, target.say(f"commit-{key}", to=to), frozenset({"extensions"}))


def decide_extension(target: Target, decision: str, by: str, day: dt.date | None) -> Outcome:
    """Record the office's decision (`approved` or `rejected`) on the latest pending extension request."""
    extensions = target.doc.get("extensions") or []
    pending = [
        item for item in extensions if isinstance(item, CommentedMap) and item.get("decision") == "pending"
    ]
    if not pending:
        raise EditRefused("no-pending", id=target.task_id)
    item, order = pending[-1], key_order("extension")
    set_value(item, "decision", decision)
    when = target.date(day)
    put_key(item, "decided", when, order)
    put_key(item, "by", by, order)
    key, to = f"extension-{decision}", str(item["to"])
    lines = [target.say(key, to=to, by=target.person_name(by), date=str(when))]
    return Outcome(lines, target.say(f"commit-{key}", to=to), frozenset({"extensions"}))


def add_reminder(target: Target, given: ReminderInput) -> Outcome:
    """Append a reminder (催办记录) dated today unless told otherwise."""
    require_open(target, "action-remind")
    day = target.date(given.day)
    item = record([("date", day), ("by", given.by), ("note", _optional_text(given.note))])
    append_item(target.doc, "reminders", item, key_order())
    lines = [target.say("reminded", date=str(day))]
    return Outcome(lines, target.say("commit-remind", date=str(day)), frozenset({"reminders"}))
