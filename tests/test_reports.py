"""`duban report`: each report in each format, read back (csv, openpyxl, json), not searched for strings.

The registry is `report_tasks()`; as of 2026-06-30 (the end of the June bulletin's period) it stands:

housing    0001 on time, 0002 late, 0003 open (new in June), 0004 overdue since 06-25  → 1/3 on time, 33.3%
education  0005 on time, 0006 open (extended to 09-30 on 06-12), 0010 open (due 07-01) → 1/1, 100%
finance    0008 open (not due), 0007 cancelled (left out)                              → nothing due yet
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from duban.reports.labels import LABELS
from duban.stats import parse_period
from engine_helpers import report_tasks, run, write_registry

AS_OF = "2026-07-10"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_registry(tmp_path / "registry", report_tasks())


def report(root: Path, *args: str) -> bytes:
    result = run(["report", *args, "--root", str(root), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def read_json(root: Path, *args: str) -> Any:
    return json.loads(report(root, *args, "--format", "json").decode("utf-8"))


def read_csv(root: Path, *args: str) -> list[list[str]]:
    data = report(root, *args, "--format", "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(root: Path, *args: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(report(root, *args, "--format", "xlsx")))


# --- overdue ---


def test_overdue_json_groups_by_unit(root: Path) -> None:
    data = read_json(root, "overdue")
    assert (data["report"], data["as_of"], data["total"]) == ("overdue", AS_OF, 2)
    assert [(u["unit"], u["count"]) for u in data["units"]] == [("housing", 1), ("education", 1)]
    item = data["units"][0]["tasks"][0]
    assert (item["id"], item["days_overdue"], item["workdays_overdue"]) == ("DB-2026-0004", 15, 11)
    assert (item["owner_name"], item["leader_name"], item["latest_update"], item["reminders"]) == (
        "张伟",
        "李明",
        "2026-06-01",
        2,
    )
    assert item["lead_unit_name"] == "江州市住房和城乡建设局"


def test_overdue_csv_reads_back(root: Path) -> None:
    header, *rows = read_csv(root, "overdue")
    assert header[:3] == ["牵头单位", "编号", "事项名称"]
    assert [row[1] for row in rows] == ["DB-2026-0004", "DB-2026-0010"]
    first = dict(zip(header, rows[0], strict=True))
    assert (first["办结时限"], first["逾期天数"], first["逾期工作日"], first["催办次数"], first["进度"]) == (
        "2026-06-25",
        "15",
        "11",
        "2",
        "40%",
    )


def test_overdue_xlsx_has_real_dates_and_a_frozen_styled_header(root: Path) -> None:
    workbook = read_xlsx(root, "overdue")
    (sheet,) = workbook.worksheets
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["牵头单位", "编号"]
    assert sheet["A1"].font.bold
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["办结时限"] == dt.datetime(2026, 6, 25)
    assert sheet.cell(row=2, column=header.index("办结时限") + 1).number_format == "yyyy-mm-dd"
    assert row["逾期天数"] == 15
    assert row["进度"] == pytest.approx(0.4)
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["B"].width  # titles get room


def test_overdue_markdown_has_a_heading_per_unit(root: Path) -> None:
    text = report(root, "overdue").decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 江州市人民政府办公室逾期督办事项清单"
    headings = [line for line in lines if line.startswith("### ")]
    assert headings == ["### 江州市住房和城乡建设局（1 项）", "### 江州市教育局（1 项）"]
    rows = [line for line in lines if line.startswith("| DB-")]
    assert rows[0].split(" | ")[0] == "| DB-2026-0004"


# --- units ---

EXPECTED_UNITS = [
    # unit, rank, total, on_time, late, open, overdue, rate
    ("education", 1, 3, 1, 0, 2, 0, 100.0),
    ("housing", 2, 4, 1, 1, 1, 1, 33.3),
    ("finance", 3, 1, 0, 0, 1, 0, None),
]


def test_units_json_grid_rate_and_rank(root: Path) -> None:
    data = read_json(root, "units", "--period", "2026-06")  # the picture at 2026-06-30
    assert data["as_of"] == "2026-06-30"
    got = [
        (
            u["unit"],
            u["rank"],
            u["total"],
            u["on_time"],
            u["late"],
            u["open"],
            u["overdue"],
            u["on_time_rate"],
        )
        for u in data["units"]
    ]
    assert got == EXPECTED_UNITS
    total = data["total"]
    assert (total["total"], total["on_time"], total["late"], total["open"], total["overdue"]) == (
        8,
        2,
        1,
        4,
        1,
    )
    assert total["on_time_rate"] == 50.0


def test_units_csv_and_xlsx_agree(root: Path) -> None:
    header, *rows = read_csv(root, "units", "--period", "2026-06")
    assert header == [
        "排名",
        "牵头单位",
        "事项总数",
        "按期办结",
        "逾期办结",
        "未逾期未办结",
        "逾期未办结",
        "按期办结率",
    ]
    assert rows[1] == ["2", "江州市住房和城乡建设局", "4", "1", "1", "1", "1", "33.3%"]
    assert rows[-1][:3] == ["", "合计", "8"]
    sheet = read_xlsx(root, "units", "--period", "2026-06").active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=5)]
    assert values[1][:7] == [2, "江州市住房和城乡建设局", 4, 1, 1, 1, 1]
    assert values[1][7] == pytest.approx(1 / 3, abs=0.001)
    assert sheet.cell(row=3, column=8).number_format == "0.0%"
    assert values[2][7] is None  # nothing due yet: no rate
    assert sheet.auto_filter.ref == "A1:H5"


def test_units_as_of_today_counts_later_items(root: Path) -> None:
    data = read_json(root, "units")  # 2026-07-10: 0009 assigned, 0010 overdue
    education = next(u for u in data["units"] if u["unit"] == "education")
    assert (education["total"], education["overdue"], education["on_time_rate"]) == (4, 1, 50.0)


# --- bulletin ---


def test_bulletin_json_period_figures(root: Path) -> None:
    data = read_json(root, "bulletin", "--period", "2026-06")
    assert (data["period"], data["start"], data["end"], data["as_of"]) == (
        "2026-06",
        "2026-06-01",
        "2026-06-30",
        "2026-06-30",
    )
    assert data["summary"] == {
        "new": 1,
        "completed": 2,
        "completed_on_time": 1,
        "completed_late": 1,
        "overdue": 1,
        "extensions_approved": 1,
        "reminders": 2,
        "total": 8,
        "done": 3,
        "on_time_rate": 50.0,
    }
    assert [t["id"] for t in data["new"]] == ["DB-2026-0003"]
    assert [(t["id"], t["on_time"]) for t in data["completed"]] == [
        ("DB-2026-0001", True),
        ("DB-2026-0002", False),
    ]
    assert [(t["id"], t["days_overdue"]) for t in data["overdue"]] == [("DB-2026-0004", 5)]
    assert [(e["id"], e["to"], e["date"]) for e in data["extensions"]] == [
        ("DB-2026-0006", "2026-09-30", "2026-06-12")
    ]
    assert [(r["id"], r["date"]) for r in data["reminders"]] == [
        ("DB-2026-0003", "2026-06-10"),
        ("DB-2026-0004", "2026-06-28"),
    ]
    assert [(u["unit"], u["rank"]) for u in data["units"]] == [(u[0], u[1]) for u in EXPECTED_UNITS]


def test_bulletin_quarter_and_a_period_not_over_yet(root: Path) -> None:
    quarter = read_json(root, "bulletin", "--period", "2026-Q2")
    assert (quarter["start"], quarter["end"], quarter["summary"]["completed"]) == (
        "2026-04-01",
        "2026-06-30",
        3,
    )
    current = read_json(root, "bulletin")  # the as-of month so far
    assert (current["period"], current["as_of"]) == ("2026-07", AS_OF)
    assert [t["id"] for t in current["new"]] == ["DB-2026-0009"]


def test_bulletin_markdown_is_a_document(root: Path) -> None:
    text = report(root, "bulletin", "--period", "2026-06").decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 江州市人民政府办公室督查通报"
    assert "（2026年6月）" in lines
    sections = [line for line in lines if line.startswith("## ")]
    assert sections == [
        "## 一、总体情况",
        "## 二、各单位办理情况",
        "## 三、逾期未办结事项",
        "## 四、本期新交办事项",
        "## 五、本期办结事项",
        "## 六、本期批准延期事项",
    ]
    overview = lines[lines.index("## 一、总体情况") + 2]
    assert overview.startswith(
        "本期新交办督办事项 1 项；办结 2 项，其中按期办结 1 项、逾期办结 1 项；批准延期 1 项；催办 2 次。"
    )


def test_bulletin_xlsx_sheets(root: Path) -> None:
    workbook = read_xlsx(root, "bulletin", "--period", "2026-06")
    assert workbook.sheetnames == ["总体情况", "各单位统计", "逾期事项", "新交办", "本期办结", "批准延期"]
    assert workbook["总体情况"]["A1"].value == "江州市人民政府办公室督查通报"
    completed = workbook["本期办结"]
    assert [c.value for c in completed[2]][:2] == [1, "DB-2026-0001"]
    assert completed["F2"].value == dt.datetime(2026, 6, 15)
    for name in workbook.sheetnames[1:]:
        assert workbook[name].freeze_panes == "A2"


def test_bulletin_csv_blocks(root: Path) -> None:
    rows = read_csv(root, "bulletin", "--period", "2026-06")
    assert rows[0] == ["江州市人民政府办公室督查通报"]
    start = rows.index(["三、逾期未办结事项"])
    header, first = rows[start + 1], rows[start + 2]
    assert dict(zip(header, first, strict=True))["编号"] == "DB-2026-0004"
    assert ["无。"] not in rows[start : start + 4]


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26-06", "2026/06", "june"])
def test_a_bad_period_is_a_usage_error(root: Path, period: str) -> None:
    result = run(["report", "bulletin", "--root", str(root), "--period", period])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output and "Traceback" not in result.output


def test_a_period_after_the_as_of_date_is_a_usage_error(root: Path) -> None:
    result = run(["report", "bulletin", "--root", str(root), "--as-of", AS_OF, "--period", "2026-09"])
    assert result.exit_code == 2
    assert "starts after" in result.output


def test_parse_period() -> None:
    june = parse_period("2026-06")
    assert june is not None and (june.start, june.end, june.label("zh-CN")) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
        "2026年6月",
    )
    q1 = parse_period("2026-q1")
    assert q1 is not None and (q1.key, q1.end, q1.label("en"), q1.label("zh-CN")) == (
        "2026-Q1",
        dt.date(2026, 3, 31),
        "Q1 2026",
        "2026年第一季度",
    )
    assert parse_period("2026-00") is None


# --- files, formats, languages ---


def test_out_is_written_atomically_and_replaces(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "通报.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"old")
    result = run(["report", "bulletin", "--root", str(root), "--as-of", AS_OF, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "总体情况"  # the format came from the suffix
    assert [p.name for p in out.parent.iterdir()] == ["通报.xlsx"]  # no temporary file left behind


def test_out_into_a_missing_folder_fails_cleanly(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "r.csv"
    result = run(["report", "units", "--root", str(root), "--as-of", AS_OF, "--out", str(out)])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_a_registry_with_errors_writes_no_report(root: Path) -> None:
    (root / "tasks" / "DB-2026-0001.yaml").write_text("id: [\n", encoding="utf-8")
    result = run(["report", "units", "--root", str(root), "--as-of", AS_OF])
    assert result.exit_code == 1


def test_english_reports(tmp_path: Path) -> None:
    root = write_registry(tmp_path, report_tasks(), settings={"language": "en"})
    text = report(root, "bulletin", "--period", "2026-06").decode("utf-8")
    assert "## 1. Overview" in text and "June 2026" in text
    assert "This period 1 new items were assigned" in text
    header, *_ = read_csv(root, "units")
    assert header[:3] == ["Rank", "Lead unit", "Items"]


def test_labels_have_both_languages_with_the_same_fields() -> None:
    import string

    for key, texts in LABELS.items():
        assert set(texts) == {"zh-CN", "en"}, key
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("zh-CN", "en")
        ]
        assert fields[0] == fields[1], key
