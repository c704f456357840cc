"""Messages and output formats of `duban validate`: exact lines, JSON fields, annotations, exit codes."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from duban import checks, schemas, yamlio
from duban.cli import cli
from duban.messages import LANGUAGES, MESSAGES, RECORD_NAMES, TYPE_NAMES, render
from duban.output import annotation, escape_data, escape_property, fit_encoding
from duban.problems import Problem
from validation_helpers import AS_OF, CLEAN_ENV, run_cli, write_file

REPO = Path(__file__).resolve().parent.parent
JSON_FIELDS = ["file", "line", "column", "path", "code", "severity", "message"]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_has_every_language_with_the_same_fields(code: str) -> None:
    templates = MESSAGES[code]
    assert set(templates) == set(LANGUAGES)
    assert _fields(templates["zh-CN"]) == _fields(templates["en"])
    assert all(text.strip() == text and text for text in templates.values())


def test_codes_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code) for code in MESSAGES)


@pytest.mark.parametrize(
    "table",
    [RECORD_NAMES, TYPE_NAMES, checks.EVIDENCE_REASONS, dict(yamlio._SYNTAX_HINTS)],
    ids=["record-names", "type-names", "evidence-reasons", "syntax-hints"],
)
def test_every_word_table_has_every_language(table: dict[str, dict[str, str]]) -> None:
    for key, words in table.items():
        assert set(words) == set(LANGUAGES), key
        assert all(words.values()), key


def test_render_falls_back_to_english_for_an_unknown_language() -> None:
    assert render("empty-file", {}, "fr") == "the file is empty"
    assert render("empty-file", {}, "zh-CN") == "文件为空"


def test_per_language_arguments_are_chosen_by_language() -> None:
    args = {"key": "deadlin", "suggestion": schemas.did_you_mean("deadlin", ["deadline", "status"])}
    assert render("unknown-key", args, "zh-CN") == "未知字段“deadlin”，是否应为“deadline”？"
    assert render("unknown-key", args, "en") == "unknown key 'deadlin' — did you mean 'deadline'?"
    args = {"key": "zzz", "suggestion": schemas.did_you_mean("zzz", ["deadline"])}
    assert render("unknown-key", args, "en") == "unknown key 'zzz'"


def test_schema_fallback_code() -> None:
    """The `schema` code covers keywords our schemas do not use today (a future `multipleOf`, say)."""
    [error] = Draft202012Validator({"multipleOf": 2}).iter_errors(3)
    [problem] = schemas._problems_for(schemas._Error.of(error), "tasks/x.yaml")
    assert (problem.code, problem.path) == ("schema", ())
    assert problem.message("en") == "does not match the schema: 3 is not a multiple of 2"
    assert problem.message("zh-CN") == "不符合格式要求：3 is not a multiple of 2"


# --- one small registry, exact output -----------------------------------------------------------------------


def _small_registry(root: Path, language: str | None = None) -> Path:
    settings = "title: 督办\ntimezone: Asia/Shanghai\n" + (f"language: {language}\n" if language else "")
    write_file(root, "duban.yaml", settings)
    write_file(root, "org/units.yaml", "- id: housing\n  name: 住建局\n")
    write_file(root, "org/people.yaml", "- id: zhang-wei\n  name: 张伟\n  unit: housing\n")
    write_file(
        root,
        "tasks/2026/DB-2026-0001.yaml",
        "id: DB-2026-0001\ntitle: 推进老旧小区改造\nsource:\n  type: other\nlead_unit: housing\n"
        "owner: zhang-wei\nstatus: in_progress\nassigned: 2026-01-20\n# 办结时限\n\ndeadline: 2026-02-30\n",
    )
    write_file(
        root,
        "tasks/2026/DB-2026-0002.yaml",
        "id: DB-2026-0002\ntitle: 第二项\nsource: {type: other}\nlead_unit: housing\nco_units: [housing]\n"
        "status: in_progress\nassigned: 2026-01-20\ndeadline: 2026-06-30\n",
    )
    return root


def _validate(root: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = run_cli(["validate", "--root", str(root), "--as-of", AS_OF, *args], env=env)
    return result.exit_code, result.stdout


def test_text_output_in_chinese(tmp_path: Path) -> None:
    code, out = _validate(_small_registry(tmp_path), "--format", "text")
    assert code == 1
    assert out == (
        "tasks/2026/DB-2026-0001.yaml:11:11: error[bad-date]: "
        "“2026-02-30”不是有效日期（格式 YYYY-MM-DD，如 2026-06-30）\n"
        "tasks/2026/DB-2026-0002.yaml:5:12: warning[co-unit-is-lead]: 牵头单位“housing”不必再列为协办单位\n"
        "1 个错误，1 个警告\n"
    )


def test_text_output_in_english(tmp_path: Path) -> None:
    code, out = _validate(_small_registry(tmp_path, "en"), "--format", "text")
    assert code == 1
    assert out == (
        "tasks/2026/DB-2026-0001.yaml:11:11: error[bad-date]: "
        "'2026-02-30' is not a valid date (YYYY-MM-DD, e.g. 2026-06-30)\n"
        "tasks/2026/DB-2026-0002.yaml:5:12: warning[co-unit-is-lead]: "
        "the lead unit 'housing' is also listed as a co-unit\n"
        "1 error, 1 warning\n"
    )


def test_text_output_without_problems(tmp_path: Path) -> None:
    root = _small_registry(tmp_path, "en")
    (root / "tasks/2026/DB-2026-0001.yaml").unlink()
    (root / "tasks/2026/DB-2026-0002.yaml").unlink()
    assert _validate(root, "--format", "text") == (0, "no problems found\n")
    write_file(root, "duban.yaml", "title: 督办\ntimezone: Asia/Shanghai\n")
    assert _validate(root, "--format", "text") == (0, "未发现问题\n")


def test_the_default_format_is_text(tmp_path: Path) -> None:
    root = _small_registry(tmp_path)
    assert _validate(root) == _validate(root, "--format", "text")


def test_json_output_fields_are_the_stable_contract(tmp_path: Path) -> None:
    code, out = _validate(_small_registry(tmp_path), "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert list(document) == ["problems", "findings"]
    assert document["findings"] == []
    assert [list(record) for record in document["problems"]] == [JSON_FIELDS, JSON_FIELDS]
    assert document["problems"][0] == {
        "file": "tasks/2026/DB-2026-0001.yaml",
        "line": 11,
        "column": 11,
        "path": "$.deadline",
        "code": "bad-date",
        "severity": "error",
        "message": "“2026-02-30”不是有效日期（格式 YYYY-MM-DD，如 2026-06-30）",
    }
    assert document["problems"][1]["path"] == "$.co_units[0]"
    assert document["problems"][1]["severity"] == "warning"
    assert "\\u" not in out  # Chinese stays readable in the JSON


def test_json_line_and_column_are_null_for_a_whole_file_problem(tmp_path: Path) -> None:
    root = _small_registry(tmp_path)
    (root / "org/people.yaml").unlink()
    code, out = _validate(root, "--format", "json")
    [record] = json.loads(out)["problems"][:1]
    assert code == 1
    assert record["file"] == "org/people.yaml"
    assert (record["line"], record["column"], record["path"], record["code"]) == (
        None,
        None,
        "$",
        "missing-file",
    )


# --- GitHub annotations -------------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    line = annotation("error", "tasks/a,b:c.yaml", 3, 7, "bad-date", "x: 1, 100%\nmore")
    assert line == "::error file=tasks/a%2Cb%3Ac.yaml,line=3,col=7,title=bad-date::x: 1, 100%25%0Amore"
    assert annotation("warning", "duban.yaml", None, None, "missing-file", "m") == (
        "::warning file=duban.yaml,title=missing-file::m"
    )


def test_github_format_paths_are_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Annotations attach to files by their path in the repository, where the workflow runs."""
    root = _small_registry(tmp_path / "registry", "en")
    # A key with a percent sign and a line break: both must be escaped, or the annotation breaks.
    write_file(root, "org/units.yaml", '- id: housing\n  name: 住建局\n  "50%\\nof": x\n')
    monkeypatch.chdir(tmp_path)
    code, out = _validate(Path("registry"), "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        "::error file=registry/org/units.yaml,line=3,col=3,title=unknown-key::unknown key '50%25%0Aof'",
        "::error file=registry/tasks/2026/DB-2026-0001.yaml,line=11,col=11,title=bad-date::"
        "'2026-02-30' is not a valid date (YYYY-MM-DD, e.g. 2026-06-30)",
        "::warning file=registry/tasks/2026/DB-2026-0002.yaml,line=5,col=12,title=co-unit-is-lead::"
        "the lead unit 'housing' is also listed as a co-unit",
        "2 errors, 1 warning",
    ]


