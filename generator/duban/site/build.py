"""`duban build`: load and validate → evaluate → context → render → write, and an exit code.

Nothing is written before everything has been checked and computed, and the pages are rendered into a
temporary folder that replaces the output folder only when all of it is there (site.write). Same registry,
same as-of date, same git history → the same bytes: no page shows the wall clock (the as-of date is the page's
date), files are written in a fixed order, and timestamps in the feeds come from the records or
SOURCE_DATE_EPOCH (site.feeds).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from duban.commands._common import load_or_fail
from duban.engine import evaluate
from duban.resources import data_dir
from duban.site.context import build_context
from duban.site.feeds import render_feeds
from duban.site.gitlog import collect_history
from duban.site.pages import Page, plan, render_page
from duban.site.views import SiteContext
from duban.site.write import OutputError, StagingDir, check_output

ASSETS = "assets"
PROGRESS_MIN_PAGES = 200  # below this a build takes a blink: no progress bar


def build_site(root: Path, out: Path, as_of: dt.date | None = None, *, quiet: bool = False) -> int:
    """Build the site of the registry at `root` into `out`; 0 on success, 1 on problems (nothing written)."""
    loaded = load_or_fail(root, as_of)
    if loaded is None:
        click.echo("duban build: the registry has problems; nothing was written.", err=True)
        return 1
    try:
        check_output(out, root)
    except OutputError as error:
        click.echo(f"duban build: {error}", err=True)
        return 2
    states = evaluate(loaded.registry, loaded.as_of)
    context = build_context(loaded.registry, states, loaded.as_of, collect_history(root))
    pages = plan(context)
    feeds = render_feeds(loaded.registry, states, loaded.as_of)
    try:
        count = write_site(out, context, pages, feeds, show_progress=not quiet and sys.stderr.isatty())
    except OSError as error:
        click.echo(
            f"duban build: cannot write {out}: {error}; the previous site was left as it was.", err=True
        )
        return 1
    if not quiet:
        click.echo(f"Wrote {count} files to {out} (as of {loaded.as_of.isoformat()}).")
    return 0


def write_site(
    out: Path,
    context: SiteContext,
    pages: list[Page],
    feeds: dict[str, bytes],
    *,
    show_progress: bool = False,
) -> int:
    """Render every page into a staging folder and swap it in; the number of files written."""
    staging = StagingDir(out)
    try:
        count = 0
        for path, data in _files(context, pages, feeds, show_progress):
            staging.write(path, data)
            count += 1
        staging.commit()
    except BaseException:  # Ctrl-C included: never leave a half-written staging folder behind
        staging.discard()
        raise
    return count


def _files(
    context: SiteContext, pages: list[Page], feeds: dict[str, bytes], show_progress: bool
) -> Iterator[tuple[str, bytes]]:
    yield from asset_files()
    yield from sorted(feeds.items())
    with _progress(pages, show_progress) as bar:
        for page in bar:
            yield page.path, render_page(context, page)


def asset_files() -> Iterator[tuple[str, bytes]]:
    """The stylesheet, script and icon, copied from the templates folder (no CDN, no web fonts)."""
    folder = data_dir("site_templates") / ASSETS
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            yield f"{ASSETS}/{path.name}", path.read_bytes()


def _progress(pages: list[Page], show: bool) -> Any:
    if not show or len(pages) < PROGRESS_MIN_PAGES:
        return nullcontext(_as_iterable(pages))
    return click.progressbar(pages, label="Rendering pages", file=sys.stderr, show_pos=True)


def _as_iterable(pages: list[Page]) -> Iterable[Page]:
    return pages
