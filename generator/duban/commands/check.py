"""`duban check`: options in, `duban.checking.run_check`, its exit code out.

With `--changed-since REF` (pull requests), findings fail only for tasks whose files changed since REF;
every other task's findings are listed as warnings, so that a pull request is not blocked by an item that
became overdue on its own (docs/engine.md, "`duban check`").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.checking import FORMATS, GitError, run_check
from duban.commands._common import as_of_option, default_format, root_option


@click.command(name="check")
@root_option
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
    help="Output format [default: text; github inside GitHub Actions].",
)  # fmt: skip
@click.option(
    "--changed-since", metavar="GITREF", default=None,
    help="Fail only for tasks changed since this git ref (e.g. origin/main); list the rest as warnings.",
)  # fmt: skip
@as_of_option
def command(root: Path, fmt: str | None, changed_since: str | None, as_of: dt.date | None) -> None:
    """Validate, then fail (exit 1) on the findings that check.fail_on names in duban.yaml.

    Overdue items fail once they are more than check.grace_days past their effective deadline. In GitHub
    Actions the output is annotations on the task files plus a summary on the run's page.
    """
    try:
        code = run_check(root, fmt or default_format(), as_of, changed_since)
    except GitError as error:  # no such ref, not a repository: the option's fault (exit 2)
        raise click.BadParameter(str(error), param_hint="--changed-since") from error
    raise SystemExit(code)
