"""`duban check`: exit codes, the finding lines, JSON, GitHub annotations and summary, and --changed-since
against real git repositories made in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from duban import cache, github, locate
from engine_helpers import commit_all, dump, git, git_repo, run, task, write_registry

AS_OF = "2026-07-10"
OVERDUE = task("DB-2026-0001", deadline="2026-06-30")  # 10 days overdue on AS_OF
LONG_OVERDUE = task("DB-2026-0002", deadline="2026-05-31")  # 40 days
ON_TRACK = task("DB-2026-0003", deadline="2026-12-31")

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def check(root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return run(["check", "--root", str(root), "--as-of", AS_OF, *args], env=env)


def deadline_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith("deadline:"))


# --- without git ---


def test_overdue_fails_with_a_line_at_the_deadline(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE, ON_TRACK])
    result = check(tmp_path)
    assert result.exit_code == 1
    line = deadline_line(tmp_path / "tasks" / "DB-2026-0001.yaml")
    first, summary = result.stdout.splitlines()
    assert first == (
        f"tasks/DB-2026-0001.yaml:{line}:11: error[overdue]: DB-2026-0001「督办事项 DB-2026-0001」"
        "已逾期 10 天（8 个工作日），办结时限 2026-06-30"
    )
    assert summary == "检查未通过：1 项未通过，0 项提示；文件校验：未发现问题"


def test_nothing_overdue_passes(tmp_path: Path) -> None:
    write_registry(tmp_path, [ON_TRACK, task("DB-2026-0004", deadline="2026-07-12")])  # due soon: not failing
    result = check(tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "检查通过：0 项未通过，0 项提示；文件校验：未发现问题"


def test_the_most_overdue_comes_first(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE, LONG_OVERDUE])
    lines = check(tmp_path).stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == [
        "tasks/DB-2026-0002.yaml",
        "tasks/DB-2026-0001.yaml",
    ]


def test_grace_days(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE], settings={"check": {"fail_on": ["overdue"], "grace_days": 10}})
    result = check(tmp_path)
    assert result.exit_code == 0
    assert "warning[overdue]" in result.stdout and "10 天宽限期内" in result.stdout
    assert check(tmp_path, "--as-of", "2026-07-11").exit_code == 1


def test_fail_on_other_findings(tmp_path: Path) -> None:
    soon = task("DB-2026-0004", deadline="2026-07-12")
    write_registry(tmp_path, [soon], settings={"check": {"fail_on": ["due_soon", "feedback_overdue"]}})
    result = check(tmp_path)
    assert result.exit_code == 1
    assert "error[due_soon]" in result.stdout


def test_fail_on_empty_never_fails_on_findings(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE], settings={"check": {"fail_on": []}})
    assert check(tmp_path).exit_code == 0


def test_problems_fail_and_findings_wait(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE, task("DB-2026-0005", lead_unit="nowhere")])
    result = check(tmp_path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [p["code"] for p in data["problems"]] == ["unknown-unit"]
    assert data["findings"] == [] and data["failed"] is True


def test_json_findings(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE, ON_TRACK])
    data = json.loads(check(tmp_path, "--format", "json").stdout)
    assert list(data)[:2] == ["problems", "findings"]
    (finding,) = data["findings"]
    line = deadline_line(tmp_path / "tasks" / "DB-2026-0001.yaml")
    assert {k: finding[k] for k in ("id", "file", "line", "column", "finding", "severity")} == {
        "id": "DB-2026-0001",
        "file": "tasks/DB-2026-0001.yaml",
        "line": line,
        "column": 11,
        "finding": "overdue",
        "severity": "error",
    }
    assert finding["message"].endswith("已逾期 10 天（8 个工作日），办结时限 2026-06-30")
    assert (finding["days_overdue"], finding["workdays_overdue"]) == (10, 8)


def test_english(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE], settings={"language": "en"})
    first, summary = check(tmp_path).stdout.splitlines()
    assert first.endswith(
        'DB-2026-0001 "督办事项 DB-2026-0001": overdue by 10 days (8 workdays); deadline 2026-06-30'
    )
    assert summary == "check failed: 1 failing, 0 warnings; files: no problems found"


# --- GitHub ---


def test_github_annotations_and_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = write_registry(
        tmp_path / "repo" / "registry", [OVERDUE, LONG_OVERDUE | {"title": "进度 50%, 需协调: 资金"}]
    )
    monkeypatch.chdir(tmp_path / "repo")  # the workflow runs at the repository's top
    summary_file = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary_file)}
    result = run(["check", "--root", "registry", "--as-of", AS_OF], env=env)
    assert result.exit_code == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    line = deadline_line(registry / "tasks" / "DB-2026-0002.yaml")
    assert annotations[0] == (
        f"::error file=registry/tasks/DB-2026-0002.yaml,line={line},col=11,title=duban 逾期%3A DB-2026-0002::"
        "DB-2026-0002「进度 50%25, 需协调: 资金」已逾期 40 天（29 个工作日），办结时限 2026-05-31"
    )
    assert annotations[1].startswith("::error file=registry/tasks/DB-2026-0001.yaml,")
    summary = summary_file.read_text(encoding="utf-8")
    assert summary.startswith("## ❌ duban check\n")
    assert "### 未通过检查的事项" in summary and "DB-2026-0002「进度 50%, 需协调: 资金」" in summary


def test_github_summary_is_appended_within_the_limit(tmp_path: Path) -> None:
    write_registry(tmp_path, [task(f"DB-2026-{n:04d}", deadline="2026-06-30") for n in range(1, 41)])
    summary_file = tmp_path / "summary.md"
    summary_file.write_bytes(b"x" * (github.STEP_SUMMARY_LIMIT - 20_000))  # another step filled most of it
    env = {"GITHUB_STEP_SUMMARY": str(summary_file)}
    result = check(tmp_path, "--format", "github", env=env)
    assert result.exit_code == 1
    assert summary_file.stat().st_size <= github.STEP_SUMMARY_LIMIT
    assert "未显示" in summary_file.read_text(encoding="utf-8")


def test_render_summary_respects_its_budget() -> None:
    rows = [[f"tasks/T-{n}.yaml:3", "逾期", "x" * 100] for n in range(1000)]
    table = github.SummaryTable("Failing", ["Where", "Finding", "Message"], rows)
    text = github.render_summary("## duban check\n", [table], 5000, "… {count} more")
    assert len(text.encode("utf-8")) <= 5000
    assert text.rstrip().endswith("more") and "| tasks/T-0.yaml:3 |" in text


def test_md_cell_escapes() -> None:
    assert github.md_cell("a|b\nc <script>") == "a\\|b c &lt;script&gt;"


# --- --changed-since ---


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: two overdue items and one on track; then a branch `pr` checked out."""
    root = git_repo(tmp_path / "repo")
    write_registry(root, [OVERDUE, LONG_OVERDUE, ON_TRACK])
    commit_all(root, "registry")
    git(root, "checkout", "--quiet", "-b", "pr")
    return root


