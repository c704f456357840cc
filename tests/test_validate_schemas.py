"""duban.schemas: the inlined schemas validate exactly like schema/*.json, and errors become problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from duban import schemas
from validation_helpers import example_documents

DOCUMENTS = example_documents()


def _errors(validator: Draft202012Validator, data: Any) -> list[tuple[str, str, str]]:
    return sorted(
        (json.dumps(list(e.absolute_path)), str(e.validator), e.message) for e in validator.iter_errors(data)
    )


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_inlined_schema_has_no_refs_left(kind: str) -> None:
    schema = schemas.validator(kind).schema
    assert isinstance(schema, dict)
    inlined = {k: v for k, v in schema.items() if k != "$defs"}
    assert '"$ref"' not in json.dumps(inlined)


def test_inlined_schemas_report_the_same_errors_as_the_originals() -> None:
    assert len(DOCUMENTS) > 100
    bad = 0
    for name, kind, data in DOCUMENTS:
        original = Draft202012Validator(schemas.load_schema(kind))
        expected = _errors(original, data)
        assert _errors(schemas.validator(kind), data) == expected, name
        bad += bool(expected)
    assert bad > 20  # the comparison saw plenty of errors, not only valid files


def test_inline_refs_keeps_recursion_and_both_sides_of_a_clash() -> None:
    defs = {
        "node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}},
        "s": {"type": "string"},
    }
    inlined = schemas.inline_refs({"$ref": "#/$defs/node", "$defs": defs}, defs)
    assert inlined["properties"]["child"] == {"$ref": "#/$defs/node"}
    clash = schemas.inline_refs({"$ref": "#/$defs/s", "type": "integer", "title": "t"}, defs)
    assert clash == {"type": "integer", "title": "t", "allOf": [{"type": "string"}]}
    merged = schemas.inline_refs({"$ref": "#/$defs/s", "title": "t"}, defs)
    assert merged == {"type": "string", "title": "t"}


def test_date_paths_are_read_off_the_schema() -> None:
    assert ("deadline",) in schemas.date_paths("task")
    assert ("extensions", "*", "decided") in schemas.date_paths("task")
    assert ("holidays", "*") in schemas.date_paths("calendar")
    assert schemas.date_paths("units") == ()


def test_a_value_of_the_wrong_type_is_one_problem_not_two() -> None:
    """`status: 5` breaks `type` and `enum`; "expected text" says all there is to say."""
    problems = schemas.schema_problems("task", {"status": 5, "priority": ["x"]}, "t.yaml")
    codes = sorted((p.code, p.path) for p in problems if p.code != "missing-key")
    assert codes == [("bad-type", ("priority",)), ("bad-type", ("status",))]


def test_schema_files_are_the_ones_in_the_repository() -> None:
    for kind in schemas.KINDS:
        on_disk = json.loads(
            (Path(schemas.__file__).parents[2] / "schema" / f"{kind}.schema.json").read_text()
        )
        assert schemas.load_schema(kind) == on_disk
