"""One meaning of the schemas: the compiled validator (the fast path) and jsonschema (the errors) agree.

Every file is first asked of the compiled validator; only a file it rejects goes through jsonschema, whose
errors become problems. So the compiled validator must accept exactly what jsonschema accepts: on every
parseable file of every example case, on generated documents, and on valid documents with one thing changed.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban import schemas
from duban.resources import data_dir
from duban.site import markdown
from duban.yamlio import decode, parse_text
from validation_helpers import EXAMPLES, example_documents

MANY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


DOCUMENTS = example_documents()


def _agree(kind: str, data: Any) -> bool:
    """Both validators' verdict on `data`, after checking that they give the same one."""
    fast = schemas.fast_validator(kind)(data)
    full = not any(True for _ in schemas.validator(kind).iter_errors(data))
    assert fast == full, (kind, data)
    assert (schemas.schema_problems(kind, data, "f.yaml") == []) == full
    return fast


def test_both_paths_agree_on_every_example_file() -> None:
    verdicts = [_agree(kind, data) for _, kind, data in DOCUMENTS]
    assert verdicts.count(True) > 50
    assert verdicts.count(False) > 20  # the comparison saw plenty of invalid files too
    assert {kind for _, kind, _ in DOCUMENTS} == set(schemas.KINDS)


@pytest.mark.parametrize(
    ("kind", "data", "valid"),
    [
        # `$` is the end of the text, as in ECMA-262 (Python's `$` would also accept a final line break).
        ("units", [{"id": "housing\n", "name": "x"}], False),
        ("units", [{"id": "housing", "name": "x"}], True),
        ("calendar", {"year": 2026, "holidays": ["2026-01-01\n"]}, False),
        ("calendar", {"year": 2026.0}, True),  # 2026.0 is an integer to JSON Schema
        ("calendar", {"year": True}, False),  # a boolean is not
        ("calendar", {"year": 2026, "holidays": ["2026-01-01", "2026-01-01"]}, False),  # uniqueItems
        ("settings", {"title": "t", "timezone": "Asia/Shanghai", "warnings": {"due_soon_days": 1.5}}, False),
    ],
)
def test_edge_cases_of_json_schema_semantics(kind: str, data: Any, valid: bool) -> None:
    assert _agree(kind, data) is valid


def test_the_fast_path_does_not_fill_in_defaults() -> None:
    data = {"title": "t", "timezone": "Asia/Shanghai"}
    assert _agree("settings", data)
    assert data == {"title": "t", "timezone": "Asia/Shanghai"}


def test_the_fast_path_compiles_from_the_schema_files_untouched() -> None:
    for kind in schemas.KINDS:
        schemas.fast_validator(kind)
        on_disk = json.loads((data_dir("schema") / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert schemas.load_schema(kind) == on_disk


# --- generated data ---


def _schema_words() -> tuple[list[str], list[Any]]:
    """Every property name and every enum value and example the schema files hold: generated documents
    built from them reach deep into the schemas instead of failing at the first key."""
    keys: set[str] = set()
    values: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            values.extend(node.get("enum", []))
            values.extend(node.get("examples", []))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(Path(data_dir("schema")).glob("*.schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return sorted(keys), values


KEYS, WORDS = _schema_words()
TRICKY = ["", " ", "2026-02-30", "2026-06-30\n", "DB-2026-0001\n", "x@y", "https://a", "-1", "1e3", "ü", "\t"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 1.0, 100, 100.5, True, False]),
    st.text(max_size=12),
    st.sampled_from(TRICKY),
    st.sampled_from(WORDS) if WORDS else st.nothing(),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=6),
    ),
    max_leaves=25,
)


@MANY
@given(kind=st.sampled_from(schemas.KINDS), data=VALUES)
def test_both_paths_agree_on_generated_documents(kind: str, data: Any) -> None:
    _agree(kind, data)


VALID = [(kind, data) for _, kind, data in DOCUMENTS if schemas.fast_validator(kind)(data)]


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any, key: str) -> Any:
    """`data` with the node at `path` replaced, removed, or given an extra key."""
    if not path:
        return value if action == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "remove":
        del parent[last]
    elif isinstance(parent[last], dict):
        parent[last][key] = value
    return data