def _edit(path: Path, **fields: Any) -> None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    dump(path, data | fields)


@needs_git
def test_touching_only_a_healthy_task_passes(repo: Path) -> None:
    _edit(repo / "tasks" / "DB-2026-0003.yaml", title="改了标题")
    commit_all(repo, "edit a healthy task")
    result = check(repo, "--changed-since", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("warning[overdue]") == 2
    assert "本次未改动该事项" in result.stdout


@needs_git
def test_touching_an_overdue_task_fails(repo: Path) -> None:
    _edit(repo / "tasks" / "DB-2026-0001.yaml", title="改了标题")
    commit_all(repo, "edit an overdue task")
    result = check(repo, "--changed-since", "main", "--format", "json")
    assert result.exit_code == 1
    severities = {f["id"]: f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert severities == {"DB-2026-0001": "error", "DB-2026-0002": "warning"}


@needs_git
def test_uncommitted_and_untracked_changes_count(repo: Path) -> None:
    _edit(repo / "tasks" / "DB-2026-0002.yaml", title="未提交的修改")
    dump(repo / "tasks" / "DB-2026-0009.yaml", task("DB-2026-0009", deadline="2026-06-01"))
    data = json.loads(check(repo, "--changed-since", "main", "--format", "json").stdout)
    severities = {f["id"]: f["severity"] for f in data["findings"]}
    assert severities == {"DB-2026-0002": "error", "DB-2026-0009": "error", "DB-2026-0001": "warning"}


@needs_git
def test_a_renamed_task_counts_as_touched(repo: Path) -> None:
    (repo / "tasks" / "2026").mkdir()
    git(repo, "mv", "tasks/DB-2026-0001.yaml", "tasks/2026/DB-2026-0001.yaml")
    commit_all(repo, "move into a year folder")
    data = json.loads(check(repo, "--changed-since", "main", "--format", "json").stdout)
    severities = {f["file"]: f["severity"] for f in data["findings"]}
    assert severities == {"tasks/2026/DB-2026-0001.yaml": "error", "tasks/DB-2026-0002.yaml": "warning"}


@needs_git
def test_main_moving_on_does_not_touch_the_pull_request(repo: Path) -> None:
    """Changes made on main after the branch left it are not the pull request's (merge base)."""
    git(repo, "checkout", "--quiet", "main")
    _edit(repo / "tasks" / "DB-2026-0001.yaml", title="main 上的修改")
    commit_all(repo, "main moves on")
    git(repo, "checkout", "--quiet", "pr")
    assert check(repo, "--changed-since", "main").exit_code == 0


@needs_git
def test_a_registry_in_a_sub_folder(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    root = write_registry(repo / "office" / "registry", [OVERDUE, LONG_OVERDUE])
    (repo / "README.md").write_text("readme\n", encoding="utf-8")
    commit_all(repo, "registry")
    git(repo, "checkout", "--quiet", "-b", "pr")
    _edit(root / "tasks" / "DB-2026-0002.yaml", title="改")
    (repo / "README.md").write_text("changed\n", encoding="utf-8")
    commit_all(repo, "edit")
    data = json.loads(check(root, "--changed-since", "main", "--format", "json").stdout)
    assert {f["file"]: f["severity"] for f in data["findings"]} == {
        "tasks/DB-2026-0002.yaml": "error",
        "tasks/DB-2026-0001.yaml": "warning",
    }


@needs_git
@pytest.mark.parametrize("ref", ["no-such-branch", "--output=x"])
def test_an_unknown_ref_is_a_usage_error(repo: Path, ref: str) -> None:
    result = check(repo, f"--changed-since={ref}")
    assert result.exit_code == 2
    assert ref in result.output and "Traceback" not in result.output


@needs_git
def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    root = write_registry(tmp_path / "plain", [OVERDUE])
    ceiling = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}  # git must not find a repository above tmp_path
    result = run(["check", "--root", str(root), "--changed-since", "main"], env=ceiling)
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


# --- places kept in the read cache (duban.locate.KeptPlaces) ---


def _reading_places(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From here on, the files read again to find places (duban.locate)."""
    read: list[str] = []
    real = locate._places

    def recording(path: Path, rel: str, wanted: Any) -> Any:
        read.append(rel)
        return real(path, rel, wanted)

    monkeypatch.setattr(locate, "_places", recording)
    return read


def test_places_found_once_are_kept_while_the_files_stay_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_registry(tmp_path, [OVERDUE, LONG_OVERDUE, ON_TRACK])
    uncached = check(tmp_path, env={cache.VARIABLE: "off"}).stdout
    read = _reading_places(monkeypatch)
    assert check(tmp_path).stdout == uncached
    assert sorted(read) == ["tasks/DB-2026-0001.yaml", "tasks/DB-2026-0002.yaml"]
    read.clear()
    assert check(tmp_path).stdout == uncached
    assert read == []
    path = tmp_path / "tasks" / "DB-2026-0001.yaml"  # lines move: read again, the new lines shown
    path.write_text("# 说明\n# 第二行\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    moved = check(tmp_path).stdout
    assert read == ["tasks/DB-2026-0001.yaml"]
    assert moved == check(tmp_path, env={cache.VARIABLE: "off"}).stdout != uncached
    assert f"DB-2026-0001.yaml:{deadline_line(path)}:11:" in moved


def test_kept_places_hold_the_registrys_files_as_they_are(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE, LONG_OVERDUE])
    check(tmp_path)
    [kept] = (tmp_path / cache.FOLDER).glob(f"v-*/{locate.PLACES}")
    first = cache.read_sealed(kept)
    assert sorted(rel for rel, _ in first) == ["tasks/DB-2026-0001.yaml", "tasks/DB-2026-0002.yaml"]
    (tmp_path / "tasks" / "DB-2026-0002.yaml").unlink()
    check(tmp_path)
    assert sorted(rel for rel, _ in cache.read_sealed(kept)) == ["tasks/DB-2026-0001.yaml"]


@pytest.mark.parametrize("damage", ["garbage", "wrong shape", "wrong places"])
def test_damaged_kept_places_are_not_believed(damage: str, tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE, LONG_OVERDUE])
    expected = check(tmp_path).stdout
    [kept] = (tmp_path / cache.FOLDER).glob(f"v-*/{locate.PLACES}")
    if damage == "garbage":
        kept.write_bytes(b"not a sealed file")
    else:
        known = cache.read_sealed(kept)
        for key, places in list(known.items()):
            if damage == "wrong shape":
                known[key] = [places]
            else:
                known[key] = {path: dict.fromkeys(by_where, ("1", 2.5)) for path, by_where in places.items()}
        known["not a key"] = {}
        cache.write_sealed(kept, known)
    assert check(tmp_path).stdout == expected
    assert check(tmp_path).stdout == expected


def test_no_places_are_kept_without_the_read_cache(tmp_path: Path) -> None:
    write_registry(tmp_path, [OVERDUE])
    check(tmp_path, env={cache.VARIABLE: "off"})
    assert not (tmp_path / cache.FOLDER).exists()
