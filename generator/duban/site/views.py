"""The typed template context: what every page may show, built once per build by `site.context`.

Everything here is data (dataclasses of strings, numbers, dates and the engine's TaskState) that pages only
read, so forked worker processes render from the context they inherit. The one exception is what makes an
item's detail (`TaskView.details`): only the item's page shows the detail, so it is made where that page is
rendered instead of being kept for every item. Paths are site paths relative to the output folder
(`tasks/DB-2026-0001/index.html`); templates turn them into links relative to the page with `url()`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from duban.engine import TaskState
from duban.registry import Registry
from duban.settings import Settings
from duban.stats import Bulletin as BulletinReport
from duban.stats import UnitStats


@dataclass(frozen=True, slots=True)
class Ref:
    """A unit, person or item as a link: its id, its name, and its page (None: it has no page on the site)."""

    id: str
    name: str
    path: str | None = None


@dataclass(frozen=True)
class MilestoneView:
    name: str
    due: dt.date
    done: dt.date | None
    overdue: bool

    @property
    def late(self) -> bool:
        return self.done is not None and self.done > self.due


@dataclass(frozen=True)
class UpdateView:
    date: dt.date
    by: Ref | None
    progress: int | None
    text: str
    problems: str
    next: str


@dataclass(frozen=True)
class ReminderView:
    date: dt.date
    by: Ref | None
    note: str


@dataclass(frozen=True)
class ExtensionView:
    requested: dt.date
    to: dt.date
    reason: str
    decision: str  # as of the day: a decision dated later is still pending
    decided: dt.date | None
    by: Ref | None


@dataclass(frozen=True)
class IndicatorView:
    name: str
    unit: str
    measure: str
    better: str
    baseline: float
    target: float
    actual: float
    measured: dt.date | None
    known: bool
    progress: float | None  # percent, may be below 0 or above 100
    pace: float | None  # percent of the time gone
    behind: str  # none | yellow | red
    bar: float  # progress clamped to 0–100, for the bar's width
    marker: float | None  # pace clamped to 0–100, for the pace marker


@dataclass(frozen=True)
class EvidenceView:
    title: str
    url: str  # as written
    href: str | None  # a safe link, or None: shown as text


@dataclass(frozen=True)
class CompletionView:
    date: dt.date
    summary: str
    evidence: tuple[EvidenceView, ...]
    verified_by: Ref | None


@dataclass(frozen=True)
class RatingView:
    grade: str
    by: Ref | None
    date: dt.date | None
    comment: str


@dataclass(frozen=True)
class CommitView:
    day: dt.date | None
    author: str
    subject: str
    short: str
    url: str | None  # the commit on the repository's web site, when `repository.url` is set


class Details(Protocol):
    """Makes the parts of an item that only its own page shows (`site.taskviews.DetailMaker`)."""

    def detail(self, view: TaskView) -> TaskDetail: ...

    def history(self, view: TaskView) -> tuple[CommitView, ...]: ...

    def history_key(self, view: TaskView) -> tuple[tuple[str, ...], ...]: ...

    def evidence(self, view: TaskView) -> tuple[str | None, ...]: ...


@dataclass(slots=True)
class TaskView:
    """One item as lists, rows and aggregates show it: the engine's state, the file's fields a list filters
    or searches by, and the links around the item. What only the item's own page shows is a `TaskDetail`,
    made when that page is rendered (`detail()`) and dropped with it: kept for every item, the details were
    most of the context's memory (3 KB per item) and of its serial time before the pages are rendered."""

    state: TaskState
    path: str
    source_type: str
    source_ref: str
    source_by: Ref | None
    category: str
    tags: tuple[str, ...]
    lead: Ref
    co: tuple[Ref, ...]
    owner: Ref | None
    leader: Ref | None
    supervisor: Ref | None
    last_activity: dt.date  # the latest record on or before the as-of date, else the day it was assigned
    details: Details = field(repr=False, compare=False)
    parent_id: str | None = None  # as written; `parent` is set when that item is on the site
    parent: Ref | None = None
    children: tuple[Ref, ...] = ()  # in id order

    @property
    def id(self) -> str:
        return self.state.id

    @property
    def title(self) -> str:
        return self.state.title

    @property
    def light(self) -> str:
        return self.state.light

    @property
    def ref(self) -> Ref:
        return Ref(self.state.id, self.state.title, self.path)

    def detail(self) -> TaskDetail:
        """Everything the item's page shows besides this view, made anew on each call."""
        return self.details.detail(self)

    # Two parts of the detail that warm builds' page keys read (site.incremental), made on each call too.

    @property
    def history(self) -> tuple[CommitView, ...]:
        return self.details.history(self)

    @property
    def evidence(self) -> tuple[str | None, ...]:
        """Where its page links its completion's evidence."""
        return self.details.evidence(self)


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """The parts of an item only its own page (task.html) shows, as of the day."""

    source_date: dt.date | None
    description: str
    reasons: tuple[str, ...]  # why the light, in the registry's language
    milestones: tuple[MilestoneView, ...]
    updates: tuple[UpdateView, ...]
    reminders: tuple[ReminderView, ...]
    extensions: tuple[ExtensionView, ...]
    indicators: tuple[IndicatorView, ...]
    completion: CompletionView | None
    rating: RatingView | None
    history: tuple[CommitView, ...]
    edit_url: str | None
    file_url: str | None


