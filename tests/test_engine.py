"""The deadline engine: a table of (task, as-of date) → expected state, then the rules a row cannot hold."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duban import clock, wording
from duban.dates import WorkCalendar
from duban.engine import JSON_FIELDS, TaskState, evaluate, to_json
from duban.registry import Registry, TaskFile
from duban.settings import FINDINGS, Settings
from engine_helpers import CALENDAR_2026, D, state, task, write_registry

APPROVED = {
    "requested": "2026-06-20",
    "to": "2026-08-31",
    "reason": "汛期",
    "decision": "approved",
    "decided": "2026-06-22",
    "by": "li-ming",
}
PENDING = {"requested": "2026-06-20", "to": "2026-08-31", "reason": "汛期", "decision": "pending"}
REJECTED = {**APPROVED, "decision": "rejected"}
DONE_ON_TIME = {"date": "2026-06-28", "summary": "已完成"}
DONE_LATE = {"date": "2026-07-05", "summary": "已完成"}


def indicator(actual: float, target: float = 100, **fields: Any) -> dict[str, Any]:
    return {"name": "改造小区数量", "unit": "个", "target": target, "actual": actual, **fields}


# A 100-day item (2026-01-01 → 2026-04-11): on 2026-02-20, half of its time is gone (pace 50%).
PACED = {"assigned": "2026-01-01", "deadline": "2026-04-11"}


def case(
    name: str, as_of: str, light: str, findings: str, fields: dict[str, Any] | None = None, **numbers: Any
) -> Any:
    """One row of the engine table: the task's fields, the as-of date, and what the engine must say."""
    return pytest.param(fields or {}, as_of, light, tuple(findings.split()), numbers, id=name)


