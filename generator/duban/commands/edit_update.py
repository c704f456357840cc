"""`duban update ID`: append a progress report (进展反馈), keeping the file's comments and layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.commands._common import as_of_option, root_option
from duban.editing.changes import UpdateInput, add_update
from duban.editing.options import date_option, dry_run_option, read_text, required_text, text_option
from duban.editing.session import edit_task


@click.command(name="update")
@click.argument("task_id", metavar="ID")
@text_option("--text", "The progress report (进展情况).", required=True)
@click.option("--progress", type=int, default=None, help="Overall progress in percent, 0–100 (完成进度).")
@click.option(
    "--by", default=None, metavar="PERSON", help="Who reports: a person id from org/people.yaml (反馈人)."
)
@text_option("--problems", "Problems met (存在问题).")
@text_option("--next", "Next steps (下一步措施).")
@date_option
@dry_run_option
@root_option
@as_of_option
def command(
    task_id: str,
    text: str,
    progress: int | None,
    by: str | None,
    problems: str | None,
    next: str | None,
    day: dt.date | None,
    dry_run: bool,
    root: Path,
    as_of: dt.date | None,
) -> None:
    """Append a progress report (进展反馈) to item ID.

    The report goes at the end of the item's `updates` (created where FORMAT.md puts it when missing), dated
    today unless --date says otherwise. An item still `assigned` moves to `in_progress`. The new file is
    checked before it replaces the old one; on any problem nothing is written.
    """
    given = UpdateInput(required_text(text), day, progress, by, read_text(problems), read_text(next))
    raise SystemExit(
        edit_task(root, as_of, task_id, lambda target: add_update(target, given), dry_run=dry_run)
    )
