"""Reading registry YAML safely: strings stay strings, every failure becomes a Problem.

Parsing goes through libyaml (yaml.CSafeLoader's parser, ~8x faster) when PyYAML was built with it. We resolve
scalars ourselves with YAML 1.2 core rules — `2026-06-30`, `yes`, `no`, `on`, `off` stay strings — and build
plain Python data from the node tree in one walk that also catches duplicate keys, alias bombs and absurd
nesting. The same walk can record where every node sits, which `duban.locate` uses for line numbers.

An ordinary file takes a faster way first (`_fast_data`): yaml_rs, a YAML 1.2 parser written in Rust, reads it
into the same data at a third of the cost. Anything it might read otherwise, and anything it refuses, goes the
libyaml way, which then finds and describes every problem: one meaning of a file, two speeds.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from duban.problems import PathPart, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_ALIAS_NODES = 10_000
# Keys and short values (dates, ids, states) are shared between all files rather than held once per node:
# that halves the memory of a large registry. Longer texts are rarely the same twice.
INTERN_MAX = 16


class _PyParser(Reader, Scanner, Parser, Composer):
    """PyYAML's pure-Python parser: the fallback when PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


# YAML 1.2 core schema patterns, without .inf and .nan: a registry never needs them, and they would poison
# arithmetic and JSON output downstream (`.inf` stays text and fails the schema as text).
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_IMPLICIT_RULES = (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:null", _NULL, "~nN"),
)
# The rules that may match a plain scalar, by its first character ("" for the empty scalar), in order.
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple((tag, regex) for tag, regex, firsts in _IMPLICIT_RULES if first in firsts)
    for first in {character for _, _, firsts in _IMPLICIT_RULES for character in firsts}
}
_IMPLICIT[""] = (("tag:yaml.org,2002:null", _NULL),)


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema, minus timestamps: only plain scalars matching `_IMPLICIT` are not strings.

    BaseResolver gives the same tags, but its general machinery (path resolvers, wildcard lists) runs in
    Python for every node and cost a quarter of the parse; we register no path resolvers.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:  # plain: ~100 calls per task file, hence no helper function
                for tag, regex in _IMPLICIT.get(value[:1], ()):
                    if regex.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    # Both composers call these around every node, for path resolvers only. C built-ins that accept the same
    # arguments and do nothing cost a third of a Python method that does nothing.
    descend_resolver = staticmethod(operator.is_)  # type: ignore[assignment]
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]


class _PyLoader(_PyParser, _Resolver):
    def __init__(self, stream: str) -> None:
        _PyParser.__init__(self, stream)
        _Resolver.__init__(self)