CASES = [
    case("on track", "2026-03-01", "green", "", days_left=121, days_overdue=0, status="in_progress"),
    case("8 days left is not yet due soon", "2026-06-22", "green", "", days_left=8),
    case("7 days left is due soon", "2026-06-23", "yellow", "due_soon", days_left=7),
    case(
        "the last day is due soon, not overdue",
        "2026-06-30",
        "yellow",
        "due_soon",
        days_left=0,
        days_overdue=0,
        workdays_overdue=0,
    ),
    case("one day overdue", "2026-07-01", "red", "overdue", days_left=-1, days_overdue=1, workdays_overdue=1),
    case("overdue over a weekend", "2026-07-05", "red", "overdue", days_overdue=5, workdays_overdue=3),
    case(
        "workdays across the Spring Festival and two make-up Saturdays",
        "2026-03-01",
        "red",
        "overdue",
        {"deadline": "2026-02-13"},
        days_overdue=16,
        workdays_overdue=6,
    ),
    case(
        "status assigned is overdue too",
        "2026-07-02",
        "red",
        "overdue",
        {"status": "assigned"},
        status="assigned",
        days_overdue=2,
    ),
    # --- extensions: approved, pending, rejected; decisions dated later
    case(
        "approved extension moves the deadline",
        "2026-07-15",
        "green",
        "",
        {"extensions": [APPROVED]},
        effective_deadline=D("2026-08-31"),
        deadline=D("2026-06-30"),
        days_left=47,
        extensions_approved=1,
        pending_extension=None,
    ),
    case(
        "approval dated later is still pending that day",
        "2026-06-21",
        "yellow",
        "extension_pending",
        {"extensions": [APPROVED]},
        effective_deadline=D("2026-06-30"),
        extensions_approved=0,
        pending_extension=D("2026-08-31"),
    ),
    case(
        "pending extension does not stop overdue",
        "2026-07-02",
        "red",
        "overdue extension_pending",
        {"extensions": [PENDING]},
        days_overdue=2,
        pending_extension=D("2026-08-31"),
    ),
    case(
        "rejected extension",
        "2026-07-02",
        "red",
        "overdue",
        {"extensions": [REJECTED]},
        effective_deadline=D("2026-06-30"),
        pending_extension=None,
        extensions_approved=0,
    ),
    case(
        "rejection dated later is still pending that day",
        "2026-06-21",
        "yellow",
        "extension_pending",
        {"extensions": [REJECTED]},
    ),
    case(
        "extension requested later does not exist yet",
        "2026-06-19",
        "green",
        "",
        {"extensions": [PENDING]},
        pending_extension=None,
    ),
    case(
        "the last approved extension counts",
        "2026-09-01",
        "green",
        "",
        {
            "extensions": [
                APPROVED,
                {**APPROVED, "requested": "2026-08-20", "to": "2026-10-31", "decided": "2026-08-25"},
            ]
        },
        effective_deadline=D("2026-10-31"),
        extensions_approved=2,
    ),
    # --- completion and review
    case(
        "completed on time",
        "2026-07-10",
        "done",
        "",
        {"status": "completed", "completion": DONE_ON_TIME},
        on_time=True,
        days_late=0,
        completion_date=D("2026-06-28"),
        days_overdue=0,
    ),
    case(
        "completed late",
        "2026-07-10",
        "done",
        "",
        {"status": "completed", "completion": DONE_LATE},
        on_time=False,
        days_late=5,
        days_overdue=0,
    ),
    case(
        "completed within an approved extension is on time",
        "2026-07-10",
        "done",
        "",
        {"status": "completed", "completion": DONE_LATE, "extensions": [APPROVED]},
        on_time=True,
        days_late=0,
    ),
    case(
        "completion dated later: still open that day",
        "2026-07-02",
        "red",
        "overdue",
        {"status": "completed", "completion": DONE_LATE},
        status="in_progress",
        on_time=None,
        completion_date=None,
    ),
    case(
        "reported on time is not overdue under review",
        "2026-07-10",
        "green",
        "",
        {"status": "reported", "completion": DONE_ON_TIME},
        status="reported",
        days_overdue=0,
        on_time=None,
        completion_date=D("2026-06-28"),
    ),
    case(
        "reported on time is not due soon either",
        "2026-06-29",
        "green",
        "",
        {"status": "reported", "completion": DONE_ON_TIME},
    ),
    case(
        "reported late is overdue",
        "2026-07-10",
        "red",
        "overdue",
        {"status": "reported", "completion": DONE_LATE},
        status="reported",
        days_overdue=10,
    ),
    case(
        "reported without a completion date is judged by the deadline",
        "2026-07-10",
        "red",
        "overdue",
        {"status": "reported"},
        status="reported",
    ),
    case(
        "report dated later: in progress that day",
        "2026-07-03",
        "red",
        "overdue",
        {"status": "reported", "completion": DONE_LATE},
        status="in_progress",
    ),
    # --- suspended and cancelled
    case(
        "suspended: grey, no findings",
        "2026-07-10",
        "grey",
        "",
        {"status": "suspended", "extensions": [PENDING]},
        days_overdue=0,
        workdays_overdue=0,
        days_left=-10,
        pending_extension=D("2026-08-31"),
    ),
    case("cancelled: apart", "2026-07-10", "cancelled", "", {"status": "cancelled"}, days_overdue=0),
    # --- milestones
    case(
        "milestone due today is not overdue",
        "2026-03-31",
        "green",
        "",
        {"milestones": [{"name": "摸底", "due": "2026-03-31"}]},
    ),
    case(
        "milestone past due without done",
        "2026-04-01",
        "yellow",
        "milestone_overdue",
        {"milestones": [{"name": "摸底", "due": "2026-03-31"}]},
    ),
    case(
        "milestone done later is not done yet",
        "2026-04-02",
        "yellow",
        "milestone_overdue",
        {"milestones": [{"name": "摸底", "due": "2026-03-31", "done": "2026-04-05"}]},
    ),
    case(
        "milestone done late, once done",
        "2026-04-06",
        "green",
        "",
        {"milestones": [{"name": "摸底", "due": "2026-03-31", "done": "2026-04-05"}]},
    ),
    # --- feedback cycles (assigned 2026-01-05, grace 3 days)
    case(
        "monthly, no update: due 02-05, late after 02-08",
        "2026-02-08",
        "green",
        "",
        {"report_every": "monthly"},
        next_report_due=D("2026-02-05"),
    ),
    case(
        "monthly, no update, a day later",
        "2026-02-09",
        "yellow",
        "feedback_overdue",
        {"report_every": "monthly"},
        next_report_due=D("2026-02-05"),
        latest_update=None,
    ),
    case(
        "the settings' cycle when the task sets none",
        "2026-02-09",
        "yellow",
        "feedback_overdue",
        {"report_every": None},
        report_every="monthly",
    ),
    case(
        "monthly from 01-31 is due 02-28 (clamped)",
        "2026-03-03",
        "green",
        "",
        {"report_every": "monthly", "updates": [{"date": "2026-01-31", "text": "摸底", "progress": 10}]},
        next_report_due=D("2026-02-28"),
        latest_update=D("2026-01-31"),
        progress=10,
    ),
    case(
        "monthly from 01-31, late on 03-04",
        "2026-03-04",
        "yellow",
        "feedback_overdue",
        {"report_every": "monthly", "updates": [{"date": "2026-01-31", "text": "摸底"}]},
    ),
    case(
        "weekly",
        "2026-03-12",
        "yellow",
        "feedback_overdue",
        {"report_every": "weekly", "updates": [{"date": "2026-03-01", "text": "x"}]},
        next_report_due=D("2026-03-08"),
    ),
    case(
        "biweekly",
        "2026-03-18",
        "green",
        "",
        {"report_every": "biweekly", "updates": [{"date": "2026-03-01", "text": "x"}]},
        next_report_due=D("2026-03-15"),
    ),
    case(
        "quarterly",
        "2026-04-09",
        "yellow",
        "feedback_overdue",
        {"report_every": "quarterly"},
        next_report_due=D("2026-04-05"),
    ),
    case(
        "none never reports late", "2026-06-01", "green", "", {"report_every": "none"}, next_report_due=None
    ),
    case(
        "updates dated later have not been made",
        "2026-02-24",
        "yellow",
        "feedback_overdue",
        {
            "report_every": "monthly",
            "updates": [
                {"date": "2026-01-20", "text": "a", "progress": 10},
                {"date": "2026-03-01", "text": "b", "progress": 30},
            ],
        },
        latest_update=D("2026-01-20"),
        progress=10,
    ),
    case(
        "the latest progress, skipping updates without one",
        "2026-03-01",
        "green",
        "",
        {
            "updates": [
                {"date": "2026-01-20", "text": "a", "progress": 10},
                {"date": "2026-02-01", "text": "b"},
            ]
        },
        latest_update=D("2026-02-01"),
        progress=10,
    ),
    case(
        "a reported item owes no more reports",
        "2026-07-10",
        "green",
        "",
        {"report_every": "weekly", "status": "reported", "completion": DONE_ON_TIME},
        next_report_due=None,
    ),
    # --- indicators: PACED is half-way on 2026-02-20 (pace 50%)
    case(
        "10 points behind does not exceed 10",
        "2026-02-20",
        "green",
        "",
        {**PACED, "indicators": [indicator(40)]},
        pace="none",
    ),
    case(
        "10.5 points behind: yellow",
        "2026-02-20",
        "yellow",
        "behind_pace",
        {**PACED, "indicators": [indicator(39.5)]},
        pace="yellow",
    ),
    case(
        "30 points behind: still yellow",
        "2026-02-20",
        "yellow",
        "behind_pace",
        {**PACED, "indicators": [indicator(20)]},
        pace="yellow",
    ),
    case(
        "31 points behind: red",
        "2026-02-20",
        "red",
        "behind_pace",
        {**PACED, "indicators": [indicator(19)]},
        pace="red",
    ),
    case(
        "baseline counts",
        "2026-02-20",
        "yellow",
        "behind_pace",
        {**PACED, "indicators": [indicator(30, 110, baseline=10)]},
        pace="yellow",
    ),
    case(
        "better lower: 100 → 50, at 80 is 40%",
        "2026-02-20",
        "green",
        "",
        {**PACED, "indicators": [indicator(80, 50, baseline=100, better="lower")]},
        pace="none",
    ),
    case(
        "better lower: at 81 is 38%",
        "2026-02-20",
        "yellow",
        "behind_pace",
        {**PACED, "indicators": [indicator(81, 50, baseline=100, better="lower")]},
        pace="yellow",
    ),
    case(
        "the worst indicator decides",
        "2026-02-20",
        "red",
        "behind_pace",
        {**PACED, "indicators": [indicator(60), indicator(10)]},
        pace="red",
    ),
    case(
        "a reading dated later is not known yet",
        "2026-02-20",
        "green",
        "",
        {**PACED, "indicators": [indicator(10, as_of="2026-03-01")]},
        pace="none",
    ),
    case(
        "level below target",
        "2026-03-01",
        "yellow",
        "behind_pace",
        {"indicators": [indicator(5.8, 6, measure="level")]},
        pace="yellow",
    ),
    case("level on target", "2026-03-01", "green", "", {"indicators": [indicator(6, 6, measure="level")]}),
    case(
        "level, better lower, above target",
        "2026-03-01",
        "yellow",
        "behind_pace",
        {"indicators": [indicator(36, 35, measure="level", better="lower")]},
    ),
    case(
        "level, better lower, below target",
        "2026-03-01",
        "green",
        "",
        {"indicators": [indicator(30, 35, measure="level", better="lower")]},
    ),
    case(
        "done items have no pace",
        "2026-02-20",
        "done",
        "",
        {
            **PACED,
            "status": "completed",
            "completion": {"date": "2026-02-01", "summary": "x"},
            "indicators": [indicator(10)],
        },
        pace="none",
        on_time=True,
    ),
    case(
        "everything at once: red before yellow",
        "2026-07-01",
        "red",
        "overdue milestone_overdue feedback_overdue behind_pace extension_pending",
        {
            "report_every": "weekly",
            "extensions": [PENDING],
            "milestones": [{"name": "m", "due": "2026-05-01"}],
            **PACED,
            "deadline": "2026-06-30",
            "indicators": [indicator(1)],
        },
    ),
]


