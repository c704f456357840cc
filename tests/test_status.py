"""`duban status`: the terminal table, its filters, the engine's JSON (CLI.md) and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from duban.engine import JSON_FIELDS
from engine_helpers import report_tasks, run, write_registry

AS_OF = "2026-07-10"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_registry(tmp_path / "registry", report_tasks())


def status(root: Path, *args: str) -> str:
    result = run(["status", "--root", str(root), "--as-of", AS_OF, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def status_json(root: Path, *args: str) -> Any:
    return json.loads(status(root, "--format", "json", *args))


def test_json_matches_cli_md(root: Path) -> None:
    data = status_json(root)
    assert list(data) == ["as_of", "tasks"] and data["as_of"] == AS_OF
    assert [t["id"] for t in data["tasks"]] == [f"DB-2026-{n:04d}" for n in range(1, 11)]
    for item in data["tasks"]:
        assert list(item)[: len(JSON_FIELDS)] == list(JSON_FIELDS)
    by_id = {t["id"]: t for t in data["tasks"]}
    overdue = by_id["DB-2026-0004"]
    assert {k: overdue[k] for k in JSON_FIELDS} == {
        "id": "DB-2026-0004",
        "title": "督办事项 DB-2026-0004",
        "status": "in_progress",
        "light": "red",
        "findings": ["overdue"],
        "effective_deadline": "2026-06-25",
        "days_left": -15,
        "days_overdue": 15,
        "workdays_overdue": 11,
        "progress": 40,
        "on_time": None,
    }
    assert (by_id["DB-2026-0002"]["light"], by_id["DB-2026-0002"]["on_time"]) == ("done", False)
    assert by_id["DB-2026-0007"]["light"] == "cancelled"
    assert by_id["DB-2026-0006"]["effective_deadline"] == "2026-09-30"


def test_json_as_of_the_past(root: Path) -> None:
    data = status_json(root, "--as-of", "2026-06-01")
    ids = [t["id"] for t in data["tasks"]]
    assert "DB-2026-0003" not in ids  # assigned 2026-06-05: not yet
    by_id = {t["id"]: t for t in data["tasks"]}
    assert (by_id["DB-2026-0001"]["status"], by_id["DB-2026-0001"]["light"]) == ("in_progress", "green")


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--light", "red"], ["DB-2026-0004", "DB-2026-0010"]),
        (["--light", "red", "--unit", "education"], ["DB-2026-0010"]),
        (["--unit", "finance"], ["DB-2026-0007", "DB-2026-0008"]),
        (["--light", "done", "--light", "cancelled", "--unit", "finance"], ["DB-2026-0007"]),
        (["--finding", "overdue", "--leader", "li-ming"], ["DB-2026-0004", "DB-2026-0010"]),
    ],
)
def test_filters(root: Path, args: list[str], ids: list[str]) -> None:
    assert [t["id"] for t in status_json(root, *args)["tasks"]] == ids


@pytest.mark.parametrize(("option", "value"), [("--unit", "nowhere"), ("--leader", "nobody")])
def test_an_unknown_unit_or_person_is_a_usage_error(root: Path, option: str, value: str) -> None:
    result = run(["status", "--root", str(root), option, value])
    assert result.exit_code == 2
    assert value in result.output and "Traceback" not in result.output


def test_text_table_red_first(root: Path) -> None:
    lines = status(root).splitlines()
    assert lines[0].split() == [
        "灯",
        "编号",
        "事项名称",
        "牵头单位",
        "责任人",
        "办结时限",
        "剩余/逾期",
        "进度",
    ]
    rows = [line for line in lines[1:] if "DB-2026-" in line]
    assert [row.split()[2] for row in rows[:2]] == ["DB-2026-0004", "DB-2026-0010"]
    assert rows[0].split()[1] == "红灯"
    assert "逾期 15 天" in rows[0] and "住建局" in rows[0] and "张伟" in rows[0]
    assert lines[-1] == "共 10 项（截至 2026-07-10）：红灯 2，绿灯 4，已办结 3，已撤销 1"


def test_verbose_shows_the_reasons(root: Path) -> None:
    output = status(root, "--light", "red", "-v")
    assert "已逾期 15 天（11 个工作日），办结时限 2026-06-25" in output


def test_english_table(tmp_path: Path) -> None:
    root = write_registry(tmp_path, report_tasks(), settings={"language": "en"})
    lines = status(root, "--light", "red").splitlines()
    assert lines[0].split()[:3] == ["light", "id", "title"]
    assert "15d overdue" in lines[1]
    assert lines[-1] == "2 items as of 2026-07-10: 2 red"


def test_csv_reads_back(root: Path) -> None:
    result = run(["status", "--root", str(root), "--as-of", AS_OF, "--format", "csv"])
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert len(rows) == 10
    row = next(r for r in rows if r["id"] == "DB-2026-0004")
    assert (row["light"], row["days_overdue"], row["findings"], row["owner_name"], row["on_time"]) == (
        "red",
        "15",
        "overdue",
        "张伟",
        "",
    )
    assert next(r for r in rows if r["id"] == "DB-2026-0001")["on_time"] == "true"


def test_a_registry_with_errors_exits_1(root: Path) -> None:
    (root / "tasks" / "DB-2026-0001.yaml").write_text("id: DB-2026-0001\n", encoding="utf-8")
    result = run(["status", "--root", str(root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
