"""The registry's git history in one `git log` process: per file, renames followed, any name and message."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from duban.site.gitlog import Commit, collect_history

ODD_SUBJECT = "odd \x1e sub\x1f \"quotes\" <b>&amp;</b> '-alert(1)-' 中文 ✓ --name-only %H"


def git(repo: Path, *args: str, date: str = "2026-03-01T10:00:00+08:00") -> str:
    """git in `repo` with pinned dates, so that the history is the same on every run."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "config", "user.name", "王芳")
    git(path, "config", "user.email", "wang@example.org")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit(repo: Path, message: str, date: str, files: dict[str, str] | None = None) -> str:
    for name, text in (files or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--allow-empty-message", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose registry lives in `registry/`, with an unrelated file beside it."""
    repo = new_repo(tmp_path / "repo")
    commit(
        repo,
        "建立台账\n\n正文第二段",
        "2026-01-05T09:00:00+08:00",
        {"registry/tasks/DB-1.yaml": "a\n", "registry/duban.yaml": "t\n", "outside.txt": "x\n"},
    )
    commit(repo, "first line\nsecond line", "2026-02-01T09:00:00+08:00", {"registry/tasks/DB-1.yaml": "b\n"})
    (repo / "registry/tasks/2026").mkdir()
    git(
        repo, "mv", "registry/tasks/DB-1.yaml", "registry/tasks/2026/DB-1.yaml"
    )  # a move: the task keeps history
    commit(repo, ODD_SUBJECT, "2026-03-01T10:00:00+08:00")
    commit(
        repo,
        "中文文件名",
        "2026-04-01T10:00:00-05:00",
        {"registry/tasks/督办 事项.yaml": "c\n", "outside.txt": "y\n"},
    )
    return repo


def test_history_per_file_relative_to_the_registry(repo: Path) -> None:
    history = collect_history(repo / "registry")
    assert sorted(history) == ["duban.yaml", "tasks/2026/DB-1.yaml", "tasks/督办 事项.yaml"]
    moved = history["tasks/2026/DB-1.yaml"]
    assert [c.subject for c in moved] == [ODD_SUBJECT, "first line second line", "建立台账"]
    assert [c.date for c in moved] == [
        "2026-03-01T10:00:00+08:00",
        "2026-02-01T09:00:00+08:00",
        "2026-01-05T09:00:00+08:00",
    ]
    assert {c.author for c in moved} == {"王芳"}


def test_commit_fields_are_as_git_gives_them(repo: Path) -> None:
    sha = git(repo, "rev-parse", "HEAD").strip()
    (latest,) = collect_history(repo / "registry")["tasks/督办 事项.yaml"]
    assert latest == Commit(sha, sha[: len(latest.short)], "2026-04-01T10:00:00-05:00", "王芳", "中文文件名")
    assert 7 <= len(latest.short) < len(sha)
    assert latest.day == "2026-04-01"  # the committer's own day, not converted to another zone


def test_registry_at_the_repository_root_sees_every_file(repo: Path) -> None:
    history = collect_history(repo)
    assert "outside.txt" in history
    assert [c.subject for c in history["outside.txt"]] == ["中文文件名", "建立台账"]
    assert "registry/tasks/2026/DB-1.yaml" in history


def test_renamed_away_and_back_keeps_one_history(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r")
    commit(repo, "one", "2026-01-01T00:00:00+08:00", {"a.yaml": "1\n"})
    git(repo, "mv", "a.yaml", "b.yaml")
    commit(repo, "two", "2026-01-02T00:00:00+08:00")
    git(repo, "mv", "b.yaml", "a.yaml")
    commit(repo, "three", "2026-01-03T00:00:00+08:00")
    commit(repo, "new b", "2026-01-04T00:00:00+08:00", {"b.yaml": "a different file\n"})
    history = collect_history(repo)
    assert [c.subject for c in history["a.yaml"]] == ["three", "two", "one"]
    assert [c.subject for c in history["b.yaml"]] == ["new b"]


def test_limit_per_file(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r")
    for day in range(1, 8):
        commit(repo, f"day {day}", f"2026-01-0{day}T00:00:00+08:00", {"a.yaml": f"{day}\n"})
    assert [c.subject for c in collect_history(repo, limit_per_file=3)["a.yaml"]] == [
        "day 7",
        "day 6",
        "day 5",
    ]
    assert len(collect_history(repo)["a.yaml"]) == 7


def test_one_git_process_for_the_whole_registry(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: Any) -> Any:
        calls.append(list(args))
        assert "shell" not in kwargs
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)  # the module calls subprocess.run by attribute
    history = collect_history(repo / "registry")
    assert len(history) == 3
    assert len(calls) == 1
    assert calls[0][0] == "git" and "log" in calls[0]
    assert "core.quotepath=false" in calls[0]


def test_output_is_deterministic(repo: Path) -> None:
    first, second = collect_history(repo / "registry"), collect_history(repo / "registry")
    assert first == second
    assert list(first) == sorted(first)


def test_not_a_repository_gives_no_history(tmp_path: Path) -> None:
    (tmp_path / "duban.yaml").write_text("title: x\n", encoding="utf-8")
    assert collect_history(tmp_path) == {}
    assert collect_history(tmp_path / "missing") == {}


def test_repository_without_commits_gives_no_history(tmp_path: Path) -> None:
    assert collect_history(new_repo(tmp_path / "empty")) == {}


def test_git_missing_gives_no_history(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    assert collect_history(repo / "registry") == {}


def test_git_dir_of_a_hook_does_not_redirect_git(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = new_repo(tmp_path / "other")
    commit(other, "elsewhere", "2026-05-01T00:00:00+08:00", {"tasks/X.yaml": "x\n"})
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # what git sets while running a pre-commit hook
    history = collect_history(repo / "registry")
    assert "tasks/2026/DB-1.yaml" in history
    assert "tasks/X.yaml" not in history


def test_user_config_cannot_change_the_parsed_output(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text(
        "[core]\n\tquotepath = true\n[log]\n\tshowSignature = true\n\tshowRoot = false\n", "utf-8"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    history = collect_history(repo / "registry")
    assert "tasks/督办 事项.yaml" in history
    assert [c.subject for c in history["tasks/2026/DB-1.yaml"]][-1] == "建立台账"  # the root commit counts


def test_merge_commits_credit_the_change_to_its_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r")
    commit(repo, "base", "2026-01-01T00:00:00+08:00", {"a.yaml": "1\n"})
    git(repo, "checkout", "--quiet", "-b", "side")
    commit(repo, "on a branch", "2026-01-02T00:00:00+08:00", {"b.yaml": "2\n"})
    git(repo, "checkout", "--quiet", "main")
    commit(repo, "on main", "2026-01-03T00:00:00+08:00", {"a.yaml": "3\n"})
    git(repo, "merge", "--quiet", "--no-ff", "--no-edit", "side", date="2026-01-04T00:00:00+08:00")
    history = collect_history(repo)
    assert [c.subject for c in history["b.yaml"]] == ["on a branch"]
    assert [c.subject for c in history["a.yaml"]] == ["on main", "base"]
