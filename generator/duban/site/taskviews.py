"""One item's view: the file's fields as of the day, joined to the engine's state and to the org's names.

`build_task_view` makes what lists, rows and aggregates show of every item, when the context is built;
`DetailMaker` makes the rest, which only the item's own page shows, when that page is rendered.

Records dated after the as-of date have not happened yet on that day (FORMAT.md): the engine ignores them, and
so does the page, so `--as-of 2026-06-30` shows each item as it stood that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from duban import engine
from duban.dates import parse_date
from duban.engine import About, IndicatorState, TaskState
from duban.registry import Registry, TaskFile
from duban.site.gitlog import Commit
from duban.site.views import (
    CommitView,
    CompletionView,
    Details,
    EvidenceView,
    ExtensionView,
    IndicatorView,
    MilestoneView,
    RatingView,
    Ref,
    ReminderView,
    TaskDetail,
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


def last_activity(about: About, state: TaskState, as_of: dt.date) -> dt.date:
    """The latest record on or before the day (the dates the page's views hold), else the day it was assigned.

    Without the views: the dashboard needs it for every item, the views only the item's page. The engine has
    the latest update, reminder and completion already; the extensions and the rating come from `About`.
    """
    days = [
        state.latest_update,
        state.latest_reminder,
        state.completion_date,
        *(m.done for m in state.milestones),
    ]
    for requested, decided in about.extensions:
        if requested <= as_of:
            days += [requested, decided if decided is not None and decided <= as_of else None]
    if about.rating_day is not None and about.rating_day <= as_of:
        days.append(about.rating_day)
    return max((day for day in days if day is not None), default=state.assigned)


@dataclass(frozen=True)
class Linker:
    """How names become links: units and people to their pages, evidence to safe URLs."""

    unit: UnitRef
    person: PersonRef
    evidence: EvidenceLinks


def build_task_view(
    task: TaskFile, state: TaskState, as_of: dt.date, link: Linker, details: Details, about: About
) -> TaskView:
    """What lists, rows and aggregates show of one item; `state` is the engine's, as of `as_of`, and `about`
    its fields as written besides (duban.engine.About)."""
    unit, person = link.unit, link.person
    return TaskView(
        state=state,
        path=task_path(task.id),
        source_type=about.source_type,
        source_ref=about.source_ref,
        source_by=person(about.source_by),
        category=about.category,
        tags=about.tags,
        lead=unit(state.lead_unit),
        co=tuple(map(unit, state.co_units)),
        owner=person(state.owner),
        leader=person(state.leader),
        supervisor=person(state.supervisor),
        last_activity=last_activity(about, state, as_of),
        details=details,
        parent_id=task.parent,
    )


@dataclass(frozen=True)
class Repository:
    """Where an item's file is on the repository's web site (each None without `repository.url`)."""

    prefix: str  # the registry's folder inside the repository, '' or ending with '/'
    edit: str | None  # the base of "edit this file" links
    blob: str | None  # the base of "view this file" links
    url: str | None  # the repository itself, for commit links


@dataclass(frozen=True, eq=False)  # one per build: compared by identity
class DetailMaker:
    """Makes an item's detail (`TaskDetail`) when its page is rendered, in whichever process renders it.

    One per build, shared by all its views; it holds nothing per item but the git log it was given.
    """

    registry: Registry
    as_of: dt.date
    language: str
    link: Linker
    repository: Repository
    commits: Mapping[str, Sequence[Commit]]  # the git log per file (may be empty)
    unpacked: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # data unpacked already, by id

    def detail(self, view: TaskView) -> TaskDetail:
        data, state, person = self._data(view.id), view.state, self.link.person
        file = _quote_path(self.repository.prefix + state.file)
        edit, blob = self.repository.edit, self.repository.blob
        return TaskDetail(
            source_date=_day(data["source"].get("date")),
            description=data.get("description", ""),
            reasons=tuple(r.message(self.language) for r in state.reasons),
            milestones=_milestones(state),
            updates=_updates(data, self.as_of, person),
            reminders=_reminders(data, self.as_of, person),
            extensions=_extensions(data, self.as_of, person),
            indicators=tuple(map(_indicator, state.indicators)),
            completion=_completion(data, state, person, self.link.evidence),
            rating=_rating(data, self.as_of, person),
            history=self.history(view),
            edit_url=f"{edit}/{file}" if edit else None,
            file_url=f"{blob}/{file}" if blob else None,
        )

    def history(self, view: TaskView) -> tuple[CommitView, ...]:
        return tuple(_commit(c, self.repository.url) for c in self.commits.get(view.state.file, ()))

    def history_key(self, view: TaskView) -> tuple[tuple[str, ...], ...]:
        """What `history` is made of besides the repository's address (a setting): plain text, cheap to
        hash for a page's key (site.incremental), unlike the views made of it."""
        return tuple((c.sha, c.date, c.author, c.subject) for c in self.commits.get(view.state.file, ()))

    def evidence(self, view: TaskView) -> tuple[str | None, ...]:
        """Where the item's page links its completion's evidence (what `_completion` makes of it), without
        unpacking the data: a page's key holds it (site.incremental)."""
        if view.state.completion_date is None:
            return ()
        return tuple(map(self.link.evidence, self.about(view.id).evidence))

    def about(self, task_id: str) -> About:
        """The item's fields as written besides its state (duban.engine.About)."""
        found = self.unpacked.get(task_id)
        task = self.registry.tasks[task_id]
        return engine.about(self.registry, task) if found is None else About.of(found)

    def _data(self, task_id: str) -> dict[str, Any]:
        found = self.unpacked.get(task_id)
        return self.registry.tasks[task_id].data if found is None else found


def _quote_path(path: str) -> str:
    return quote(path, safe="/")


def _commit(commit: Commit, repository_url: str | None) -> CommitView:
    url = f"{repository_url}/commit/{commit.sha}" if repository_url else None
    day = commit.day
    return CommitView(
        dt.date.fromisoformat(day) if _is_day(day) else None, commit.author, commit.subject, commit.short, url
    )


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
