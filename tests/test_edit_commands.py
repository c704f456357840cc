"""The editing commands through the real CLI: what they write, what they refuse; a failure writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edit_helpers import COMMENTED, PLAIN, leftovers, make_registry, run, task_file, write


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_registry(tmp_path)


def text_of(root: Path, task_id: str, year: int = 2026) -> str:
    return task_file(root, task_id, year).read_text(encoding="utf-8")


# --- duban new ---------------------------------------------------------------------------------------------


def new(*extra: str) -> str:
    result = run("new", "--title", "整治背街小巷环境卫生", "--lead", "housing", *extra)
    assert result.exit_code == 0, result.output
    return result.output


def test_new_twice_gives_the_next_two_ids_and_both_validate(registry: Path) -> None:
    first = new("--deadline", "2027-03-31", "--assigned", "2027-01-05", "--as-of", "2027-01-05")
    second = new("--deadline", "2027-04-30", "--assigned", "2027-01-06", "--as-of", "2027-01-06")
    assert "已新建 tasks/2027/DB-2027-0001.yaml" in first
    assert 'git commit -m "DB-2027-0001: 新建督办事项 整治背街小巷环境卫生"' in first
    assert "tasks/2027/DB-2027-0002.yaml" in second
    text = text_of(registry, "DB-2027-0001", 2027)
    assert text.startswith("# yaml-language-server: $schema=../../schema/task.schema.json\nid: DB-2027-0001 ")
    assert "\nassigned: 2027-01-05 " in text and "\ndeadline: 2027-03-31 " in text
    assert "\nstatus: assigned " in text and "# 牵头单位\n" in text
    result = run("validate", "--as-of", "2027-01-06")
    assert result.exit_code == 0, result.output


def test_new_continues_after_the_highest_number_of_its_year(registry: Path) -> None:
    output = new("--deadline", "2026-12-31", "--as-of", "2026-11-28")
    assert "DB-2026-0003" in output  # DB-2026-0001 and -0002 exist
    write(task_file(registry, "DB-2026-0041"), PLAIN.replace("DB-2026-0002", "DB-2026-0041"))
    assert "DB-2026-0042" in new("--deadline", "2026-12-31", "--as-of", "2026-11-28")


def test_new_writes_every_given_field_in_format_order(registry: Path) -> None:
    new(
        "--deadline",
        "2026-12-31",
        "--assigned",
        "2026-11-02",
        "--owner",
        "zhang-wei",
        "--leader",
        "li-ming",
        "--supervisor",
        "chen-jing",
        "--source-type",
        "leader-instruction",
        "--source-ref",
        "市长批示〔2026〕3号",
        "--source-by",
        "li-ming",
        "--source-date",
        "2026-11-01",
        "--co-unit",
        "finance",
        "--co-unit",
        "planning",
        "--priority",
        "urgent",
        "--category",
        "专项督办",
        "--tag",
        "民生",
        "--report-every",
        "weekly",
        "--parent",
        "DB-2026-0001",
        "--description",
        "第一行\n第二行",
        "--as-of",
        "2026-11-02",
    )
    lines = [line.split(":")[0] for line in text_of(registry, "DB-2026-0003").splitlines()[1:]]
    keys = [line for line in lines if line and not line.startswith(" ")]
    assert keys == [
        "id",
        "title",
        "source",
        "category",
        "description",
        "priority",
        "lead_unit",
        "co_units",
        "owner",
        "leader",
        "supervisor",
        "parent",
        "assigned",
        "deadline",
        "report_every",
        "status",
        "tags",
    ]
    text = text_of(registry, "DB-2026-0003")
    assert "co_units: [finance, planning]" in text and "description: |\n  第一行\n  第二行\n" in text
    assert run("validate", "--as-of", "2026-11-02").exit_code == 0


def test_within_counts_workdays_with_the_calendar(registry: Path) -> None:
    # From Monday 2026-09-28: 09-29, 09-30, (National Day off), 10-08, 10-09, Saturday 10-10 (make-up day).
    output = new("--within", "5wd", "--assigned", "2026-09-28", "--as-of", "2026-09-28")
    assert "办结时限 2026-10-10" in output
    assert "\ndeadline: 2026-10-10 " in text_of(registry, "DB-2026-0003")
    output = new("--within", "30d", "--assigned", "2026-09-28", "--as-of", "2026-09-28")
    assert "办结时限 2026-10-28" in output


def test_within_days_ending_on_a_day_off_end_on_the_next_workday(registry: Path) -> None:
    # 2026-09-28 + 3 days is 10-01, National Day: the holiday runs to 10-07, so the span ends on 10-08.
    output = new("--within", "3d", "--assigned", "2026-09-28", "--as-of", "2026-09-28")
    assert "办结时限 2026-10-08" in output
    # 2026-11-02 (Monday) + 5 days is Saturday 11-07: the next workday is Monday 11-09.
    output = new("--within", "5d", "--assigned", "2026-11-02", "--as-of", "2026-11-02")
    assert "办结时限 2026-11-09" in output


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--deadline", "2026-12-31", "--within", "20wd"],
        ["--within", "twenty"],
        ["--within", "0wd"],
        ["--deadline", "2026-12-31", "--folder", "elsewhere"],
    ],
)
def test_new_usage_errors_exit_2(registry: Path, args: list[str]) -> None:
    result = run("new", "--title", "T", "--lead", "housing", *args)
    assert result.exit_code == 2, result.output
    assert not (registry / "tasks" / "2027").exists()


def test_new_with_an_unknown_unit_writes_nothing(registry: Path) -> None:
    result = run(
        "new", "--title", "T", "--lead", "housng", "--deadline", "2027-06-30", "--assigned", "2027-01-04"
    )
    assert result.exit_code == 1
    assert "unknown-unit" in result.output and "是否应为“housing”" in result.output
    assert not (registry / "tasks" / "2027").exists()
    assert leftovers(registry) == []


def test_new_goes_into_the_folder_asked_for(registry: Path) -> None:
    output = new("--deadline", "2026-12-31", "--folder", "tasks/专项/环境", "--as-of", "2026-11-28")
    assert "tasks/专项/环境/DB-2026-0003.yaml" in output
    path = registry / "tasks" / "专项" / "环境" / "DB-2026-0003.yaml"
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../../schema/")


# --- duban complete ----------------------------------------------------------------------------------------


def test_complete_reports_by_default(registry: Path) -> None:
    result = run(
        "complete", "DB-2026-0001", "--summary", "已完成全部 120 个小区改造", "--as-of", "2026-11-28"
    )
    assert result.exit_code == 0, result.output
    text = text_of(registry, "DB-2026-0001")
    assert "\nstatus: reported\n" in text
    # The comment that ends the file stays at the end.
    assert text.endswith(
        "completion:\n  date: 2026-11-28\n  summary: 已完成全部 120 个小区改造\n# 文件结束\n"
    )
    assert "状态改为“已报办结”" in result.output
    assert 'git commit -m "DB-2026-0001: 报办结 2026-11-28"' in result.output


def test_complete_with_verified_by_closes_the_item(registry: Path) -> None:
    result = run(
        "complete",
        "DB-2026-0001",
        "--summary",
        "完成",
        "--date",
        "2026-11-20",
        "--verified-by",
        "chen-jing",
        "--evidence",
        "验收报告=https://example.org/report.pdf",
        "--as-of",
        "2026-11-28",
    )
    assert result.exit_code == 0, result.output
    text = text_of(registry, "DB-2026-0001")
    assert "\nstatus: completed\n" in text
    assert text.endswith(
        "completion:\n  date: 2026-11-20\n  summary: 完成\n  evidence:\n    - title: 验收报告\n"
        "      url: https://example.org/report.pdf\n  verified_by: chen-jing\n# 文件结束\n"
    )
    assert "审核人 陈静" in result.output


def test_verifying_a_reported_item_keeps_its_report(registry: Path) -> None:
    assert run("complete", "DB-2026-0001", "--summary", "完成", "--as-of", "2026-11-20").exit_code == 0
    result = run("complete", "DB-2026-0001", "--verified-by", "chen-jing", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert text_of(registry, "DB-2026-0001").endswith(
        "completion:\n  date: 2026-11-20\n  summary: 完成\n  verified_by: chen-jing\n# 文件结束\n"
    )
    closed = run("update", "DB-2026-0001", "--text", "再报", "--as-of", "2026-11-29")
    assert closed.exit_code == 1 and "已经关闭" in closed.output


def test_complete_needs_a_summary_the_first_time(registry: Path) -> None:
    result = run("complete", "DB-2026-0001", "--as-of", "2026-11-28")
    assert result.exit_code == 1 and "--summary" in result.output


# --- duban extend ------------------------------------------------------------------------------------------


def test_extension_request_then_approval(registry: Path) -> None:
    request = run(
        "extend", "DB-2026-0002", "--to", "2026-12-31", "--reason", "规划审批周期长", "--as-of", "2026-09-20"
    )
    assert request.exit_code == 0, request.output
    assert "延期至 2026-12-31（待审批）" in request.output
    assert text_of(registry, "DB-2026-0002").endswith(
        "extensions:\n  - requested: 2026-09-20\n    to: 2026-12-31\n    reason: 规划审批周期长\n"
        "    decision: pending\n"
    )
    decision = run("extend", "DB-2026-0002", "--approve", "--by", "li-ming", "--as-of", "2026-09-25")
    assert decision.exit_code == 0, decision.output
    assert text_of(registry, "DB-2026-0002").endswith(
        "    decision: approved\n    decided: 2026-09-25\n    by: li-ming\n"
    )
    assert 'git commit -m "DB-2026-0002: 同意延期至 2026-12-31"' in decision.output
    again = run("extend", "DB-2026-0002", "--reject", "--by", "li-ming", "--as-of", "2026-09-26")
    assert again.exit_code == 1 and "没有待审批" in again.output


def test_a_request_and_its_rejection_at_once(registry: Path) -> None:
    result = run(
        "extend",
        "DB-2026-0002",
        "--to",
        "2026-12-31",
        "--reason",
        "理由",
        "--reject",
        "--by",
        "li-ming",
        "--date",
        "2026-09-20",
        "--as-of",
        "2026-09-21",
    )
    assert result.exit_code == 0, result.output
    assert text_of(registry, "DB-2026-0002").endswith(
        "    decision: rejected\n    decided: 2026-09-20\n    by: li-ming\n"
    )


def test_an_extension_must_move_the_deadline_later(registry: Path) -> None:
    before = task_file(registry, "DB-2026-0002").read_bytes()
    result = run("extend", "DB-2026-0002", "--to", "2026-09-01", "--reason", "理由", "--as-of", "2026-08-20")
    assert result.exit_code == 1 and "extension-not-later" in result.output
    assert task_file(registry, "DB-2026-0002").read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--to", "2026-12-31"],
        ["--reason", "理由"],
        ["--approve"],
        ["--by", "li-ming"],
        ["--to", "2026-12-31", "--reason", "理由", "--by", "li-ming"],
    ],
)
def test_extend_usage_errors_exit_2(registry: Path, args: list[str]) -> None:
    assert run("extend", "DB-2026-0002", *args).exit_code == 2


# --- refusals: the file stays byte for byte as it was ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "where"),
    [  # `where` is the line and column in the text that would have been written
        (["--progress", "120"], "out-of-range", "36:15"),
        (["--by", "zhang-wie"], "unknown-person", "36:9"),
        (["--date", "2026-02-15"], "updates-out-of-order", "35:11"),
        (["--date", "2026-02-30"], None, ""),  # not a date: a usage error before anything is read
    ],
)
def test_an_invalid_update_leaves_the_file_untouched(
    registry: Path, args: list[str], code: str | None, where: str
) -> None:
    path = task_file(registry, "DB-2026-0001")
    before = path.read_bytes()
    result = run("update", "DB-2026-0001", "--text", "进展", *args, "--as-of", "2026-11-28")
    assert path.read_bytes() == before
    assert leftovers(registry) == []
    if code is None:
        assert result.exit_code == 2
        return
    assert result.exit_code == 1, result.output
    assert f"tasks/2026/DB-2026-0001.yaml:{where}: error[{code}]" in result.output
    assert "未写入任何内容" in result.output


def test_a_completion_before_the_assigned_date_is_refused(registry: Path) -> None:
    before = task_file(registry, "DB-2026-0001").read_bytes()
    result = run(
        "complete", "DB-2026-0001", "--summary", "完成", "--date", "2026-01-01", "--as-of", "2026-11-28"
    )
    assert result.exit_code == 1 and "completion-before-assigned" in result.output
    assert task_file(registry, "DB-2026-0001").read_bytes() == before


def test_an_unknown_id_suggests_the_nearest(registry: Path) -> None:
    result = run("update", "DB-2026-001", "--text", "进展")
    assert result.exit_code == 1
    assert "找不到编号为“DB-2026-001”的督办事项，是否应为“DB-2026-0001”？" in result.output
    assert "Traceback" not in result.output


def test_a_registry_with_errors_is_not_edited(registry: Path) -> None:
    write(registry / "org" / "people.yaml", "- id: zhang-wei\n  name: 张伟\n  unit: nowhere\n")
    before = task_file(registry, "DB-2026-0001").read_bytes()
    result = run("remind", "DB-2026-0001", "--as-of", "2026-11-28")
    assert result.exit_code == 1
    assert "unknown-unit" in result.output and "请先修正后再编辑" in result.output
    assert task_file(registry, "DB-2026-0001").read_bytes() == before


def test_a_failed_rename_leaves_the_original_and_no_temporary_file(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = task_file(registry, "DB-2026-0001")
    before = path.read_bytes()

    def fail(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    result = run("update", "DB-2026-0001", "--text", "进展", "--as-of", "2026-11-28")
    assert result.exit_code == 1
    assert "无法写入 tasks/2026/DB-2026-0001.yaml：No space left on device（原文件未改动）" in result.output
    assert path.read_bytes() == before
    assert leftovers(registry) == []


def test_the_written_file_keeps_its_permissions(registry: Path) -> None:
    path = task_file(registry, "DB-2026-0001")
    path.chmod(0o640)
    assert run("remind", "DB-2026-0001", "--as-of", "2026-11-28").exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_future_date_is_written_with_a_warning(registry: Path) -> None:
    result = run("remind", "DB-2026-0001", "--date", "2026-12-05", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert "warning[future-record]" in result.output


def test_reminders_need_an_open_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cancelled = COMMENTED.replace("status: in_progress", "status: cancelled")
    make_registry(tmp_path, language="en", tasks={"DB-2026-0001": cancelled})
    result = run("remind", "DB-2026-0001")
    assert result.exit_code == 1
    assert "DB-2026-0001 is 'cancelled' (closed); cannot send a reminder" in result.output