@pytest.mark.parametrize(("fields", "as_of", "light", "findings", "numbers"), CASES)
def test_engine_table(
    fields: dict[str, Any], as_of: str, light: str, findings: tuple[str, ...], numbers: dict[str, Any]
) -> None:
    result = state(task(**fields), as_of)
    assert (result.light, result.findings) == (light, findings)
    for name, expected in numbers.items():
        assert getattr(result, name) == expected, name


def test_every_finding_light_and_state_is_covered() -> None:
    results = [state(task(**c.values[0]), c.values[1]) for c in CASES]
    assert {f for r in results for f in r.findings} == set(FINDINGS)
    assert {r.light for r in results} == {"red", "yellow", "green", "grey", "done", "cancelled"}
    raw_states = {c.values[0].get("status", "in_progress") for c in CASES}
    assert raw_states == {"assigned", "in_progress", "reported", "suspended", "completed", "cancelled"}


def test_without_a_calendar_monday_to_friday() -> None:
    result = state(task(deadline="2026-02-13"), "2026-03-01", calendar=WorkCalendar())
    assert (result.days_overdue, result.workdays_overdue) == (16, 10)


def test_settings_change_the_bounds() -> None:
    settings = Settings(due_soon_days=10, pace_yellow_points=5, pace_red_points=15)
    assert state(task(), "2026-06-20", settings).findings == ("due_soon",)
    assert state(task(**PACED, indicators=[indicator(44)]), "2026-02-20", settings).pace == "yellow"
    assert state(task(**PACED, indicators=[indicator(34)]), "2026-02-20", settings).pace == "red"


