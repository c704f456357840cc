"""Writing a finished report: atomically to a file, or as bytes to standard output."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of it: a temporary
    file in the same folder (same file system), flushed, then renamed over the target (`Path.replace` is
    `os.replace`, which also replaces an existing file on Windows)."""
    folder = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def emit(data: bytes) -> None:
    """Bytes to standard output as they are (UTF-8 with its BOM for CSV, binary for xlsx)."""
    click.echo(data, nl=False)  # bytes go to the binary stream untouched
