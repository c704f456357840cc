"""An item's detail is made when its page is rendered, and the context keeps only what lists need.

`TaskView.last_activity` is read from the file's dates, without the detail's views: it is compared here with
the latest date the detail shows, as the site computed it before (from the views), on the demo registry at
several days and on items whose records lie before, on and after the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from duban.commands._common import load_or_fail
from duban.engine import evaluate
from duban.registry import Registry
from duban.site import listing
from duban.site.context import build_context
from duban.site.gitlog import Commit
from duban.site.pages import Page, render_page
from duban.site.views import SiteContext, TaskDetail, TaskView
from engine_helpers import task, write_registry

DAYS = ["2025-03-31", "2025-12-31", "2026-03-15", "2026-06-30", "2026-11-30", "2027-06-30"]


def _context(root: Path, day: str) -> SiteContext:
    as_of = dt.date.fromisoformat(day)
    loaded = load_or_fail(root, as_of)
    assert loaded is not None
    return build_context(loaded.registry, evaluate(loaded.registry, as_of), as_of, {})


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest) -> Registry:
    loaded = load_or_fail(Path(request.config.rootpath), dt.date(2026, 11, 30))
    assert loaded is not None
    return loaded.registry


def _latest_shown(view: TaskView, detail: TaskDetail) -> dt.date:
    """The latest date among the records the item's page shows (how the site found it from the views)."""
    days = [u.date for u in detail.updates] + [r.date for r in detail.reminders]
    days += [e.requested for e in detail.extensions] + [e.decided for e in detail.extensions if e.decided]
    days += [m.done for m in detail.milestones if m.done]
    if detail.completion is not None:
        days.append(detail.completion.date)
    if detail.rating is not None and detail.rating.date is not None:
        days.append(detail.rating.date)
    return max(days, default=view.state.assigned)


@pytest.mark.parametrize("day", DAYS)
def test_last_activity_is_the_latest_record_the_page_shows(day: str, demo: Registry) -> None:
    as_of = dt.date.fromisoformat(day)
    context = build_context(demo, evaluate(demo, as_of), as_of, {})
    assert context.tasks
    for view in context.tasks:
        assert view.last_activity == _latest_shown(view, view.detail()), view.id


RECORDS = {
    "updates": [
        {"date": "2025-12-20", "text": "交办前已着手", "progress": 10},  # before the item was assigned
        {"date": "2026-03-01", "text": "推进中", "progress": 40},
        {"date": "2026-09-01", "text": "尚未发生", "progress": 90},  # after the day
    ],
    "reminders": [
        {"date": "2026-03-10", "by": "chen-jing"},
        {"date": "2026-08-01", "note": "尚未发生"},
    ],  # one later
    "extensions": [
        {
            "requested": "2026-03-20",
            "to": "2026-08-31",
            "reason": "需协调",
            "decision": "approved",
            "decided": "2026-04-02",
            "by": "li-ming",
        },
        {
            "requested": "2026-04-05",
            "to": "2026-09-30",
            "reason": "再延",
            "decision": "approved",
            "decided": "2026-07-01",
            "by": "li-ming",
        },
    ],
    "milestones": [
        {"name": "方案", "due": "2026-03-31", "done": "2026-03-25"},
        {"name": "验收", "due": "2026-06-30"},
    ],
}


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Path:
    items = [
        task("DB-2026-0001", **RECORDS),
        task("DB-2026-0002", updates=[{"date": "2025-12-01", "text": "早于交办", "progress": 5}]),
        task("DB-2026-0003", updates=[{"date": "2026-09-01", "text": "尚未发生", "progress": 5}]),
        task(
            "DB-2026-0004",
            status="completed",
            completion={
                "date": "2026-04-10",
                "summary": "已完成",
                "evidence": [{"title": "文件", "url": "https://example.org/a.pdf"}],
            },
            rating={"grade": "satisfied", "date": "2026-05-20"},
        ),
        task(
            "DB-2026-0005",
            status="completed",
            completion={"date": "2026-04-10", "summary": "已完成"},
            rating={
                "grade": "basically-satisfied",
                "date": "2026-12-20",
            },  # after every day below: not shown yet
        ),
        task("DB-2026-0006", parent="DB-2026-0001"),
        task(  # a pending request with a decision day (a warning), and a rating without a day
            "DB-2026-0007",
            status="completed",
            completion={"date": "2026-04-10", "summary": "已完成"},
            extensions=[
                {
                    "requested": "2026-03-01",
                    "to": "2026-07-31",
                    "reason": "待定",
                    "decision": "pending",
                    "decided": "2026-03-28",
                },
            ],
            rating={"grade": "satisfied"},
        ),
    ]
    return write_registry(tmp_path_factory.mktemp("edges"), items)


