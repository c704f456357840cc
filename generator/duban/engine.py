"""The deadline engine (督办时限引擎): every item's state as of one day, as FORMAT.md defines it.

A pure function of (registry, as-of date): no clock, no files. The as-of date decides what has happened:
records dated after it (updates, milestones' `done`, the completion, extension requests and decisions,
reminders, indicator readings) are ignored, so an old date reproduces the registry as it stood that day.

How each number is computed is written up in docs/engine.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from sys import intern
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from duban.dates import WorkCalendar, add_months, parse_date
from duban.documents import no_gc
from duban.registry import Registry, TaskFile, interned
from duban.settings import FINDINGS, Settings
from duban.wording import number, render_reason

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

LIGHTS = ("red", "yellow", "green", "grey", "done", "cancelled")
OPEN_STATES = ("assigned", "in_progress", "reported", "suspended")
ACTIVE_STATES = ("assigned", "in_progress", "reported")  # open and not suspended: findings apply to these
BEHIND_LEVELS = ("none", "yellow", "red")
CYCLE_DAYS = {"weekly": 7, "biweekly": 14}
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3}

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for an item's light: a wording code, its arguments, the finding it explains (if any) and
    where in the task file it comes from (for annotations)."""

    code: str
    args: dict[str, Any] = field(default_factory=dict, hash=False)
    finding: str | None = None
    path: tuple[PathPart, ...] = ()

    def message(self, language: str) -> str:
        return render_reason(self.code, self.args, language)


@dataclass(frozen=True, slots=True)
class MilestoneState:
    index: int
    name: str
    due: dt.date
    done: dt.date | None  # None when not reached on or before the as-of date
    overdue: bool


@dataclass(frozen=True, slots=True)
class IndicatorState:
    index: int
    name: str
    unit: str
    measure: str  # cumulative | level
    better: str  # higher | lower
    target: float
    actual: float
    baseline: float
    measured: dt.date | None  # the reading's as_of, when given
    known: bool  # False when the reading is dated after the as-of date (not taken yet that day)
    progress: float | None  # percent of the way from baseline to target (cumulative only)
    pace: float | None  # percent of the time from assigned to the effective deadline gone (cumulative only)
    behind: str  # none | yellow | red


@dataclass(frozen=True, slots=True)  # slots: ~2 KB less per item than a __dict__ of 33 fields (and per day)
class TaskState:
    """An item as of one day. Dates are `datetime.date`; counts are whole days."""

    id: str
    title: str
    file: str
    status: str  # as of that day (see `_Records.status_on`)
    light: str  # one of LIGHTS
    findings: tuple[str, ...]  # names from FINDINGS, in that order
    reasons: tuple[Reason, ...]
    assigned: dt.date
    deadline: dt.date  # as written
    effective_deadline: dt.date  # the latest approved extension's `to`, else `deadline`
    days_left: int  # effective deadline − as-of; negative when past
    days_overdue: int  # 0 unless overdue
    workdays_overdue: int  # 0 unless overdue
    progress: int | None  # latest reported progress
    on_time: bool | None  # completed items only
    completion_date: dt.date | None  # completed or reported on or before the as-of date
    days_late: int | None  # completed items only: days after the effective deadline (0 when on time)
    latest_update: dt.date | None
    next_report_due: (
        dt.date | None
    )  # None when no report is expected (closed, suspended, reported, cycle none)
    report_every: str
    pending_extension: dt.date | None  # the `to` of an extension awaiting a decision
    extensions_approved: int
    reminders: int  # 催办 so far
    latest_reminder: dt.date | None
    pace: str  # worst indicator: none | yellow | red
    milestones: tuple[MilestoneState, ...]
    indicators: tuple[IndicatorState, ...]
    lead_unit: str
    co_units: tuple[str, ...]
    owner: str | None
    leader: str | None
    supervisor: str | None
    priority: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def overdue(self) -> bool:
        return "overdue" in self.findings

    @property
    def counted(self) -> bool:
        """Cancelled items are kept for the record but left out of statistics."""
        return self.status != "cancelled"


# --- making results ---

_Frozen = TypeVar("_Frozen", bound="DataclassInstance")


def _maker(cls: type[_Frozen]) -> type[_Frozen]:
    """A stand-in for the frozen, slotted dataclass `cls` that makes a `cls` several times faster. A frozen
    dataclass's `__init__` sets each field with an `object.__setattr__` call: most of the cost of making
    one, and a build makes a TaskState, its reasons and milestones ~13 times per item. The stand-in is a
    subclass of `cls` (the same slots) that lets plain assignments through, which CPython turns into direct
    stores to the slots; its `__init__` makes the filled object a `cls`. Typed as `cls`, so mypy checks the
    arguments of every call against the fields; call it with every field, positionally and in field order
    (33 keywords cost more than the whole making). tests/test_engine_memo.py compares what it makes with
    the constructors."""
    names = [f.name for f in dataclasses.fields(cls)]
    source = f"def __init__(self, {', '.join(names)}):\n"
    source += "".join(f"    self.{name} = {name}\n" for name in names)
    source += "    _become_(self, '__class__', _class_)\n"
    namespace: dict[str, Any] = {"_become_": object.__setattr__, "_class_": cls}
    exec(source, namespace)  # as dataclasses makes __init__: one function for these fields
    members = {
        "__slots__": (),
        "__init__": namespace["__init__"],
        # Both object's own: with either of the frozen ones the class sets its attributes the slow way.
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
    }
    return cast(type[_Frozen], type(f"_Making{cls.__name__}", (cls,), members))


