"""Property-based tests: whatever a task file holds, validation reports problems; no exception, no hang.

Inputs: arbitrary bytes; YAML-ish text made of the fragments that break parsers (quotes, brackets, anchors,
tabs, tags, `---`); small random edits of a real task file; arbitrary data written by PyYAML; and task-shaped
data whose values come from small pools of good and bad ones, so that the cross-file checks see a lot of it.
The same inputs are read both ways, the fast way (yaml_rs) and libyaml's, which must agree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban import yamlio
from duban.dates import parse_date
from duban.loader import finish_problems, load_registry
from duban.messages import LANGUAGES, MESSAGES
from duban.output import FORMATTERS
from duban.problems import Problem
from duban.yamlio import parse_text, parse_with_libyaml
from validation_helpers import AS_OF, BASE, build_registry, dump_yaml, run_cli, same_data

TASK = "tasks/2026/DB-2026-0099.yaml"
TODAY = parse_date(AS_OF)
FIELDS = ["file", "line", "column", "path", "code", "severity", "message"]
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# Few examples each (the suite must stay fast); no example database in the working tree.
FAST = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
BYTES = settings(FAST, max_examples=200)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the base registry per module: each example overwrites the same task file.

    Only two other tasks stay (enough for parents, duplicate ids and cycles), to keep each example quick.
    """
    registry = build_registry(None, tmp_path_factory.mktemp("properties") / "registry")
    for rel in (
        "tasks/2026/DB-2026-0003.yaml",
        "tasks/2026/DB-2026-0004.yaml",
        "tasks/2025/DB-2025-0007.yaml",
    ):
        (registry / rel).unlink()
    return registry


def _validate(root: Path, raw: bytes) -> list[Problem]:
    """The whole pipeline on the registry with `raw` as one task file, and every output format of it."""
    (root / TASK).write_bytes(raw)
    result = load_registry(root)
    assert TODAY is not None
    problems = finish_problems(result, TODAY)
    for language in LANGUAGES:
        for formatter in FORMATTERS.values():
            output = formatter(problems, language, root)
            assert isinstance(output, str)
        document = json.loads(FORMATTERS["json"](problems, language, root))
        assert all(list(record) == FIELDS for record in document["problems"])
    _assert_well_formed(problems, raw)
    return problems


def _assert_well_formed(problems: list[Problem], raw: bytes) -> None:
    text = raw.decode("utf-8", "replace")
    max_line = max(len(_BREAKS.split(text)), raw.count(b"\n") + 1)
    for problem in problems:
        assert problem.file == TASK, problem  # base/ is valid: whatever goes wrong is in the fuzzed file
        assert problem.code in MESSAGES
        assert problem.severity in ("error", "warning")
        if problem.where == "file":
            continue
        assert isinstance(problem.line, int) and isinstance(problem.column, int), problem
        assert 1 <= problem.line <= max_line, problem
        assert problem.column >= 1, problem


# --- arbitrary bytes ----------------------------------------------------------------------------------------


@BYTES
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(root: Path, raw: bytes) -> None:
    _validate(root, raw)


# --- YAML-ish text ------------------------------------------------------------------------------------------

# fmt: off
TASK_KEYS = [
    "id", "title", "source", "type", "ref", "by", "date", "category", "description", "priority", "lead_unit",
    "co_units", "owner", "leader", "supervisor", "parent", "assigned", "deadline", "report_every", "status",
    "tags", "milestones", "name", "due", "done", "updates", "progress", "text", "problems", "next",
    "reminders", "note", "extensions", "requested", "to", "reason", "decision", "decided", "indicators",
    "unit", "target", "actual", "baseline", "as_of", "measure", "better", "completion", "summary", "evidence",
    "url", "verified_by", "rating", "grade", "comment",
]
VALUES = [
    "DB-2026-0099", "DB-2026-0001", "DB-2026-0002", "housing", "finance", "nowhere", "zhang-wei", "li-ming",
    "nobody", "2026-01-05", "2026-02-30", "2026-12-31", "2027-03-01", "2025-01-01", "in_progress",
    "completed", "reported", "cancelled", "approved", "pending", "rejected", "other", "cumulative", "level",
    "lower", "0", "100", "101", "-1", "0.5", "1e999", ".inf", ".nan", "yes", "no", "on", "null", "~", "true",
    "中文标题", "javascript:x", "../x", "https://example.org/a",
    "evidence/DB-2026-0002/acceptance-report.txt", "x" * 300,
]
SYNTAX = [
    ":", ": ", "- ", "\n", "\n  ", "\n    ", "\n- ", "\n  - ", "[", "]", "{", "}", ", ", '"', "'", "&a ",
    "*a", "&b ", "*b", "!!str ", "!!int ", "!!float ", "!!python/object:os.system ", "!custom ", "!!binary ",
    "\t", "---\n", "...\n", "# c\n", "|\n", ">-\n", "? ", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "\\", "\\u",
    '\\"', "%", "@", "`", " ", "<<: ", "\x00", "\x07", "\x85", "\u2028", "\ufeff", "\r\n", "\r", "\ud7ff",
    "\U0001f600",
]
# fmt: on
FRAGMENTS = st.one_of(
    st.sampled_from(TASK_KEYS).map(lambda key: key + ": "),
    st.sampled_from(VALUES),
    st.sampled_from(SYNTAX),
    st.text(max_size=4),
)
YAMLISH = st.lists(FRAGMENTS, max_size=80).map("".join)


