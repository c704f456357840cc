"""Options and the load stage shared by every command."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from duban import clock
from duban.dates import parse_date
from duban.output import print_problems
from duban.problems import Problem, has_errors
from duban.registry import Registry

FC = TypeVar("FC", bound=Callable[..., Any])


class DateParam(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click stubs
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        day = parse_date(value)
        if day is None:
            self.fail(f"{value!r} is not a date in YYYY-MM-DD form (e.g. 2026-06-30)", param, ctx)
        return day


DATE = DateParam()

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=".",
    help="The registry's folder (the one holding duban.yaml).",
)
as_of_option = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="Compute as of this day (default: today in the registry's timezone).",
)


def format_option(choices: tuple[str, ...], default: str = "text") -> Callable[[FC], FC]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def default_format(default: str = "text") -> str:
    """`github` inside GitHub Actions, where annotations show on the pull request; `default` elsewhere."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else default


@dataclass
class Loaded:
    registry: Registry
    problems: list[Problem]  # located and sorted
    as_of: dt.date  # the --as-of date, or today in the registry's timezone
    store: Any = None  # the read cache the files came through (duban.cache.Cache), if any

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def load(root: Path, as_of: dt.date | None, paths: tuple[Path, ...] = ()) -> Loaded:
    """Stage one of every pipeline: load and check the registry; today's date is read here, once."""
    from duban.documents import no_gc
    from duban.loader import finish_problems, load_registry

    with no_gc():  # the registry is a tree of millions of objects and no cycles: nothing to collect
        result = load_registry(root)
        try:
            today = as_of or clock.today_in(result.registry.settings.timezone)
        except clock.ClockError as error:
            raise click.UsageError(str(error)) from None
        problems = finish_problems(result, today, paths)
    # It lives until the command ends: the collector need not walk it again after every few thousand
    # allocations the command makes next (at 100,000 items that walking took longer than the work itself).
    gc.freeze()
    return Loaded(result.registry, problems, today, result.store)


def load_or_fail(root: Path, as_of: dt.date | None, fmt: str = "text") -> Loaded | None:
    """The registry when it has no errors (warnings are printed); None after printing its errors."""
    loaded = load(root, as_of)
    if loaded.problems:
        print_problems(
            loaded.problems,
            loaded.registry.settings.language,
            fmt if fmt in ("json", "github") else "text",
            err=True,
        )
    return loaded if loaded.ok else None
