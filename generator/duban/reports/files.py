"""Writing a finished report: atomically to a file (`duban.atomic`), or as bytes to standard output."""

from __future__ import annotations

import click

from duban.atomic import write_atomic

__all__ = ["emit", "write_atomic"]


def emit(data: bytes) -> None:
    """Bytes to standard output as they are (UTF-8 with its BOM for CSV, binary for xlsx)."""
    click.echo(data, nl=False)  # bytes go to the binary stream untouched