_new_reason = _maker(Reason)
_new_milestone = _maker(MilestoneState)
_new_indicator = _maker(IndicatorState)
_new_state = _maker(TaskState)


def _reason(
    code: str, args: dict[str, Any] | None = None, finding: str | None = None, path: tuple[PathPart, ...] = ()
) -> Reason:
    return _new_reason(code, {} if args is None else args, finding, path)


# --- an item's records, read once ---
#
# A build evaluates every item on the as-of day and again on each of the last twelve months' ends (the
# bulletins): each item's dates are parsed and its records sorted once per registry (`_kept`), and each
# evaluation only compares them with the day.


_day = parse_date  # None, or any value that is not an ISO date string, is None


def _required(value: Any, what: str) -> dt.date:
    """A date the schema requires. The loader keeps only tasks whose dates are real days, so this failing is a
    bug in the caller (an unchecked registry), not bad input."""
    day = _day(value)
    if day is None:
        raise ValueError(f"the engine needs a checked registry: {what} {value!r} is not a date")
    return day


def _by(day: dt.date | None, as_of: dt.date) -> dt.date | None:
    """The record's date when it is on or before the as-of date; None when it has not happened yet."""
    return day if day is not None and day <= as_of else None


def assigned_by(task: TaskFile, as_of: dt.date) -> bool:
    """Whether the item existed on `as_of`: items assigned later are left out of `evaluate`."""
    assigned = parse_date(task.assigned)
    return assigned is not None and assigned <= as_of


@functools.lru_cache(maxsize=65_536)  # a registry has a few thousand dates, seen again on every evaluation
def next_report_due(cycle: str, since: dt.date) -> dt.date | None:
    """One feedback cycle after `since`; None for `none`."""
    if cycle in CYCLE_DAYS:
        return since + dt.timedelta(days=CYCLE_DAYS[cycle])
    if cycle in CYCLE_MONTHS:
        return add_months(since, CYCLE_MONTHS[cycle])
    return None


def time_elapsed(assigned: dt.date, deadline: dt.date, as_of: dt.date) -> float:
    """The share of assigned → deadline gone by `as_of`, between 0 and 1 (1 once the deadline is reached)."""
    if deadline <= assigned:
        return 1.0
    share = (as_of - assigned).days / (deadline - assigned).days
    return min(max(share, 0.0), 1.0)


class _Dated(NamedTuple):  # a tuple: every item has three, made faster than a dataclass
    """Records of one kind sorted by (date, position in the file), the dates apart for bisection: the latest
    record on or before a day is the last of those up to it (the file's later one when two share a date)."""

    days: tuple[dt.date, ...] = ()
    items: tuple[Any, ...] = ()

    @classmethod
    def of(cls, days: list[dt.date | None], items: Sequence[Any]) -> _Dated:
        """`items` with their `days` (None: not a date, left out)."""
        known = [day for day in days if day is not None]
        if not known:
            return _NO_RECORDS
        if len(known) == len(days) and known == sorted(known):  # the usual: all dated, in date order
            return cls(tuple(known), tuple(items))
        pairs = sorted(
            ((day, i) for i, day in enumerate(days) if day is not None), key=itemgetter(0)
        )  # stable
        return cls(tuple(day for day, _ in pairs), tuple(items[i] for _, i in pairs))

    def upto(self, as_of: dt.date) -> int:
        """How many happened on or before `as_of`."""
        return bisect_right(self.days, as_of)


_NO_RECORDS = _Dated()


@dataclass(frozen=True, slots=True)
class _Extension:
    index: int
    requested: dt.date | None
    decided: dt.date | None  # None while the decision is pending
    approved: bool
    to: dt.date | None
    raw: dict[str, Any]


def _extension(index: int, raw: dict[str, Any]) -> _Extension:
    # A decision without its date is a problem in the file; the request date stands in for it.
    pending = raw["decision"] == "pending"
    decided = None if pending else _day(raw.get("decided", raw["requested"]))
    approved = raw["decision"] == "approved"
    return _Extension(index, _day(raw["requested"]), decided, approved, _day(raw["to"]), raw)


