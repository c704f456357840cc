"""Atomic file writes: readers see the old file or the new one, never half of either.

New bytes go to a temporary file beside the target (the same folder, hence the same file system, so the final
rename is atomic; `Path.replace` is `os.replace`, which replaces an existing file on Windows too). The
temporary name starts with a dot, and the loader skips dot-files, so a registry read never sees it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_temporary(target: Path, data: bytes) -> Path:
    """`data`, flushed to disk, in a new temporary file beside `target`; the caller renames or removes it."""
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def replace(temporary: Path, target: Path) -> None:
    """Rename `temporary` over `target`; the result keeps `target`'s mode, or the usual one for a new file."""
    if target.exists():
        temporary.chmod(target.stat().st_mode & 0o7777)
    else:  # mkstemp creates 0600; a new file should get 0666 less the umask, like any other
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
    temporary.replace(target)


def write_atomic(target: Path, data: bytes) -> None:
    """Replace `target` with `data` in one step; on failure `target` is as it was and nothing is left over."""
    temporary = write_temporary(target, data)
    try:
        replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
