"""Helpers for the engine, check, status and report tests: tasks as data, registries as files in tmp_path."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from duban.cli import cli
from duban.dates import WorkCalendar
from duban.engine import TaskState, evaluate_task
from duban.registry import TaskFile
from duban.settings import Settings

D = dt.date.fromisoformat

# The 2026 holidays and make-up workdays (国办发明电〔2025〕7号), as calendar/2026.yaml writes them.
HOLIDAYS_2026 = [
    "2026-01-01",
    "2026-01-02",
    "2026-02-16",
    "2026-02-17",
    "2026-02-18",
    "2026-02-19",
    "2026-02-20",
    "2026-02-23",
    "2026-04-06",
    "2026-05-01",
    "2026-05-04",
    "2026-05-05",
    "2026-06-19",
    "2026-09-25",
    "2026-10-01",
    "2026-10-02",
    "2026-10-05",
    "2026-10-06",
    "2026-10-07",
]
WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
CALENDAR_2026 = WorkCalendar.from_lists([2026], map(D, HOLIDAYS_2026), map(D, WORKDAYS_2026))

UNITS = [
    {"id": "gov", "name": "江州市人民政府", "short": "市政府"},
    {"id": "housing", "name": "江州市住房和城乡建设局", "short": "住建局", "parent": "gov"},
    {"id": "education", "name": "江州市教育局", "short": "教育局", "parent": "gov"},
    {"id": "finance", "name": "江州市财政局", "short": "财政局", "parent": "gov"},
]
PEOPLE = [
    {"id": "zhang-wei", "name": "张伟", "unit": "housing", "title": "副局长"},
    {"id": "li-ming", "name": "李明", "unit": "gov", "title": "副市长"},
    {"id": "chen-jing", "name": "陈静", "unit": "gov"},
    {"id": "feng-chao", "name": "冯超", "unit": "education"},
]
SETTINGS = {
    "title": "市政府办公室督查督办",
    "organization": "江州市人民政府办公室",
    "timezone": "Asia/Shanghai",
}


def task(task_id: str = "DB-2026-0001", **fields: Any) -> dict[str, Any]:
    """A valid task; `report_every: none` unless given, so that only the finding under test shows."""
    data: dict[str, Any] = {
        "id": task_id,
        "title": f"督办事项 {task_id}",
        "source": {"type": "leader-instruction"},
        "lead_unit": "housing",
        "owner": "zhang-wei",
        "leader": "li-ming",
        "assigned": "2026-01-05",
        "deadline": "2026-06-30",
        "report_every": "none",
        "status": "in_progress",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def state(
    data: dict[str, Any],
    as_of: str,
    settings: Settings | None = None,
    calendar: WorkCalendar = CALENDAR_2026,
) -> TaskState:
    """The engine's verdict on one task given as data."""
    task_file = TaskFile.of(data["id"], f"tasks/{data['id']}.yaml", data)
    return evaluate_task(task_file, settings or Settings(), calendar, D(as_of))


def dump(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def write_registry(
    root: Path,
    tasks: Sequence[dict[str, Any]] = (),
    settings: Mapping[str, Any] | None = None,
    calendar: bool = True,
) -> Path:
    """A registry in `root`: duban.yaml, org/, calendar/2026.yaml (unless `calendar` is False), the tasks."""
    dump(root / "duban.yaml", {**SETTINGS, **(settings or {})})
    dump(root / "org" / "units.yaml", UNITS)
    dump(root / "org" / "people.yaml", PEOPLE)
    if calendar:
        dump(
            root / "calendar" / "2026.yaml",
            {"year": 2026, "holidays": HOLIDAYS_2026, "workdays": WORKDAYS_2026},
        )
    for data in tasks:
        dump(root / "tasks" / f"{data['id']}.yaml", data)
    return root


def run(args: Sequence[str], env: Mapping[str, str] | None = None) -> Result:
    """The real command line, in-process; GITHUB_ACTIONS is cleared unless `env` sets it."""
    environment = {"GITHUB_ACTIONS": None, "GITHUB_STEP_SUMMARY": None, "DUBAN_NOW": None, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` (an argument list, never a shell) and return its output."""
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, encoding="utf-8", check=True
    )
    return done.stdout


def git_repo(path: Path) -> Path:
    """An empty git repository with a user, on branch main."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "config", "user.name", "Test User")
    git(path, "config", "user.email", "test@example.org")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)


def report_tasks() -> list[dict[str, Any]]:
    """A small office for the report tests; the numbers it must give are worked out in test_reports.py."""
    done = {"summary": "已完成"}
    return [
        task(
            "DB-2026-0001",
            assigned="2026-03-01",
            deadline="2026-06-30",
            status="completed",
            completion={"date": "2026-06-15", **done},
        ),
        task(
            "DB-2026-0002",
            assigned="2026-03-01",
            deadline="2026-06-10",
            status="completed",
            completion={"date": "2026-06-20", **done},
        ),
        task(
            "DB-2026-0003",
            assigned="2026-06-05",
            deadline="2026-12-31",
            reminders=[{"date": "2026-06-10", "by": "chen-jing"}],
        ),
        task(
            "DB-2026-0004",
            assigned="2026-04-01",
            deadline="2026-06-25",
            updates=[{"date": "2026-06-01", "by": "zhang-wei", "text": "推进中", "progress": 40}],
            reminders=[{"date": "2026-05-10"}, {"date": "2026-06-28", "note": "请抓紧"}],
        ),
        task(
            "DB-2026-0005",
            lead_unit="education",
            owner="feng-chao",
            assigned="2026-02-01",
            deadline="2026-05-31",
            status="completed",
            completion={"date": "2026-05-20", **done},
        ),
        task(
            "DB-2026-0006",
            lead_unit="education",
            owner="feng-chao",
            assigned="2026-02-01",
            deadline="2026-06-30",
            extensions=[
                {
                    "requested": "2026-06-10",
                    "to": "2026-09-30",
                    "reason": "汛期影响",
                    "decision": "approved",
                    "decided": "2026-06-12",
                    "by": "li-ming",
                }
            ],
        ),
        task(
            "DB-2026-0007",
            lead_unit="finance",
            owner=None,
            assigned="2026-06-02",
            deadline="2026-06-20",
            status="cancelled",
        ),
        task("DB-2026-0008", lead_unit="finance", owner=None, assigned="2026-03-01", deadline="2026-12-31"),
        task(
            "DB-2026-0009",
            lead_unit="education",
            owner="feng-chao",
            assigned="2026-07-05",
            deadline="2026-08-31",
        ),
        task(
            "DB-2026-0010",
            lead_unit="education",
            owner="feng-chao",
            assigned="2026-04-01",
            deadline="2026-07-01",
        ),
    ]