@dataclass(frozen=True, slots=True)
class _Indicator:
    """An indicator as written, converted once: only whether its reading is known and the pace depend on
    the day."""

    index: int
    name: str
    unit: str
    measure: str  # cumulative | level
    better: str  # higher | lower
    target: float
    actual: float
    baseline: float
    measured: dt.date | None
    share: float | None  # of the way from baseline to target (cumulative with target ≠ baseline, else None)

    @classmethod
    def read(cls, index: int, raw: dict[str, Any]) -> _Indicator:
        target, actual, baseline = float(raw["target"]), float(raw["actual"]), float(raw.get("baseline", 0))
        measure = raw.get("measure", "cumulative")
        # target == baseline is a problem in the file; the same formula serves `better: lower`
        share = (
            (actual - baseline) / (target - baseline)
            if measure == "cumulative" and target != baseline
            else None
        )
        better = raw.get("better", "higher")
        unit = raw.get("unit", "")
        return cls(
            index, raw["name"], unit, measure, better, target, actual, baseline, _day(raw.get("as_of")), share
        )


class About(NamedTuple):
    """What an item's views show and lists filter by besides its state, as written (duban.site.taskviews):
    read with the item's records and kept with them, so that the views of every item unpack none."""

    source_type: str
    source_ref: str
    source_by: str | None
    category: str
    tags: tuple[str, ...]
    extensions: tuple[
        tuple[dt.date, dt.date | None], ...
    ]  # (requested, decided as written) of those with a `to`
    rating_day: dt.date | None
    evidence: tuple[str, ...]  # the completion's evidence URLs, in order

    @classmethod
    def of(cls, data: dict[str, Any]) -> About:
        source = data.get("source") or {}  # required by the schema; the engine's own tests leave it out
        extensions = []
        for extension in data.get("extensions", ()):
            requested = _day(extension["requested"])
            if requested is not None and _day(extension["to"]) is not None:
                extensions.append((requested, _day(extension.get("decided"))))
        rating, completion = data.get("rating") or {}, data.get("completion") or {}
        return cls(
            intern(source.get("type", "")),
            source.get("ref", ""),
            interned(source.get("by")),
            intern(data.get("category", "")),
            tuple(map(intern, data.get("tags", ()))),
            tuple(extensions),
            _day(rating.get("date")),
            tuple(item["url"] for item in completion.get("evidence", ())),
        )


def about(registry: Registry, task: TaskFile) -> About:
    """The item's `About`, from the records kept for the registry (read now if they are not)."""
    return _records_in(_kept(registry), task).about


@dataclass(slots=True)  # never changed once read (not frozen: a frozen one takes twice as long to make)
class _Records:
    """An item's file, parsed: its dates as `date`s, dated records sorted. Nothing here depends on the
    as-of day or the settings."""

    packed: bytes | memoryview  # what it was read from (TaskFile): another version has another object
    title: str
    lead_unit: str
    co_units: tuple[str, ...]
    owner: str | None
    leader: str | None
    supervisor: str | None
    priority: str
    status: str  # as written
    assigned: dt.date
    deadline: dt.date  # as written
    completion: dt.date | None  # the completion's date
    has_completion: bool  # a completion record is there (dated or not)
    cycle: str | None  # report_every as written
    extensions: tuple[_Extension, ...]
    approvals: tuple[_Extension, ...]  # the approved ones, as listed
    updates: _Dated  # items: each update's position in the file
    progress: tuple[int | None, ...]  # for each of `updates`: the latest progress reported up to it
    reminders: _Dated  # items: the records as written
    milestones: tuple[tuple[int, str, dt.date, dt.date | None], ...]  # position, name, due, done
    indicators: tuple[_Indicator, ...]
    about: About

    @classmethod
    def read(cls, task: TaskFile, data: dict[str, Any] | None = None) -> _Records:
        """`data`: the task's data when it is unpacked already (duban.registry.TaskFile)."""
        data = task.data if data is None else data
        updates, reminders = data.get("updates", []), data.get("reminders", [])
        dated = _Dated.of([_day(u["date"]) for u in updates], range(len(updates)))
        extensions = tuple(_extension(i, raw) for i, raw in enumerate(data.get("extensions", [])))
        # Ids and codes interned: a registry names the same few hundred units and people again and again, and
        # each item's unpacked data has its own copies (a state keeps them: 30 MB at 100,000 items).
        return cls(
            packed=task.packed,
            title=data["title"],
            lead_unit=intern(data["lead_unit"]),
            co_units=tuple(map(intern, data.get("co_units", []))),
            owner=interned(data.get("owner")),
            leader=interned(data.get("leader")),
            supervisor=interned(data.get("supervisor")),
            priority=intern(data.get("priority", "normal")),
            status=intern(data["status"]),
            assigned=_required(data["assigned"], "assigned"),
            deadline=_required(data["deadline"], "deadline"),
            completion=_day((data.get("completion") or {}).get("date")),
            has_completion=bool(data.get("completion")),
            cycle=data.get("report_every"),
            extensions=extensions,
            approvals=tuple(e for e in extensions if e.approved),
            updates=dated,
            progress=_progress_so_far(updates, dated.items),
            reminders=_Dated.of([_day(r["date"]) for r in reminders], reminders),
            milestones=tuple(
                (i, m["name"], _required(m["due"], "milestone due"), _day(m.get("done")))
                for i, m in enumerate(data.get("milestones", []))
            ),
            indicators=tuple(_Indicator.read(i, raw) for i, raw in enumerate(data.get("indicators", []))),
            about=About.of(data),
        )

    def status_on(self, as_of: dt.date) -> str:
        """Only completion carries a date: a completed or reported item whose completion is dated later was
        still being worked on that day (`in_progress`). Other statuses carry no date and are taken as
        written."""
        if (
            self.status in ("completed", "reported")
            and self.has_completion
            and not _by(self.completion, as_of)
        ):
            return "in_progress"
        return self.status

    def effective_on(self, as_of: dt.date) -> tuple[dt.date, int]:
        """The `to` of the latest (last listed) extension approved on or before `as_of`, else `deadline`; and
        how many extensions were approved by then."""
        deadline, approved = self.deadline, 0
        for extension in self.approvals:
            if _by(extension.decided, as_of):
                deadline = extension.to or deadline
                approved += 1
        return deadline, approved

    def pending_on(self, as_of: dt.date) -> _Extension | None:
        """The last extension requested by `as_of` and not decided by then (a later decision was not made
        yet)."""
        found = None
        for extension in self.extensions:
            if _by(extension.requested, as_of) and not _by(extension.decided, as_of):
                found = extension
        return found

    def latest_update_on(self, as_of: dt.date) -> tuple[dt.date | None, int | None]:
        """The latest update on or before `as_of` and its position in the file."""
        count = self.updates.upto(as_of)
        return (self.updates.days[count - 1], self.updates.items[count - 1]) if count else (None, None)

    def progress_on(self, as_of: dt.date) -> int | None:
        """The latest progress reported on or before `as_of`."""
        count = self.updates.upto(as_of)
        return self.progress[count - 1] if count else None

    def reminders_on(self, as_of: dt.date) -> tuple[int, dt.date | None]:
        count = self.reminders.upto(as_of)
        return count, self.reminders.days[count - 1] if count else None

    def milestones_on(self, as_of: dt.date, active: bool) -> tuple[MilestoneState, ...]:
        states = []
        for index, name, due, written_done in self.milestones:
            done = _by(written_done, as_of)
            overdue = active and done is None and due < as_of
            states.append(_new_milestone(index, name, due, done, overdue))
        return tuple(states)


