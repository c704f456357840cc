"""JSON Schema validation, with jsonschema's errors turned into located, translated problems.

Two validators hold one meaning, read from the same schema files: a compiled one (fastjsonschema) answers
"valid or not" for every document, ~25x faster than jsonschema; only a document it rejects goes through
jsonschema, whose errors carry the details that problems are made of. tests/test_fastpath.py shows that the
two agree on every example and on generated data. jsonschema is imported only when a document has errors.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from duban.messages import TYPE_NAMES
from duban.problems import PathPart, Problem
from duban.resources import data_dir

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

KINDS = ("task", "settings", "units", "people", "calendar")
DATE_REF = "#/$defs/date"
_WILDCARD = "*"


@cache
def load_schema(kind: str) -> dict[str, Any]:
    path = data_dir("schema") / f"{kind}.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def validator(kind: str) -> Validator:
    """jsonschema's validator for `kind`, with every error's details (slow: ~0.7 ms for a task file)."""
    from jsonschema import Draft202012Validator, validators

    schema = load_schema(kind)
    # `pattern` as ECMA-262 reads it, like the compiled validator: `$` is the end of the text. (Python's `$`
    # also matches before a final line break, so "DB-2026-0001\n" would pass `^...$` as an id.)
    checker = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"pattern": _ecma_pattern}
    )
    return checker(inline_refs(schema, schema.get("$defs", {})))  # type: ignore[no-any-return]


# A `$` not escaped by a backslash: fastjsonschema rewrites these to `\Z` (the end of the text) the same way.
_DOLLAR = re.compile(r"(?<!\\)\$")


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_DOLLAR.sub(r"\\Z", pattern))


def _ecma_pattern(checker: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str) and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def fast_validator(kind: str) -> Callable[[Any], bool]:
    """Whether a document is valid, from code compiled once per process out of the same schema file.

    The schema is compiled with $refs inlined (draft-07, which fastjsonschema speaks, ignores keywords next to
    a $ref; draft 2020-12 applies them: inlining keeps them) and without filling in defaults (fastjsonschema
    would otherwise write them into the data).
    """
    import fastjsonschema

    schema = load_schema(kind)
    # A deep copy: fastjsonschema rewrites the $refs it meets in place, and $defs is shared with load_schema.
    inlined = copy.deepcopy(inline_refs(schema, schema.get("$defs", {})))
    inlined["$schema"] = "http://json-schema.org/draft-07/schema#"
    compiled = fastjsonschema.compile(inlined, handlers={}, use_default=False, use_formats=False)

    def is_valid(data: Any) -> bool:
        try:
            compiled(data)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return is_valid


_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment"})


def inline_refs(node: Any, defs: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """The schema with every local `$ref` replaced by what it points to: the same rules, validated twice as
    fast (jsonschema resolves each $ref on every use, and a task file uses ~20 of them)."""
    if isinstance(node, list):
        return [inline_refs(item, defs, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else None
    if name is None or name not in defs or name in stack:  # a recursive $ref stays a $ref ($defs are kept)
        return {
            key: value if key == "$defs" else inline_refs(value, defs, stack) for key, value in node.items()
        }
    target = inline_refs(defs[name], defs, (*stack, name))
    rest = {key: inline_refs(value, defs, stack) for key, value in node.items() if key != "$ref"}
    if (set(rest) - _ANNOTATIONS) & set(target):  # both sides constrain the same keyword: keep both
        return {**rest, "allOf": [target]}
    return {**target, **rest}


def schema_problems(kind: str, data: Any, rel: str) -> list[Problem]:
    """Every way `data` breaks the `kind` schema, one problem per error, pointing at the offending node."""
    if fast_validator(kind)(data):
        return []
    errors = [_Error.of(error) for error in validator(kind).iter_errors(data)]
    # `status: 5` breaks both `type` and `enum`; "expected text" says all there is to say.
    mistyped = {error.path for error in errors if error.keyword == "type"}
    problems: list[Problem] = []
    for error in errors:
        if error.keyword in ("enum", "const") and error.path in mistyped:
            continue
        problems.extend(_problems_for(error, rel))
    return problems


@dataclass(frozen=True)
class _Error:
    """The parts of a jsonschema ValidationError we use, as plain types (its stubs allow "unset" anywhere)."""

    keyword: str
    value: Any  # the keyword's value in the schema: the enum list, the pattern, the bound …
    instance: Any
    schema: Mapping[str, Any]
    path: tuple[PathPart, ...]
    message: str

    @classmethod
    def of(cls, error: ValidationError) -> _Error:
        from jsonschema.exceptions import best_match

        if error.validator in ("anyOf", "oneOf") and error.context:
            error = best_match(error.context)
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        return cls(
            str(error.validator),
            error.validator_value,
            error.instance,
            schema,
            tuple(error.absolute_path),
            error.message,
        )


def _problems_for(error: _Error, rel: str) -> Iterator[Problem]:
    if error.keyword == "required":
        # One error per missing key; its message names the key ("'title' is a required property").
        key = next((k for k in error.value if error.message.startswith(repr(k))), "?")
        yield Problem(rel, "missing-key", {"key": key}, error.path)
    elif error.keyword == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                args = {"key": key, "suggestion": did_you_mean(str(key), known)}
                yield Problem(rel, "unknown-key", args, (*error.path, key), where="key")
    else:
        code, args = _describe(error)
        yield Problem(rel, code, args, error.path)


def _describe(error: _Error) -> tuple[str, dict[str, Any]]:
    keyword, value, instance = error.keyword, error.value, error.instance
    if keyword == "type":
        expected = [value] if isinstance(value, str) else list(value)
        return "bad-type", {"expected": _type_names(expected), "actual": _type_names([json_type(instance)])}
    if keyword in ("enum", "const"):
        allowed = value if keyword == "enum" else [value]
        return "bad-value", {"value": instance, "allowed": ", ".join(str(v) for v in allowed)}
    if keyword == "pattern":
        defs = load_schema("task")["$defs"]
        if value == defs["date"]["pattern"]:
            return "bad-date", {"value": instance}
        code = "bad-id" if value in (defs["task_id"]["pattern"], defs["org_id"]["pattern"]) else "bad-format"
        return code, {"value": instance, "pattern": value}
    if keyword in ("maxLength", "maxItems", "maxProperties"):
        return "too-long", {"limit": value}
    if keyword in ("minLength", "minItems", "minProperties"):
        return "too-short", {"limit": value}
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return "out-of-range", {"value": instance, "bound": _bound(error.schema)}
    if keyword == "uniqueItems":
        return "not-unique", {}
    return "schema", {"detail": error.message}


def _bound(schema: Mapping[str, Any]) -> str:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is not None and high is not None:
        return f"{low}–{high}"
    return f"≥ {low}" if low is not None else f"≤ {high}"


def _type_names(types: list[str]) -> dict[str, str]:
    return {lang: " / ".join(TYPE_NAMES.get(t, {}).get(lang, t) for t in types) for lang in ("zh-CN", "en")}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def did_you_mean(word: str, candidates: list[str]) -> dict[str, str]:
    """A "did you mean" suffix for messages, in both languages (empty when nothing is close)."""
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not close:
        return {"zh-CN": "", "en": ""}
    return {"zh-CN": f"，是否应为“{close[0]}”？", "en": f" — did you mean '{close[0]}'?"}


@cache
def date_paths(kind: str) -> tuple[tuple[str, ...], ...]:
    """Where a `kind` document holds dates, as paths with "*" for list items (read off the schema itself)."""
    schema = load_schema(kind)
    found: list[tuple[str, ...]] = []

    def walk(node: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
        ref = node.get("$ref")
        if ref == DATE_REF:
            found.append(path)
            return
        if ref and ref.startswith("#/$defs/") and depth < 12:
            walk(schema["$defs"][ref.removeprefix("#/$defs/")], path, depth + 1)
        for key, child in node.get("properties", {}).items():
            walk(child, (*path, key), depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, _WILDCARD), depth + 1)

    walk(schema, (), 0)
    return tuple(found)


def values_at(data: Any, pattern: tuple[str, ...]) -> list[tuple[tuple[PathPart, ...], Any]]:
    """Every (path, value) in `data` that `pattern` (from `date_paths`) names, in document order."""
    if len(pattern) == 1 and pattern[0] != _WILDCARD:  # the checks ask ~20 patterns of every item
        head = pattern[0]
        return [(pattern, data[head])] if isinstance(data, dict) and head in data else []
    if len(pattern) == 3 and pattern[1] == _WILDCARD and _WILDCARD not in (pattern[0], pattern[2]):
        return _each_item(data, *pattern)
    return _values_at(data, pattern)


def _each_item(data: Any, outer: str, _: str, inner: str) -> list[tuple[tuple[PathPart, ...], Any]]:
    """("updates", "*", "date"): the `date` of every item of `updates`."""
    items = data.get(outer) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [
        ((outer, index, inner), item[inner])
        for index, item in enumerate(items)
        if isinstance(item, dict) and inner in item
    ]


def _values_at(data: Any, pattern: tuple[str, ...]) -> list[tuple[tuple[PathPart, ...], Any]]:
    found: list[tuple[tuple[PathPart, ...], Any]] = [((), data)]
    for head in pattern:  # level by level: every step keeps the order of the one before
        deeper: list[tuple[tuple[PathPart, ...], Any]] = []
        for path, value in found:
            if head == _WILDCARD:
                if isinstance(value, list):
                    deeper += [((*path, index), item) for index, item in enumerate(value)]
            elif isinstance(value, dict) and head in value:
                deeper.append(((*path, head), value[head]))
        if not deeper:
            return deeper
        found = deeper
    return found