# libyaml's parser when PyYAML was built with it: ~8x faster, and it refuses nesting beyond 1000 levels
# itself. (CParser lives in yaml._yaml; `from yaml import CParser` fails, which once silently cost the speed.)
# Tests swap LOADER for _PyLoader to check that both parsers report the same problems.
LOADER: type = _PyLoader
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    pass
else:

    class _CLoader(_CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

    LOADER = _CLoader


try:
    import yaml_rs
except ImportError:  # pragma: no cover - a platform without a wheel: the libyaml way alone, same results
    yaml_rs = None  # type: ignore[assignment]


# A number Python cannot hold as a finite value (1e999, or an int of more than 4300 digits) stays the text
# it was: it then fails the schema as text instead of crashing anything later.
def _to_int(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:  # int's 4300-digit limit
        return text


def _to_float(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


# Scalar tags we accept, with the text each may hold (explicit `!!int abc` is refused) and the conversion.
_SCALARS: dict[str, tuple[re.Pattern[str] | None, Callable[[str], Any]]] = {
    _STR: (None, str),
    "tag:yaml.org,2002:int": (_INT, _to_int),
    "tag:yaml.org,2002:float": (_FLOAT, _to_float),
    "tag:yaml.org,2002:bool": (_BOOL, lambda text: text.lower() == "true"),
    "tag:yaml.org,2002:null": (_NULL, lambda text: None),
}


@dataclass
class Position:
    line: int  # 1-based
    column: int  # 1-based
    key_line: int | None = None
    key_column: int | None = None


Positions = dict[tuple[PathPart, ...], Position]


@dataclass
class Parsed:
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    positions: Positions | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    """Raised inside the node walk; turned into a Problem right away (never escapes this module)."""

    def __init__(self, code: str, node: yaml.Node, **args: Any) -> None:
        super().__init__(code)
        self.code, self.node, self.params = code, node, args


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is fine) or a problem that says which encoding it looks like."""
    if _looks_utf16(raw):  # ASCII in UTF-16 would "decode" as UTF-8 full of NULs: say what it is instead
        return None, [Problem(rel, "not-utf8", _guess("UTF-16", "UTF-16"), line=1, column=1)]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        # Columns count characters, as editors do: everything before the bad byte is valid UTF-8.
        column = len(raw[line_start : error.start].decode("utf-8")) + 1
        return None, [Problem(rel, "not-utf8", _guess_encoding(raw), line=line, column=column)]


def _looks_utf16(raw: bytes) -> bool:
    head = raw[:200]
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) * 4 >= len(head) > 0


def _guess_encoding(raw: bytes) -> dict[str, Any]:
    """Which Chinese encoding the bytes decode in (Notepad on Chinese Windows saves GBK), if any."""
    for codec, label in (("gb18030", "GBK/GB18030"), ("big5", "Big5")):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return _guess(label, codec.upper())
    return {"guess": {"zh-CN": "", "en": ""}, "source": "GB18030"}


def _guess(label: str, source: str) -> dict[str, Any]:
    """not-utf8's args: what the file looks like, and the encoding to name in the iconv command."""
    return {"guess": {"zh-CN": f"（看起来是 {label}）", "en": f" (it looks like {label})"}, "source": source}


def parse_text(text: str, rel: str, *, with_positions: bool = False) -> Parsed:
    """Parse one YAML document into plain data; every failure is a Problem with line and column."""
    if not with_positions and FAST:
        data = _fast_data(text)
        if data is not None:
            return Parsed(data=data)
    return parse_with_libyaml(text, rel, with_positions=with_positions)


def parse_with_libyaml(text: str, rel: str, *, with_positions: bool = False) -> Parsed:
    """`parse_text` without the fast way: what finds and describes every problem."""
    tabs = _tab_problems(text, rel)
    if tabs:
        return Parsed(problems=tabs)
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        return Parsed(problems=[_syntax_problem(error, text, rel)])
    except yaml.reader.ReaderError as error:  # control characters and the like
        return Parsed(problems=[_reader_problem(error, text, rel)])
    except RecursionError:  # only the pure-Python parser recurses; libyaml stops at 1000 levels itself
        return Parsed(problems=[Problem(rel, "too-deep", {"limit": MAX_DEPTH}, line=1, column=1)])
    except (
        yaml.YAMLError
    ) as error:  # pragma: no cover - every error the parsers raise is marked or a reader error
        return Parsed(problems=[_syntax(rel, str(error), _NO_HINT, 1, 1)])
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag != _STR):
        # No document, or only `---` markers and comments: empty to whoever wrote it (`""` is a document).
        return Parsed(problems=[Problem(rel, "empty-file", line=1, column=1)])
    builder = _Builder(with_positions)
    try:
        data = builder.build(node) if with_positions else _fast_build(node, builder)
    except _Refused as refused:
        mark = refused.node.start_mark
        problem = Problem(rel, refused.code, refused.params, line=mark.line + 1, column=mark.column + 1)
        return Parsed(problems=[problem])
    return Parsed(data=data, positions=builder.positions)


def _reader_problem(error: yaml.reader.ReaderError, text: str, rel: str) -> Problem:
    """A character YAML does not allow (NUL, most C0 controls): point at it, say which it is."""
    character = error.character
    if isinstance(character, int):
        # libyaml counts the offset in UTF-8 bytes, the Python reader in characters: look for the character.
        offset = text.find(chr(character))
        detail = f"character #x{character:04x} is not allowed"
    else:  # pragma: no cover - both parsers report the offending character as a code point
        offset, detail = -1, str(error)
    line, column = _line_column(text, offset) if offset >= 0 else (1, 1)
    return _syntax(rel, detail, _CONTROL_HINT, line, column)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax(rel: str, detail: str, hint: dict[str, str], line: int, column: int) -> Problem:
    return Problem(rel, "yaml-syntax", {"detail": detail, "hint": hint}, line=line, column=column)


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _tab_problems(text: str, rel: str) -> list[Problem]:
    if "\t" not in text:
        return []
    problems = []
    # Line breaks as YAML counts them (str.splitlines also splits at \f and \v, shifting the numbers).
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent] and line.strip() and not line.lstrip().startswith("#"):
            problems.append(Problem(rel, "tab", line=number, column=line.index("\t") + 1))
    return problems