@FAST
@given(YAMLISH)
def test_yamlish_text(root: Path, text: str) -> None:
    _validate(root, text.encode("utf-8", "surrogatepass"))


BASE_TASK = (
    (BASE / "tasks/2026/DB-2026-0001.yaml")
    .read_text(encoding="utf-8")
    .replace("DB-2026-0001", "DB-2026-0099")
)
EDITS = st.lists(
    st.tuples(st.integers(0, len(BASE_TASK)), st.integers(0, 12), st.one_of(FRAGMENTS, st.just(""))),
    min_size=1,
    max_size=5,
)


def _edit(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, delete, insert in edits:
        at = min(position, len(text))
        text = text[:at] + insert + text[at + delete :]
    return text


@FAST
@given(EDITS)
def test_small_edits_of_a_real_task(root: Path, edits: list[tuple[int, int, str]]) -> None:
    _validate(root, _edit(BASE_TASK, edits).encode("utf-8", "surrogatepass"))


def test_the_unedited_task_is_valid(root: Path) -> None:
    """The edits above start from a valid file: what they find comes from the edits."""
    assert _validate(root, BASE_TASK.encode()) == []


# --- arbitrary data, written by PyYAML (dump_yaml) ----------------------------------------------------------

KEYS = st.one_of(st.sampled_from(TASK_KEYS), st.text(max_size=6))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(VALUES),
)
DATA = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)


@FAST
@given(DATA)
def test_arbitrary_data(root: Path, data: Any) -> None:
    _validate(root, dump_yaml(data, sort_keys=False).encode("utf-8"))


@FAST
@given(st.dictionaries(KEYS, DATA, max_size=8))
def test_arbitrary_mappings(root: Path, data: dict[str, Any]) -> None:
    _validate(root, dump_yaml(data).encode("utf-8"))


@FAST
@given(DATA)
def test_quoted_dump_round_trips(data: Any) -> None:
    """Every scalar quoted and tagged as PyYAML writes it: the loader gives back exactly the data."""
    parsed = parse_text(dump_yaml(data, default_style='"'), "f.yaml")
    assert parsed.problems == [] or parsed.problems[0].code == "too-deep"
    if not parsed.problems:
        assert parsed.data == data


# --- task-shaped data from pools of good and bad values -----------------------------------------------------

# fmt: off
DATES = st.sampled_from([
    "2026-01-05", "2026-02-28", "2026-06-30", "2026-11-28", "2026-12-31", "2025-06-01", "2027-01-01",
    "2026-02-30",
])
# fmt: on
TASK_IDS = st.sampled_from(["DB-2026-0099", "DB-2026-0001", "DB-2026-0002", "DB-2026-0098", "DB-2025-0007"])
UNITS = st.sampled_from(["housing", "finance", "planning", "gov", "nowhere"])
PEOPLE = st.sampled_from(["zhang-wei", "li-ming", "chen-jing", "nobody"])
NUMBERS = st.one_of(
    st.integers(-5, 150), st.floats(-10, 200, allow_nan=False), st.sampled_from([0, 0.0, 120])
)
# fmt: off
URLS = st.sampled_from([
    "https://example.org/a.pdf", "javascript:alert(1)", "../x", "/etc/passwd", "C:\\x", "x" * 300, "a\x00b",
    "evidence/DB-2026-0002/acceptance-report.txt", "evidence", "evidence/missing.pdf",
])
# fmt: on
TEXT = st.text(min_size=1, max_size=8)


def _record(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional)


