"""One item's view: the file's fields as of the day, joined to the engine's state and to the org's names.

Records dated after the as-of date have not happened yet on that day (FORMAT.md): the engine ignores them, and
so does the page, so `--as-of 2026-06-30` shows each item as it stood that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from duban.dates import parse_date
from duban.engine import IndicatorState, TaskState
from duban.registry import TaskFile
from duban.site.views import (
    CompletionView,
    EvidenceView,
    ExtensionView,
    IndicatorView,
    MilestoneView,
    RatingView,
    Ref,
    ReminderView,
    TaskView,
    UpdateView,
)

PersonRef = Callable[[str | None], Ref | None]
UnitRef = Callable[[str], Ref]
EvidenceLinks = Callable[[str], str | None]


def task_path(task_id: str) -> str:
    return f"tasks/{task_id}/index.html"


def _day(value: Any) -> dt.date | None:
    return parse_date(value) if isinstance(value, str) else None


def _on_or_before(value: Any, as_of: dt.date) -> dt.date | None:
    day = _day(value)
    return day if day is not None and day <= as_of else None


def _milestones(state: TaskState) -> tuple[MilestoneView, ...]:
    return tuple(MilestoneView(m.name, m.due, m.done, m.overdue) for m in state.milestones)


def _updates(data: dict[str, Any], as_of: dt.date, person: PersonRef) -> tuple[UpdateView, ...]:
    views = []
    for update in data.get("updates", []):
        day = _on_or_before(update["date"], as_of)
        if day is not None:
            views.append(
                UpdateView(
                    day,
                    person(update.get("by")),
                    update.get("progress"),
                    update["text"],
                    update.get("problems", ""),
                    update.get("next", ""),
                )
            )
    return tuple(views)


def _reminders(data: dict[str, Any], as_of: dt.date, person: PersonRef) -> tuple[ReminderView, ...]:
    views = []
    for reminder in data.get("reminders", []):
        day = _on_or_before(reminder["date"], as_of)
        if day is not None:
            views.append(ReminderView(day, person(reminder.get("by")), reminder.get("note", "")))
    return tuple(views)


def _extensions(data: dict[str, Any], as_of: dt.date, person: PersonRef) -> tuple[ExtensionView, ...]:
    views = []
    for extension in data.get("extensions", []):
        requested, to = _on_or_before(extension["requested"], as_of), _day(extension["to"])
        if requested is None or to is None:
            continue
        decided = _on_or_before(extension.get("decided"), as_of)
        decision = extension["decision"] if decided is not None else "pending"
        by = person(extension.get("by")) if decided is not None else None
        views.append(ExtensionView(requested, to, extension.get("reason", ""), decision, decided, by))
    return tuple(views)


def _clamp(value: float | None) -> float | None:
    return None if value is None else round(min(max(value, 0.0), 100.0), 1)


def _indicator(state: IndicatorState) -> IndicatorView:
    return IndicatorView(
        state.name,
        state.unit,
        state.measure,
        state.better,
        state.baseline,
        state.target,
        state.actual,
        state.measured,
        state.known,
        state.progress,
        state.pace,
        state.behind,
        bar=_clamp(state.progress) or 0.0,
        marker=_clamp(state.pace),
    )


def _evidence(items: Iterable[dict[str, Any]], links: EvidenceLinks) -> tuple[EvidenceView, ...]:
    return tuple(EvidenceView(item["title"], item["url"], links(item["url"])) for item in items)


def _completion(
    data: dict[str, Any], state: TaskState, person: PersonRef, links: EvidenceLinks
) -> CompletionView | None:
    completion = data.get("completion")
    if not completion or state.completion_date is None:
        return None
    evidence = _evidence(completion.get("evidence", []), links)
    return CompletionView(
        state.completion_date, completion.get("summary", ""), evidence, person(completion.get("verified_by"))
    )


def _rating(data: dict[str, Any], as_of: dt.date, person: PersonRef) -> RatingView | None:
    rating = data.get("rating")
    if not rating:
        return None
    day = _day(rating.get("date"))
    if day is not None and day > as_of:
        return None
    return RatingView(rating["grade"], person(rating.get("by")), day, rating.get("comment", ""))


def _last_activity(view: TaskView) -> dt.date | None:
    days: list[dt.date] = [u.date for u in view.updates] + [r.date for r in view.reminders]
    days += [e.requested for e in view.extensions] + [e.decided for e in view.extensions if e.decided]
    days += [m.done for m in view.milestones if m.done]
    if view.completion is not None:
        days.append(view.completion.date)
    if view.rating is not None and view.rating.date is not None:
        days.append(view.rating.date)
    return max(days, default=view.state.assigned)


@dataclass(frozen=True)
class Linker:
    """How names become links: units and people to their pages, evidence to safe URLs."""

    unit: UnitRef
    person: PersonRef
    evidence: EvidenceLinks


def build_task_view(
    task: TaskFile, state: TaskState, as_of: dt.date, language: str, link: Linker
) -> TaskView:
    """The view of one item; `state` is the engine's, as of `as_of`."""
    data, unit, person = task.data, link.unit, link.person
    source = data["source"]
    view = TaskView(
        state=state,
        path=task_path(task.id),
        source_type=source["type"],
        source_ref=source.get("ref", ""),
        source_by=person(source.get("by")),
        source_date=_day(source.get("date")),
        category=data.get("category", ""),
        tags=tuple(data.get("tags", [])),
        description=data.get("description", ""),
        lead=unit(state.lead_unit),
        co=tuple(unit(u) for u in state.co_units),
        owner=person(state.owner),
        leader=person(state.leader),
        supervisor=person(state.supervisor),
        reasons=tuple(r.message(language) for r in state.reasons),
        milestones=_milestones(state),
        updates=_updates(data, as_of, person),
        reminders=_reminders(data, as_of, person),
        extensions=_extensions(data, as_of, person),
        indicators=tuple(map(_indicator, state.indicators)),
        completion=_completion(data, state, person, link.evidence),
        rating=_rating(data, as_of, person),
        last_activity=None,
        parent_id=data.get("parent"),
    )
    view.last_activity = _last_activity(view)
    return view
