"""docs/cli.md documents every command and every option that `--help` shows, and nothing that is gone."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from duban.cli import COMMANDS, cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
OPTION = re.compile(r"`(--?[A-Za-z][A-Za-z0-9-]*)")


def sections() -> dict[str, str]:
    """The text under each `## \\`duban NAME\\`` heading, by NAME."""
    found: dict[str, str] = {}
    for block in re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        match = re.fullmatch(r"`duban ([a-z-]+)`", heading.strip())
        if match:
            found[match[1]] = body
    return found


def documented_options(section: str) -> set[str]:
    """Options named in the first cell of the section's option table rows."""
    options: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `-"):
            first_cell = line.split(" | ")[0]
            options.update(OPTION.findall(first_cell))
    return options


def command(name: str) -> click.Command:
    found = cli.get_command(click.Context(cli), name)
    assert found is not None, f"duban {name} is listed in duban.cli.COMMANDS but cannot be loaded"
    return found


def real_options(cmd: click.Command) -> set[str]:
    options: set[str] = set()
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            options.update(param.opts + param.secondary_opts)
    return options - {"-h", "--help"}


def test_every_command_has_a_section() -> None:
    documented = sections()
    missing = [name for name in COMMANDS if name not in documented]
    assert not missing, f"docs/cli.md has no section for: {missing}"
    stale = [name for name in documented if name not in COMMANDS]
    assert not stale, f"docs/cli.md documents commands that do not exist: {stale}"


def test_every_command_is_in_the_overview() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"[`duban {name}`](#duban-{name})" in text, name


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_is_documented(name: str) -> None:
    section = sections().get(name, "")
    real, documented = real_options(command(name)), documented_options(section)
    assert not real - documented, (
        f"duban {name}: options missing from docs/cli.md: {sorted(real - documented)}"
    )
    assert not documented - real, (
        f"duban {name}: docs/cli.md lists options that do not exist: {sorted(documented - real)}"
    )


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_usage_line_is_the_one_help_shows(name: str) -> None:
    cmd = command(name)
    pieces = cmd.collect_usage_pieces(
        click.Context(cmd, info_name=name, parent=click.Context(cli, info_name="duban"))
    )
    usage = f"duban {name} {' '.join(pieces)}"
    assert f"```text\n{usage}\n```" in sections().get(name, ""), f"docs/cli.md should show: {usage}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_environment_variables_are_documented(name: str) -> None:
    section = sections().get(name, "")
    text = DOC.read_text(encoding="utf-8")
    for param in command(name).params:
        envvars = param.envvar if isinstance(param.envvar, list | tuple) else [param.envvar]
        for variable in filter(None, envvars):
            assert f"`{variable}`" in section and f"| `{variable}` |" in text, f"{name}: {variable}"


def test_the_group_options_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for option in ("--version", "--help", "-h"):
        assert option in text


def test_the_parser_finds_options() -> None:
    """The check above must be able to fail: it sees options in table rows, and only there."""
    section = "| `--port N` | the port |\n| `-v`, `--verbose` | more |\nSee `--elsewhere` in the text.\n"
    assert documented_options(section) == {"--port", "-v", "--verbose"}


def test_the_office_guide_covers_the_daily_work() -> None:
    guide = (DOC.parent / "guide.zh-CN.md").read_text(encoding="utf-8")
    topics = (
        "拉取请求",
        "登记督办事项",
        "报送进展",
        "催办",
        "延期",
        "办结·销号",
        "红黄绿灯",
        "督办站点",
        "督查通报",
        "群机器人",
        "duban init",
        "DUBAN_WEBHOOK",
        "节假日",
        "cli.md",
    )
    for topic in topics:
        assert topic in guide, topic
