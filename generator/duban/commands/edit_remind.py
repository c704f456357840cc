"""`duban remind ID`: record a reminder (催办) sent to the lead unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.commands._common import as_of_option, root_option
from duban.editing.changes import ReminderInput, add_reminder
from duban.editing.options import date_option, dry_run_option, read_text, text_option
from duban.editing.session import edit_task


@click.command(name="remind")
@click.argument("task_id", metavar="ID")
@text_option("--note", "What the reminder said (催办内容).")
@click.option("--by", default=None, metavar="PERSON", help="Who sent it: a person id (催办人).")
@date_option
@dry_run_option
@root_option
@as_of_option
def command(
    task_id: str,
    note: str | None,
    by: str | None,
    day: dt.date | None,
    dry_run: bool,
    root: Path,
    as_of: dt.date | None,
) -> None:
    """Record a reminder (催办) on item ID, dated today unless --date says otherwise."""
    given = ReminderInput(read_text(note), day, by)
    raise SystemExit(
        edit_task(root, as_of, task_id, lambda target: add_reminder(target, given), dry_run=dry_run)
    )
