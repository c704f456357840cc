"""`duban extend ID`: record an extension request (延期申请), or the office's decision on one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.commands._common import DATE, as_of_option, root_option
from duban.editing.changes import ExtensionInput, Outcome, Target, decide_extension, request_extension
from duban.editing.options import date_option, dry_run_option, read_text, text_option
from duban.editing.session import Change, edit_task


@click.command(name="extend")
@click.argument("task_id", metavar="ID")
@click.option("--to", "to", type=DATE, default=None, help="The deadline asked for (延期至).")
@text_option("--reason", "Why the extension is needed (延期理由).")
@click.option("--approve", "decision", flag_value="approved", default=None, help="Record an approval (同意).")
@click.option("--reject", "decision", flag_value="rejected", help="Record a rejection (不同意).")
@click.option("--by", default=None, metavar="PERSON", help="Who decided, with --approve/--reject (审批人).")
@date_option
@dry_run_option
@root_option
@as_of_option
def command(
    task_id: str,
    to: dt.date | None,
    reason: str | None,
    decision: str | None,
    by: str | None,
    day: dt.date | None,
    dry_run: bool,
    root: Path,
    as_of: dt.date | None,
) -> None:
    """Record an extension request on item ID, or the decision on its latest pending request.

    \b
    duban extend ID --to DATE --reason T                 a new request, pending (待审批)
    duban extend ID --approve --by P                     approve the latest pending request
    duban extend ID --reject --by P                      reject it
    duban extend ID --to DATE --reason T --approve --by P   a request and its approval at once
    """
    change = _change(to, reason, decision, by, day)
    raise SystemExit(edit_task(root, as_of, task_id, change, dry_run=dry_run))


def _change(
    to: dt.date | None, reason: str | None, decision: str | None, by: str | None, day: dt.date | None
) -> Change:
    """The change the options ask for; a usage error (exit 2) when they do not fit together."""
    if decision is None and by is not None:
        raise click.UsageError("--by names who decided: use it with --approve or --reject")
    if decision is not None and by is None:
        raise click.UsageError(f"--{'approve' if decision == 'approved' else 'reject'} needs --by PERSON")
    if (to is None) != (reason is None):
        raise click.UsageError("a request needs both --to DATE and --reason TEXT")
    if to is not None:
        given = ExtensionInput(to, read_text(reason) or "", day, decision, by)
        return lambda target: request_extension(target, given)
    if decision is None or by is None:
        raise click.UsageError(
            "give --to DATE and --reason TEXT (a request), or --approve/--reject --by PERSON"
        )
    return lambda target: _decide(target, decision, by, day)


def _decide(target: Target, decision: str, by: str, day: dt.date | None) -> Outcome:
    return decide_extension(target, decision, by, day)
