"""The deadline engine (督办时限引擎): every item's state as of one day, as FORMAT.md defines it.

A pure function of (registry, as-of date): no clock, no files. The as-of date decides what has happened:
records dated after it (updates, milestones' `done`, the completion, extension requests and decisions,
reminders, indicator readings) are ignored, so an old date reproduces the registry as it stood that day.

How each number is computed is written up in docs/engine.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from duban.dates import WorkCalendar, add_months, parse_date
from duban.registry import Registry, TaskFile
from duban.settings import FINDINGS, Settings
from duban.wording import number, render_reason

LIGHTS = ("red", "yellow", "green", "grey", "done", "cancelled")
OPEN_STATES = ("assigned", "in_progress", "reported", "suspended")
ACTIVE_STATES = ("assigned", "in_progress", "reported")  # open and not suspended: findings apply to these
BEHIND_LEVELS = ("none", "yellow", "red")
CYCLE_DAYS = {"weekly": 7, "biweekly": 14}
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3}

PathPart = str | int


@dataclass(frozen=True)
class Reason:
    """One reason for an item's light: a wording code, its arguments, the finding it explains (if any) and
    where in the task file it comes from (for annotations)."""

    code: str
    args: dict[str, Any] = field(default_factory=dict, hash=False)
    finding: str | None = None
    path: tuple[PathPart, ...] = ()

    def message(self, language: str) -> str:
        return render_reason(self.code, self.args, language)


@dataclass(frozen=True)
class MilestoneState:
    index: int
    name: str
    due: dt.date
    done: dt.date | None  # None when not reached on or before the as-of date
    overdue: bool


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class TaskState:
    """An item as of one day. Dates are `datetime.date`; counts are whole days."""

    id: str
    title: str
    file: str
    status: str  # as of that day (see `status_as_of`)
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


# --- records as of a day ---


def _day(value: Any) -> dt.date | None:
    return parse_date(value) if value is not None else None


def _required(value: Any, what: str) -> dt.date:
    """A date the schema requires. The loader keeps only tasks whose dates are real days, so this failing is a
    bug in the caller (an unchecked registry), not bad input."""
    day = _day(value)
    if day is None:
        raise ValueError(f"the engine needs a checked registry: {what} {value!r} is not a date")
    return day


def _happened(value: Any, as_of: dt.date) -> dt.date | None:
    """The record's date when it is on or before the as-of date; None when it has not happened yet."""
    day = _day(value)
    return day if day is not None and day <= as_of else None


def assigned_by(task: TaskFile, as_of: dt.date) -> bool:
    """Whether the item existed on `as_of`: items assigned later are left out of `evaluate`."""
    assigned = parse_date(task.data["assigned"])
    return assigned is not None and assigned <= as_of


def status_as_of(data: dict[str, Any], as_of: dt.date) -> str:
    """The status on `as_of`. Only completion carries a date: a completed or reported item whose completion is
    dated later was still being worked on that day (`in_progress`). Other statuses carry no date and are taken
    as written."""
    status: str = data["status"]
    completion = data.get("completion")
    if status in ("completed", "reported") and completion and not _happened(completion.get("date"), as_of):
        return "in_progress"
    return status


def _decided(extension: dict[str, Any]) -> Any:
    # A decision without its date is a problem in the file; the request date stands in for it.
    return extension.get("decided", extension["requested"])


def effective_deadline(data: dict[str, Any], as_of: dt.date) -> tuple[dt.date, int]:
    """The `to` of the latest (last listed) extension approved on or before `as_of`, else `deadline`; and how
    many extensions were approved by then."""
    deadline = _required(data["deadline"], "deadline")
    approved = 0
    for extension in data.get("extensions", []):
        if extension["decision"] == "approved" and _happened(_decided(extension), as_of):
            deadline = _day(extension["to"]) or deadline
            approved += 1
    return deadline, approved


def pending_extension(data: dict[str, Any], as_of: dt.date) -> tuple[int, dict[str, Any]] | None:
    """The last extension requested by `as_of` and not decided by then (a later decision was not made yet)."""
    found = None
    for index, extension in enumerate(data.get("extensions", [])):
        if not _happened(extension["requested"], as_of):
            continue
        if extension["decision"] == "pending" or not _happened(_decided(extension), as_of):
            found = (index, extension)
    return found


