"""duban.yamlio: strings stay strings, every failure is a located problem, and both parsers agree."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from duban import yamlio
from duban.yamlio import MAX_DEPTH, decode, parse_text
from validation_helpers import same_data

ROOT = Path(__file__).resolve().parents[1]

PARSERS = {"libyaml": yamlio.LOADER, "python": yamlio._PyLoader, "fast": yamlio.LOADER}


@pytest.fixture(params=sorted(PARSERS))
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs three ways: libyaml alone, PyYAML's Python parser alone, and the fast way first
    (yaml_rs, falling back to libyaml at anything out of the ordinary): all three must say the same."""
    if request.param != "python" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml")
    if request.param == "fast" and yamlio.yaml_rs is None:
        pytest.skip("yaml_rs is not installed")
    monkeypatch.setattr(yamlio, "LOADER", PARSERS[request.param])
    monkeypatch.setattr(yamlio, "FAST", request.param == "fast")
    yield request.param


def _problems(text: str) -> list[tuple[str, int | None, int | None]]:
    return [(p.code, p.line, p.column) for p in parse_text(text, "f.yaml").problems]


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    """`from yaml import CParser` does not exist; the parser must come from yaml._yaml (8x faster)."""
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml")
    assert yamlio.LOADER is not yamlio._PyLoader
    assert yamlio.LOADER.__mro__[1].__name__ == "CParser"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("OFF", "OFF"),
        ("y", "y"),
        ("2026-06-30", "2026-06-30"),
        ("2026-06-30 10:00:00", "2026-06-30 10:00:00"),
        ("12:30", "12:30"),  # YAML 1.1 sexagesimal
        ("0o17", "0o17"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("=", "="),
        ("<<", "<<"),
        (".inf", ".inf"),  # kept as text: a registry never needs infinities
        ("-.inf", "-.inf"),
        (".nan", ".nan"),
        ("1e999", "1e999"),  # too large for a float: text, never inf
        ("9" * 5000, "9" * 5000),  # more digits than Python converts
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("42", 42),
        ("-7", -7),
        ("+5", 5),
        ("0042", 42),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("~", None),
        ("null", None),
        ("", None),
        ("'yes'", "yes"),
        ('"42"', "42"),
        ("!!str 42", "42"),
        ("!!int '42'", 42),
        ("!!float 3", 3.0),
        ("!!bool true", True),
        ("!!null ''", None),
        ("中文", "中文"),
    ],
)
def test_scalars_follow_yaml_1_2_core_and_dates_stay_text(parser: str, text: str, value: Any) -> None:
    parsed = parse_text(f"a: {text}\n", "f.yaml")
    assert parsed.problems == []
    assert parsed.data == {"a": value}
    assert type(parsed.data["a"]) is type(value)


@pytest.mark.parametrize(
    "text",
    [
        "!!int abc",
        "!!int 1.5",
        "!!bool yes",
        "!!float x",
        "!!null x",
        "!!binary aGk=",
        "!!timestamp 2026-01-01",
        "!!set {a}",
        "!!omap [a: 1]",
        "!!python/object:os.system x",
        "!custom x",
        "!!str [a]",
        "!!map [a]",
    ],
)
def test_other_tags_are_refused(parser: str, text: str) -> None:
    [problem] = parse_text(f"a: {text}\n", "f.yaml").problems
    assert (problem.code, problem.line, problem.column) == ("unsupported-tag", 1, 4)


def test_keys_stay_text_as_written(parser: str) -> None:
    assert parse_text("2026: a\ntrue: b\nnull: c\n1.5: d\n", "f.yaml").data == {
        "2026": "a",
        "true": "b",
        "null": "c",
        "1.5": "d",
    }


def test_complex_keys_are_refused(parser: str) -> None:
    assert _problems("? [a, b]\n: c\n") == [("unsupported-tag", 1, 3)]


def test_duplicate_keys_also_when_quoted_differently(parser: str) -> None:
    [problem] = parse_text("a: 1\nb: 2\n'a': 3\n", "f.yaml").problems
    assert (problem.code, problem.line, problem.column) == ("duplicate-key", 3, 1)
    assert problem.args == {"key": "a", "first_line": 1}


