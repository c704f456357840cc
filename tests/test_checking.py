"""`duban.checking` and `duban.gitchanges` without the command line: the `CheckResult` for real registries
and real git repositories made in tmp_path (tests/test_check.py runs the command and reads its output)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from duban.checking import FORMATS, CheckResult, check_registry, run_check
from duban.checking.texts import TEXTS, say
from duban.commands._common import load
from duban.gitchanges import GitError, changed_files
from engine_helpers import commit_all, dump, git, git_repo, run, task, write_registry

AS_OF = dt.date(2026, 7, 10)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def deadline_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith("deadline:"))


def summary(result: CheckResult) -> list[tuple[str, str, str, str | None]]:
    return [(f.state.id, f.finding, f.severity, f.note) for f in result.findings]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """On main: four tasks (overdue by 10, 40 and 70 days, one on track) with a grace of 10 days; then a
    branch `pr` that edits the 10- and the 40-day one, and moves the one on track into a sub-folder."""
    root = git_repo(tmp_path / "repo")
    tasks = [
        task("DB-2026-0001", deadline="2026-06-30"),
        task("DB-2026-0002", deadline="2026-05-31"),
        task("DB-2026-0003", deadline="2026-12-31"),
        task("DB-2026-0004", deadline="2026-05-01"),
    ]
    write_registry(root, tasks, settings={"check": {"fail_on": ["overdue"], "grace_days": 10}})
    commit_all(root, "registry")
    git(root, "checkout", "--quiet", "-b", "pr")
    dump(root / "tasks" / "DB-2026-0001.yaml", tasks[0] | {"title": "改"})
    commit_all(root, "edit")
    (root / "tasks" / "2026").mkdir()
    git(root, "mv", "tasks/DB-2026-0003.yaml", "tasks/2026/DB-2026-0003.yaml")
    dump(root / "tasks" / "DB-2026-0002.yaml", tasks[1] | {"title": "未提交"})  # not committed
    return root


@needs_git
def test_the_result_of_a_pull_request(repo: Path) -> None:
    touched = changed_files(repo, "main")
    result = check_registry(load(repo, AS_OF), repo, touched, "main")
    assert summary(result) == [
        ("DB-2026-0002", "overdue", "error", None),  # changed: fails
        ("DB-2026-0004", "overdue", "warning", "unchanged"),  # the longest overdue warning first
        ("DB-2026-0001", "overdue", "warning", "grace"),  # changed, but within the grace period
    ]
    error = result.findings[0]
    assert (error.line, error.column) == (deadline_line(repo / "tasks" / "DB-2026-0002.yaml"), 11)
    assert error.state.days_overdue == 40 and error.reasons[0].finding == "overdue"
    assert (result.problems, result.as_of, result.ref, result.language) == ([], AS_OF, "main", "zh-CN")
    assert result.failed and result.exit_code == 1
    assert (
        result.findings[1]
        .message("en", result.settings, result.ref)
        .endswith(" (not changed since main: warning only)")
    )


@needs_git
def test_without_changed_since_every_task_counts_as_changed(repo: Path) -> None:
    result = check_registry(load(repo, AS_OF), repo)
    assert [(i, s, n) for i, _, s, n in summary(result)] == [
        ("DB-2026-0004", "error", None),
        ("DB-2026-0002", "error", None),
        ("DB-2026-0001", "warning", "grace"),
    ]
    assert result.ref is None


@needs_git
def test_a_pull_request_that_touches_no_failing_task_passes(repo: Path) -> None:
    git(repo, "stash", "--quiet")  # the uncommitted edit of the 40-day task goes away
    result = check_registry(load(repo, AS_OF), repo, changed_files(repo, "main"), "main")
    assert {f.severity for f in result.findings} == {"warning"}
    assert not result.failed and result.exit_code == 0


def test_a_registry_with_errors_has_problems_and_no_findings(tmp_path: Path) -> None:
    root = write_registry(tmp_path, [task(deadline="2026-05-01"), task("DB-2026-0002", lead_unit="nowhere")])
    result = check_registry(load(root, AS_OF), root)
    assert [p.code for p in result.problems] == ["unknown-unit"]
    assert result.findings == [] and result.exit_code == 1


# --- gitchanges ---


@needs_git
def test_changed_files(repo: Path) -> None:
    (repo / "notes.txt").write_text("new, not added\n", encoding="utf-8")
    (repo / "ignored.log").write_text("ignored\n", encoding="utf-8")
    (repo / ".gitignore").write_text("*.log\n", encoding="utf-8")
    assert changed_files(repo, "main") == {
        "tasks/DB-2026-0001.yaml",  # committed on the branch
        "tasks/DB-2026-0002.yaml",  # not committed
        "tasks/DB-2026-0003.yaml",  # a rename: both sides
        "tasks/2026/DB-2026-0003.yaml",
        "notes.txt",  # untracked
        ".gitignore",
    }
    assert changed_files(repo / "tasks", "main") == {
        "DB-2026-0001.yaml",
        "DB-2026-0002.yaml",
        "DB-2026-0003.yaml",
        "2026/DB-2026-0003.yaml",
    }


@needs_git
def test_changed_files_ignore_the_variables_git_sets_for_its_hooks(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `duban check --changed-since` in a pre-commit hook: git points GIT_DIR and GIT_INDEX_FILE at the
    # hook's repository; the folder asked about must decide alone.
    other = git_repo(tmp_path / "other")
    (other / "elsewhere.txt").write_text("x\n", encoding="utf-8")
    commit_all(other, "other")
    expected = changed_files(repo, "main")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert changed_files(repo, "main") == expected


@needs_git
@pytest.mark.parametrize(
    ("ref", "message"),
    [("no-such-branch", "no commit named 'no-such-branch'"), ("--output=x", "is not a git reference")],
)
def test_a_bad_ref_is_a_git_error(repo: Path, ref: str, message: str) -> None:
    with pytest.raises(GitError, match=message):
        changed_files(repo, ref)
    assert not (repo / "x").exists()


@needs_git
def test_outside_a_repository_is_a_git_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="is not inside a git repository"):
        changed_files(tmp_path / "plain", "main")


# --- formats and words ---


def test_the_format_option_offers_every_printer() -> None:
    assert list(FORMATS) == ["text", "json", "github"]
    assert "[text|json|github]" in run(["check", "--help"]).stdout


def test_run_check_prints_and_returns_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_registry(tmp_path, [task(deadline="2026-05-01")])
    assert run_check(root, "json", AS_OF, None) == 1
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert [f["severity"] for f in data["findings"]] == ["error"] and data["failed"] is True


def test_texts_have_both_languages() -> None:
    fields = {"id": "DB-1", "title": "t", "reasons": "r", "days": 3, "ref": "main", "summary": "s",
              "errors": 1, "warnings": 2, "date": "2026-07-10", "count": 4}  # fmt: skip
    for key, texts in TEXTS.items():
        assert set(texts) == {"zh-CN", "en"}, key
        assert say(key, "zh-CN", **fields) and say(key, "en", **fields)
