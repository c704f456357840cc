"""`duban init DIR`: a registry that checks, builds and commits at once, for an office starting afresh."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import chinese_calendar
import pytest
import yaml
from click.testing import CliRunner, Result

from duban.cli import cli
from duban.engine import evaluate
from duban.loader import load_registry
from duban.scaffold import InitOptions, calendar_file, fill, scaffold, text_files, yaml_scalar

NOW = "2026-03-02T00:30:00+00:00"  # 08:30 in Beijing: today is 2026-03-02 there
EXAMPLE = "tasks/2026/DB-2026-0001.yaml"


def duban(*args: str) -> Result:
    env = {"DUBAN_NOW": NOW, "GITHUB_ACTIONS": "false"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    target = tmp_path / "office"
    result = duban("init", str(target), "--organization", "江州市人民政府办公室")
    assert result.exit_code == 0, result.output
    return target


def test_writes_a_complete_registry(registry: Path) -> None:
    expected = [
        "duban.yaml",
        "org/units.yaml",
        "org/people.yaml",
        "calendar/2026.yaml",
        "calendar/2027.yaml",
        EXAMPLE,
        "README.md",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/duban-pull-request.yml",
        ".github/workflows/duban-publish.yml",
        "schema/task.schema.json",
        "schema/settings.schema.json",
        "schema/units.schema.json",
        "schema/people.schema.json",
        "schema/calendar.schema.json",
    ]
    for rel in expected:
        assert (registry / rel).is_file(), rel
    settings = yaml.safe_load((registry / "duban.yaml").read_text(encoding="utf-8"))
    assert settings["organization"] == "江州市人民政府办公室"
    assert settings["timezone"] == "Asia/Shanghai" and settings["id_prefix"] == "DB"
    assert "_site/" in (registry / ".gitignore").read_text(encoding="utf-8")


def test_the_new_registry_passes_check(registry: Path) -> None:
    validate = duban("validate", "--root", str(registry))
    assert validate.exit_code == 0, validate.output
    assert "未发现问题" in validate.output  # no warnings either
    if importlib.util.find_spec("duban.commands.check") is None:
        pytest.skip("`duban check` is not there yet")
    check = duban("check", "--root", str(registry), "--format", "text")
    assert check.exit_code == 0, check.output


def test_the_new_registry_builds(registry: Path, tmp_path: Path) -> None:
    if importlib.util.find_spec("duban.commands.build") is None:
        pytest.skip("`duban build` is not there yet")
    out = tmp_path / "site"
    result = duban("build", "--root", str(registry), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert "梳理本单位年度重点工作任务清单" in (out / "tasks" / "DB-2026-0001" / "index.html").read_text(
        "utf-8"
    )


def test_the_example_item_starts_green(registry: Path) -> None:
    loaded = load_registry(registry)
    assert loaded.ok, loaded.problems
    (state,) = evaluate(loaded.registry, dt.date(2026, 3, 2))
    assert state.id == "DB-2026-0001" and state.light == "green" and state.findings == ()
    assert state.assigned == dt.date(2026, 3, 2) and state.days_left == 60


def test_the_schema_modeline_points_at_the_copied_schema(registry: Path) -> None:
    first = (registry / EXAMPLE).read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/task.schema.json"
    schema = (registry / EXAMPLE).parent / first.split("$schema=")[1]
    assert json.loads(schema.read_text(encoding="utf-8"))["title"].startswith("duban task")


def test_a_real_git_commit_of_the_result(registry: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*args: str) -> str:
        done = subprocess.run(
            [
                "git",
                "-c",
                "user.name=督查室",
                "-c",
                "user.email=duban@example.org",
                "-c",
                "commit.gpgsign=false",
                *args,
            ],
            cwd=registry,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        )
        return done.stdout

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "建立督办台账")
    tracked = git("ls-files").splitlines()
    assert EXAMPLE in tracked and ".github/workflows/duban-publish.yml" in tracked
    assert git("status", "--porcelain") == ""


def test_calendar_of_a_known_year_comes_from_chinese_calendar() -> None:
    data = yaml.safe_load(calendar_file(2026, "zh-CN"))  # PyYAML reads the dates as dates
    holidays, workdays = set(data["holidays"]), set(data["workdays"])
    expected = {d for d in chinese_calendar.holidays if d.year == 2026 and d.weekday() < 5}
    assert holidays == expected and dt.date(2026, 10, 1) in holidays
    assert workdays == {d for d in chinese_calendar.workdays if d.year == 2026 and d.weekday() >= 5}
    assert "# 国庆节" in calendar_file(2026, "zh-CN")


def test_calendar_of_an_unknown_year_is_left_to_fill_in() -> None:
    text = calendar_file(2100, "zh-CN")
    assert yaml.safe_load(text) == {"year": 2100, "holidays": [], "workdays": []}
    assert "国务院办公厅" in text and "11 月" in text


def test_refuses_an_existing_registry(registry: Path) -> None:
    result = duban("init", str(registry), "--force")
    assert result.exit_code == 1
    assert "duban.yaml" in result.output


def test_a_folder_with_other_files_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "repo"
    target.mkdir()
    (target / "README.md").write_text("# 我们的仓库\n", encoding="utf-8")
    result = duban("init", str(target))
    assert result.exit_code == 1 and "--force" in result.output
    assert not (target / "duban.yaml").exists()
    result = duban("init", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert (target / "README.md").read_text(encoding="utf-8") == "# 我们的仓库\n"  # kept
    assert "README.md" in result.output and (target / "duban.yaml").is_file()


def test_a_fresh_git_repository_counts_as_empty(tmp_path: Path) -> None:
    target = tmp_path / "repo"
    (target / ".git").mkdir(parents=True)
    assert duban("init", str(target)).exit_code == 0


def test_options(tmp_path: Path) -> None:
    target = tmp_path / "en"
    result = duban(
        "init",
        str(target),
        "--language",
        "en",
        "--title",
        "Town hall: follow-up",
        "--id-prefix",
        "ZF",
        "--timezone",
        "Asia/Urumqi",
        "--year",
        "2025",
    )
    assert result.exit_code == 0, result.output
    assert "Created a duban registry" in result.output
    settings = yaml.safe_load((target / "duban.yaml").read_text(encoding="utf-8"))
    assert settings["title"] == "Town hall: follow-up" and settings["language"] == "en"
    assert settings["timezone"] == "Asia/Urumqi" and settings["id_prefix"] == "ZF"
    assert sorted(p.name for p in (target / "calendar").iterdir()) == ["2025.yaml", "2026.yaml"]
    assert (target / "tasks" / "2026" / "ZF-2026-0001.yaml").is_file()
    assert "Reporting progress" in (target / "README.md").read_text(encoding="utf-8")
    assert duban("validate", "--root", str(target)).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("--timezone", "Beijing"),
        ("--id-prefix", "-DB"),
        ("--language", "fr"),
        ("--title", " "),
        ("--year", "99"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: tuple[str, str]) -> None:
    result = duban("init", str(tmp_path / "x"), *args)
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_the_readme_walks_the_office_through_its_work(registry: Path) -> None:
    readme = (registry / "README.md").read_text(encoding="utf-8")
    for topic in (
        "添加单位和人员",
        "登记督办事项",
        "报送进展",
        "拉取请求",
        "红黄绿灯",
        "延期",
        "办结",
        "催办",
        "群机器人",
        "DUBAN_WEBHOOK",
        "Settings → Pages",
        "节假日",
    ):
        assert topic in readme, topic
    assert "@@" not in readme


def test_no_placeholder_is_left_anywhere() -> None:
    options = InitOptions(title="督查督办", timezone="Asia/Shanghai", today=dt.date(2026, 3, 2), year=2026)
    for language in ("zh-CN", "en"):
        for rel, text in text_files(InitOptions(**{**options.__dict__, "language": language})).items():
            assert "@@" not in text, (language, rel)


def test_placeholders_and_quoting() -> None:
    assert fill("a @@X@@ b", {"X": "1"}) == "a 1 b"
    with pytest.raises(KeyError):
        fill("@@MISSING@@", {})
    for value in ("督查督办", "Town hall: follow-up", "yes", "2026", "#1", "a 'quoted' \"title\""):
        assert yaml.safe_load(f"key: {yaml_scalar(value)}") == {"key": value}


def test_scaffold_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    result = scaffold(target, InitOptions(title="T", timezone="UTC", today=dt.date(2030, 1, 1), year=2030))
    assert result.skipped == [] and "duban.yaml" in result.created
    assert yaml.safe_load((target / "calendar" / "2030.yaml").read_text(encoding="utf-8"))["holidays"] == []
