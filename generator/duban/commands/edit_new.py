"""`duban new`: file a new supervised item (新建督办事项) under the next free id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from duban.commands._common import DATE, as_of_option, root_option
from duban.editing.newtask import NewTask, Plan, Within, parse_within
from duban.editing.options import dry_run_option, read_text, text_option
from duban.editing.session import create_task

SOURCE_TYPES = (
    "leader-instruction",
    "meeting-decision",
    "superior-assignment",
    "work-report",
    "npc-suggestion",
    "cppcc-proposal",
    "hotline",
    "media",
    "other",
)
PRIORITIES = ("normal", "important", "urgent")
CYCLES = ("weekly", "biweekly", "monthly", "quarterly", "none")


class WithinParam(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click stubs
    name = "N[d|wd]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Within:
        if isinstance(value, Within):
            return value
        within = parse_within(str(value))
        if within is None:
            self.fail(
                f"{value!r}: write a number of days, e.g. 30d (calendar days) or 20wd (workdays)", param, ctx
            )
        return within


def _folder(root: Path, folder: Path | None) -> str | None:
    """The folder relative to the registry root, as long as it is inside tasks/ (where the loader looks)."""
    if folder is None:
        return None
    path = folder if folder.is_absolute() else root / folder
    try:
        inside = path.resolve().relative_to((root / "tasks").resolve())
    except ValueError:
        raise click.BadParameter(
            "must be a folder inside the registry's tasks/", param_hint="--folder"
        ) from None
    return Path("tasks", inside).as_posix()


@click.command(name="new")
@click.option("--title", required=True, help="The item's title, 1–200 characters (事项名称).")
@click.option("--lead", "lead", required=True, metavar="UNIT", help="The lead unit, a unit id (牵头单位).")
@click.option("--deadline", type=DATE, default=None, help="The deadline (办结时限).")
@click.option(
    "--within",
    type=WithinParam(),
    metavar="N[d|wd]",
    default=None,
    help="The deadline as a span after the assigned date: 30d calendar days, 20wd workdays (工作日).",
)
@click.option("--owner", default=None, metavar="PERSON", help="The person responsible (责任人).")
@click.option("--leader", default=None, metavar="PERSON", help="The leader in charge (责任领导).")
@click.option("--supervisor", default=None, metavar="PERSON", help="The supervising officer (督办员).")
@click.option(
    "--source-type",
    type=click.Choice(SOURCE_TYPES),
    default="other",
    show_default=True,
    help="Where the item comes from (督办来源).",
)
@click.option("--source-ref", default=None, help="The source's document number (文号).")
@click.option("--source-by", default=None, metavar="PERSON", help="The leader who gave it (批示/交办领导).")
@click.option("--source-date", type=DATE, default=None, help="The date of the source (批示/会议日期).")
@click.option(
    "--co-unit", "co_units", multiple=True, metavar="UNIT", help="A co-operating unit (协办单位). Repeatable."
)
@click.option(
    "--priority",
    type=click.Choice(PRIORITIES),
    default="normal",
    show_default=True,
    help="Priority (紧急程度).",
)
@click.option("--assigned", type=DATE, default=None, help="The assigned date (交办日期) [default: today].")
@click.option("--category", default=None, help="A free label, e.g. 重点工作 (类别).")
@click.option("--tag", "tags", multiple=True, help="A tag (标签). Repeatable.")
@click.option(
    "--report-every",
    type=click.Choice(CYCLES),
    default=None,
    help="The feedback cycle (反馈周期) [default: duban.yaml's report_every].",
)
@click.option("--parent", default=None, metavar="ID", help="The item this one is a part of (上级事项).")
@text_option("--description", "Requirements and completion criteria (任务要求).")
@click.option(
    "--status",
    type=click.Choice(["assigned", "in_progress"]),
    default="assigned",
    show_default=True,
    help="The starting status.",
)
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the file, inside tasks/ [default: tasks/<assigned year>].",
)
@dry_run_option
@root_option
@as_of_option
def command(root: Path, as_of: dt.date | None, dry_run: bool, **options: Any) -> None:
    """File a new supervised item (督办事项) with the next free id: <id_prefix>-<year>-<NNNN>.

    The year is the assigned date's. Give the deadline as --deadline DATE or as --within 20wd (workdays after
    the assigned date, with the registry's holiday calendar) or --within 30d (calendar days). The new file is
    checked with the rest of the registry before it is written.
    """
    deadline, within = options.pop("deadline"), options.pop("within")
    if (deadline is None) == (within is None):
        raise click.UsageError("give exactly one of --deadline DATE and --within N[d|wd]")
    plan = Plan(deadline, within, options.pop("assigned"), _folder(root, options.pop("folder")))
    options["description"] = read_text(options["description"])
    task = NewTask(
        lead_unit=options.pop("lead"),
        co_units=tuple(options.pop("co_units")),
        tags=tuple(options.pop("tags")),
        **options,
    )
    raise SystemExit(create_task(root, as_of, task, plan, dry_run=dry_run))
