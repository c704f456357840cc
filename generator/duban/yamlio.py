"""Reading registry YAML safely: strings stay strings, every failure becomes a Problem.

Parsing goes through libyaml (yaml.CSafeLoader's parser, ~8x faster) when PyYAML was built with it. We resolve
scalars ourselves with YAML 1.2 core rules — `2026-06-30`, `yes`, `no`, `on`, `off` stay strings — and build
plain Python data from the node tree in one walk that also catches duplicate keys, alias bombs and absurd
nesting. The same walk can record where every node sits, which `duban.locate` uses for line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from duban.problems import PathPart, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_ALIAS_NODES = 10_000

try:  # libyaml's parser when available
    from yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema, minus timestamps: only these plain scalars are not strings."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Loader(_Parser, _Resolver):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Resolver.__init__(self)


_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR: str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda v: v.lower() == "true",
    "tag:yaml.org,2002:null": lambda v: None,
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


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
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        guess = _guess_encoding(raw)
        return None, [Problem(rel, "not-utf8", {"guess": guess}, line=line, column=column)]


def _guess_encoding(raw: bytes) -> dict[str, str]:
    for name, label in (("gb18030", "GBK/GB18030"), ("big5", "Big5"), ("utf-16", "UTF-16")):
        try:
            raw.decode(name)
        except UnicodeDecodeError:
            continue
        return {"zh-CN": f"（看起来是 {label}）", "en": f" (it looks like {label})"}
    return {"zh-CN": "", "en": ""}


def parse_text(text: str, rel: str, *, with_positions: bool = False) -> Parsed:
    """Parse one YAML document into plain data; every failure is a Problem with line and column."""
    tabs = _tab_problems(text, rel)
    if tabs:
        return Parsed(problems=tabs)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        return Parsed(problems=[_syntax_problem(error, rel)])
    except yaml.reader.ReaderError as error:  # control characters and the like
        line, column = _line_column(text, error.position)
        detail = f"character #x{error.character:04x} is not allowed" if isinstance(error.character, int) else str(error)
        hint = {"zh-CN": "文件中有不允许的控制字符。", "en": ""}
        return Parsed(problems=[Problem(rel, "yaml-syntax", {"detail": detail, "hint": hint}, line=line, column=column)])
    except yaml.YAMLError as error:  # pragma: no cover - every error libyaml raises is marked or a reader error
        return Parsed(problems=[Problem(rel, "yaml-syntax", {"detail": str(error), "hint": ""}, line=1, column=1)])
    if node is None:
        return Parsed(problems=[Problem(rel, "empty-file", line=1, column=1)])
    builder = _Builder(with_positions)
    try:
        data = builder.build(node)
    except _Refused as refused:
        mark = refused.node.start_mark
        problem = Problem(rel, refused.code, refused.params, line=mark.line + 1, column=mark.column + 1)
        return Parsed(problems=[problem])
    return Parsed(data=data, positions=builder.positions)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _tab_problems(text: str, rel: str) -> list[Problem]:
    if "\t" not in text:
        return []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent] and line.strip() and not line.lstrip().startswith("#"):
            problems.append(Problem(rel, "tab", line=number, column=line.index("\t") + 1))
    return problems


_SYNTAX_HINTS = (
    ("quoted scalar", {"zh-CN": "引号未闭合（从此处开始）。", "en": ""}),
    ("flow sequence", {"zh-CN": "方括号 [ 未闭合或列表格式有误（从此处开始）。", "en": ""}),
    ("flow mapping", {"zh-CN": "花括号 { 未闭合或格式有误（从此处开始）。", "en": ""}),
    ("mapping values are not allowed", {"zh-CN": "此处不能出现冒号（值中含“: ”时请用引号括起来）。", "en": ""}),
    ("could not find expected ':'", {"zh-CN": "缺少冒号或缩进不一致。", "en": ""}),
    ("did not find expected key", {"zh-CN": "缩进不一致或缺少冒号。", "en": ""}),
    ("found undefined alias", {"zh-CN": "引用了未定义的别名。", "en": ""}),
)


def _syntax_problem(error: yaml.MarkedYAMLError, rel: str) -> Problem:
    text = f"{error.context or ''} {error.problem or ''}"
    if "expected a single document" in text:
        mark = error.problem_mark or error.context_mark
        return Problem(rel, "multiple-documents", line=_line(mark), column=_column(mark))
    # An unclosed quote or bracket is reported where it was opened, which is where the user must look.
    opened = error.context and any(w in error.context for w in ("quoted scalar", "flow sequence", "flow mapping"))
    mark = error.context_mark if opened and error.context_mark else (error.problem_mark or error.context_mark)
    hint = next((h for key, h in _SYNTAX_HINTS if key in text), {"zh-CN": "", "en": ""})
    detail = " ".join(part for part in (error.context, error.problem) if part)
    return Problem(rel, "yaml-syntax", {"detail": detail, "hint": hint}, line=_line(mark), column=_column(mark))


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 1


def _column(mark: Any) -> int:
    return int(mark.column) + 1 if mark is not None else 1


class _Builder:
    """Plain data from a node tree, refusing what a registry file never needs."""

    def __init__(self, with_positions: bool) -> None:
        self.positions: Positions | None = {} if with_positions else None
        self.seen: set[int] = set()
        self.alias_nodes = 0
        self.sizes: dict[int, int] = {}

    def build(self, node: yaml.Node) -> Any:
        return self._node(node, (), 0, set())

    def _node(self, node: yaml.Node, path: tuple[PathPart, ...], depth: int, stack: set[int]) -> Any:
        if depth > MAX_DEPTH:
            raise _Refused("too-deep", node, limit=MAX_DEPTH)
        if id(node) in stack:
            raise _Refused("alias-bomb", node)
        if id(node) in self.seen and not isinstance(node, yaml.ScalarNode):
            self.alias_nodes += _size(node, self.sizes)
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Refused("alias-bomb", node)
        self.seen.add(id(node))
        if self.positions is not None:
            self._remember(path, node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        stack = stack | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise _Refused("unsupported-tag", node, tag=node.tag)
            return [self._node(item, (*path, i), depth + 1, stack) for i, item in enumerate(node.value)]
        return self._mapping(node, path, depth, stack)

    def _mapping(self, node: yaml.Node, path: tuple[PathPart, ...], depth: int, stack: set[int]) -> dict[Any, Any]:
        if node.tag != _MAP:
            raise _Refused("unsupported-tag", node, tag=node.tag)
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
            child = (*path, key)
            if self.positions is not None:
                self.positions[child] = _position(value_node, key_node)
            result[key] = self._node(value_node, child, depth + 1, stack)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        convert = _SCALAR_TAGS.get(node.tag)
        if convert is None:
            raise _Refused("unsupported-tag", node, tag=node.tag)
        try:
            return convert(node.value)
        except ValueError:  # an explicit !!int on text
            raise _Refused("unsupported-tag", node, tag=node.tag) from None

    def _remember(self, path: tuple[PathPart, ...], node: yaml.Node) -> None:
        assert self.positions is not None
        if path not in self.positions:
            self.positions[path] = _position(node, None)


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
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        memo[id(node)] = 1 + sum(_size(child, memo) for child in children)
    return memo[id(node)]
