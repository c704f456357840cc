"""Writing the site: everything goes into a temporary folder next to DIR, which is then swapped into place.

A build that fails at any point (a render error, a full disk, Ctrl-C) leaves the previous DIR exactly as it
was; a reader never sees half a site. The swap is two renames on the same file system: DIR → backup, temporary
→ DIR, then the backup is deleted. A folder that holds other files than a previous build is never replaced: it
is recognised by the marker file duban writes into every build.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MARKER = ".duban-site"
MARKER_TEXT = (
    b"Written by `duban build`. This folder is replaced as a whole on every build: do not edit it.\n"
)


class OutputError(Exception):
    """The output folder cannot be used (not a previous build, or inside-out with the registry)."""


def check_output(out: Path, root: Path) -> None:
    """Refuse an output folder that would destroy something that is not a previous build."""
    target, registry = out.resolve(), root.resolve()
    if target == registry or target in registry.parents:
        raise OutputError(f"{out} holds the registry; choose another output folder")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(f"{out} is not empty and was not written by duban build; refusing to replace it")


def safe_relative(path: str) -> PurePosixPath:
    """A site path as given by the renderer: relative, forward slashes, no `..` (a bug, not bad input)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise ValueError(f"not a safe site path: {path!r}")
    return pure


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows only


def write_file(target: Path, data: bytes) -> os.stat_result:
    """`target.write_bytes(data)` in three system calls: a site has ten thousand files, and Python's file
    objects add a buffer, a seek, a terminal check and a stat to each (a tenth of a cold build's system time).
    """
    descriptor = os.open(target, _CREATE, 0o666)
    try:
        _write_all(descriptor, data)
        return os.fstat(descriptor)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # os.write may write less than asked (a signal, a full pipe): write the rest
        view = view[os.write(descriptor, view) :]


BATCH = 1 << 20  # pieces are joined into writes of about this many bytes: few system calls, little memory


def write_pieces(target: Path, pieces: Iterable[bytes], same_as: str | None = None) -> os.stat_result | None:
    """Write a file given in pieces (a feed of 148 MB at 100,000 items is never one bytes object); None, and
    nothing written, when the file at `same_as` holds these very bytes (a warm build's unchanged feed).

    The pieces are taken once, as they come: while they match `same_as` nothing is written; at the first
    difference the part that matched is copied from it, and the rest written.
    """
    batches = _batches(pieces)
    with _open_or_none(same_as) as old:
        equal, pending = _equal_head(old, batches) if old is not None else (0, [])
        if pending is None:
            return None
        descriptor = os.open(target, _CREATE, 0o666)
        try:
            if old is not None:
                _copy_head(old, descriptor, equal)
            for batch in chain(pending, batches):
                _write_all(descriptor, batch)
            return os.fstat(descriptor)
        finally:
            os.close(descriptor)


def _batches(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces joined into runs of about BATCH bytes; a piece that large is passed on as it is, never
    copied into a run."""
    run: list[bytes] = []
    size = 0
    for piece in pieces:
        if len(piece) >= BATCH:
            if run:
                yield b"".join(run)
                run, size = [], 0
            yield piece
            continue
        run.append(piece)
        size += len(piece)
        if size >= BATCH:
            yield b"".join(run)
            run, size = [], 0
    if run:
        yield b"".join(run)


def _open_or_none(path: str | None) -> contextlib.AbstractContextManager[BinaryIO | None]:
    if path is None:
        return contextlib.nullcontext()
    try:
        return open(path, "rb")  # noqa: PTH123 - a string path (Previous.prefix); closed by `with`
    except OSError:  # gone or unreadable: the file is written afresh
        return contextlib.nullcontext()


def _equal_head(old: BinaryIO, batches: Iterator[bytes]) -> tuple[int, list[bytes] | None]:
    """How many bytes of `old` the batches repeat, and the batch that differs (in a list: none when `old` is
    longer); (its size, None) when they are the same bytes, end included."""
    equal = 0
    for batch in batches:
        if old.read(len(batch)) != batch:
            return equal, [batch]
        equal += len(batch)
    return (equal, None) if old.read(1) == b"" else (equal, [])


def _copy_head(old: BinaryIO, descriptor: int, size: int) -> None:
    """The first `size` bytes of `old` (already compared: the same as the new file's) into `descriptor`."""
    old.seek(0)
    while size > 0:
        piece = old.read(min(size, BATCH))
        if not piece:
            raise OSError(f"{old.name} became shorter while it was read")
        _write_all(descriptor, piece)
        size -= len(piece)


class StagingDir:
    """A temporary folder next to the output folder; files are written with explicit bytes."""

    def __init__(self, out: Path) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.path = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        self._dirs: set[Path] = set()

    def write(self, rel: str, data: bytes) -> os.stat_result:
        """Write one file; its size and times as written (a warm build's manifest records them)."""
        return write_file(self._target(rel), data)

    def _target(self, rel: str) -> Path:
        """Where a site path goes in the staging folder, its folder made."""
        target = self.path.joinpath(*safe_relative(rel).parts)
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def write_pieces(self, rel: str, pieces: Iterable[bytes], same_as: str | None) -> os.stat_result | None:
        """Write one file given in pieces, unless `same_as` holds its bytes already (`write_pieces`)."""
        return write_pieces(self._target(rel), pieces, same_as)

    def copy(self, rel: str, source: Path) -> None:
        """Copy a file's bytes (not its times or mode: those would make two builds differ)."""
        self.write(rel, source.read_bytes())

    def write_all(self, files: Iterable[tuple[str, bytes]]) -> None:
        for rel, data in files:
            self.write(rel, data)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def commit(self) -> None:
        """Swap the staged site into place; on failure the previous output is put back."""
        self.write(MARKER, MARKER_TEXT)
        self.path.chmod(0o755)  # mkdtemp makes it 0700; a served site must be readable
        backup: Path | None = None
        if self.out.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            backup.rmdir()
            self.out.rename(backup)
        try:
            self.path.rename(self.out)
        except OSError:
            if backup is not None:
                backup.rename(self.out)
            raise
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