def _progress_so_far(updates: list[dict[str, Any]], order: Iterable[int]) -> tuple[int | None, ...]:
    """For each update in `order` (the dated ones by date), the progress of the latest one up to it that
    reports one. It shares the updates' dates: a second sorted copy of them for the updates reporting
    progress (most do) cost ~150 bytes an item."""
    found, latest = [], None
    for position in order:
        latest = updates[position].get("progress", latest)
        found.append(latest)
    return tuple(found)


# The records of a registry's items, kept as long as the registry lives: `evaluate` and `standings` read an
# item once for all the days a build asks about. `evaluate_task` alone (one item at a time: `duban status`,
# `duban check`) keeps nothing, so that a command holding no states holds no records either.
class _Owner(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to the registry, with the key its records are kept under."""

    __slots__ = ("key",)
    key: int


_Kept = dict[str, _Records]  # by item id
_KEPT: dict[int, tuple[_Owner, _Kept]] = {}  # by registry (by identity: a Registry is not hashable)


def _forget(owner: _Owner) -> None:
    entry = _KEPT.get(owner.key)
    if entry is not None and entry[0] is owner:
        del _KEPT[owner.key]


def _kept(registry: Registry) -> _Kept:
    """The records kept for `registry`, forgotten with it (a registry loaded again reads its items again)."""
    entry = _KEPT.get(id(registry))
    if entry is not None and entry[0]() is registry:
        return entry[1]
    kept: _Kept = {}
    try:
        owner = _Owner(registry, _forget)
    except TypeError:  # a registry without weak references: its records are kept for this call only
        return kept
    owner.key = id(registry)
    _KEPT[id(registry)] = (owner, kept)
    return kept


def _records_in(kept: _Kept, task: TaskFile) -> _Records:
    """The task's records, read again when the registry holds another version of it (changed in memory:
    tests, `duban serve`): records depend on nothing else. The records hold the packed bytes they were read
    from, so no other bytes object can have its id."""
    found = kept.get(task.id)
    if found is not None and found.packed is task.packed:
        return found
    records = kept[task.id] = _Records.read(task)
    return records


# --- milestones and indicators ---


# Float noise must not tip a bound: 50% elapsed against 40% done comes out as 10.000000000000009 points,
# which is really 10 and does not exceed a bound of 10.
_EPSILON = 1e-9


def _behind(gap: float, settings: Settings) -> str:
    """`gap` in percentage points: behind when it exceeds the bound (strictly)."""
    if gap > settings.pace_red_points + _EPSILON:
        return "red"
    if gap > settings.pace_yellow_points + _EPSILON:
        return "yellow"
    return "none"


def _level_behind(actual: float, target: float, better: str) -> str:
    wrong_side = actual > target if better == "lower" else actual < target
    return "yellow" if wrong_side else "none"


def _indicator(
    ind: _Indicator, elapsed: float, as_of: dt.date, settings: Settings, active: bool
) -> IndicatorState:
    known = ind.measured is None or ind.measured <= as_of
    progress = pace = None
    behind = "none"
    if ind.share is not None:
        progress, pace = round(ind.share * 100, 1), round(elapsed * 100, 1)
        if active and known:
            behind = _behind((elapsed - ind.share) * 100, settings)
    elif ind.measure == "level" and active and known:
        behind = _level_behind(ind.actual, ind.target, ind.better)
    return _new_indicator(
        ind.index,
        ind.name,
        ind.unit,
        ind.measure,
        ind.better,
        ind.target,
        ind.actual,
        ind.baseline,
        ind.measured,
        known,
        progress,
        pace,
        behind,
    )


# --- findings and reasons ---


@dataclass(slots=True)  # not frozen: made for every item and day, and a frozen one is slower to make
class _Facts:
    """What the findings are decided from: the task's records as of the day."""

    status: str
    as_of: dt.date
    assigned: dt.date
    effective: dt.date
    approved: int
    cycle: str  # the feedback cycle: the task's report_every, else the settings'
    completion: dt.date | None
    latest_update: dt.date | None
    latest_update_index: int | None
    next_due: dt.date | None
    pending: _Extension | None
    milestones: tuple[MilestoneState, ...]
    indicators: tuple[IndicatorState, ...]

    @property
    def active(self) -> bool:
        """Open and not suspended: the items that findings apply to."""
        return self.status in ACTIVE_STATES

    @property
    def deadline_met(self) -> bool:
        return _deadline_met(self.status, self.completion, self.effective)


