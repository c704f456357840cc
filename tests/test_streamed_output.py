"""Output written record by record (duban.output.json_chunks, status' CSV in pieces) must be byte for byte
what building the whole document first gives: that is what `duban status` and `duban check` printed before."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from duban.commands._common import load
from duban.commands.status import csv_bytes, csv_chunks
from duban.engine import evaluate, evaluated, to_json
from duban.output import echo_chunks, joined_lines, json_chunks
from engine_helpers import report_tasks, run, write_registry

AS_OF = "2026-07-10"

DOCUMENTS: list[dict[str, Any]] = [
    {},
    {"as_of": AS_OF, "tasks": []},
    {"as_of": AS_OF, "tasks": [{"id": "a", "reasons": [], "nested": {"x": [1, None, True]}}]},
    {"problems": [], "findings": [{"message": '逾期\n"引号"\u001b', "line": None}], "failed": True},
    {"tasks": [{}, [], "text", 2.5, {"deep": {"deeper": [{"k": "v"}]}}], "after": {"a": []}},
]


def _streamed(document: dict[str, Any]) -> str:
    lazy = {key: iter(value) if isinstance(value, list) else value for key, value in document.items()}
    return "".join(json_chunks(lazy))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_json_chunks_give_the_bytes_of_json_dumps(document: dict[str, Any]) -> None:
    expected = json.dumps(document, ensure_ascii=False, indent=2)
    assert _streamed(document) == expected
    assert "".join(json_chunks(document)) == expected  # lists given whole are dumped whole


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_registry(tmp_path / "registry", report_tasks())


def test_status_json_is_the_engines_document(root: Path) -> None:
    result = run(["status", "--root", str(root), "--as-of", AS_OF, "--format", "json"])
    day = dt.date.fromisoformat(AS_OF)
    loaded = load(root, day)
    document = to_json(evaluate(loaded.registry, day), day, loaded.registry.settings.language)
    assert result.stdout == json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def test_status_json_with_nothing_to_show(root: Path) -> None:
    result = run(["status", "--root", str(root), "--as-of", AS_OF, "--format", "json", "--light", "grey"])
    assert result.stdout == f'{{\n  "as_of": "{AS_OF}",\n  "tasks": []\n}}\n'


@pytest.mark.parametrize("batch", [1, 3, 10, 1000])
def test_csv_in_pieces_is_the_whole_table(root: Path, batch: int) -> None:
    day = dt.date.fromisoformat(AS_OF)
    registry = load(root, day).registry
    states = evaluate(registry, day)
    pieces = list(csv_chunks(states, registry, batch))
    assert b"".join(pieces) == csv_bytes(states, registry)
    bom = b"\xef\xbb\xbf"
    assert pieces[0].startswith(bom) and not any(piece.startswith(bom) for piece in pieces[1:])
    assert len(pieces) == len(states) // batch + 1


@pytest.mark.parametrize("lines", [[], [""], ["one"], ["one", "", "three"]])
def test_joined_lines_are_the_joined_text(lines: list[str]) -> None:
    assert "".join(joined_lines(iter(lines))) == "\n".join(lines)


def test_echo_chunks_writes_the_whole_text_and_one_line_break(capsys: pytest.CaptureFixture[str]) -> None:
    pieces = [f"line {n} 事项\n" for n in range(100)]
    echo_chunks(iter(pieces), batch=50)
    assert capsys.readouterr().out == "".join(pieces) + "\n"


def test_status_text_ends_with_the_summary_line(root: Path) -> None:
    result = run(["status", "--root", str(root), "--as-of", AS_OF, "-v"])
    assert result.stdout.endswith("：红灯 2，绿灯 4，已办结 3，已撤销 1\n")
    assert "\n\n" not in result.stdout and result.stdout.count("\n") > 20


@pytest.mark.parametrize("day", ["2026-01-01", "2026-03-15", AS_OF, "2027-01-01"])
def test_states_one_at_a_time_are_the_engines_states(root: Path, day: str) -> None:
    as_of = dt.date.fromisoformat(day)
    registry = load(root, as_of).registry
    assert list(evaluated(registry, as_of)) == evaluate(registry, as_of)
