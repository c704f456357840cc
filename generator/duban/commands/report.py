"""`duban report overdue|units|bulletin`: the overdue list, per-unit statistics, the periodic bulletin."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from duban.commands._common import as_of_option, load_or_fail, root_option
from duban.reports import FORMATS, REPORTS, build
from duban.reports.files import emit, write_atomic
from duban.stats import Period, parse_period


def _period(text: str | None, as_of: dt.date | None) -> Period | None:
    """`--period` checked before anything is read: a bad one is a usage error (exit 2)."""
    if text is None:
        return None
    period = parse_period(text)
    if period is None:
        raise click.BadParameter(
            f"'{text}' is not a period: use YYYY-MM for a month (2026-06) or YYYY-Qn for a quarter (2026-Q2)",
            param_hint="--period",
        )
    if as_of is not None and period.start > as_of:
        raise click.BadParameter(f"{period.key} starts after the as-of date {as_of}", param_hint="--period")
    return period


def _format(fmt: str | None, out: Path | None) -> str:
    """--format, else the --out file's suffix (report.xlsx), else Markdown."""
    if fmt is not None:
        return fmt
    suffix = out.suffix.lower().lstrip(".") if out else ""
    return suffix if suffix in FORMATS else "md"


def _deliver(data: bytes, out: Path | None, fmt: str) -> int:
    if out is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("an xlsx workbook is binary: write it to a file with --out FILE.xlsx")
        emit(data)
        return 0
    try:
        write_atomic(out, data)
    except OSError as error:
        click.echo(f"duban report: cannot write {out}: {error.strerror or error}", err=True)
        return 1
    click.echo(str(out), err=True)
    return 0


def run_report(
    kind: str, root: Path, fmt: str | None, out: Path | None, period_text: str | None, as_of: dt.date | None
) -> int:
    period = _period(period_text, as_of)
    fmt = _format(fmt, out)
    loaded = load_or_fail(root, as_of)
    if loaded is None:
        return 1
    if period is not None and period.start > loaded.as_of:
        raise click.BadParameter(f"{period.key} starts after today ({loaded.as_of})", param_hint="--period")
    report = build(kind, loaded.registry, loaded.as_of, period)
    return _deliver(FORMATS[fmt](report), out, fmt)


@click.command(name="report")
@click.argument("kind", type=click.Choice(REPORTS))
@root_option
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
    help="md, csv (UTF-8 with BOM for Excel), json or xlsx [default: from --out's suffix, else md].",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write to this file (atomically) instead of standard output.",
)  # fmt: skip
@click.option(
    "--period", "period_text", metavar="YYYY-MM|YYYY-Qn", default=None,
    help="A month or a quarter: the bulletin's period (default: the as-of month); for overdue and units, "
    "the picture at the period's end.",
)  # fmt: skip
@as_of_option
def command(
    kind: str, root: Path, fmt: str | None, out: Path | None, period_text: str | None, as_of: dt.date | None
) -> None:
    """Write a report: overdue (逾期事项清单, by lead unit), units (各单位统计: 按期办结率 and ranking) or
    bulletin (督查通报 for a month or a quarter), in the registry's language."""
    raise SystemExit(run_report(kind, root, fmt, out, period_text, as_of))
