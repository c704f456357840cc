"""Staged edits: new bytes wait in a temporary file beside the target (`duban.atomic`), are checked there
(see `verify`), and only then replace the target in one rename; if not committed they are removed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from duban import atomic
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
            atomic.replace(self.path, self.target)
        except OSError as error:
            raise EditRefused("write-failed", file=self.file, error=error.strerror or str(error)) from None
        self.committed = True


@contextlib.contextmanager
def staged(target: Path, data: bytes, file: str) -> Iterator[Staged]:
    """Write `data` to a temporary file in `target`'s folder; remove it on exit unless it was committed."""
    try:
        result = Staged(target, atomic.write_temporary(target, data), file)
    except OSError as error:
        raise EditRefused("write-failed", file=file, error=error.strerror or str(error)) from None
    try:
        yield result
    finally:
        if not result.committed:
            with contextlib.suppress(OSError):
                result.path.unlink()


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