# Inputs both parsers must report the same way: (code, line, column).
SAME_EVERYWHERE = {
    "unclosed double quote": ('a: 1\nb: "abc\nc: 2\n', [("yaml-syntax", 2, 4)]),
    "unclosed single quote": ("a: 'x\n", [("yaml-syntax", 1, 4)]),
    "unclosed bracket": ("a: [1, 2\nb: 3\n", [("yaml-syntax", 1, 4)]),
    "unclosed brace": ("a: {x: 1\nb: 3\n", [("yaml-syntax", 1, 4)]),
    "colon in value": ("a: b: c\n", [("yaml-syntax", 1, 5)]),
    "colon in Chinese value": ("标题: 中文中文: c\n", [("yaml-syntax", 1, 9)]),
    "bad indentation": ("a:\n  b: 1\n c: 2\n", [("yaml-syntax", 3, 2)]),
    "two documents": ("a: 1\n---\nb: 2\n", [("multiple-documents", 2, 1)]),
    "three markers": ("---\na: 1\n---\n", [("multiple-documents", 3, 1)]),
    "undefined alias": ("a: *nope\n", [("yaml-syntax", 1, 4)]),
    "duplicate anchor": ("a: &x 1\nb: &x 2\n", [("yaml-syntax", 2, 4)]),
    "control character": ("title: 中文中文\nx: a\x01b\n", [("yaml-syntax", 2, 5)]),
    "NUL": ("a: 1\nb: x\x00\n", [("yaml-syntax", 2, 5)]),
    "tab indentation": ("a:\n\tb: 1\n", [("tab", 2, 1)]),
    "tab after spaces": ("a:\n  b:\n  \tc: 1\n", [("tab", 3, 3)]),
    "deep flow": ("a: " + "[" * 40 + "]" * 40 + "\n", [("too-deep", 1, 36)]),
    "deep block": ("".join(" " * (2 * i) + f"k{i}:\n" for i in range(40)), [("too-deep", 34, 67)]),
    "self alias": ("a: &x [1, *x]\n", [("alias-bomb", 1, 1)]),
    "directive": ("%YAML 1.1\n---\na: 1\n", []),
    "bad directive": ("%YAML 2.0\n---\na: 1\n", [("yaml-syntax", 1, 1)]),
    "comments only": ("# a\n\n# b\n", [("empty-file", 1, 1)]),
    "empty": ("", [("empty-file", 1, 1)]),
    "marker only": ("---\n", [("empty-file", 1, 1)]),
    # The end of a file without a final line break is on its last line (libyaml says the line after it).
    "unclosed at the very end": ("a: 1\nb: [", [("yaml-syntax", 2, 5)]),
    "quote at the very end": ('a: "x', [("yaml-syntax", 1, 4)]),
}


@pytest.mark.parametrize("name", sorted(SAME_EVERYWHERE))
def test_both_parsers_report_the_same_positions(parser: str, name: str) -> None:
    text, expected = SAME_EVERYWHERE[name]
    assert _problems(text) == expected


def test_tabs_are_fine_inside_comments_and_values(parser: str) -> None:
    parsed = parse_text("a: x\n# \tcomment\nb: 'y\tz'\nc: 1  # trailing\t\n", "f.yaml")
    assert (parsed.problems, parsed.data) == ([], {"a": "x", "b": "y\tz", "c": 1})


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\n\t\nb: 2\n", 2), ("\t\n", 1), ("a: 1\n\t# c\n", 2), ("a: |\n  x\n\t\n  y\n", 3)],
)
def test_tabs_the_parser_refuses_are_tab_problems(parser: str, text: str, line: int) -> None:
    """A tab on a blank or comment line passes the line scan, but not the parser: still a `tab` problem."""
    assert _problems(text) == [("tab", line, 1)]


def test_tab_line_numbers_count_yaml_line_breaks_only(parser: str) -> None:
    # \f is no line break to YAML (str.splitlines would count it and shift every line after it).
    assert _problems("a: 1 # \f\n\tb: 2\n") == [("tab", 2, 1)]


def test_every_tab_line_is_reported(parser: str) -> None:
    assert _problems("a:\n\tb: 1\n\tc: 2\nd: 3\n") == [("tab", 2, 1), ("tab", 3, 1)]


def test_very_deep_nesting_is_refused_quickly(parser: str) -> None:
    """Beyond a Python parser's recursion limit, and libyaml's own 1000 levels: a problem, not a crash."""
    started = time.perf_counter()
    [problem] = parse_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "f.yaml").problems
    assert problem.code == "too-deep"
    assert problem.message("en") == f"nesting deeper than {MAX_DEPTH} levels"
    assert time.perf_counter() - started < 10