def _deadline_met(status: str, completion: dt.date | None, effective: dt.date) -> bool:
    """Reported complete by the effective deadline: not overdue (nor due soon) while under review."""
    return status == "reported" and completion is not None and completion <= effective


def _overdue(status: str, completion: dt.date | None, effective: dt.date, as_of: dt.date) -> bool:
    """Active, past the effective deadline and not reported complete by it (the `overdue` finding)."""
    return status in ACTIVE_STATES and effective < as_of and not _deadline_met(status, completion, effective)


# A reason's dates as text, one str per day: every item's reasons name a few days, and a registry's items
# share a few thousand (a str each per reason came to ~11 MB of a 100,000-item build's states).
_day_text = functools.lru_cache(maxsize=4096)(dt.date.isoformat)


def _deadline_reasons(facts: _Facts, settings: Settings, calendar: WorkCalendar) -> list[Reason]:
    if not facts.active or facts.deadline_met:
        return []
    days_left = (facts.effective - facts.as_of).days
    deadline = _day_text(facts.effective)
    if _overdue(facts.status, facts.completion, facts.effective, facts.as_of):
        workdays = calendar.workdays_between(facts.effective, facts.as_of)
        args = {"days": -days_left, "workdays": workdays, "deadline": deadline}
        return [_reason("overdue", args, "overdue", ("deadline",))]
    if days_left <= settings.due_soon_days:
        code = "due_today" if days_left == 0 else "due_soon"
        return [_reason(code, {"days": days_left, "deadline": deadline}, "due_soon", ("deadline",))]
    return []


def _milestone_reasons(facts: _Facts) -> list[Reason]:
    return [
        _reason(
            "milestone_overdue",
            {"name": m.name, "due": _day_text(m.due)},
            "milestone_overdue",
            ("milestones", m.index, "due"),
        )
        for m in facts.milestones
        if m.overdue
    ]


def _feedback_reasons(facts: _Facts, settings: Settings) -> list[Reason]:
    due = facts.next_due
    if (
        not facts.active
        or due is None
        or facts.as_of <= due + dt.timedelta(days=settings.feedback_grace_days)
    ):
        return []
    if facts.latest_update is None:
        return [_reason("feedback_overdue_none", {"due": _day_text(due)}, "feedback_overdue", ("assigned",))]
    return [
        _reason(
            "feedback_overdue",
            {"due": _day_text(due), "last": _day_text(facts.latest_update)},
            "feedback_overdue",
            ("updates", facts.latest_update_index or 0, "date"),
        )
    ]


def _indicator_reason(ind: IndicatorState) -> Reason:
    args: dict[str, Any] = {"name": ind.name, "unit": ind.unit, "level": ind.behind}
    if ind.measure == "level" or ind.progress is None or ind.pace is None:
        args |= {"actual": _num(ind.actual), "target": _num(ind.target)}
        code = "behind_level_lower" if ind.better == "lower" else "behind_level"
    else:
        gap = ind.pace - ind.progress
        args |= {"progress": _num(ind.progress), "pace": _num(ind.pace), "gap": _num(gap)}
        code = "behind_pace"
    return _reason(code, args, "behind_pace", ("indicators", ind.index, "actual"))