@dataclass(frozen=True)
class _Updates:
    latest: dt.date | None
    latest_index: int | None
    progress: int | None


def _updates(data: dict[str, Any], as_of: dt.date) -> _Updates:
    """The latest update on or before `as_of`, and the latest progress reported by then."""
    latest: dt.date | None = None
    latest_index: int | None = None
    progress: tuple[dt.date, int] | None = None
    for index, update in enumerate(data.get("updates", [])):
        day = _happened(update["date"], as_of)
        if day is None:
            continue
        if latest is None or day >= latest:
            latest, latest_index = day, index
        if "progress" in update and (progress is None or day >= progress[0]):
            progress = (day, update["progress"])
    return _Updates(latest, latest_index, progress[1] if progress else None)


def _reminders(data: dict[str, Any], as_of: dt.date) -> tuple[int, dt.date | None]:
    days = [day for r in data.get("reminders", []) if (day := _happened(r["date"], as_of))]
    return len(days), max(days, default=None)


def next_report_due(cycle: str, since: dt.date) -> dt.date | None:
    """One feedback cycle after `since`; None for `none`."""
    if cycle in CYCLE_DAYS:
        return since + dt.timedelta(days=CYCLE_DAYS[cycle])
    if cycle in CYCLE_MONTHS:
        return add_months(since, CYCLE_MONTHS[cycle])
    return None


# --- milestones and indicators ---


def _milestones(data: dict[str, Any], as_of: dt.date, active: bool) -> tuple[MilestoneState, ...]:
    states = []
    for index, milestone in enumerate(data.get("milestones", [])):
        due = _required(milestone["due"], "milestone due")
        done = _happened(milestone.get("done"), as_of)
        overdue = active and done is None and due < as_of
        states.append(MilestoneState(index, milestone["name"], due, done, overdue))
    return tuple(states)


def time_elapsed(assigned: dt.date, deadline: dt.date, as_of: dt.date) -> float:
    """The share of assigned → deadline gone by `as_of`, between 0 and 1 (1 once the deadline is reached)."""
    if deadline <= assigned:
        return 1.0
    share = (as_of - assigned).days / (deadline - assigned).days
    return min(max(share, 0.0), 1.0)


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
    index: int, raw: dict[str, Any], elapsed: float, as_of: dt.date, settings: Settings, active: bool
) -> IndicatorState:
    target, actual, baseline = float(raw["target"]), float(raw["actual"]), float(raw.get("baseline", 0))
    measure, better = raw.get("measure", "cumulative"), raw.get("better", "higher")
    measured = _day(raw.get("as_of"))
    known = measured is None or measured <= as_of
    progress = pace = None
    behind = "none"
    if measure == "cumulative" and target != baseline:  # target == baseline is a problem in the file
        share = (actual - baseline) / (target - baseline)  # the same formula serves `better: lower`
        progress, pace = round(share * 100, 1), round(elapsed * 100, 1)
        if active and known:
            behind = _behind((elapsed - share) * 100, settings)
    elif measure == "level" and active and known:
        behind = _level_behind(actual, target, better)
    return IndicatorState(
        index,
        raw["name"],
        raw.get("unit", ""),
        measure,
        better,
        target,
        actual,
        baseline,
        measured,
        known,
        progress,
        pace,
        behind,
    )


# --- findings and reasons ---


@dataclass(frozen=True)
class _Facts:
    """What the findings are decided from: the task's records as of the day."""

    status: str
    as_of: dt.date
    assigned: dt.date
    effective: dt.date
    approved: int
    cycle: str  # the feedback cycle: the task's report_every, else the settings'
    completion: dt.date | None
    updates: _Updates
    next_due: dt.date | None
    pending: tuple[int, dict[str, Any]] | None
    milestones: tuple[MilestoneState, ...]
    indicators: tuple[IndicatorState, ...]

    @property
    def active(self) -> bool:
        """Open and not suspended: the items that findings apply to."""
        return self.status in ACTIVE_STATES

    @property
    def deadline_met(self) -> bool:
        """Reported complete by the effective deadline: not overdue (nor due soon) while under review."""
        return self.status == "reported" and self.completion is not None and self.completion <= self.effective


