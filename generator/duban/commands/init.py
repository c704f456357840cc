"""`duban init DIR`: scaffold a registry for a new office (see duban.scaffold)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from duban import clock
from duban.scaffold import LANGUAGES, InitOptions, InitResult, ScaffoldError, scaffold

_ID_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
DEFAULT_TITLE = {"zh-CN": "督查督办", "en": "Supervision and follow-up"}


def _timezone(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
    return value


def _id_prefix(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not _ID_PREFIX.match(value):
        raise click.BadParameter(
            "letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. DB)"
        )
    return value


def _title(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not 1 <= len(value.strip()) <= 200:
        raise click.BadParameter("1 to 200 characters")
    return value.strip() if value else value


def _report(target: Path, result: InitResult, language: str) -> None:
    zh = language == "zh-CN"
    click.echo(
        f"已在 {target} 建立督办台账（{len(result.created)} 个文件）"
        if zh
        else f"Created a duban registry in {target} ({len(result.created)} files)"
    )
    for rel in result.skipped:
        click.echo(f"  已有，保留不动：{rel}" if zh else f"  kept as it was: {rel}")
    steps = [
        f"示例事项：{result.example_task}（可照着登记新事项）"
        if zh
        else f"example item: {result.example_task}",
        f"检查：duban check --root {target}" if zh else f"check it: duban check --root {target}",
        f"预览站点：duban serve --root {target}" if zh else f"preview the site: duban serve --root {target}",
        "上传到 GitHub、启用 Pages 等后续步骤见 README.md"
        if zh
        else "README.md explains the next steps (GitHub, Pages, the group robot)",
    ]
    click.echo("\n".join(f"  - {step}" for step in steps))


def run_init(target: Path, options: dict[str, Any], force: bool) -> int:
    """Write the registry; 1 (with the reason) when `target` cannot take one."""
    language = options["language"]
    today = clock.today_in(options["timezone"])  # the only clock reading: the example item starts today
    init_options = InitOptions(
        title=options["title"] or DEFAULT_TITLE[language],
        timezone=options["timezone"],
        today=today,
        year=options["year"] or today.year,
        language=language,
        organization=options["organization"],
        id_prefix=options["id_prefix"],
    )
    try:
        result = scaffold(target, init_options, force)
    except ScaffoldError as error:
        click.echo(f"duban init: {error}", err=True)
        return 1
    except OSError as error:
        click.echo(f"duban init: {error.filename or target}: {error.strerror or error}", err=True)
        return 1
    _report(target, result, language)
    return 0


@click.command(name="init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", callback=_title, help="Site title (站点标题) [default: 督查督办].")
@click.option(
    "--organization", callback=_title, help="Name of the office that keeps the registry (单位名称)."
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="zh-CN",
    show_default=True,
    help="Language of the registry, its site and reports (语言).",
)
@click.option(
    "--timezone",
    metavar="ZONE",
    default="Asia/Shanghai",
    show_default=True,
    callback=_timezone,
    help="IANA time zone in which 'today' is computed (时区).",
)
@click.option(
    "--id-prefix",
    metavar="PREFIX",
    default="DB",
    show_default=True,
    callback=_id_prefix,
    help="Prefix of item ids: DB gives DB-2026-0001 (编号前缀).",
)
@click.option(
    "--year",
    metavar="YEAR",
    type=click.IntRange(1900, 2199),
    default=None,
    help="First year of the holiday calendar; the next year is written too [default: this year].",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that is not empty (files already there are kept, never overwritten).",
)
def command(directory: Path, force: bool, **options: Any) -> None:
    """Create a new registry in DIRECTORY for an office (新建督办台账).

    Writes duban.yaml, org/ with an example unit and person, calendar/ for this year and the next (holidays
    from the chinese-calendar package), one example item dated from today, the schemas, GitHub workflows
    (.github/workflows/), a .pre-commit-config.yaml and a README.md that walks the office through its work.
    DIRECTORY may be missing or empty (a fresh `git init` counts as empty); a folder that already holds
    duban.yaml is refused, and any other non-empty folder needs --force.
    """
    raise SystemExit(run_init(directory, options, force))