def _indicator_reasons(facts: _Facts) -> list[Reason]:
    return [_indicator_reason(ind) for ind in facts.indicators if ind.behind != "none"]


def _extension_reasons(facts: _Facts) -> list[Reason]:
    if not facts.active or facts.pending is None:
        return []
    extension = facts.pending
    args = {"to": extension.raw["to"], "requested": extension.raw["requested"]}
    return [
        _reason("extension_pending", args, "extension_pending", ("extensions", extension.index, "decision"))
    ]


def _num(value: float) -> str:
    return number(round(value, 1))


def _finding_reasons(facts: _Facts, settings: Settings, calendar: WorkCalendar) -> list[Reason]:
    """The reasons behind every finding, in FINDINGS order. Findings apply to active items only."""
    if not facts.active:
        return []
    reasons = (
        _deadline_reasons(facts, settings, calendar)
        + _milestone_reasons(facts)
        + _feedback_reasons(facts, settings)
        + _indicator_reasons(facts)
        + _extension_reasons(facts)
    )
    return sorted(reasons, key=lambda r: FINDINGS.index(r.finding or "")) if len(reasons) > 1 else reasons


def _closed_reason(facts: _Facts) -> Reason:
    """The one reason of an item without findings: done, cancelled, suspended, awaiting review or on track."""
    if facts.status == "cancelled":
        return _reason("cancelled")
    if facts.status == "suspended":
        return _reason("suspended", path=("status",))
    if facts.status == "completed" and facts.completion is not None:
        late = (facts.completion - facts.effective).days
        args = {"date": _day_text(facts.completion), "days": late}
        return _reason(
            "completed_late" if late > 0 else "completed_on_time", args, path=("completion", "date")
        )
    if facts.deadline_met and facts.completion is not None:
        return _reason("reported", {"date": _day_text(facts.completion)}, path=("completion", "date"))
    return _reason("on_track", {"deadline": _day_text(facts.effective)}, path=("deadline",))


def light_of(status: str, findings: Iterable[str], pace: str) -> str:
    """红黄绿灯: red > yellow > green for open items; grey, done and cancelled by status."""
    if status == "cancelled":
        return "cancelled"
    if status == "completed":
        return "done"
    if status == "suspended":
        return "grey"
    names = set(findings)
    if "overdue" in names or pace == "red":
        return "red"
    return "yellow" if names else "green"


# --- putting it together ---


def _facts(records: _Records, settings: Settings, as_of: dt.date) -> _Facts:
    status = records.status_on(as_of)
    effective, approved = records.effective_on(as_of)
    active = status in ACTIVE_STATES
    latest, latest_index = records.latest_update_on(as_of)
    cycle = records.cycle if records.cycle is not None else settings.report_every
    # 报办结 is the unit's last report: while the office reviews it, no further progress report is due.
    expects_reports = active and status != "reported"
    return _Facts(
        status=status,
        as_of=as_of,
        assigned=records.assigned,
        effective=effective,
        approved=approved,
        cycle=cycle,
        completion=_by(records.completion, as_of),
        latest_update=latest,
        latest_update_index=latest_index,
        next_due=next_report_due(cycle, latest or records.assigned) if expects_reports else None,
        pending=records.pending_on(as_of) if records.extensions else None,
        milestones=records.milestones_on(as_of, active) if records.milestones else (),
        indicators=_indicators(records, effective, as_of, settings, active),
    )


def _indicators(
    records: _Records, effective: dt.date, as_of: dt.date, settings: Settings, active: bool
) -> tuple[IndicatorState, ...]:
    if not records.indicators:
        return ()
    elapsed = time_elapsed(records.assigned, effective, as_of)
    return tuple(_indicator(ind, elapsed, as_of, settings, active) for ind in records.indicators)


def _worst(levels: Iterable[str]) -> str:
    return max(levels, key=BEHIND_LEVELS.index, default="none")


def _days_late(status: str, completion: dt.date | None, effective: dt.date) -> int | None:
    """Completed items: days the completion came after the effective deadline (0 when on time)."""
    if status != "completed" or completion is None:
        return None
    return max(0, (completion - effective).days)


def _shown_completion(status: str, completion: dt.date | None) -> dt.date | None:
    """The completion date of completed and reported items (on or before the as-of date)."""
    return completion if status in ("completed", "reported") else None


def _overdue_numbers(reasons: list[Reason]) -> tuple[int, int]:
    overdue = [r for r in reasons if r.finding == "overdue"]
    return (overdue[0].args["days"], overdue[0].args["workdays"]) if overdue else (0, 0)