@dataclass
class UnitView:
    ref: Ref
    short: str
    parent: Ref | None
    children: list[Ref]
    lead_tasks: list[TaskView]
    co_tasks: list[TaskView]
    stats: UnitStats  # as of the day (all zero for a unit that leads no item)


@dataclass
class PersonView:
    ref: Ref
    title: str
    unit: Ref | None
    roles: dict[str, list[TaskView]]  # role (leader, owner, supervisor, source) → items, in list order

    @property
    def count(self) -> int:
        return len({t.id for tasks in self.roles.values() for t in tasks})

    @property
    def overdue(self) -> int:
        return len({t.id for tasks in self.roles.values() for t in tasks if t.state.overdue})


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: where it starts and how wide it is, in percent of the whole."""

    key: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class MonthBars:
    key: str  # YYYY-MM
    day: dt.date  # the month's first day, for its name
    new: int
    completed: int
    new_height: float  # percent of the chart's height
    completed_height: float


@dataclass(frozen=True)
class RateBar:
    unit: Ref
    stats: UnitStats
    width: float  # percent


@dataclass
class Dashboard:
    counts: dict[str, int]  # light → items
    total: int
    light_bar: list[Segment]
    unit_rates: list[RateBar]
    months: list[MonthBars]
    due_soon: list[TaskView]
    recent: list[TaskView]
    worst: list[TaskView]


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    kind: str  # deadline | milestone
    task: Ref
    light: str
    label: str  # the milestone's name; empty for a deadline


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    in_month: bool
    events: tuple[CalendarEvent, ...]
    is_today: bool
    is_workday: bool


@dataclass
class CalendarMonth:
    key: str  # YYYY-MM
    first: dt.date
    path: str
    weeks: list[list[CalendarDay]]
    count: int
    previous: str | None = None  # site paths of the neighbouring months that have pages
    next: str | None = None


@dataclass(frozen=True)
class BulletinMonth:
    """A month with a bulletin page; its content is computed when the page is rendered (`Bulletin`)."""

    key: str  # YYYY-MM
    first: dt.date
    path: str


@dataclass
class Bulletin:
    """The monthly 督查通报 (duban.stats.bulletin): the registry at the month's end, or on the as-of day."""

    month: BulletinMonth
    report: BulletinReport
    rates: list[RateBar]


@dataclass
class ListIndex:
    """The task list: server-rendered rows, and a compact JSON index that JavaScript renders when large (made
    when the page is rendered: `site.listing.index_data`)."""

    large: bool
    first_rows: list[TaskView]
    pages: list[str]  # site paths of the plain paged lists (large registries, for reading without JavaScript)


@dataclass
class SiteContext:
    registry: Registry
    root: Path
    settings: Settings
    language: str
    as_of: dt.date
    version: str
    tasks: list[
        TaskView
    ]  # in list order: most urgent first (red, yellow … cancelled), then deadline, then id
    by_id: dict[str, TaskView]
    units: list[UnitView]
    people: list[PersonView]
    dashboard: Dashboard
    months: list[CalendarMonth]
    bulletins: list[BulletinMonth]  # newest first
    task_list: ListIndex
    filters: dict[str, list[tuple[str, str]]]  # filter name → (value, label) choices present in the registry
    # One build's caches: page parts by (template, way back, section), a bulletin's item cells by way back and
    # id (site.render.chrome, site.bulletinrows), and item rows by id, split where the way back goes, in UTF-8
    # (site.render.task_rows).
    row_cache: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    row_parts: dict[str, list[bytes]] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def unit_by_id(self) -> dict[str, UnitView]:
        return {u.ref.id: u for u in self.units}

    @functools.cached_property
    def person_by_id(self) -> dict[str, PersonView]:
        return {p.ref.id: p for p in self.people}