def test_github_actions_makes_github_the_default(tmp_path: Path) -> None:
    root = _small_registry(tmp_path)
    code, out = _validate(root, env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    assert out.startswith("::error file=")
    # An explicit format still wins.
    assert _validate(root, "--format", "text", env={"GITHUB_ACTIONS": "true"})[1].startswith("tasks/")
    assert _validate(root, env={"GITHUB_ACTIONS": "false"})[1].startswith("tasks/")


# --- PATH arguments and exit codes --------------------------------------------------------------------------


def test_paths_limit_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small_registry(tmp_path)
    write_file(root, "org/units.yaml", "- id: housing\n  name: 住建局\n  parent: govt\n")
    monkeypatch.chdir(root)
    only_task = run_cli(["validate", "tasks/2026/DB-2026-0002.yaml", "--as-of", AS_OF, "--format", "text"])
    assert (only_task.exit_code, only_task.stdout) == (
        0,
        "tasks/2026/DB-2026-0002.yaml:5:12: warning[co-unit-is-lead]: 牵头单位“housing”不必再列为协办单位\n"
        "0 个错误，1 个警告\n",
    )
    folder = run_cli(["validate", "tasks", "--as-of", AS_OF, "--format", "json"])
    assert folder.exit_code == 1
    assert [p["file"] for p in json.loads(folder.stdout)["problems"]] == [
        "tasks/2026/DB-2026-0001.yaml",
        "tasks/2026/DB-2026-0002.yaml",
    ]
    org = run_cli(["validate", "org", "duban.yaml", "--as-of", AS_OF, "--format", "json"])
    assert org.exit_code == 1
    assert [p["code"] for p in json.loads(org.stdout)["problems"]] == ["unknown-unit"]


def test_paths_work_with_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small_registry(tmp_path / "registry")
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        ["validate", "--root", "registry", "registry/tasks/2026/DB-2026-0002.yaml", "--as-of", AS_OF]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("tasks/2026/DB-2026-0002.yaml:5:12: warning[")
    assert root.is_dir()


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "xml"],
        ["--as-of", "2026-13-01"],
        ["--as-of", "tomorrow"],
        ["--no-such-option"],
        ["does/not/exist.yaml"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(["validate", "--root", str(_small_registry(tmp_path)), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error:" in result.stderr


def test_root_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    result = run_cli(["validate", "--root", str(tmp_path / "file.txt")])
    assert result.exit_code == 2


def test_exit_0_with_warnings_only_and_1_with_errors(tmp_path: Path) -> None:
    root = _small_registry(tmp_path)
    assert _validate(root)[0] == 1
    (root / "tasks/2026/DB-2026-0001.yaml").unlink()
    assert _validate(root)[0] == 0  # the co-unit warning remains


# --- docs ---------------------------------------------------------------------------------------------------


def test_every_code_is_documented() -> None:
    text = (REPO / "docs" / "problems.md").read_text(encoding="utf-8")
    missing = [code for code in MESSAGES if f"`{code}`" not in text]
    assert not missing, f"docs/problems.md does not describe {missing}"
    for field in JSON_FIELDS:
        assert f"`{field}`" in text


def test_problem_sort_key_orders_by_file_line_column_code() -> None:
    problems = [
        Problem("b.yaml", "tab", line=1, column=1),
        Problem("a.yaml", "tab", line=2, column=1),
        Problem("a.yaml", "empty-file", line=2, column=1),
        Problem("a.yaml", "missing-file"),
    ]
    ordered = sorted(problems, key=Problem.sort_key)
    assert [(p.file, p.line, p.code) for p in ordered] == [
        ("a.yaml", None, "missing-file"),
        ("a.yaml", 2, "empty-file"),
        ("a.yaml", 2, "tab"),
        ("b.yaml", 1, "tab"),
    ]


# --- hostile text in the files ------------------------------------------------------------------------------


def _registry_with_key(root: Path, key: str) -> Path:
    """The small registry with one unknown key (written as a double-quoted YAML key) in a unit."""
    _small_registry(root, "en")
    (root / "tasks/2026/DB-2026-0001.yaml").unlink()
    (root / "tasks/2026/DB-2026-0002.yaml").unlink()
    write_file(root, "org/units.yaml", f'- id: housing\n  name: 住建局\n  "{key}": x\n')
    return root


def test_control_characters_are_shown_as_escapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key with a line break or a terminal escape must not break lines or recolour a terminal."""
    _registry_with_key(tmp_path, "\\e[31mred\\nline")
    monkeypatch.chdir(tmp_path)
    root = Path()
    assert _validate(root, "--format", "text") == (
        1,
        "org/units.yaml:3:3: error[unknown-key]: unknown key '\\x1b[31mred\\nline'\n1 error, 0 warnings\n",
    )
    assert _validate(root, "--format", "github")[1].splitlines()[0] == (
        "::error file=org/units.yaml,line=3,col=3,title=unknown-key::unknown key '\\x1b[31mred%0Aline'"
    )
    message = json.loads(_validate(root, "--format", "json")[1])["problems"][0]["message"]
    assert message == "unknown key '\x1b[31mred\nline'"


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_a_gbk_console_gets_escapes_not_a_crash(tmp_path: Path, fmt: str) -> None:
    """Pipes on Chinese Windows are GBK: an emoji cannot be written there, Chinese can."""
    root = _registry_with_key(tmp_path, "进度😀")
    args = ["validate", "--root", str(root), "--as-of", AS_OF, "--format", fmt]
    result = CliRunner(charset="gbk").invoke(cli, args, env=CLEAN_ENV, catch_exceptions=False)
    assert result.exit_code == 1
    if fmt == "json":
        assert json.loads(result.stdout)["problems"][0]["message"] == "unknown key '进度😀'"
    else:
        assert "unknown key '进度\\U0001f600'" in result.stdout


def test_fit_encoding() -> None:
    assert fit_encoding("进度😀", "utf-8") == "进度😀"
    assert fit_encoding("进度😀", "gbk") == "进度\\U0001f600"
    assert fit_encoding('"进度😀"', "ascii", as_json=True) == '"\\u8fdb\\u5ea6\\ud83d\\ude00"'
    assert fit_encoding("x", "no-such-encoding") == "x"
