"""Writing the site: everything goes into a temporary folder next to DIR, which is then swapped into place.

A build that fails at any point (a render error, a full disk, Ctrl-C) leaves the previous DIR exactly as it
was; a reader never sees half a site. The swap is two renames on the same file system: DIR → backup, temporary
→ DIR, then the backup is deleted. A folder that holds other files than a previous build is never replaced: it
is recognised by the marker file duban writes into every build.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

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
        view = memoryview(data)
        while view:  # os.write may write less than asked (a signal, a full pipe): write the rest
            view = view[os.write(descriptor, view) :]
        return os.fstat(descriptor)
    finally:
        os.close(descriptor)


class StagingDir:
    """A temporary folder next to the output folder; files are written with explicit bytes."""

    def __init__(self, out: Path) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.path = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        self._dirs: set[Path] = set()

    def write(self, rel: str, data: bytes) -> os.stat_result:
        """Write one file; its size and times as written (a warm build's manifest records them)."""
        target = self.path.joinpath(*safe_relative(rel).parts)
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return write_file(target, data)

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
