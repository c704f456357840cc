"""Command-line pieces shared by the editing commands: `--dry-run`, `--date`, text from standard input."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from duban.commands._common import DATE

dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Check the change and show it as a diff, without writing the file."
)
date_option = click.option(
    "--date", "day", type=DATE, default=None, help="The record's date (default: today, or --as-of)."
)


F = TypeVar("F", bound=Callable[..., Any])


def text_option(name: str, help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """A Markdown text option; `-` reads the text from standard input (for text with several lines)."""
    return click.option(
        name,
        required=required,
        default=None,
        metavar="TEXT",
        help=f"{help_text} Markdown; '-' reads it from standard input.",
    )


def read_text(value: str | None) -> str | None:
    """The option's text, or standard input's when the value is `-`."""
    if value != "-":
        return value
    return sys.stdin.read()


def required_text(value: str | None) -> str:
    text = read_text(value)
    return text if text is not None else ""