def test_indicator_numbers() -> None:
    result = state(task(**PACED, indicators=[indicator(81, 50, baseline=100, better="lower")]), "2026-02-20")
    (ind,) = result.indicators
    assert (ind.progress, ind.pace, ind.behind, ind.known) == (38.0, 50.0, "yellow", True)


def test_target_equal_to_baseline_is_skipped_not_a_crash() -> None:
    result = state(
        task(indicators=[indicator(5, 0)]), "2026-03-01"
    )  # a problem in the file, reported elsewhere
    assert result.indicators[0].progress is None
    assert result.light == "green"


def test_milestone_states() -> None:
    milestones = [
        {"name": "a", "due": "2026-03-31", "done": "2026-03-20"},
        {"name": "b", "due": "2026-04-30"},
    ]
    result = state(task(milestones=milestones), "2026-05-02")
    assert [(m.name, m.done, m.overdue) for m in result.milestones] == [
        ("a", D("2026-03-20"), False),
        ("b", None, True),
    ]


def test_reminders_so_far() -> None:
    reminders = [{"date": "2026-03-05", "by": "chen-jing"}, {"date": "2026-04-05"}, {"date": "2026-05-05"}]
    result = state(task(reminders=reminders), "2026-04-30")
    assert (result.reminders, result.latest_reminder) == (2, D("2026-04-05"))


def test_reasons_in_both_languages() -> None:
    result = state(task(), "2026-07-05")
    (reason,) = result.reasons
    assert (reason.code, reason.finding, reason.path) == ("overdue", "overdue", ("deadline",))
    assert reason.message("zh-CN") == "已逾期 5 天（3 个工作日），办结时限 2026-06-30"
    assert reason.message("en") == "overdue by 5 days (3 workdays); deadline 2026-06-30"
    assert (
        state(task(), "2026-07-01").reasons[0].message("en")
        == "overdue by 1 day (1 workday); deadline 2026-06-30"
    )


def test_every_state_has_a_reason_that_renders() -> None:
    for c in CASES:
        for reason in state(task(**c.values[0]), c.values[1]).reasons:
            assert reason.code in wording.REASONS
            for language in ("zh-CN", "en"):
                assert "{" not in reason.message(language)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(
    "table", [wording.REASONS, wording.LIGHT_NAMES, wording.STATUS_NAMES, wording.FINDING_NAMES]
)
def test_wording_has_both_languages_with_the_same_fields(table: dict[str, dict[str, str]]) -> None:
    for code, texts in table.items():
        assert set(texts) == {"zh-CN", "en"}, code
        assert _fields(texts["zh-CN"]) == _fields(texts["en"]), code


