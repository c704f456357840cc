"""The command line: a thin click layer. Commands load lazily so `duban --help` stays fast.

Each command lives in `duban.commands.<name>` as a click command called `command`; it parses options and calls
one core function that returns an exit code. Problems are printed by the core functions; this module is the
one place where anything unexpected becomes a message and an exit code.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from duban import __version__

COMMANDS: dict[str, str] = {
    "init": "duban.commands.init",
    "new": "duban.commands.edit_new",
    "update": "duban.commands.edit_update",
    "complete": "duban.commands.edit_complete",
    "extend": "duban.commands.edit_extend",
    "remind": "duban.commands.edit_remind",
    "validate": "duban.commands.validate",
    "check": "duban.commands.check",
    "status": "duban.commands.status",
    "report": "duban.commands.report",
    "build": "duban.commands.build",
    "serve": "duban.commands.serve",
    "notify": "duban.commands.notify",
}

SHORT_HELP: dict[str, str] = {
    "init": "Create a new registry for an office (新建登记库).",
    "new": "File a new supervised item with the next free id (新建督办事项).",
    "update": "Append a progress report to an item (进展反馈).",
    "complete": "Record an item's completion (报办结).",
    "extend": "Record an extension request (申请延期).",
    "remind": "Record a reminder sent to the lead unit (催办).",
    "validate": "Check the registry's files: schema and cross-file rules (校验).",
    "check": "Validate, then fail on overdue and other findings (CI 检查).",
    "status": "Show every item with its light (红黄绿灯).",
    "report": "Write the overdue list, unit statistics or the bulletin (报表与督查通报).",
    "build": "Render the static status site (生成站点).",
    "serve": "Build, serve on 127.0.0.1 and rebuild on change (本地预览).",
    "notify": "Post the day's overdue items to a group robot (群机器人提醒).",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or its help is asked for)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            return None
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing commands must not import them all: short help comes from the table above.
        rows = [(name, SHORT_HELP[name]) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(__version__, prog_name="duban")
def cli() -> None:
    """duban 督办 — supervision and follow-up kept as YAML data in git.

    Every command works on the registry in the current folder, or the one --root names.
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point: click handles usage errors (exit 2); anything unexpected is reported without a trace."""
    try:
        return cli.main(args=argv, prog_name="duban", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # the last line of defence: a bug, not bad input
        click.echo(f"duban: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("This is a bug in duban; please report it with the command you ran.", err=True)
        sys.exit(3)


if __name__ == "__main__":  # `python -m duban.cli`, as `duban`
    main()