def test_billion_laughs_is_refused_quickly(parser: str) -> None:
    lines = ['x0: &x0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 10)]
    started = time.perf_counter()
    problems = _problems("\n".join(lines) + "\n")
    assert problems == [("alias-bomb", 4, 1)]  # x3 is where the expansion passes the limit
    assert time.perf_counter() - started < 5


def test_ordinary_aliases_are_fine(parser: str) -> None:
    parsed = parse_text("a: &x [1, 2]\nb: *x\nc: &s text\nd: [*s, *s]\n", "f.yaml")
    assert parsed.problems == []
    assert parsed.data == {"a": [1, 2], "b": [1, 2], "c": "text", "d": ["text", "text"]}
    assert parsed.data["a"] is not parsed.data["b"]  # plain, unshared data


def test_positions(parser: str) -> None:
    text = (
        "id: A\nsource:\n  type: other\ntags: [a, b]\nlist:\n  - x: 1\n    y: 2\n"
        "alias: &m {k: v}\nagain: *m\n"
    )
    positions = parse_text(text, "f.yaml", with_positions=True).positions
    assert positions is not None
    where = {path: (p.line, p.column, p.key_line, p.key_column) for path, p in positions.items()}
    assert where[()] == (1, 1, None, None)
    assert where[("id",)] == (1, 5, 1, 1)
    assert where[("source", "type")] == (3, 9, 3, 3)
    assert where[("tags", 1)] == (4, 11, None, None)
    assert where[("list", 0)] == (6, 5, None, None)
    assert where[("list", 0, "y")] == (7, 8, 7, 5)
    assert where[("alias", "k")] == (8, 15, 8, 12)
    # An aliased value points at the entry that uses the alias, not at the anchor far away.
    assert where[("again",)] == (9, 1, 9, 1)
    assert where[("again", "k")] == (9, 1, 9, 1)


def test_positions_are_only_kept_on_request(parser: str) -> None:
    assert parse_text("a: 1\n", "f.yaml").positions is None


# --- decoding -----------------------------------------------------------------------------------------------


def test_decode_strips_a_bom_and_keeps_crlf() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\r\n", "f.yaml") == ("a: 1\r\n", [])


@pytest.mark.parametrize(
    ("raw", "line", "column", "guess"),
    [
        ("title: 中文\n".encode("gbk"), 1, 8, "（看起来是 GBK/GB18030）"),
        (
            "a: 1\ntitle: 繁體\n".encode("big5"),
            2,
            8,
            "（看起来是 GBK/GB18030）",
        ),  # GB18030 reads Big5 bytes too
        ("title: 中文\n".encode("utf-16"), 1, 1, "（看起来是 UTF-16）"),
        ("title: x\n".encode("utf-16-le"), 1, 1, "（看起来是 UTF-16）"),
        (
            "a: 中文 ".encode() + "中文".encode("gbk"),
            1,
            7,
            "（看起来是 GBK/GB18030）",
        ),  # columns count characters
        (b"a: caf\xe9\n", 1, 7, ""),
    ],
)
def test_decode_refuses_other_encodings_and_names_them(
    raw: bytes, line: int, column: int, guess: str
) -> None:
    text, [problem] = decode(raw, "f.yaml")
    assert text is None
    assert (problem.code, problem.line, problem.column) == ("not-utf8", line, column)
    assert problem.message("zh-CN").startswith(f"文件不是 UTF-8 编码{guess}。")


def test_not_utf8_names_the_encoding_to_convert_from() -> None:
    _, [gbk] = decode("标题\n".encode("gbk"), "f.yaml")
    _, [utf16] = decode("标题\n".encode("utf-16"), "f.yaml")
    assert "iconv -f GB18030 -t UTF-8" in gbk.message("en")
    assert "iconv -f UTF-16 -t UTF-8" in utf16.message("en")


# --- the fast way (yaml_rs) agrees with libyaml, or leaves the file to it ---------------------------------


needs_yaml_rs = pytest.mark.skipif(yamlio.yaml_rs is None, reason="yaml_rs is not installed")


@needs_yaml_rs
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: 0x1F\n", "0x1F"),  # a number to YAML 1.2 core and yaml_rs, text to us
        ("a: 0o17\n", "0o17"),
        ("a: 0b101\n", "0b101"),
        ("a: 1_000\n", "1_000"),
        ("a: 1_\n", "1_"),
        ("a: _1\n", "_1"),
        ("a: -_1\n", "-_1"),
        ("a: [.1_0]\n", None),
        ("a: 1e1_0\n", "1e1_0"),
        ("a: .inf\n", ".inf"),
        ("a: -.Inf\n", "-.Inf"),
        ("a: .NaN\n", ".NaN"),
        ("a: 1e999\n", "1e999"),
        ("a: " + "9" * 5000 + "\n", "9" * 5000),
        ("a: !!str 12\n", "12"),
        ("a: b\x85c\n", None),  # NEL: a line break to libyaml
        ("a: b\u2028c\n", None),
        ("a: b\x07\n", None),
        ("a: b\ufeffc\n", None),
        ("a: &x 1\nb: *x\n", 1),
        ("%YAML 1.2\n---\na: 1\n", 1),
        ("a:\tb\n", None),
    ],
)
def test_what_the_fast_way_might_read_otherwise_goes_the_libyaml_way(text: str, value: Any) -> None:
    assert yamlio._fast_data(text) is None
    parsed = parse_text(text, "f.yaml")
    assert same_data(parsed.data, yamlio.parse_with_libyaml(text, "f.yaml").data)
    if value is not None:
        assert parsed.data["a"] == value