def evaluate_task(
    task: TaskFile,
    settings: Settings,
    calendar: WorkCalendar,
    as_of: dt.date,
    data: dict[str, Any] | None = None,
) -> TaskState:
    """One item as of `as_of`. It does not check that the item existed then: `evaluate` leaves those out.
    `data`: the task's data when it is unpacked already."""
    return _evaluate(task, _Records.read(task, data), settings, calendar, as_of)


def _evaluate(
    task: TaskFile, records: _Records, settings: Settings, calendar: WorkCalendar, as_of: dt.date
) -> TaskState:
    facts = _facts(records, settings, as_of)
    reasons = _finding_reasons(facts, settings, calendar)
    present = {r.finding for r in reasons}
    findings = tuple(name for name in FINDINGS if name in present) if reasons else ()
    pace = _worst(i.behind for i in facts.indicators) if facts.indicators else "none"
    days_overdue, workdays_overdue = _overdue_numbers(reasons)
    days_late = _days_late(facts.status, facts.completion, facts.effective)
    reminders, latest_reminder = records.reminders_on(as_of)
    pending = facts.pending if facts.status in OPEN_STATES else None
    # Positionally, in TaskState's order (see `_maker`): mypy checks each argument's type.
    return _new_state(
        task.id,  # id
        records.title,  # title
        task.file,  # file
        facts.status,  # status
        light_of(facts.status, findings, pace),  # light
        findings,  # findings
        tuple(reasons) or (_closed_reason(facts),),  # reasons
        facts.assigned,  # assigned
        records.deadline,  # deadline
        facts.effective,  # effective_deadline
        (facts.effective - as_of).days,  # days_left
        days_overdue,  # days_overdue
        workdays_overdue,  # workdays_overdue
        records.progress_on(as_of),  # progress
        (days_late == 0) if days_late is not None else None,  # on_time
        _shown_completion(facts.status, facts.completion),  # completion_date
        days_late,  # days_late
        facts.latest_update,  # latest_update
        facts.next_due,  # next_report_due
        facts.cycle,  # report_every
        pending.to if pending else None,  # pending_extension
        facts.approved,  # extensions_approved
        reminders,  # reminders
        latest_reminder,  # latest_reminder
        pace,  # pace
        facts.milestones,  # milestones
        facts.indicators,  # indicators
        records.lead_unit,  # lead_unit
        records.co_units,  # co_units
        records.owner,  # owner
        records.leader,  # leader
        records.supervisor,  # supervisor
        records.priority,  # priority
    )


def evaluate(registry: Registry, as_of: dt.date) -> list[TaskState]:
    """Every item that existed on `as_of` (assigned on or before it), in id order."""
    settings, calendar, kept = registry.settings, registry.calendar, _kept(registry)
    # The states and the records read on the way hold no cycles: the collector would walk them again and
    # again while they pile up (it took as long as the evaluation itself).
    with no_gc():
        return [
            _evaluate(task, _records_in(kept, task), settings, calendar, as_of)
            for task in _existing(registry, as_of)
        ]


def _existing(registry: Registry, as_of: dt.date) -> Iterator[TaskFile]:
    """The items that existed on `as_of` (assigned on or before it), in id order."""
    return (task for task in registry.tasks.values() if assigned_by(task, as_of))


def evaluated(registry: Registry, as_of: dt.date) -> Iterator[TaskState]:
    """`evaluate`, one state at a time and keeping nothing: a command that writes each state out, or keeps
    only some, need not hold them all (1.2 KB each: 120 MB at 100,000 items)."""
    settings, calendar = registry.settings, registry.calendar
    for task in _existing(registry, as_of):
        yield evaluate_task(task, settings, calendar, as_of)


class Standing(NamedTuple):
    """An item on a day as far as counts and bulletins need it: TaskState's fields of the same names, for a
    small part of the work (no findings but `overdue`, no reasons). A named tuple: a build makes one per item
    for each of the twelve bulletin months, and a tuple is the cheapest to make. tests/test_engine_memo.py
    checks that every field agrees with `evaluate_task`."""

    id: str
    title: str
    lead_unit: str
    status: str
    assigned: dt.date
    effective_deadline: dt.date
    completion_date: dt.date | None
    days_left: int
    days_overdue: int
    days_late: int | None
    on_time: bool | None
    reminders: int
    overdue: bool

    @property
    def counted(self) -> bool:
        """Cancelled items are kept for the record but left out of statistics."""
        return self.status != "cancelled"


def standing(task: TaskFile, as_of: dt.date) -> Standing:
    """The item's standing on `as_of` (it does not check that the item existed then, as `evaluate_task`)."""
    return _standing(task, _Records.read(task), as_of)


def _standing(task: TaskFile, records: _Records, as_of: dt.date) -> Standing:
    status = records.status_on(as_of)
    effective, _ = records.effective_on(as_of)
    completion = _by(records.completion, as_of)
    days_left = (effective - as_of).days
    overdue = _overdue(status, completion, effective, as_of)
    days_late = _days_late(status, completion, effective)
    return Standing(
        task.id,
        records.title,
        records.lead_unit,
        status,
        records.assigned,
        effective,
        _shown_completion(status, completion),
        days_left,
        -days_left if overdue else 0,
        days_late,
        (days_late == 0) if days_late is not None else None,
        records.reminders.upto(as_of),
        overdue,
    )