def _deadline_reasons(facts: _Facts, settings: Settings, calendar: WorkCalendar) -> list[Reason]:
    if not facts.active or facts.deadline_met:
        return []
    days_left = (facts.effective - facts.as_of).days
    deadline = facts.effective.isoformat()
    if days_left < 0:
        workdays = calendar.workdays_between(facts.effective, facts.as_of)
        args = {"days": -days_left, "workdays": workdays, "deadline": deadline}
        return [Reason("overdue", args, "overdue", ("deadline",))]
    if days_left <= settings.due_soon_days:
        code = "due_today" if days_left == 0 else "due_soon"
        return [Reason(code, {"days": days_left, "deadline": deadline}, "due_soon", ("deadline",))]
    return []


def _milestone_reasons(facts: _Facts) -> list[Reason]:
    return [
        Reason(
            "milestone_overdue",
            {"name": m.name, "due": m.due.isoformat()},
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
    updates = facts.updates
    if updates.latest is None:
        return [Reason("feedback_overdue_none", {"due": due.isoformat()}, "feedback_overdue", ("assigned",))]
    return [
        Reason(
            "feedback_overdue",
            {"due": due.isoformat(), "last": updates.latest.isoformat()},
            "feedback_overdue",
            ("updates", updates.latest_index or 0, "date"),
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
    return Reason(code, args, "behind_pace", ("indicators", ind.index, "actual"))


def _indicator_reasons(facts: _Facts) -> list[Reason]:
    return [_indicator_reason(ind) for ind in facts.indicators if ind.behind != "none"]


def _extension_reasons(facts: _Facts) -> list[Reason]:
    if not facts.active or facts.pending is None:
        return []
    index, extension = facts.pending
    args = {"to": extension["to"], "requested": extension["requested"]}
    return [Reason("extension_pending", args, "extension_pending", ("extensions", index, "decision"))]


def _num(value: float) -> str:
    return number(round(value, 1))


def _finding_reasons(facts: _Facts, settings: Settings, calendar: WorkCalendar) -> list[Reason]:
    """The reasons behind every finding, in FINDINGS order."""
    reasons = (
        _deadline_reasons(facts, settings, calendar)
        + _milestone_reasons(facts)
        + _feedback_reasons(facts, settings)
        + _indicator_reasons(facts)
        + _extension_reasons(facts)
    )
    return sorted(reasons, key=lambda r: FINDINGS.index(r.finding or ""))


def _closed_reason(facts: _Facts) -> Reason:
    """The one reason of an item without findings: done, cancelled, suspended, awaiting review or on track."""
    if facts.status == "cancelled":
        return Reason("cancelled")
    if facts.status == "suspended":
        return Reason("suspended", path=("status",))
    if facts.status == "completed" and facts.completion is not None:
        late = (facts.completion - facts.effective).days
        args = {"date": facts.completion.isoformat(), "days": late}
        return Reason(
            "completed_late" if late > 0 else "completed_on_time", args, path=("completion", "date")
        )
    if facts.deadline_met and facts.completion is not None:
        return Reason("reported", {"date": facts.completion.isoformat()}, path=("completion", "date"))
    return Reason("on_track", {"deadline": facts.effective.isoformat()}, path=("deadline",))


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


def _facts(task: TaskFile, settings: Settings, as_of: dt.date) -> _Facts:
    data = task.data
    status = status_as_of(data, as_of)
    assigned = _required(data["assigned"], "assigned")
    effective, approved = effective_deadline(data, as_of)
    active = status in ACTIVE_STATES
    updates = _updates(data, as_of)
    cycle = data.get("report_every", settings.report_every)
    # 报办结 is the unit's last report: while the office reviews it, no further progress report is due.
    expects_reports = active and status != "reported"
    elapsed = time_elapsed(assigned, effective, as_of)
    return _Facts(
        status=status,
        as_of=as_of,
        assigned=assigned,
        effective=effective,
        approved=approved,
        cycle=cycle,
        completion=_happened((data.get("completion") or {}).get("date"), as_of),
        updates=updates,
        next_due=next_report_due(cycle, updates.latest or assigned) if expects_reports else None,
        pending=pending_extension(data, as_of),
        milestones=_milestones(data, as_of, active),
        indicators=tuple(
            _indicator(i, raw, elapsed, as_of, settings, active)
            for i, raw in enumerate(data.get("indicators", []))
        ),
    )


def _worst(levels: Iterable[str]) -> str:
    return max(levels, key=BEHIND_LEVELS.index, default="none")


def _days_late(facts: _Facts) -> int | None:
    """Completed items: days the completion came after the effective deadline (0 when on time)."""
    if facts.status != "completed" or facts.completion is None:
        return None
    return max(0, (facts.completion - facts.effective).days)


def _overdue_numbers(reasons: list[Reason]) -> tuple[int, int]:
    overdue = [r for r in reasons if r.finding == "overdue"]
    return (overdue[0].args["days"], overdue[0].args["workdays"]) if overdue else (0, 0)


def evaluate_task(task: TaskFile, settings: Settings, calendar: WorkCalendar, as_of: dt.date) -> TaskState:
    """One item as of `as_of`. It does not check that the item existed then: `evaluate` leaves those out."""
    data, facts = task.data, _facts(task, settings, as_of)
    reasons = _finding_reasons(facts, settings, calendar)
    present = {r.finding for r in reasons}
    findings = tuple(name for name in FINDINGS if name in present)
    pace = _worst(i.behind for i in facts.indicators)
    days_overdue, workdays_overdue = _overdue_numbers(reasons)
    days_late = _days_late(facts)
    reminders, latest_reminder = _reminders(data, as_of)
    pending = facts.pending if facts.status in OPEN_STATES else None
    return TaskState(
        id=task.id,
        title=data["title"],
        file=task.file,
        status=facts.status,
        light=light_of(facts.status, findings, pace),
        findings=findings,
        reasons=tuple(reasons) or (_closed_reason(facts),),
        assigned=facts.assigned,
        deadline=_day(data["deadline"]) or facts.effective,
        effective_deadline=facts.effective,
        days_left=(facts.effective - as_of).days,
        days_overdue=days_overdue,
        workdays_overdue=workdays_overdue,
        progress=facts.updates.progress,
        on_time=(days_late == 0) if days_late is not None else None,
        completion_date=facts.completion if facts.status in ("completed", "reported") else None,
        days_late=days_late,
        latest_update=facts.updates.latest,
        next_report_due=facts.next_due,
        report_every=facts.cycle,
        pending_extension=_day(pending[1]["to"]) if pending else None,
        extensions_approved=facts.approved,
        reminders=reminders,
        latest_reminder=latest_reminder,
        pace=pace,
        milestones=facts.milestones,
        indicators=facts.indicators,
        lead_unit=data["lead_unit"],
        co_units=tuple(data.get("co_units", [])),
        owner=data.get("owner"),
        leader=data.get("leader"),
        supervisor=data.get("supervisor"),
        priority=data.get("priority", "normal"),
    )


def evaluate(registry: Registry, as_of: dt.date) -> list[TaskState]:
    """Every item that existed on `as_of` (assigned on or before it), in id order."""
    settings, calendar = registry.settings, registry.calendar
    return [
        evaluate_task(task, settings, calendar, as_of)
        for task in registry.tasks.values()
        if assigned_by(task, as_of)
    ]


# --- the machine-readable view (CLI.md) ---

# The fields CLI.md fixes for `duban status --format json`, in its order; extra fields follow them.
JSON_FIELDS = (
    "id", "title", "status", "light", "findings", "effective_deadline", "days_left", "days_overdue",
    "workdays_overdue", "progress", "on_time",
)  # fmt: skip


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


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


def to_json(states: Iterable[TaskState], as_of: dt.date, language: str | None = None) -> dict[str, Any]:
    """`duban status --format json`: {"as_of", "tasks": [...]}; with `language`, reasons carry messages."""
    return {"as_of": as_of.isoformat(), "tasks": [task_json(s, language) for s in states]}