@pytest.mark.parametrize("day", ["2026-01-05", "2026-03-22", "2026-04-03", "2026-05-31", "2026-11-30"])
def test_last_activity_on_records_before_on_and_after_the_day(edges: Path, day: str) -> None:
    for view in _context(edges, day).tasks:
        assert view.last_activity == _latest_shown(view, view.detail()), view.id


def test_the_detail_is_made_on_each_call_and_not_kept(edges: Path) -> None:
    context = _context(edges, "2026-11-30")
    view = context.by_id["DB-2026-0004"]
    first, second = view.detail(), view.detail()
    assert first == second and first is not second
    assert first.completion is not None and first.completion.evidence[0].title == "文件"
    assert view.evidence == tuple(e.href for e in first.completion.evidence)
    assert view.history == first.history == ()
    # a view has slots only: nothing made for its page can stay behind on it
    assert not hasattr(view, "__dict__") and not hasattr(view, "updates")
    parent = context.by_id["DB-2026-0001"]
    assert [c.id for c in parent.children] == ["DB-2026-0006"]
    assert parent.detail().extensions[0].decision == "approved"


def test_item_pages_and_the_list_show_what_is_made_when_they_are_rendered(edges: Path) -> None:
    context = _context(edges, "2026-05-31")
    view = context.by_id["DB-2026-0001"]
    html = render_page(context, Page(view.path, "task.html", "tasks", view.id)).decode("utf-8")
    shown = html.split('<details class="panel raw">')[0]  # the file itself follows, records of later days too
    assert "交办前已着手" in shown and "尚未发生" not in shown and "方案" in shown and "再延" in shown
    listed = render_page(context, Page("tasks/index.html", "tasks.html", "tasks")).decode("utf-8")
    index = listing.index_data(context.tasks)
    assert [row[0] for row in index["rows"]] == [v.id for v in context.tasks]
    assert '"columns":["id","title"' in listed


def test_the_history_and_the_repository_links_are_made_with_the_detail(edges: Path) -> None:
    as_of = dt.date(2026, 11, 30)
    loaded = load_or_fail(edges, as_of)
    assert loaded is not None
    registry = loaded.registry
    registry.settings = replace(registry.settings, repository_url="https://git.example/o/r")
    commit = Commit("a" * 40, "aaaaaaa", "2026-05-01T10:00:00+08:00", "张三", "办结")
    context = build_context(registry, evaluate(registry, as_of), as_of, {"tasks/DB-2026-0004.yaml": [commit]})
    detail = context.by_id["DB-2026-0004"].detail()
    assert [(c.day, c.short, c.url) for c in detail.history] == [
        (dt.date(2026, 5, 1), "aaaaaaa", "https://git.example/o/r/commit/" + "a" * 40)
    ]
    assert detail.history == context.by_id["DB-2026-0004"].history
    assert detail.edit_url == "https://git.example/o/r/edit/main/tasks/DB-2026-0004.yaml"
    assert context.by_id["DB-2026-0001"].history == ()
