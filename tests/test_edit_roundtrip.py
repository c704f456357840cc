"""Editing keeps the file as a person wrote it: every comment, the key order, the quoting and the layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO_ROOT
from duban.editing import roundtrip
from edit_helpers import COMMENTED, PLAIN, UPDATES_END, make_registry, run, task_file

NEW_UPDATE = """\
  - date: 2026-11-28
    by: zhang-wei
    progress: 60
    text: 完工 72 个小区。
"""


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_registry(tmp_path)


def update(*extra: str) -> str:
    args = ["update", "DB-2026-0001", "--text", "完工 72 个小区。", "--progress", "60", "--by", "zhang-wei"]
    result = run(*args, "--as-of", "2026-11-28", *extra)
    assert result.exit_code == 0, result.output
    return result.output


def test_update_keeps_every_comment_and_appends_exactly_the_report(registry: Path) -> None:
    output = update()
    expected = COMMENTED.replace(UPDATES_END, UPDATES_END + NEW_UPDATE)
    assert task_file(registry, "DB-2026-0001").read_text(encoding="utf-8") == expected
    assert "已在 tasks/2026/DB-2026-0001.yaml 追加进展反馈（2026-11-28，进度 60%）" in output
    assert "  git add tasks/2026/DB-2026-0001.yaml\n" in output
    assert '  git commit -m "DB-2026-0001: 进展反馈 2026-11-28"\n' in output
    assert run("validate").exit_code == 0


def test_a_second_update_goes_after_the_first(registry: Path) -> None:
    update()
    result = run("update", "DB-2026-0001", "--text", "完工 80 个。", "--as-of", "2026-11-29")
    assert result.exit_code == 0, result.output
    second = "  - date: 2026-11-29\n    text: 完工 80 个。\n"
    expected = COMMENTED.replace(UPDATES_END, UPDATES_END + NEW_UPDATE + second)
    assert task_file(registry, "DB-2026-0001").read_text(encoding="utf-8") == expected


def test_text_with_several_lines_becomes_a_block(registry: Path) -> None:
    result = run(
        "update",
        "DB-2026-0001",
        "--text",
        "-",
        "--problems",
        "冬季施工受限",
        "--next",
        "12 月底前完工",
        "--as-of",
        "2026-11-28",
        input="累计完工 72 个；\n在建 40 个。\n",
    )
    assert result.exit_code == 0, result.output
    added = (
        "  - date: 2026-11-28\n    text: |\n      累计完工 72 个；\n      在建 40 个。\n"
        "    problems: 冬季施工受限\n    next: 12 月底前完工\n"
    )
    assert task_file(registry, "DB-2026-0001").read_text(encoding="utf-8") == COMMENTED.replace(
        UPDATES_END, UPDATES_END + added
    )


def test_the_end_of_file_comment_stays_at_the_end(registry: Path) -> None:
    result = run(
        "remind", "DB-2026-0001", "--note", "请报送进展", "--by", "chen-jing", "--as-of", "2026-11-28"
    )
    assert result.exit_code == 0, result.output
    text = task_file(registry, "DB-2026-0001").read_text(encoding="utf-8")
    added = "  - date: 2026-11-28\n    by: chen-jing\n    note: 请报送进展\n"
    assert text == COMMENTED.replace("# 文件结束\n", added + "# 文件结束\n")
    assert "已在 tasks/2026/DB-2026-0001.yaml 追加催办记录（2026-11-28）" in result.output


def test_a_missing_list_is_created_in_format_order(registry: Path) -> None:
    result = run("update", "DB-2026-0002", "--text", "已开展调研", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    text = task_file(registry, "DB-2026-0002").read_text(encoding="utf-8")
    # status moves from assigned to in_progress (the unit has started); updates come after milestones.
    assert text == PLAIN.replace("status: assigned", "status: in_progress") + (
        "updates:\n  - date: 2026-03-01\n    text: 已开展调研\n"
    )
    assert "状态由“已交办”改为“承办中”" in result.output


def test_updates_go_before_reminders_when_the_list_is_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    original = PLAIN + "# 催办\nreminders:\n  - date: 2026-03-05\n"
    make_registry(tmp_path, tasks={"DB-2026-0002": original})
    assert run("update", "DB-2026-0002", "--text", "调研", "--as-of", "2026-03-06").exit_code == 0
    text = task_file(tmp_path, "DB-2026-0002").read_text(encoding="utf-8")
    expected = original.replace("status: assigned", "status: in_progress").replace(
        "# 催办\n", "updates:\n  - date: 2026-03-06\n    text: 调研\n# 催办\n"
    )
    assert text == expected


def test_an_empty_flow_list_becomes_a_block_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    original = PLAIN + "updates: []\n# end\n"
    make_registry(tmp_path, tasks={"DB-2026-0002": original})
    assert run("update", "DB-2026-0002", "--text", "调研", "--as-of", "2026-03-06").exit_code == 0
    text = task_file(tmp_path, "DB-2026-0002").read_text(encoding="utf-8")
    expected = original.replace("status: assigned", "status: in_progress").replace(
        "updates: []\n", "updates:\n  - date: 2026-03-06\n    text: 调研\n"
    )
    assert text == expected


def test_crlf_stays_crlf_and_a_bom_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_registry(tmp_path, tasks={})
    path = task_file(tmp_path, "DB-2026-0001")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + COMMENTED.replace("\n", "\r\n").encode("utf-8"))
    update()
    expected = COMMENTED.replace(UPDATES_END, UPDATES_END + NEW_UPDATE).replace("\n", "\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_flush_sequences_and_four_space_mappings_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    original = (
        "---\n# 另一种缩进风格\nid: DB-2026-0003\ntitle: 测试\nsource:\n    type: other\nlead_unit: housing\n"
        "assigned: 2026-01-05\ndeadline: 2026-06-30\nstatus: in_progress\nupdates:\n- date: 2026-02-01\n"
        "  text: 开始\n...\n"
    )
    make_registry(tmp_path, tasks={"DB-2026-0003": original})
    result = run("update", "DB-2026-0003", "--text", "继续", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    expected = original.replace("...\n", "- date: 2026-03-01\n  text: 继续\n...\n")
    assert task_file(tmp_path, "DB-2026-0003").read_text(encoding="utf-8") == expected


def test_quoted_dates_get_quoted_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    original = PLAIN.replace("2026-02-01", "'2026-02-01'").replace("status: assigned", "status: in_progress")
    make_registry(tmp_path, tasks={"DB-2026-0002": original})
    assert run("remind", "DB-2026-0002", "--as-of", "2026-03-01").exit_code == 0
    text = task_file(tmp_path, "DB-2026-0002").read_text(encoding="utf-8")
    assert text == original + "reminders:\n  - date: '2026-03-01'\n"


def test_every_demo_task_file_is_written_back_unchanged() -> None:
    files = sorted((REPO_ROOT / "tasks").rglob("*.yaml"))
    assert files
    for path in files:
        raw = path.read_bytes()
        source = roundtrip.Source.from_bytes(raw)
        yaml, doc = roundtrip.load(source, path.name)
        assert source.to_bytes(roundtrip.dump(yaml, doc)) == raw, path


def test_the_dry_run_shows_a_diff_and_writes_nothing(registry: Path) -> None:
    path = task_file(registry, "DB-2026-0001")
    before = path.read_bytes()
    output = update("--dry-run")
    assert path.read_bytes() == before
    assert "+  - date: 2026-11-28\n" in output and "试运行" in output
    assert "git commit" not in output


def test_english_registry_speaks_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_registry(tmp_path, language="en")
    output = update()
    assert "Appended a progress report to tasks/2026/DB-2026-0001.yaml (2026-11-28, progress 60%)" in output
    assert 'git commit -m "DB-2026-0001: progress report 2026-11-28"' in output


def test_git_commands_name_the_registry_when_it_is_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_registry(tmp_path / "reg")
    monkeypatch.chdir(tmp_path)
    result = run("remind", "DB-2026-0001", "--root", str(root), "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert f"git -C {root} add tasks/2026/DB-2026-0001.yaml" in result.output


def test_a_comment_indented_under_the_last_item_stays_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    original = PLAIN.replace("status: assigned", "status: in_progress") + (
        "updates:\n  - date: 2026-02-01\n    text: 开始  # 行尾\n    # 属于这一条\n  # 属于下一条\n\n# 结尾\n"
    )
    make_registry(tmp_path, tasks={"DB-2026-0002": original})
    assert run("update", "DB-2026-0002", "--text", "继续", "--as-of", "2026-03-01").exit_code == 0
    expected = original.replace(
        "    # 属于这一条\n", "    # 属于这一条\n  - date: 2026-03-01\n    text: 继续\n"
    )
    assert task_file(tmp_path, "DB-2026-0002").read_text(encoding="utf-8") == expected
