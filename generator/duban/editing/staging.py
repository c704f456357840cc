"""Atomic writes: new bytes go to a temporary file beside the target, which then replaces it in one rename.

The temporary file is named `.NAME.XXXX.tmp`: the loader skips dot-files, so a registry read meanwhile never
sees it. It is checked before the rename (see `verify`), and removed whatever happens if it is not committed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from duban.editing.catalog import EditRefused


class Staged:
    """New contents waiting beside `target`; `commit()` renames them over it."""

    def __init__(self, target: Path, temporary: Path, file: str) -> None:
        self.target, self.path, self.file = target, temporary, file
        self.committed = False

    def commit(self, *, must_be_new: bool = False) -> None:
        if must_be_new and self.target.exists():
            raise EditRefused("exists", file=self.file)
        try:
            _copy_permissions(self.target, self.path)
            self.path.replace(self.target)
        except OSError as error:
            raise EditRefused("write-failed", file=self.file, error=error.strerror or str(error)) from None
        self.committed = True


@contextlib.contextmanager
def staged(target: Path, data: bytes, file: str) -> Iterator[Staged]:
    """Write `data` to a temporary file in `target`'s folder; remove it on exit unless it was committed."""
    try:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise EditRefused("write-failed", file=file, error=error.strerror or str(error)) from None
    result = Staged(target, Path(name), file)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            result.path.unlink()
        raise EditRefused("write-failed", file=file, error=error.strerror or str(error)) from None
    try:
        yield result
    finally:
        if not result.committed:
            with contextlib.suppress(OSError):
                result.path.unlink()


def _copy_permissions(target: Path, temporary: Path) -> None:
    """The replaced file keeps its mode; a new file gets the usual one (0666 less the umask), not 0600."""
    if target.exists():
        temporary.chmod(target.stat().st_mode & 0o7777)
        return
    umask = os.umask(0)
    os.umask(umask)
    temporary.chmod(0o666 & ~umask)


def make_folders(folder: Path, file: str) -> list[Path]:
    """Create `folder` and its missing parents; return those created (deepest first), to undo on failure."""
    created: list[Path] = []
    missing = folder
    while not missing.exists():
        created.append(missing)
        missing = missing.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EditRefused("write-failed", file=file, error=error.strerror or str(error)) from None
    return created


def remove_folders(created: list[Path]) -> None:
    for folder in created:
        with contextlib.suppress(OSError):
            folder.rmdir()
