"""Files written in pieces (duban.site.write.write_pieces): the feeds of a large registry are never one bytes
object. The file must come out as the pieces joined, and a file that holds these bytes already must be left
alone (a warm build's unchanged feed), whatever the pieces' sizes and wherever a difference falls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from duban.site import write
from duban.site.build import give_back_memory

NEW = b"".join(bytes([65 + n % 26]) * (n % 7) for n in range(200))  # 600 bytes in pieces of 0-6


def _pieces(data: bytes, size: int = 5) -> Iterator[bytes]:
    """`data` in pieces, given once (a generator, as the feeds give them)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]
    yield b""  # an empty piece changes nothing


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "BATCH", 16)  # many batches, and pieces that straddle them


@pytest.mark.parametrize("size", [1, 5, 16, 17, 1000])
def test_pieces_are_written_as_one_file(tmp_path: Path, size: int) -> None:
    target = tmp_path / "file"
    info = write.write_pieces(target, _pieces(NEW, size))
    assert info is not None
    assert target.read_bytes() == NEW
    assert info.st_size == len(NEW)


def test_the_same_bytes_are_not_written(tmp_path: Path) -> None:
    old, target = tmp_path / "old", tmp_path / "new"
    old.write_bytes(NEW)
    assert write.write_pieces(target, _pieces(NEW), same_as=str(old)) is None
    assert not target.exists()
    assert old.read_bytes() == NEW


@pytest.mark.parametrize(
    "before",
    [
        b"x" + NEW[1:],  # the first byte differs
        NEW[:300] + b"x" + NEW[301:],  # one in the middle
        NEW[:-1] + b"x",  # the last one
        NEW[:250],  # the file in place is shorter
        NEW + b"more",  # or longer
        b"",
    ],
)
def test_a_difference_anywhere_writes_the_new_bytes(tmp_path: Path, before: bytes) -> None:
    old, target = tmp_path / "old", tmp_path / "new"
    old.write_bytes(before)
    info = write.write_pieces(target, _pieces(NEW), same_as=str(old))
    assert info is not None
    assert target.read_bytes() == NEW
    assert old.read_bytes() == before


def test_empty_pieces_against_a_file_with_bytes(tmp_path: Path) -> None:
    old, target = tmp_path / "old", tmp_path / "new"
    old.write_bytes(NEW)
    assert write.write_pieces(target, iter(()), same_as=str(old)) is not None
    assert target.read_bytes() == b""


def test_a_missing_file_to_compare_with_is_written_afresh(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert write.write_pieces(target, _pieces(NEW), same_as=str(tmp_path / "gone")) is not None
    assert target.read_bytes() == NEW


def test_giving_memory_back_is_harmless() -> None:
    give_back_memory()  # glibc's malloc_trim on Linux, nothing elsewhere
    give_back_memory()