SHAPED_TASK = _record(
    {
        "id": TASK_IDS,
        "title": TEXT,
        "source": _record(
            {"type": st.sampled_from(["other", "hotline", "media"])}, {"by": PEOPLE, "date": DATES}
        ),
        "lead_unit": UNITS,
        "assigned": DATES,
        "deadline": DATES,
        "status": st.sampled_from(
            ["assigned", "in_progress", "reported", "suspended", "completed", "cancelled"]
        ),
    },
    {
        "co_units": st.lists(UNITS, max_size=3, unique=True),
        "parent": TASK_IDS,
        "owner": PEOPLE,
        "leader": PEOPLE,
        "supervisor": PEOPLE,
        "report_every": st.sampled_from(["weekly", "monthly", "none"]),
        "tags": st.lists(TEXT, max_size=3, unique=True),
        "milestones": st.lists(_record({"name": TEXT, "due": DATES}, {"done": DATES}), max_size=3),
        "updates": st.lists(
            _record({"date": DATES, "text": TEXT}, {"by": PEOPLE, "progress": st.integers(-1, 101)}),
            max_size=3,
        ),
        "reminders": st.lists(_record({"date": DATES}, {"by": PEOPLE, "note": TEXT}), max_size=2),
        "extensions": st.lists(
            _record(
                {
                    "requested": DATES,
                    "to": DATES,
                    "reason": TEXT,
                    "decision": st.sampled_from(["pending", "approved", "rejected"]),
                },
                {"decided": DATES, "by": PEOPLE},
            ),
            max_size=3,
        ),
        "indicators": st.lists(
            _record(
                {"name": TEXT, "target": NUMBERS, "actual": NUMBERS},
                {
                    "baseline": NUMBERS,
                    "as_of": DATES,
                    "measure": st.sampled_from(["cumulative", "level"]),
                    "better": st.sampled_from(["higher", "lower"]),
                },
            ),
            max_size=2,
        ),
        "completion": _record(
            {"date": DATES, "summary": TEXT},
            {
                "evidence": st.lists(_record({"title": TEXT, "url": URLS}, {}), max_size=3),
                "verified_by": PEOPLE,
            },
        ),
        "rating": _record(
            {"grade": st.sampled_from(["satisfied", "unsatisfied"])},
            {"by": PEOPLE, "date": DATES, "comment": TEXT},
        ),
    },
)


@settings(FAST, max_examples=150)
@given(SHAPED_TASK)
def test_task_shaped_data(root: Path, data: dict[str, Any]) -> None:
    problems = _validate(root, dump_yaml(data, sort_keys=False).encode("utf-8"))
    # Schema problems only where the data really breaks the schema: the pools' only bad shapes are these.
    schema_codes = {p.code for p in problems} & {
        "bad-type",
        "missing-key",
        "unknown-key",
        "bad-value",
        "bad-id",
    }
    assert not schema_codes, problems


# --- the command line itself --------------------------------------------------------------------------------


@settings(FAST, max_examples=30)
@given(st.one_of(YAMLISH.map(str.encode), st.binary(max_size=500)))
def test_command_line_never_crashes(root: Path, raw: bytes) -> None:
    (root / TASK).write_bytes(raw)
    for fmt in ("json", "text", "github"):
        result = run_cli(["validate", "--root", str(root), "--format", fmt, "--as-of", AS_OF])
        assert result.exit_code in (0, 1), result.output
        assert result.stderr == ""
        if fmt == "json":
            document = json.loads(result.stdout)
            assert (result.exit_code == 1) == any(p["severity"] == "error" for p in document["problems"])


# --- the fast way (yaml_rs) reads what libyaml reads, on all of the above ----------------------------------

needs_yaml_rs = pytest.mark.skipif(yamlio.yaml_rs is None, reason="yaml_rs is not installed")


def _reads_alike(text: str) -> None:
    """A file the fast way takes gives the same data as libyaml gives; libyaml finds no problem in it."""
    fast = yamlio._fast_data(text)
    if fast is not None:
        slow = parse_with_libyaml(text, "f.yaml")
        assert slow.problems == [] and same_data(fast, slow.data), text


@needs_yaml_rs
@settings(FAST, max_examples=400)
@given(YAMLISH)
def test_both_ways_read_yamlish_text_alike(text: str) -> None:
    _reads_alike(text)


@needs_yaml_rs
@settings(FAST, max_examples=300)
@given(EDITS)
def test_both_ways_read_edited_tasks_alike(edits: list[tuple[int, int, str]]) -> None:
    _reads_alike(_edit(BASE_TASK, edits))


@needs_yaml_rs
@settings(FAST, max_examples=300)
@given(st.dictionaries(KEYS, DATA, max_size=8), st.sampled_from([None, '"', "'", "|", ">"]))
def test_both_ways_read_dumped_data_alike(data: dict[str, Any], style: str | None) -> None:
    _reads_alike(dump_yaml(data, default_style=style))
    _reads_alike(dump_yaml(data, default_flow_style=True))


@needs_yaml_rs
@settings(FAST, max_examples=200)
@given(SHAPED_TASK)
def test_both_ways_read_task_shaped_files_alike(data: dict[str, Any]) -> None:
    _reads_alike(dump_yaml(data, sort_keys=False))
