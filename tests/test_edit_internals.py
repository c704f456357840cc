"""The editing modules on their own: the catalog, comment placement, indentation, ids, the safety guard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from duban.editing import roundtrip
from duban.editing.catalog import CATALOG, FIELD_LABELS, fields_of
from duban.editing.changes import Outcome, Target
from duban.editing.layout import append_item, put_key
from duban.editing.newtask import label, parse_within
from duban.editing.records import key_order, record
from duban.editing.session import double_quoted, edit_task
from edit_helpers import COMMENTED, make_registry, run, task_file


@pytest.mark.parametrize("table", [CATALOG, FIELD_LABELS])
def test_every_sentence_exists_in_both_languages_with_the_same_fields(
    table: dict[str, dict[str, str]],
) -> None:
    chinese, english = table["zh-CN"], table["en"]
    assert chinese.keys() == english.keys()
    for key in chinese:
        assert fields_of(chinese[key]) == fields_of(english[key]), key


def edited(text: str, change: object) -> str:
    source = roundtrip.Source.from_bytes(text.encode("utf-8"))
    yaml, doc = roundtrip.load(source, "t.yaml")
    change(doc)  # type: ignore[operator]
    return source.to_bytes(roundtrip.dump(yaml, doc)).decode("utf-8")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a comment above the next key stays above it
        ("id: a\n# 下一项\ntags: [x]\n", "id: a\ncategory: c\n# 下一项\ntags: [x]\n"),
        # an end-of-line comment stays on its line
        ("id: a  # 编号\n", "id: a  # 编号\ncategory: c\n"),
        # blank lines before the next key stay before it
        ("id: a\n\n\ntags: [x]\n", "id: a\ncategory: c\n\n\ntags: [x]\n"),
        # comments indented under a nested mapping stay with it
        (
            "id: a\nsource:\n  type: other\n  # 来源备注\n# 顶格\n",
            "id: a\nsource:\n  type: other\n  # 来源备注\ncategory: c\n# 顶格\n",
        ),
        # after a block scalar
        (
            "id: a\nsource:\n  ref: |\n    x\n# 结尾\n",
            "id: a\nsource:\n  ref: |\n    x\ncategory: c\n# 结尾\n",
        ),
    ],
)
def test_a_new_key_goes_below_the_comments_that_introduce_what_follows(before: str, after: str) -> None:
    assert edited(before, lambda doc: put_key(doc, "category", "c", key_order())) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "updates: [{date: 2026-01-02, text: a}]  # 一条\n# 结尾\n",
            "updates:  # 一条\n  - {date: 2026-01-02, text: a}\n  - text: b\n# 结尾\n",
        ),
        ("updates: []    # 暂无\nreminders: []\n", "updates:  # 暂无\n  - text: b\nreminders: []\n"),
    ],
)
def test_a_flow_list_turns_into_a_block_list_keeping_its_comments(before: str, after: str) -> None:
    item = record([("text", "b")])
    assert edited(before, lambda doc: append_item(doc, "updates", item, key_order())) == after


def test_comments_above_an_explicit_document_start_are_kept() -> None:
    before = "# 文件说明\n---\n# 正文\nid: a\n...\n# 尾注\n"
    after = "# 文件说明\n---\n# 正文\nid: a\ncategory: c\n...\n# 尾注\n"
    assert edited(before, lambda doc: put_key(doc, "category", "c", key_order())) == after


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20wd", (20, True)),
        ("30d", (30, False)),
        ("30", (30, False)),
        (" 5WD ", (5, True)),
        ("0d", None),
        ("-3d", None),
        ("20 工作日", None),
        ("", None),
    ],
)
def test_within(text: str, expected: tuple[int, bool] | None) -> None:
    within = parse_within(text)
    assert (None if within is None else (within.count, within.workdays)) == expected


def test_labels_align_by_display_width_and_skip_block_scalars() -> None:
    text = "id: DB-1\ntitle: 中文标题\ndescription: |\n  id: not a key\nstatus: assigned\n"
    labels = {"id": "编号", "title": "事项名称", "status": "办理状态"}
    assert label(text, labels) == (
        "id: DB-1          # 编号\ntitle: 中文标题   # 事项名称\ndescription: |\n  id: not a key\n"
        "status: assigned  # 办理状态\n"
    )


def test_commit_messages_are_quoted_for_the_shell() -> None:
    assert double_quoted('DB-1: 新建 "$HOME" `x` \\') == '"DB-1: 新建 \\"\\$HOME\\" \\`x\\` \\\\"'


def test_the_guard_refuses_a_change_that_touches_what_it_should_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_registry(tmp_path)
    path = task_file(tmp_path, "DB-2026-0001")

    def sloppy(target: Target) -> Outcome:
        target.doc["title"] = "改了标题"
        return Outcome(["x"], "x", frozenset({"updates"}))

    assert edit_task(tmp_path, dt.date(2026, 11, 28), "DB-2026-0001", sloppy) == 1
    assert "title" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == COMMENTED


def test_new_works_in_a_registry_without_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_registry(tmp_path, tasks={})
    result = run("new", "--title", "第一项", "--lead", "housing", "--within", "10wd", "--as-of", "2026-11-02")
    assert result.exit_code == 0, result.output
    assert "DB-2026-0001" in result.output and "办结时限 2026-11-16" in result.output
    assert run("validate", "--as-of", "2026-11-02").exit_code == 0