def _hint(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


_NO_HINT = _hint("", "")
_CONTROL_HINT = _hint("文件中有不允许的控制字符。", "the file holds a control character. ")
# The parser's own words (the same in libyaml and PyYAML), and what they usually mean to a person editing.
_SYNTAX_HINTS = (
    ("quoted scalar", _hint("引号未闭合（从此处开始）。", "unclosed quote (it starts here). ")),
    (
        "flow sequence",
        _hint("方括号 [ 未闭合或列表格式有误（从此处开始）。", "unclosed [ or a bad list (it starts here). "),
    ),
    (
        "flow mapping",
        _hint("花括号 { 未闭合或格式有误（从此处开始）。", "unclosed { or a bad mapping (it starts here). "),
    ),
    (
        "mapping values are not allowed",
        _hint(
            "此处不能出现冒号（值中含“: ”时请用引号括起来）。",
            "a colon is not allowed here (quote values that hold ': '). ",
        ),
    ),
    (
        "could not find expected ':'",
        _hint("缺少冒号或缩进不一致。", "a missing colon or uneven indentation. "),
    ),
    ("did not find expected key", _hint("缩进不一致或缺少冒号。", "uneven indentation or a missing colon. ")),
    ("found undefined alias", _hint("引用了未定义的别名。", "an alias (*name) without its anchor (&name). ")),
    (
        "found duplicate anchor",
        _hint("锚点（&名称）重复定义。", "the same anchor (&name) is defined twice. "),
    ),
)
_OPENERS = ("quoted scalar", "flow sequence", "flow mapping")


def _syntax_problem(error: yaml.MarkedYAMLError, source: str, rel: str) -> Problem:
    text = f"{error.context or ''} {error.problem or ''}"
    at = error.problem_mark or error.context_mark
    if "expected a single document" in text:
        return Problem(rel, "multiple-documents", line=_line(at), column=_column(at))
    if "exceeded maximum nesting depth" in text:  # libyaml's own limit (1000 levels), far beyond ours
        return Problem(rel, "too-deep", {"limit": MAX_DEPTH}, line=_line(at), column=_column(at))
    if _character_at(source, _line(at), _column(at)) == "\t":  # a tab the line scan let pass (a blank line)
        return Problem(rel, "tab", line=_line(at), column=_column(at))
    # An unclosed quote or bracket is reported where it was opened, which is where the user must look.
    opened = error.context is not None and any(word in error.context for word in _OPENERS)
    mark = error.context_mark if opened and error.context_mark else (error.problem_mark or error.context_mark)
    hint = next((h for key, h in _SYNTAX_HINTS if key in text), _NO_HINT)
    detail = " ".join(part for part in (error.context, error.problem) if part)
    return _syntax(rel, detail, hint, *_within(source, _line(mark), _column(mark)))


def _character_at(text: str, line: int, column: int) -> str:
    lines = _LINE_BREAK.split(text)
    return lines[line - 1][column - 1 : column] if line <= len(lines) else ""


def _within(text: str, line: int, column: int) -> tuple[int, int]:
    """libyaml puts the end of a file without a final line break on the next line: keep to the last line."""
    lines = _LINE_BREAK.split(text)
    return (line, column) if line <= len(lines) else (len(lines), len(lines[-1]) + 1)


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 1


def _column(mark: Any) -> int:
    return int(mark.column) + 1 if mark is not None else 1


@dataclass(frozen=True)
class _Walk:
    """Where the builder is: the path, the depth, the collections above (cycles), and whom to blame.

    `blame` is the mapping key of the entry the user wrote: inside an alias's expansion the nodes sit where
    the anchor is, so problems found there (and positions of aliased values) point at the entry using it.
    """

    path: tuple[PathPart, ...]
    depth: int
    stack: frozenset[int]
    blame: yaml.Node
    aliased: bool = False


class _Builder:
    """Plain data from a node tree, refusing what a registry file never needs."""

    def __init__(self, with_positions: bool) -> None:
        self.positions: Positions | None = {} if with_positions else None
        self.seen: set[int] = set()
        self.alias_nodes = 0
        self.sizes: dict[int, int] = {}

    def build(self, node: yaml.Node) -> Any:
        return self._node(node, _Walk((), 0, frozenset(), node))

    def _node(self, node: yaml.Node, walk: _Walk) -> Any:
        if walk.depth > MAX_DEPTH:
            raise _Refused("too-deep", node, limit=MAX_DEPTH)
        if id(node) in walk.stack:  # an alias inside its own anchor
            raise _Refused("alias-bomb", walk.blame)
        if id(node) in self.seen:  # an alias: the node was built before
            if not walk.aliased:
                walk = dataclasses.replace(walk, aliased=True)
            if not isinstance(node, yaml.ScalarNode):
                self.alias_nodes += _size(node, self.sizes)
                if self.alias_nodes > MAX_ALIAS_NODES:
                    raise _Refused("alias-bomb", walk.blame)
        self.seen.add(id(node))
        if self.positions is not None and walk.path not in self.positions:
            self.positions[walk.path] = _position(walk.blame if walk.aliased else node, None)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise _Refused("unsupported-tag", node, tag=node.tag)
            inner = dataclasses.replace(walk, depth=walk.depth + 1, stack=walk.stack | {id(node)})
            return [
                self._node(item, dataclasses.replace(inner, path=(*walk.path, index)))
                for index, item in enumerate(node.value)
            ]
        return self._mapping(node, walk)

    def _mapping(self, node: yaml.Node, walk: _Walk) -> dict[Any, Any]:
        if node.tag != _MAP:
            raise _Refused("unsupported-tag", node, tag=node.tag)
        inner = dataclasses.replace(walk, depth=walk.depth + 1, stack=walk.stack | {id(node)})
        result: dict[Any, Any] = {}
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("unsupported-tag", key_node, tag="complex key")
            self._scalar(key_node)  # refuses tags a key may not carry
            key = key_node.value  # keys stay text as written: `2026:` is the key "2026"
            if key in first_lines:
                raise _Refused("duplicate-key", key_node, key=key, first_line=first_lines[key])
            first_lines[key] = key_node.start_mark.line + 1
            child = (*walk.path, key)
            blame = walk.blame if walk.aliased else key_node
            if self.positions is not None:
                aliased = walk.aliased or id(value_node) in self.seen
                self.positions[child] = _position(blame if aliased else value_node, blame)
            result[sys.intern(key)] = self._node(
                value_node, dataclasses.replace(inner, path=child, blame=blame)
            )
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR:
            return _fast_scalar(node)
        rule = _SCALARS.get(node.tag)
        if rule is None or (rule[0] is not None and not rule[0].fullmatch(node.value)):
            raise _Refused("unsupported-tag", node, tag=node.tag)
        return rule[1](node.value)


def _position(node: yaml.Node, key_node: yaml.Node | None) -> Position:
    position = Position(node.start_mark.line + 1, node.start_mark.column + 1)
    if key_node is not None:
        position.key_line = key_node.start_mark.line + 1
        position.key_column = key_node.start_mark.column + 1
    return position


def _size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes `node` expands to; memoised so that nested aliases cost linear time to measure."""
    if isinstance(node, yaml.ScalarNode):
        return 1
    if id(node) not in memo:
        children = (
            node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        )
        memo[id(node)] = 1 + sum(_size(child, memo) for child in children)
    return memo[id(node)]


class _Unusual(Exception):
    """Raised by the fast builder at anything it leaves to `_Builder` (which then builds the whole file)."""


def _fast_build(node: yaml.Node, builder: _Builder) -> Any:
    """Plain data as `builder.build` makes it, for ordinary files, at a quarter of the cost.

    Files without anchors, odd tags, duplicate keys or deep nesting need none of `_Builder`'s bookkeeping
    (paths, blame, alias sizes). At the first such thing this gives up and `_Builder` starts over, so
    every problem is still found and described by one piece of code.
    """
    try:
        return _fast_node(node, 0, set())
    except _Unusual:
        return builder.build(node)


def _fast_node(node: yaml.Node, depth: int, seen: set[int]) -> Any:
    if node.__class__ is yaml.ScalarNode:
        return _fast_scalar(node)
    if depth >= MAX_DEPTH or id(node) in seen:  # deep nesting or an alias of a collection
        raise _Unusual
    seen.add(id(node))
    depth += 1
    if node.__class__ is yaml.SequenceNode and node.tag == _SEQ:
        return [
            _fast_scalar(item) if item.__class__ is yaml.ScalarNode else _fast_node(item, depth, seen)
            for item in node.value
        ]
    if node.__class__ is not yaml.MappingNode or node.tag != _MAP:
        raise _Unusual
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            raise _Unusual
        if key_node.tag != _STR:
            _fast_scalar(key_node)  # refuses tags a key may not carry, as `_Builder` does
        # Strings inline: most values are, and a call per value costs a tenth of the build.
        if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR:
            value = value_node.value
            if len(value) <= INTERN_MAX:
                value = _intern(value)
        elif value_node.__class__ is yaml.ScalarNode:
            value = _fast_scalar(value_node)
        else:
            value = _fast_node(value_node, depth, seen)
        result[_intern(key_node.value)] = value
    if len(result) != len(node.value):  # a duplicate key: `_Builder` says where the first one is
        raise _Unusual
    return result


_intern = sys.intern


def _fast_scalar(node: yaml.Node) -> Any:
    if node.tag == _STR:
        value: str = node.value
        return _intern(value) if len(value) <= INTERN_MAX else value
    rule = _SCALARS.get(node.tag)
    if rule is None or (rule[0] is not None and not rule[0].fullmatch(node.value)):
        raise _Unusual
    return rule[1](node.value)


# --- the fast way --------------------------------------------------------------------------------------

FAST = yaml_rs is not None  # tests turn it off to check the libyaml way on its own

# yaml_rs reads YAML 1.2 core as `_IMPLICIT` does, except for a few forms: hexadecimal, octal, binary and
# underscored numbers, `.inf`, `.nan` and numbers too large for a float, keys that are not text (`2026:` is
# the key "2026" to us), tags (it ignores them; we refuse most), several documents, and the characters libyaml
# refuses or reads as line breaks. A file holding any of them, an anchor (aliases and their limits are
# `_Builder`'s) or a tab (`_tab_problems`) goes the libyaml way. tests/test_yamlio.py holds each of these, and
# tests/test_properties_validation.py compares both ways on generated files.
_UNSURE_CHARACTER = re.compile(r"[!&\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# In a flow collection an entry starting with an indicator is read otherwise: libyaml refuses `[:x]`, `[>]`
# and `[|x]`, and reads `[?x]` as a mapping; yaml_rs reads all of them as text and refuses `[-]`.
# So is an empty value at the end of a flow entry (`{x:}`, `[x:]`): libyaml refuses it, yaml_rs reads null.
_FLOW_ENTRY_UNSURE = re.compile(r"[\[{,]\s*[-?:|>!&*%@`#]")
_FLOW_VALUE_EMPTY = re.compile(":[,\\]}]")  # (two patterns: an alternation is searched for 2x slower)
# yaml_rs drops underscores anywhere in a number (`1_000`, `_1`, `1.5_`, `1e1_0`) and reads `0x1F`, `0o17` and
# `0b1`. Such a scalar starts where a plain scalar may (`t20251220_0123.html` in a web address is no number).
_OTHER_NUMBER = re.compile(r"(?<![^\s\[{,:])[-+]?(?:0[xXoObB]|_|[.0-9][^\s,\[\]{}]*_)")
# Looked for first, quickly (a literal first, or one set of characters): most files have neither.
_RADIX_PREFIX = re.compile("0[xXoObB]")
_UNDERSCORE_BY_DIGIT = re.compile("_(?:(?<=[._0-9]_)|[.0-9])")  # `_` first: keys like lead_unit are cheap
_MAX_INT_BITS = 14_000  # int() refuses more than 4300 digits (~14,300 bits): such a number stays text


class _Unsure(Exception):
    """Raised by `_plain` at a value that the libyaml way might read otherwise."""


def _fast_data(text: str) -> dict[str, Any] | None:
    """The file's data when it is an ordinary mapping that both ways read alike, else None."""
    if (
        _UNSURE_CHARACTER.search(text) is not None
        or not text.endswith("\n")  # yaml_rs ends a last block scalar with a line break the file lacks
        or text.startswith(("%", "..."))  # a directive, or a document's end before any document
        or "\n%" in text
        or "\n..." in text  # what follows a document's end marker is read differently
        or "\n---" in text  # a second document
        or _FLOW_ENTRY_UNSURE.search(text) is not None
        or _FLOW_VALUE_EMPTY.search(text) is not None
        or ((_RADIX_PREFIX.search(text) or _UNDERSCORE_BY_DIGIT.search(text)) and _OTHER_NUMBER.search(text))
    ):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a refusal, or a panic in the Rust code (pyo3 raises it as a BaseException):
        return None  # the libyaml way says what is wrong, and where
    if data.__class__ is not dict:  # empty, several documents, or not a mapping: the libyaml way says so
        return None
    try:
        return _plain(data, 0)  # type: ignore[no-any-return]
    except _Unsure:
        return None


def _plain(value: Any, depth: int) -> Any:
    """`value` as the libyaml way builds it (keys and short strings interned), or _Unsure."""
    kind = value.__class__
    if kind is str:
        return _text(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise _Unsure
        result = {}
        for key, item in value.items():
            if key.__class__ is not str:
                raise _Unsure
            if item.__class__ is str:
                result[_intern(key)] = _text(item)
            else:
                result[_intern(key)] = _plain(item, depth + 1)
        return result
    if kind is list:
        if depth >= MAX_DEPTH:
            raise _Unsure
        return [_plain(item, depth + 1) for item in value]
    if (kind is int and value.bit_length() <= _MAX_INT_BITS) or (kind is float and math.isfinite(value)):
        return value
    if value is None or kind is bool:
        return value
    raise _Unsure


def _text(text: str) -> str:
    # yaml_rs reads an empty block scalar at the end of a file (`note: |`) as "\n", libyaml as "": a value of
    # line breaks alone is rare enough to leave every one of them to libyaml.
    if text[:1] == "\n" and not text.strip("\n"):
        raise _Unsure
    return _intern(text) if len(text) <= INTERN_MAX else text
