"""`duban complete ID`: record the item's completion (报办结), or verify it (办结·销号)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.commands._common import as_of_option, root_option
from duban.editing.changes import CompleteInput, complete
from duban.editing.options import date_option, dry_run_option, read_text, text_option
from duban.editing.session import edit_task


def _evidence(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        title, sep, url = value.partition("=")
        if not sep or not title.strip() or not url.strip():
            raise click.BadParameter(
                f"{value!r}: write it as TITLE=URL (e.g. 验收报告=https://…)", ctx, param
            )
        pairs.append((title.strip(), url.strip()))
    return tuple(pairs)


@click.command(name="complete")
@click.argument("task_id", metavar="ID")
@text_option("--summary", "What was achieved (办结情况); required unless the item already has one.")
@date_option
@click.option(
    "--verified-by",
    default=None,
    metavar="PERSON",
    help="The office verified the result (审核销号): status becomes completed, not reported.",
)
@click.option(
    "--evidence",
    multiple=True,
    callback=_evidence,
    metavar="TITLE=URL",
    help="A link to supporting evidence (佐证材料): an http(s) URL or a path in the registry. Repeatable.",
)
@dry_run_option
@root_option
@as_of_option
def command(
    task_id: str,
    summary: str | None,
    day: dt.date | None,
    verified_by: str | None,
    evidence: tuple[tuple[str, str], ...],
    dry_run: bool,
    root: Path,
    as_of: dt.date | None,
) -> None:
    """Record the completion of item ID: its `completion` (date, summary) and its status.

    Without --verified-by the status becomes `reported` (已报办结): the unit reports completion and the
    office reviews it. With --verified-by the status becomes `completed` (已办结·销号). To sign off an item
    already reported, give only --verified-by: its completion report stays as it is.
    """
    given = CompleteInput(read_text(summary), day, verified_by, evidence)
    raise SystemExit(edit_task(root, as_of, task_id, lambda target: complete(target, given), dry_run=dry_run))