def extensions_of(registry: Registry, task_id: str) -> list[dict[str, Any]]:
    """The item's extension records as written, from its kept records (a bulletin asks for every item's)."""
    return [extension.raw for extension in _records_in(_kept(registry), registry.tasks[task_id]).extensions]


def reminders_within(
    registry: Registry, ids: Iterable[str], start: dt.date, end: dt.date
) -> list[tuple[str, dt.date, dict[str, Any]]]:
    """(item id, date, record) of the items' reminders dated from `start` to `end` (inclusive): item by item,
    by date, then as listed."""
    kept, found = _kept(registry), []
    for task_id in ids:
        dated = _records_in(kept, registry.tasks[task_id]).reminders
        first, last = bisect_left(dated.days, start), bisect_right(dated.days, end)
        found += [(task_id, dated.days[i], dated.items[i]) for i in range(first, last)]
    return found


def standings(registry: Registry, as_of: dt.date) -> list[Standing]:
    """Every item that existed on `as_of`, in id order: `evaluate`'s items, their standing only."""
    kept = _kept(registry)
    with no_gc():  # as `evaluate`
        return [_standing(task, _records_in(kept, task), as_of) for task in _existing(registry, as_of)]


# --- the machine-readable view (CLI.md) ---

# The fields CLI.md fixes for `duban status --format json`, in its order; extra fields follow them.
JSON_FIELDS = (
    "id", "title", "status", "light", "findings", "effective_deadline", "days_left", "days_overdue",
    "workdays_overdue", "progress", "on_time",
)  # fmt: skip


def _iso(day: dt.date | None) -> str | None:
    return _day_text(day) if day else None


def task_json(state: TaskState, language: str | None = None) -> dict[str, Any]:
    """One item in the status JSON: CLI.md's fields first, then the rest of the state (docs/engine.md)."""
    record: dict[str, Any] = {
        "id": state.id,
        "title": state.title,
        "status": state.status,
        "light": state.light,
        "findings": list(state.findings),
        "effective_deadline": state.effective_deadline.isoformat(),
        "days_left": state.days_left,
        "days_overdue": state.days_overdue,
        "workdays_overdue": state.workdays_overdue,
        "progress": state.progress,
        "on_time": state.on_time,
    }
    return record | _extra_json(state) | {"reasons": [_reason_json(r, language) for r in state.reasons]}


def _extra_json(state: TaskState) -> dict[str, Any]:
    return {
        "file": state.file,
        "lead_unit": state.lead_unit,
        "co_units": list(state.co_units),
        "owner": state.owner,
        "leader": state.leader,
        "supervisor": state.supervisor,
        "priority": state.priority,
        "assigned": state.assigned.isoformat(),
        "deadline": state.deadline.isoformat(),
        "completion_date": _iso(state.completion_date),
        "days_late": state.days_late,
        "latest_update": _iso(state.latest_update),
        "report_every": state.report_every,
        "next_report_due": _iso(state.next_report_due),
        "reminders": state.reminders,
        "latest_reminder": _iso(state.latest_reminder),
        "extensions_approved": state.extensions_approved,
        "pending_extension": _iso(state.pending_extension),
        "pace": state.pace,
        "milestones": [_milestone_json(m) for m in state.milestones],
        "indicators": [_indicator_json(i) for i in state.indicators],
    }


def _milestone_json(milestone: MilestoneState) -> dict[str, Any]:
    return {
        "name": milestone.name,
        "due": milestone.due.isoformat(),
        "done": _iso(milestone.done),
        "overdue": milestone.overdue,
    }


def _indicator_json(indicator: IndicatorState) -> dict[str, Any]:
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "measure": indicator.measure,
        "better": indicator.better,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "actual": indicator.actual,
        "as_of": _iso(indicator.measured),
        "known": indicator.known,
        "progress": indicator.progress,
        "pace": indicator.pace,
        "behind": indicator.behind,
    }


def _reason_json(reason: Reason, language: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {"code": reason.code, "finding": reason.finding, "args": dict(reason.args)}
    if language is not None:
        record["message"] = reason.message(language)
    return record


def to_json(
    states: Iterable[TaskState], as_of: dt.date, language: str | None = None, *, lazy: bool = False
) -> dict[str, Any]:
    """`duban status --format json`: {"as_of", "tasks": [...]}; with `language`, reasons carry messages.
    With `lazy`, "tasks" is an iterator of the records, for a writer that writes them one at a time
    (`duban.output.json_chunks`)."""
    tasks = (task_json(s, language) for s in states)
    return {"as_of": as_of.isoformat(), "tasks": tasks if lazy else list(tasks)}
