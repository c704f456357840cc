"""The site's machine-readable files, read back with the tools a subscriber would use."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import icalendar
import pytest

from duban.engine import evaluate, to_json
from duban.loader import load_registry
from duban.registry import Registry
from duban.resources import data_dir
from duban.site.feeds import ATOM, render_feeds
from engine_helpers import task, write_registry

AS_OF = dt.date(2026, 6, 25)
NS = {"a": ATOM}
EVIL = '<script>window.__pwned=1</script>"><img src=x onerror=alert(1)>,;\\'

TASKS = [
    task(
        "DB-2026-0001",
        title="老旧小区改造",
        milestones=[
            {"name": "完成摸底", "due": "2026-02-28", "done": "2026-02-25"},
            {"name": "完成方案", "due": "2026-05-31"},  # overdue, still open
            {
                "name": "开工",
                "due": "2026-07-15",
                "done": "2026-07-01",
            },  # done after the as-of date: open then
        ],
        updates=[
            {"date": "2026-02-01", "by": "zhang-wei", "progress": 20, "text": "已完成 **40 个**小区摸底"},
            {
                "date": "2026-06-20",
                "by": "zhang-wei",
                "text": "推进中",
                "problems": "资金滞后",
                "next": "催拨",
            },
            {"date": "2026-06-28", "by": "zhang-wei", "text": "未来的进展"},  # after the as-of date
        ],
        reminders=[{"date": "2026-06-10", "by": "chen-jing", "note": "请于6月15日前报送进展"}],
    ),
    task(
        "DB-2026-0002",
        title="学位建设",
        lead_unit="education",
        owner="feng-chao",
        status="completed",
        completion={"date": "2026-06-01", "summary": "已全部完成", "verified_by": "chen-jing"},
        tags=["民生实事"],
        priority="urgent",
        source={"type": "work-report", "ref": "政府工作报告"},
        category="重点工作",
    ),
    task(
        "DB-2026-0003",
        title=EVIL,
        extensions=[
            {
                "requested": "2026-06-01",
                "to": "2026-08-31",
                "reason": "汛期",
                "decision": "approved",
                "decided": "2026-06-05",
                "by": "li-ming",
            },
        ],
        updates=[{"date": "2026-06-24", "by": "zhang-wei", "text": EVIL}],
    ),
    task("DB-2026-0004", title="已撤销事项", status="cancelled"),
    task("DB-2026-0005", title="暂停事项", status="suspended"),
    task("DB-2026-0006", title="尚未交办", assigned="2026-07-01", deadline="2026-09-30"),
]


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    root = write_registry(tmp_path / "registry", TASKS, {"base_url": "https://duban.example.org/jz/"})
    result = load_registry(root)
    assert result.ok, result.problems
    return result.registry


def render(registry: Registry, as_of: dt.date = AS_OF) -> dict[str, bytes]:
    return render_feeds(registry, evaluate(registry, as_of), as_of)


def events(data: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_every_file_is_there(registry: Registry) -> None:
    files = render(registry)
    units = [f"feeds/units/{unit}.ics" for unit in ("education", "finance", "gov", "housing")]
    schemas = [f"schema/{p.name}" for p in sorted(data_dir("schema").glob("*.json"))]
    assert list(files) == sorted(
        ["data/tasks.json", "feeds/deadlines.ics", "feeds/updates.atom", *units, *schemas]
    )
    assert len(schemas) == 5
    for name in schemas:
        assert files[name] == (data_dir("schema") / name.removeprefix("schema/")).read_bytes()


def test_calendar_has_open_deadlines_and_open_milestones(registry: Registry) -> None:
    calendar = icalendar.Calendar.from_ical(render(registry)["feeds/deadlines.ics"])
    assert str(calendar["X-WR-CALNAME"]) == "市政府办公室督查督办·办结时限"
    found = {
        (str(e["UID"]).split("@")[0].rsplit(".", 1)[0], e.decoded("DTSTART")) for e in calendar.walk("VEVENT")
    }
    assert found == {
        ("DB-2026-0001.deadline", dt.date(2026, 6, 30)),
        ("DB-2026-0001.milestone-1", dt.date(2026, 5, 31)),
        ("DB-2026-0001.milestone-2", dt.date(2026, 7, 15)),
        ("DB-2026-0003.deadline", dt.date(2026, 8, 31)),  # the approved extension's date
        ("DB-2026-0005.deadline", dt.date(2026, 6, 30)),  # suspended is still open
    }


def test_events_are_all_day_and_carry_their_words(registry: Registry) -> None:
    (deadline,) = [
        e for e in events(render(registry)["feeds/deadlines.ics"]) if "0001.deadline" in str(e["UID"])
    ]
    assert deadline.decoded("DTEND") == dt.date(2026, 7, 1)
    assert str(deadline["SUMMARY"]) == "【办结时限】老旧小区改造（DB-2026-0001）"
    description = str(deadline["DESCRIPTION"])
    assert "牵头单位：江州市住房和城乡建设局" in description
    assert "责任人：张伟" in description
    assert "https://duban.example.org/jz/tasks/DB-2026-0001/" in description
    assert str(deadline["URL"]) == "https://duban.example.org/jz/tasks/DB-2026-0001/"
    assert deadline.decoded("DTSTAMP") == dt.datetime(2026, 6, 25, tzinfo=dt.UTC)


def test_text_with_ical_and_html_characters_survives(registry: Registry) -> None:
    (event,) = [e for e in events(render(registry)["feeds/deadlines.ics"]) if "0003" in str(e["UID"])]
    assert str(event["SUMMARY"]) == f"【办结时限】{EVIL}（DB-2026-0003）"


def test_unit_calendars(registry: Registry) -> None:
    files = render(registry)
    housing = {str(e["UID"]).split(".")[0] for e in events(files["feeds/units/housing.ics"])}
    assert housing == {"DB-2026-0001", "DB-2026-0003", "DB-2026-0005"}
    assert events(files["feeds/units/education.ics"]) == []  # its only item is completed
    calendar = icalendar.Calendar.from_ical(files["feeds/units/housing.ics"])
    assert str(calendar["X-WR-CALNAME"]) == "市政府办公室督查督办·江州市住房和城乡建设局办结时限"


def test_uids_are_stable_across_days_and_unique(registry: Registry) -> None:
    today = [str(e["UID"]) for e in events(render(registry)["feeds/deadlines.ics"])]
    later = [str(e["UID"]) for e in events(render(registry, dt.date(2026, 6, 26))["feeds/deadlines.ics"])]
    assert len(set(today)) == len(today)
    assert today == later


def test_dtstamp_follows_source_date_epoch(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    (event, *_) = events(render(registry)["feeds/deadlines.ics"])
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def atom(registry: Registry, as_of: dt.date = AS_OF) -> ET.Element:
    return ET.fromstring(render(registry, as_of)["feeds/updates.atom"])


def test_atom_lists_records_up_to_the_as_of_date_newest_first(registry: Registry) -> None:
    feed = atom(registry)
    entries = feed.findall("a:entry", NS)
    titles = [e.findtext("a:title", namespaces=NS) for e in entries]
    assert titles == [
        f"【进展】{EVIL}（DB-2026-0003）",
        "【进展】老旧小区改造（DB-2026-0001）",
        "【催办】老旧小区改造（DB-2026-0001）",
        "【办结】学位建设（DB-2026-0002）",
        "【进展】老旧小区改造（DB-2026-0001）",
    ]
    assert [e.findtext("a:updated", namespaces=NS) for e in entries] == [
        "2026-06-24T00:00:00+08:00",
        "2026-06-20T00:00:00+08:00",
        "2026-06-10T00:00:00+08:00",
        "2026-06-01T00:00:00+08:00",
        "2026-02-01T00:00:00+08:00",
    ]
    assert feed.findtext("a:updated", namespaces=NS) == "2026-06-24T00:00:00+08:00"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"


def test_atom_entries_are_complete(registry: Registry) -> None:
    feed = atom(registry)
    ids = [e.findtext("a:id", namespaces=NS) for e in feed.findall("a:entry", NS)]
    assert all(i and i.startswith("urn:uuid:") for i in ids)
    assert len(set(ids)) == len(ids)
    entry = feed.findall("a:entry", NS)[1]
    assert entry.find("a:link", NS).get("href") == "https://duban.example.org/jz/tasks/DB-2026-0001/"  # type: ignore[union-attr]
    assert entry.findtext("a:author/a:name", namespaces=NS) == "张伟"
    content = entry.find("a:content", NS)
    assert content is not None and content.get("type") == "html"
    assert content.text == "<p>推进中</p>\n<p>存在问题：资金滞后</p>\n<p>下一步：催拨</p>"
    self_link = [link for link in feed.findall("a:link", NS) if link.get("rel") == "self"]
    assert self_link[0].get("href") == "https://duban.example.org/jz/feeds/updates.atom"


def test_atom_content_is_escaped_html(registry: Registry) -> None:
    raw = render(registry)["feeds/updates.atom"]
    assert b"<script" not in raw and b"<img" not in raw
    first = ET.fromstring(raw).find("a:entry/a:content", NS)
    assert first is not None and first.text is not None
    assert "<script" not in first.text  # the decoded HTML escapes it once more: a reader shows it as text
    assert "&lt;script&gt;" in first.text


def test_atom_markdown_progress(registry: Registry) -> None:
    entries = atom(registry).findall("a:entry", NS)
    assert (
        entries[-1].findtext("a:content", namespaces=NS)
        == "<p>进度 20%</p>\n<p>已完成 <strong>40 个</strong>小区摸底</p>"
    )


def test_xml_control_characters_are_dropped(tmp_path: Path) -> None:
    root = write_registry(
        tmp_path, [task(title="标题\x01\x08末", updates=[{"date": "2026-06-01", "text": "a\x0bb"}])]
    )
    result = load_registry(root)
    registry = result.registry
    feed = ET.fromstring(render_feeds(registry, evaluate(registry, AS_OF), AS_OF)["feeds/updates.atom"])
    assert feed.findtext("a:entry/a:title", namespaces=NS) == "【进展】标题末（DB-2026-0001）"


def test_tasks_json(registry: Registry) -> None:
    document = json.loads(render(registry)["data/tasks.json"])
    states = evaluate(registry, AS_OF)
    engine_view = to_json(states, AS_OF, "zh-CN")
    assert {k: document[k] for k in ("version", "as_of", "title", "language")} == {
        "version": 1,
        "as_of": "2026-06-25",
        "title": "市政府办公室督查督办",
        "language": "zh-CN",
    }
    assert [t["id"] for t in document["tasks"]] == [f"DB-2026-000{i}" for i in range(1, 6)]
    for record, engine in zip(document["tasks"], engine_view["tasks"], strict=True):
        assert {k: record[k] for k in engine} == engine  # the engine's view, unchanged
    second = document["tasks"][1]
    assert {
        k: second[k] for k in ("url", "lead_unit", "lead_unit_name", "lead_unit_short", "owner_name")
    } == {
        "url": "tasks/DB-2026-0002/",
        "lead_unit": "education",
        "lead_unit_name": "江州市教育局",
        "lead_unit_short": "教育局",
        "owner_name": "冯超",
    }
    assert second["source_type"] == "work-report" and second["source_ref"] == "政府工作报告"
    assert (second["priority"], second["tags"], second["category"]) == ("urgent", ["民生实事"], "重点工作")
    assert document["tasks"][0]["tags"] == [] and document["tasks"][0]["category"] is None
    assert document["tasks"][2]["title"] == EVIL


def test_output_is_byte_identical_for_the_same_input(registry: Registry, tmp_path: Path) -> None:
    first = render(registry)
    assert render(registry) == first
    # A second, separately loaded copy of the same files gives the same bytes too.
    copy = load_registry(
        write_registry(tmp_path / "copy", TASKS, {"base_url": "https://duban.example.org/jz/"})
    )
    assert render(copy.registry) == first


def test_does_not_read_the_clock(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    first = render(registry)
    monkeypatch.setenv("DUBAN_NOW", "2031-01-01T00:00:00+00:00")
    monkeypatch.setenv("TZ", "America/New_York")
    assert render(registry) == first


def test_relative_base_url(tmp_path: Path) -> None:
    root = write_registry(tmp_path, [task()], {"base_url": "/duban"})
    registry = load_registry(root).registry
    files = render_feeds(registry, evaluate(registry, AS_OF), AS_OF)
    (event,) = events(files["feeds/deadlines.ics"])
    assert "URL" not in event  # iCalendar wants an absolute URL; the path stays in the description
    assert "/duban/tasks/DB-2026-0001/" in str(event["DESCRIPTION"])


def test_english_registry(tmp_path: Path) -> None:
    root = write_registry(tmp_path, [task(title="Renovate old estates")], {"language": "en"})
    registry = load_registry(root).registry
    files = render_feeds(registry, evaluate(registry, AS_OF), AS_OF)
    (event,) = events(files["feeds/deadlines.ics"])
    assert str(event["SUMMARY"]) == "Deadline: Renovate old estates (DB-2026-0001)"
    assert "Lead unit: 江州市住房和城乡建设局" in str(event["DESCRIPTION"])