@needs_yaml_rs
@pytest.mark.parametrize(
    "text",
    [
        "1: a\n",  # keys stay text
        "null: a\n",
        "true: a\n",
        "? [1, 2]\n: a\n",
        "a: b\n---\nc: d\n",
        "- a\n- b\n",
        "",
        "# only a comment\n",
        "a: 1\na: 2\n",
        "a: [1, 2\n",
        "a:" + " [" * 40 + " 1" + " ]" * 40 + "\n",
        "a: [:x]\n",  # libyaml refuses these, yaml_rs reads text
        "a: {:x}\n",
        "a: [x, >]\n",
        "a: [x, |y]\n",
        "a: {x:}\n",
        "a: [a, b:]\n",
        "a: [?x]\n",  # a mapping to libyaml, text to yaml_rs
        "a: |\n  x",  # "x" to libyaml, "x\n" to yaml_rs
        "a: [\n  ?x]\n",
        "...\nid: x\n",  # libyaml: a syntax error; yaml_rs: a document
        "a: 1\n...\nb: 2\n",
        "---\n---\na: 1\n",
        "a: 1\nb: |\n",  # yaml_rs reads "\n" here, libyaml ""
        "a: 1\nb: >\n",
    ],
)
def test_files_the_fast_way_leaves_to_libyaml(text: str) -> None:
    assert yamlio._fast_data(text) is None


@needs_yaml_rs
@pytest.mark.parametrize(
    "text",
    [
        "a: |\r\n  x\r\n  y\r\n",
        "a: >-\n  x\n\n  y\n",
        'a: "x\\ty\\u263a\\N"\n',
        "a: 'x\n\n  y'\n",
        "a:   x  \n  y  \n",
        "a: b #c\nd: e#f\n",
        "a: {b, c}\nd: [e: f]\n",
        "a: |2\n   x\nb: |+\n  x\n\nc: 1\n",
        "a: [1.0e+3, 1e-3, +1., 012, ~, null, True, false, yes, 2026-06-30]\nb:\n  - -.5\n  - -0\n",
        "b:\n  <<: {a: 1}\n  c: 2\n",
    ],
)
def test_the_fast_way_reads_ordinary_files_as_libyaml_does(text: str) -> None:
    fast = yamlio._fast_data(text)
    assert fast is not None
    assert same_data(fast, yamlio.parse_with_libyaml(text, "f.yaml").data)


@needs_yaml_rs
def test_the_fast_way_interns_keys_and_short_values() -> None:
    first = yamlio._fast_data("status: in_progress\n")
    second = yamlio._fast_data("status: in_progress\n")
    assert first is not None and second is not None
    assert next(iter(first)) is next(iter(second))
    assert first["status"] is second["status"]


@needs_yaml_rs
def test_every_yaml_file_of_the_repository_reads_alike_both_ways() -> None:
    """The demo registry and every example case: the fast way reads what libyaml reads, and leaves every file
    libyaml refuses (syntax, duplicate keys, aliases, tags, tabs, several documents…) to it."""
    demo = sorted(ROOT.glob("tasks/**/*.yaml"))
    examples = [*ROOT.glob("org/*.yaml"), *ROOT.glob("tests/examples/**/*.yaml")]
    assert len(demo) > 50 and len(examples) > 100
    taken = set()
    for path in [*demo, *examples]:
        text, _ = decode(path.read_bytes(), "f.yaml")
        if text is None:
            continue
        fast, slow = yamlio._fast_data(text), yamlio.parse_with_libyaml(text, "f.yaml")
        if fast is not None:
            taken.add(path)
            assert slow.ok and same_data(fast, slow.data), path
    assert taken.issuperset(demo)  # ordinary files take the fast way (web addresses with `_0123` included)
