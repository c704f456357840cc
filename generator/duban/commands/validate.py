"""`duban validate`: schema and cross-file checks, every problem with file:line:column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.commands._common import as_of_option, default_format, load, root_option
from duban.output import print_problems
from duban.problems import has_errors


def run_validate(root: Path, paths: tuple[Path, ...], fmt: str, as_of: dt.date | None) -> int:
    """Print every problem of the registry (or of the files under `paths`); 1 when any is an error."""
    loaded = load(root, as_of, paths)
    print_problems(loaded.problems, loaded.registry.settings.language, fmt, root=root)
    return 1 if has_errors(loaded.problems) else 0


@click.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default=None,
    help="Output format [default: text; github inside GitHub Actions].",
)
@as_of_option
def command(paths: tuple[Path, ...], root: Path, fmt: str | None, as_of: dt.date | None) -> None:
    """Check the registry's files against the schemas and the cross-file rules.

    PATHS limit the report to those files or folders (the whole registry is still read, since ids and
    references span files). --as-of sets "today" for the warning about records dated in the future.
    """
    raise SystemExit(run_validate(root, paths, fmt or default_format(), as_of))