@MANY
@given(
    choice=st.data(),
    action=st.sampled_from(["replace", "replace", "remove", "add"]),
    value=VALUES,
    key=st.one_of(st.sampled_from(KEYS), st.text(max_size=6)),
)
def test_both_paths_agree_on_valid_files_with_one_thing_changed(
    choice: st.DataObject, action: str, value: Any, key: str
) -> None:
    kind, original = choice.draw(st.sampled_from(VALID))
    data = copy.deepcopy(original)
    path = choice.draw(st.sampled_from(_paths(data)))
    _agree(kind, _mutate(data, path, action, value, key))


# --- Markdown: plain paragraphs skip the parser ---

MARKDOWN_ALPHABET = st.sampled_from(
    [
        *"ab Z 中文，。：；（）“”1290\n\t.-*#:_`[]<>&\"'!|~+=(){}\\%$@?/;,",
        "\u3000",
        "\u00a0",
        "\u2028",
        "\r",
        "\x00",
    ]
)


@settings(max_examples=3000, deadline=None, database=None)
@given(text=st.text(MARKDOWN_ALPHABET, max_size=40))
def test_plain_paragraphs_render_as_markdown_it_renders_them(text: str) -> None:
    fast = markdown.plain_paragraph(text)
    if fast is not None:
        assert fast == markdown._parser().render(text)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("已召开专题推进会，完成阶段性任务。", True),
        ("完成二期 120 个小区改造，年底前全部完工。\n第二行\n", True),
        ("1. 第一条", False),
        ("- 列表", False),
        ("**加粗**", False),
        ("a\n\nb", False),
        ("    代码", False),
        ("", False),
    ],
)
def test_plain_paragraph_shortcut_is_taken_for_plain_text_only(text: str, plain: bool) -> None:
    fast = markdown.plain_paragraph(text)
    assert (fast is not None) is plain
    assert str(markdown.render_markdown(text)) == markdown._parser().render(text)


# --- iCalendar: the hand-written feeds read back as written ---

ICS_TEXT = st.lists(
    st.sampled_from([*"aZ 中文，。;:,\\\n^\"'", "\r\n", "\u00e9", "\U0001f600"]), min_size=1, max_size=80
).map("".join)


@settings(max_examples=300, deadline=None, database=None)
@given(summary=ICS_TEXT, description=ICS_TEXT, calendar_name=ICS_TEXT)
def test_calendar_feeds_read_back_with_icalendar(summary: str, description: str, calendar_name: str) -> None:
    import datetime as dt

    import icalendar

    from duban.settings import Settings
    from duban.site import feeds

    settings = Settings(title="t", base_url="https://example.org/duban/")
    event = feeds._Event(dt.date(2026, 6, 30), "DB-2026-0001", "deadline", summary, description, "housing")
    generated = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    vevent = feeds._vevent(settings, event, "k", generated)
    data = b"".join(feeds._calendar(settings, calendar_name, [vevent]))
    assert all(len(line) < 75 for line in data.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(data)
    # An X- property is TEXT to calendar programs; icalendar leaves it as it is: unescape as they do.
    raw = str(calendar["X-WR-CALNAME"])
    name = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)
    assert name == calendar_name.replace("\r\n", "\n")
    [parsed] = calendar.walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary.replace("\r\n", "\n")
    assert str(parsed["DESCRIPTION"]) == description.replace("\r\n", "\n")
    assert parsed.decoded("DTSTART") == dt.date(2026, 6, 30)
    assert parsed.decoded("DTEND") == dt.date(2026, 7, 1)
    assert parsed.decoded("DTSTAMP") == generated
    assert str(parsed["URL"]) == "https://example.org/duban/tasks/DB-2026-0001/"


# --- locating problems: following the node tree gives the positions the loader records ---


def test_following_the_node_tree_finds_what_recorded_positions_find() -> None:
    import yaml

    from duban import locate, yamlio

    compared = 0
    for path in sorted(EXAMPLES.rglob("*.y*ml")):
        text, _ = decode(path.read_bytes(), path.name)
        positions = parse_text(text, path.name, with_positions=True).positions if text else None
        if text is None or positions is None:
            continue
        node = yaml.compose(text, Loader=yamlio.LOADER)
        if node is None or not locate._plain_tree(node):
            continue
        probes = [*positions, *((*p, "missing") for p in positions), *((*p, 99) for p in positions)]
        for probe in probes:
            for where in ("value", "key"):
                assert locate._follow(node, probe, where) == locate._find(positions, probe, where), (
                    path,
                    probe,
                )
                compared += 1
    assert compared > 5000