def test_wording_covers_every_light_state_and_finding() -> None:
    assert set(wording.FINDING_NAMES) == set(FINDINGS)
    assert set(wording.LIGHT_NAMES) == {"red", "yellow", "green", "grey", "done", "cancelled"}


# --- the registry as a whole ---


def _registry(*tasks: dict[str, Any]) -> Registry:
    registry = Registry(root=Path(), settings=Settings(), calendar=CALENDAR_2026)
    registry.tasks = {t["id"]: TaskFile.of(t["id"], f"tasks/{t['id']}.yaml", t) for t in tasks}
    return registry


def test_items_assigned_later_do_not_exist_yet() -> None:
    registry = _registry(task("A-1", assigned="2026-01-05"), task("A-2", assigned="2026-07-01"))
    assert [s.id for s in evaluate(registry, D("2026-06-30"))] == ["A-1"]
    assert [s.id for s in evaluate(registry, D("2026-07-01"))] == ["A-1", "A-2"]


def test_the_past_is_reproduced() -> None:
    """An item completed on 2026-07-02 was overdue, and open, on 2026-07-01."""
    data = task(
        status="completed",
        completion={"date": "2026-07-02", "summary": "x"},
        updates=[
            {"date": "2026-05-01", "text": "a", "progress": 60},
            {"date": "2026-07-02", "text": "b", "progress": 100},
        ],
    )
    registry = _registry(data)
    then, now = evaluate(registry, D("2026-07-01"))[0], evaluate(registry, D("2026-07-10"))[0]
    assert (then.status, then.light, then.progress, then.days_overdue) == ("in_progress", "red", 60, 1)
    assert (now.status, now.light, now.progress, now.on_time, now.days_late) == (
        "completed",
        "done",
        100,
        False,
        2,
    )


def test_status_json_matches_cli_md() -> None:
    registry = _registry(task("A-1"), task("A-2", status="completed", completion=DONE_ON_TIME))
    document = to_json(evaluate(registry, D("2026-07-03")), D("2026-07-03"), "zh-CN")
    assert document["as_of"] == "2026-07-03"
    first, second = document["tasks"]
    assert tuple(first)[: len(JSON_FIELDS)] == JSON_FIELDS
    assert {k: first[k] for k in JSON_FIELDS} == {
        "id": "A-1",
        "title": "督办事项 A-1",
        "status": "in_progress",
        "light": "red",
        "findings": ["overdue"],
        "effective_deadline": "2026-06-30",
        "days_left": -3,
        "days_overdue": 3,
        "workdays_overdue": 3,
        "progress": None,
        "on_time": None,
    }
    assert (second["light"], second["on_time"], second["days_overdue"]) == ("done", True, 0)
    assert first["reasons"][0]["message"].startswith("已逾期 3 天")
    json.dumps(document)  # every value is JSON


# --- the calendar formula ---


def _naive_workdays(calendar: WorkCalendar, after: dt.date, until: dt.date) -> int:
    count, day = 0, after + dt.timedelta(days=1)
    while day <= until:
        count += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return count


@given(st.dates(dt.date(2025, 6, 1), dt.date(2027, 6, 1)), st.integers(-30, 800))
def test_workdays_between_matches_counting_day_by_day(after: dt.date, span: int) -> None:
    until = after + dt.timedelta(days=span)
    assert CALENDAR_2026.workdays_between(after, until) == _naive_workdays(CALENDAR_2026, after, until)


# --- "today" in the registry's timezone ---


def test_today_is_in_the_registry_timezone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.NOW_VARIABLE, "2026-06-30T20:00:00+00:00")
    assert clock.today_in("Asia/Shanghai") == D("2026-07-01")
    assert clock.today_in("UTC") == D("2026-06-30")


@pytest.mark.parametrize(
    ("now", "light", "days_left"),
    [("2026-06-30T15:59:00+00:00", "yellow", 0), ("2026-06-30T16:00:00+00:00", "red", -1)],
)
def test_the_timezone_edge_through_the_command_line(
    tmp_path: Path, now: str, light: str, days_left: int
) -> None:
    """On a UTC machine at 16:00 it is already midnight in Shanghai: the item is overdue there."""
    from engine_helpers import run

    write_registry(tmp_path, [task()])
    result = run(["status", "--root", str(tmp_path), "--format", "json"], env={"DUBAN_NOW": now, "TZ": "UTC"})
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.output)["tasks"]
    assert (item["light"], item["days_left"]) == (light, days_left)


def test_task_state_is_frozen() -> None:
    result: TaskState = state(task(), "2026-03-01")
    with pytest.raises(AttributeError):
        result.light = "red"  # type: ignore[misc]
