"""Folder-driven example cases (tests/examples, described in its README.md), run through the real CLI.

Each case is a copy of tests/examples/base with the case's files laid over it; `duban validate --format json`
must report exactly the problems in the case's expected.txt, in the order duban prints them, and exit 1 when
any of them is an error (0 otherwise).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from duban.dates import parse_date
from duban.loader import finish_problems, load_registry
from duban.messages import LANGUAGES, MESSAGES
from validation_helpers import (
    AS_OF,
    EXAMPLES,
    Expected,
    build_registry,
    case_dirs,
    head,
    read_expected,
    run_cli,
    validate_json,
)

VALID = case_dirs("valid")
INVALID = case_dirs("invalid")

# Problem codes no example folder can show, and the test that covers each instead.
DEDICATED: dict[str, str] = {
    "too-large": "test_validate_files.py::test_too_large_file",  # a 2 MB file has no place in the repository
    "unreadable": "test_validate_files.py::test_fifo_is_unreadable_not_a_hang",  # made at run time
    "symlink-outside": "test_validate_files.py::test_symlink_outside_*",  # git on Windows has no symlinks
    "schema": "test_validate_messages.py::test_schema_fallback_code",  # no keyword of our schemas needs it
}


def _ids(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


def test_base_registry_is_valid(tmp_path: Path) -> None:
    code, problems = validate_json(build_registry(None, tmp_path / "registry"))
    assert (code, problems) == (0, [])


@pytest.mark.parametrize("case", INVALID, ids=_ids(INVALID))
def test_invalid_case(case: Path, tmp_path: Path) -> None:
    expected = read_expected(case / "expected.txt")
    assert expected, f"{case.name}: an invalid case needs an expected.txt with at least one problem"
    _check_case(case, expected, tmp_path)


@pytest.mark.parametrize("case", VALID, ids=_ids(VALID))
def test_valid_case(case: Path, tmp_path: Path) -> None:
    expected = read_expected(case / "expected.txt")
    assert all(entry.severity == "warning" for entry in expected), "a valid case may expect warnings only"
    _check_case(case, expected, tmp_path)


def _check_case(case: Path, expected: list[Expected], tmp_path: Path) -> None:
    root = build_registry(case, tmp_path / "registry")
    code, records = validate_json(root)
    assert [head(r) for r in records] == [e.head for e in expected]
    for entry, record in zip(expected, records, strict=True):
        if entry.message is not None:
            assert record["message"] == entry.message, entry.head
    assert code == (1 if any(r["severity"] == "error" for r in records) else 0)
    # The text format prints the same problems, one `head: message` line each, then the summary.
    text = run_cli(["validate", "--root", str(root), "--format", "text", "--as-of", AS_OF])
    lines = text.stdout.splitlines()
    assert lines[:-1] == [f"{head(r)}: {r['message']}" for r in records]
    assert text.exit_code == code
    # Every problem renders in every language (a template field missing from a problem's args would raise).
    result = load_registry(root)
    day = parse_date(AS_OF)
    assert day is not None
    for problem in finish_problems(result, day):
        for language in LANGUAGES:
            assert problem.message(language)


def test_enough_invalid_cases() -> None:
    assert len(INVALID) >= 45


def test_every_problem_code_has_an_example_or_a_dedicated_test() -> None:
    shown = {entry.code for case in VALID + INVALID for entry in read_expected(case / "expected.txt")}
    assert set(MESSAGES) - shown == set(DEDICATED)
    assert not shown - set(MESSAGES), "expected.txt names a code that does not exist"


def test_case_folders_hold_only_registry_files() -> None:
    """A stray file (a typo'd expected.txt, an editor backup) would silently change what a case tests."""
    allowed_top = {"expected.txt", "remove.txt", "duban.yaml", "org", "calendar", "tasks", "evidence"}
    for case in VALID + INVALID:
        names = {path.name for path in case.iterdir()}
        assert names <= allowed_top, f"{case}: {sorted(names - allowed_top)}"
    assert (EXAMPLES / "README.md").is_file()
