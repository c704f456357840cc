"""Adding to a round-trip tree where a person would: keys in FORMAT.md's order, items at the end of a list.

ruamel.yaml hangs every comment that follows a value on that value, including comments that really
introduce what comes next (a comment above the next key, the last lines of the file). Inserting after such a
value would leave the comment above the new lines. So before inserting after a node, the comment lines that
follow it and are indented no deeper than the node itself (`anchor`) are taken off it and hung below the new
lines instead; comment lines indented deeper stay, since they belong to the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

Container = CommentedMap | CommentedSeq
Slot = tuple[Container, Any]  # a container and the key (or index) of one of its values
_QUOTED = (SingleQuotedScalarString, DoubleQuotedScalarString)


def put_key(mapping: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set `key`: in place when it exists, else after the last key that comes before it in `order`."""
    if key in mapping:
        set_value(mapping, key, value)
        return
    ranks = {name: rank for rank, name in enumerate(order)}
    rank = ranks.get(key, len(order))
    keys = list(mapping)
    earlier = [index for index, name in enumerate(keys) if ranks.get(name, -1) < rank and name in ranks]
    position = earlier[-1] + 1 if earlier else 0
    moved: list[str] = []
    if position:
        after = keys[position - 1]
        moved = take_following_comments(last_slot(mapping, after), _key_column(mapping, after))
    mapping.insert(position, key, value)
    hang_comments(last_slot(mapping, key), moved)


def append_item(mapping: CommentedMap, key: str, item: Any, order: Sequence[str]) -> None:
    """Append `item` to the list at `key`, creating the list (in key order) when there is none.

    A flow list (`updates: []`) becomes a block list: one item per line, like the rest of the file.
    """
    sequence = mapping.get(key)
    if not isinstance(sequence, CommentedSeq):
        put_key(mapping, key, block_list([item]), order)
        return
    if sequence.fa.flow_style() or not sequence:
        moved = _flow_comments(mapping, key)
        sequence.fa.set_block_style()
    else:
        last = len(sequence) - 1
        moved = take_following_comments(last_slot(sequence, last), _dash_column(sequence))
    sequence.append(item)
    hang_comments(last_slot(sequence, len(sequence) - 1), moved)


def set_value(mapping: CommentedMap, key: str, value: Any) -> None:
    """Replace a value, keeping its comments and, for text, its quoting style."""
    old = mapping.get(key)
    if isinstance(old, _QUOTED) and isinstance(value, str) and not isinstance(value, _QUOTED):
        value = type(old)(value)
    mapping[key] = value


def block_list(items: list[Any]) -> CommentedSeq:
    sequence = CommentedSeq(items)
    sequence.fa.set_block_style()
    return sequence


def last_slot(container: Container, key: Any) -> Slot:
    """The slot of the last scalar (or flow collection) in `container[key]`: where following comments hang."""
    value = container[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and value and not value.fa.flow_style():
        inner = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
        return last_slot(value, inner)
    return container, key


def take_following_comments(slot: Slot, anchor: int) -> list[str]:
    """Remove from the comment after `slot` the lines indented at most `anchor` (and all after them)."""
    token = _token(slot)
    if token is None:
        return []
    block = _is_block_scalar(slot)
    lines = token.value.split("\n")[:-1] if token.value.endswith("\n") else token.value.split("\n")
    if block:  # after a block scalar, the first line is a whole line at the token's column
        lines[0] = " " * token.column + lines[0]
        own, rest = None, lines
    else:  # otherwise the first line is what follows the value on its own line (often nothing)
        own, rest = lines[0], lines[1:]
    keep = 0
    while keep < len(rest) and _belongs(rest[keep], anchor):
        keep += 1
    if keep == len(rest):
        return []
    _set_token(slot, token, own, rest[:keep])
    return rest[keep:]


def hang_comments(slot: Slot, lines: list[str]) -> None:
    """Hang whole comment lines (with their indentation) below the value at `slot`."""
    if not lines:
        return
    if _is_block_scalar(slot) and lines[0].strip():
        first = lines[0]
        column = len(first) - len(first.lstrip(" "))
        token = _new_token("\n".join([first.lstrip(" "), *lines[1:]]) + "\n", column)
    else:
        token = _new_token("\n" + "\n".join(lines) + "\n", 0)
    _attach(slot, token)


def _belongs(line: str, anchor: int) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) > anchor


def _is_block_scalar(slot: Slot) -> bool:
    container, key = slot
    return isinstance(container[key], (LiteralScalarString, FoldedScalarString))


def _index(container: Container) -> int:
    """Where ruamel keeps the comment after a value: position 2 for mappings, 0 for sequences."""
    return 2 if isinstance(container, CommentedMap) else 0


def _token(slot: Slot) -> CommentToken | None:
    container, key = slot
    entry = container.ca.items.get(key)
    token = entry[_index(container)] if entry else None
    return token if isinstance(token, CommentToken) else None


def _set_token(slot: Slot, token: CommentToken, own: str | None, kept: list[str]) -> None:
    """Rewrite `token` to hold its own line (the end-of-line comment) and the kept lines; drop it if empty."""
    if own is None and kept:  # after a block scalar: the first kept line starts the token
        first = kept[0]
        token.start_mark.column = len(first) - len(first.lstrip(" "))
        token.value = "\n".join([first.lstrip(" "), *kept[1:]]) + "\n"
    elif own or kept:
        token.value = "\n".join([own or "", *kept]) + "\n"
    else:
        _detach(slot, token)


def _new_token(value: str, column: int) -> CommentToken:
    return CommentToken(value, CommentMark(column), None)


def _attach(slot: Slot, token: CommentToken) -> None:
    container, key = slot
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[_index(container)] = token


def _detach(slot: Slot, token: CommentToken) -> None:
    """Remove `token` from the slot, and from a flow collection's own comment, which ruamel shares with it."""
    container, key = slot
    entry = container.ca.items.get(key)
    if entry:
        entry[_index(container)] = None
    value = container[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and value.ca.comment and value.ca.comment[0] is token:
        value.ca.comment[0] = None


def _flow_comments(mapping: CommentedMap, key: str) -> list[str]:
    """Comment lines after a flow list (`updates: []  # none yet`), before it turns into a block list.

    The end-of-line comment stays on the key's line, two spaces after the colon (the list text is gone).
    """
    moved = take_following_comments((mapping, key), _key_column(mapping, key))
    token = _token((mapping, key))
    if token is not None:
        token.start_mark.column = _key_column(mapping, key) + len(str(key)) + 3
    return moved


def _key_column(mapping: CommentedMap, key: Any) -> int:
    """Where a key starts in the file (0 for a key that was not read from it: nothing hangs on it anyway)."""
    try:
        position = mapping.lc.key(key)
    except (KeyError, IndexError, TypeError):
        return 0
    return int(position[1]) if position else 0


def _dash_column(sequence: CommentedSeq) -> int:
    """The column of a block list's dashes: two left of the first item's text (`  - date:`)."""
    try:
        position = sequence.lc.item(0)
    except (KeyError, IndexError, TypeError):
        return 0
    return max(int(position[1]) - 2, 0) if position else 0
