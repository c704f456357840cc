"""Reading a task file into ruamel.yaml's round-trip tree and writing it back the way it was written.

ruamel.yaml keeps comments, key order and quoting. What it does not keep is handled here: the newline
style (CRLF files stay CRLF), a byte-order mark, an explicit `---` document start (and any comment above
it), a `...` document end, and the file's indentation (detected from the file and given back to the dumper).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from duban.editing.catalog import EditRefused

BOM = b"\xef\xbb\xbf"
WIDTH = 1 << 20  # never fold a long line (Chinese text has no spaces to fold at anyway)
_START = re.compile(r"^---[ \t]*(#.*)?$")
_END = re.compile(r"^\.\.\.[ \t]*(#.*)?$")


@dataclass(frozen=True)
class Indent:
    """ruamel's terms: mapping indent; sequence indent (key to item text); offset (key to the dash)."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


@dataclass(frozen=True)
class Source:
    """A file's text split into what ruamel round-trips (`body`, LF newlines) and what it would lose."""

    body: str
    head: str = ""  # comments and directives up to and including an explicit `---` line
    tail: str = ""  # a `...` line and whatever follows it
    newline: str = "\n"
    bom: bool = False

    @classmethod
    def from_bytes(cls, raw: bytes) -> Source:
        bom = raw.startswith(BOM)
        text = raw[len(BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.replace("\r\n", "\n").splitlines(keepends=True)
        start = _head_end(lines)
        end = _tail_start(lines, start)
        return cls("".join(lines[start:end]), "".join(lines[:start]), "".join(lines[end:]), newline, bom)

    def to_bytes(self, body: str) -> bytes:
        text = (self.head + body + self.tail).replace("\n", self.newline)
        return (BOM if self.bom else b"") + text.encode("utf-8")


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _head_end(lines: list[str]) -> int:
    """The index after an explicit `---` line that comes before any content (0 when there is none)."""
    for index, line in enumerate(lines):
        if _START.match(line.rstrip("\n")):
            return index + 1
        if not (_is_blank_or_comment(line) or line.startswith("%")):
            return 0
    return 0


def _tail_start(lines: list[str], start: int) -> int:
    """The index of a `...` line followed only by comments (len(lines) when there is none)."""
    for index in range(len(lines) - 1, start - 1, -1):
        if _END.match(lines[index].rstrip("\n")):
            return index
        if not _is_blank_or_comment(lines[index]):
            break
    return len(lines)


def make_yaml(indent: Indent = Indent()) -> YAML:
    """A round-trip YAML that writes what it reads: quotes kept, no folding, the given indentation."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.allow_unicode = True
    yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return yaml


def load(source: Source, file: str) -> tuple[YAML, CommentedMap]:
    """The round-trip tree of a task file, and a YAML set up to write it back with the same layout."""
    try:
        doc = make_yaml().load(source.body)
    except YAMLError as error:
        raise EditRefused("unparsable", file=file, error=str(error).splitlines()[0]) from None
    if not isinstance(doc, CommentedMap):
        raise EditRefused("unparsable", file=file, error="not a mapping")
    return make_yaml(detect_indent(doc, source.body.splitlines())), doc


def dump(yaml: YAML, doc: Any) -> str:
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def detect_indent(doc: CommentedMap, lines: list[str]) -> Indent:
    """The indentation the file uses, from its first nested block mapping and first block sequence."""
    mapping = sequence = offset = None
    for parent_column, child, line, column in _block_children(doc, lines):
        if isinstance(child, CommentedMap) and mapping is None:
            mapping = column - parent_column
        elif isinstance(child, CommentedSeq) and sequence is None:
            dash = lines[line].rfind("-", 0, column)
            sequence, offset = column - parent_column, max(dash - parent_column, 0)
    default = Indent()
    mapping = mapping if mapping and mapping > 0 else default.mapping
    if sequence is None or offset is None or sequence < offset + 2:
        return Indent(mapping, default.sequence, default.offset)
    return Indent(mapping, sequence, offset)


def _block_children(node: CommentedMap, lines: list[str]) -> Iterator[tuple[int, Any, int, int]]:
    """(key column, child, child's first line and column) for every block collection under a key."""
    for key, child in node.items():
        key_position = _position(node, key)
        first = _first_position(child)
        if key_position is None or first is None or first[0] >= len(lines):
            continue
        yield key_position[1], child, first[0], first[1]
        for item in child if isinstance(child, CommentedSeq) else [child]:
            if isinstance(item, CommentedMap):
                yield from _block_children(item, lines)


def _first_position(child: Any) -> tuple[int, int] | None:
    """Where a block collection's first entry starts, or None for scalars, flow and empty collections."""
    if not isinstance(child, (CommentedMap, CommentedSeq)) or not child or child.fa.flow_style():
        return None
    return _position(child, next(iter(child)) if isinstance(child, CommentedMap) else 0)


def _position(node: CommentedMap | CommentedSeq, key: Any) -> tuple[int, int] | None:
    """(line, column) of a key or item as read from the file; None for what the file did not hold."""
    try:
        position = node.lc.key(key) if isinstance(node, CommentedMap) else node.lc.item(key)
    except (KeyError, IndexError, TypeError):
        return None
    return None if position is None else (int(position[0]), int(position[1]))
