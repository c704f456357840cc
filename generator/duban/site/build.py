"""`duban build`: load and validate → evaluate → context → render → write, and an exit code.

Nothing is written before everything has been checked and computed, and the pages are rendered into a
temporary folder that replaces the output folder only when all of it is there (site.write). Same registry,
same as-of date, same git history → the same bytes: no page shows the wall clock (the as-of date is the page's
date), files are written in a fixed order, and timestamps in the feeds come from the records or
SOURCE_DATE_EPOCH (site.feeds).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import click

from duban import workers
from duban.cache import Cache
from duban.commands._common import load_or_fail
from duban.documents import no_gc
from duban.engine import evaluate
from duban.registry import Registry, compacted
from duban.resources import data_dir
from duban.site.context import build_context
from duban.site.feeds import SHARES_FOLDER, feed_files
from duban.site.gitlog import Commit, collect_history
from duban.site.incremental import (
    Entry,
    Previous,
    apply,
    manifest_path,
    page_keys,
    previous_build,
    save_manifest,
    stale_bulletins,
    task_index,
    unchanged_bulletins,
)
from duban.site.items import ITEM_TEMPLATE, Done, ItemPages, ItemWorkers
from duban.site.items import start as start_items
from duban.site.pages import Page, plan, render_page, render_page_pieces
from duban.site.render import environment
from duban.site.templatecache import keep_templates
from duban.site.views import SiteContext
from duban.site.write import OutputError, StagingDir, check_output
from duban.workers import frozen, run

ASSETS = "assets"
PROGRESS_MIN_PAGES = 200  # below this a build takes a blink: no progress bar


def build_site(root: Path, out: Path, as_of: dt.date | None = None, *, quiet: bool = False) -> int:
    """Build the site of the registry at `root` into `out`; 0 on success, 1 on problems (nothing written)."""
    with no_gc():  # everything built before rendering is acyclic: the collector would only slow it down
        prepared = _prepare(root, out, as_of)
        if isinstance(prepared, int):
            gc.unfreeze()  # what loading froze: `duban serve` builds again and again in this process
            return prepared
        # Out of the collector's sight before it is back on: all of it was made while it was off, so its
        # first run would walk every object in it (a million at 10,000 items; `frozen` thaws them after).
        gc.freeze()
    context, pages, feeds, store, previous, items = prepared
    progress = not quiet and sys.stderr.isatty()
    try:
        with frozen():
            count = write_site(
                out,
                context,
                pages,
                feeds,
                show_progress=progress,
                store=store,
                previous=previous,
                items=items,
            )
    except OSError as error:
        click.echo(
            f"duban build: cannot write {out}: {error}; the previous site was left as it was.", err=True
        )
        return 1
    if not quiet:
        click.echo(f"Wrote {count} files to {out} (as of {context.as_of.isoformat()}).")
    return 0


def _prepare(
    root: Path, out: Path, as_of: dt.date | None
) -> tuple[SiteContext, list[Page], Feeds, Cache | None, Previous | None, ItemWorkers | None] | int:
    """Load and check, evaluate, build the context and plan the pages; an exit code when that fails. For a
    first build into `out` (no `Previous`), workers start on the item pages as soon as the registry is loaded
    (site.items)."""
    loaded = load_or_fail(root, as_of)
    if loaded is None:
        click.echo("duban build: the registry has problems; nothing was written.", err=True)
        return 1
    try:
        check_output(out, root)
    except OutputError as error:
        click.echo(f"duban build: {error}", err=True)
        return 2
    registry, day, store = loaded.registry, loaded.as_of, loaded.store
    language = registry.settings.language
    keep_templates(environment(language), store.home if store is not None else None, language)
    history = collect_history(root)
    previous = previous_build(manifest_path(root, out), out)
    items = _item_workers(registry, day, history, out) if previous is None else None
    try:
        states = evaluate(registry, day)
        context = build_context(registry, states, day, history)
        pages = plan(context)
    except BaseException:
        if items is not None:
            items.stop()
            items.pages.staging.discard()
        raise
    shares = store.home / SHARES_FOLDER if store is not None else None
    return context, pages, lambda: feed_files(registry, states, day, shares), store, previous, items


def _item_workers(
    registry: Registry, day: dt.date, history: dict[str, list[Commit]], out: Path
) -> ItemWorkers | None:
    """Workers for the item pages of a first build into `out`, forked now (site.items), with enough items to
    pay for them, where forking is possible."""
    count = workers.jobs()
    if len(registry.tasks) < PARALLEL_PAGES or not workers.can_fork(count):
        return None
    registry.tasks = compacted(registry.tasks)  # what loading dropped among them goes back to the system
    give_back_memory()  # the heap's free memory, not copied by the workers when this process uses it again
    return start_items(ItemPages.of(registry, day, history, StagingDir(out)), count)


Feeds = Callable[[], Iterable[tuple[str, Iterable[bytes]]]]  # the feed files, each in pieces (site.feeds)
FEEDS_JOB = (-1, -1)  # a job: (first, last) positions in the ordered pages, or the feeds and assets
Written = dict[str, tuple[Entry, bool]]  # site path → (manifest entry, whether this build wrote the file)


def write_site(
    out: Path,
    context: SiteContext,
    pages: list[Page],
    feeds: Feeds,
    *,
    show_progress: bool = False,
    store: Cache | None = None,
    previous: Previous | None = None,
    items: ItemWorkers | None = None,
) -> int:
    """Render into a staging folder, then swap it in (first build) or move what changed into place (warm
    build, duban.site.incremental); the number of files written. `previous`: the last build into `out` when
    the caller has read it already; `items`: workers on the item pages of a first build, started already
    (they write into their own staging folder)."""
    manifest = manifest_path(context.root, out)
    if previous is None and items is None:  # not read by the caller, or none there: a second look is cheap
        previous = previous_build(manifest, out)
    unchanged = unchanged_bulletins(context, previous, store) if previous is not None else set()
    stale = stale_bulletins(pages, unchanged)
    staging = items.pages.staging if items is not None else StagingDir(out)
    output = _Output(staging, page_keys(context, pages), previous, stale)
    # The pages whose file in place is right already are told apart here, before the work is shared: a warm
    # build that renders a few pages then starts no worker (forking, and the memory a worker copies, cost
    # more than the rendering).
    kept = {page.path: (entry, False) for page in pages if (entry := output.kept(page.path)) is not None}
    try:
        files = _render_all(
            output, context, [p for p in pages if p.path not in kept], feeds, show_progress, items
        )
        files.update(kept)
        written = [path for path, (_, fresh) in files.items() if fresh]
        if previous is None:
            output.staging.commit()
        else:
            apply(output.staging.path, out, written, set(previous.manifest) - set(files))
    except BaseException:  # Ctrl-C included: never leave a half-written staging folder behind
        output.staging.discard()
        raise
    finally:
        if items is not None:
            items.stop()
    save_manifest(manifest, out, {path: entry for path, (entry, _) in files.items()}, task_index(context))
    return len(written)


@dataclass
class _Output:
    """Where a rendered file goes: nowhere when the file in place is right already, else to the staging."""

    staging: StagingDir
    keys: dict[str, bytes]
    previous: Previous | None
    stale: set[str]  # pages to render again even when their key is the same (bulletins whose items changed)

    def kept(self, path: str) -> Entry | None:
        """The entry of the page's file when the file in place was made from the same key and is still so."""
        if self.previous is None or path in self.stale:
            return None
        return self.previous.reusable(path, self.keys.get(path))

    def put(self, path: str, render: Callable[[], bytes]) -> tuple[str, tuple[Entry, bool]]:
        """Render the file; it is written only when its bytes differ from the file in place."""
        key = self.keys.get(path)
        data = render()
        if self.previous is not None:
            same = self.previous.same_bytes(path, data)
            if same is not None:
                return path, ((key or b"", same[1], same[2]), False)
        info = self.staging.write(path, data)
        return path, ((key or b"", info.st_size, info.st_mtime_ns), True)

    def put_pieces(self, path: str, pieces: Iterable[bytes]) -> tuple[str, tuple[Entry, bool]]:
        """A file given in pieces, written only when its bytes differ from the file in place (compared
        piece by piece as they come: a large feed is never held whole)."""
        previous = self.previous
        entry = previous.in_place(path) if previous is not None else None
        same_as = previous.prefix + path if previous is not None and entry is not None else None
        info = self.staging.write_pieces(path, pieces, same_as)
        key = self.keys.get(path) or b""
        if info is None:  # the same bytes as the file in place (compared only when there is one: `entry`)
            assert entry is not None
            return path, ((key, entry[1], entry[2]), False)
        return path, ((key, info.st_size, info.st_mtime_ns), True)


def _render_all(
    output: _Output,
    context: SiteContext,
    pages: list[Page],
    feeds: Feeds,
    show_progress: bool,
    items: ItemWorkers | None = None,
) -> Written:
    """Pages, feeds and assets, rendered by worker processes that take a share each (see duban.workers).

    This process renders the feeds and the pages that list many items (a bulletin, a unit's page) while the
    workers do the item pages, in id order: those started after loading (`items`, site.items), or else
    forked here, so that a worker reads (and copies, see duban.workers) only the memory of the items it
    shows; then it joins them. At 10,000 items the two shares are about equal.
    The pages that list items come in groups that each fill a cache of their own (`_group`), dropped when the
    group is done; they are written as they are rendered (pieces): a person's page is 33 MB at 100,000 items.
    """
    listing = sorted((p for p in pages if p.template != ITEM_TEMPLATE), key=_listing_order)
    ordered = [*listing, *(p for p in pages if p.template == ITEM_TEMPLATE and items is None)]
    # Each group's pages in jobs of their own: its cache is dropped as soon as its last job is done.
    ends = _group_ends(listing)
    own = [FEEDS_JOB, *(job for start, end in pairwise([0, *ends]) for job in _chunks(ordered, start, end))]
    jobs = [*own, *_chunks(ordered, len(listing), len(ordered))]

    def work(job: tuple[int, int]) -> tuple[list[tuple[str, tuple[Entry, bool]]], int]:
        """The files of the job, and how many pages they are."""
        if job == FEEDS_JOB:
            done = [output.put_pieces(path, (data,)) for path, data in asset_files()]
            done += [output.put_pieces(path, pieces) for path, pieces in feeds()]
            give_back_memory()
            return done, 0
        chunk = ordered[job[0] : job[1]]
        if job[0] < len(listing):  # long pages, written as they are rendered (never whole in memory)
            done = [output.put_pieces(page.path, render_page_pieces(context, page)) for page in chunk]
        else:
            done = [output.put(page.path, functools.partial(render_page, context, page)) for page in chunk]
        if job[1] in ends:  # a group's last page: no later page needs its cache
            context.row_parts.clear()
            context.row_cache.clear()
            give_back_memory()
        return done, len(chunk)

    files: Written = {}
    with _progress(len(pages), show_progress) as bar:
        for done, rendered in run(work, jobs, jobs_for(len(pages)), own=len(own)):
            files.update(done)
            bar.update(rendered)
        for written in items.join(functools.partial(_item_pages, output, context)) if items else ():
            files.update(
                (path, ((output.keys.get(path) or b"", size, mtime), True)) for path, size, mtime in written
            )
            bar.update(len(written))
    return files


def _item_pages(output: _Output, context: SiteContext, ids: tuple[str, ...]) -> Done:
    """Item pages rendered here, from the whole site's context: the workers' bytes (site.items)."""
    done: Done = []
    for task_id in ids:
        page = Page(context.by_id[task_id].path, ITEM_TEMPLATE, "tasks", task_id)
        path, (entry, _) = output.put(page.path, functools.partial(render_page, context, page))
        done.append((path, entry[1], entry[2]))
    return done


def give_back_memory() -> None:
    """Hand the free memory of this process's heap back to the system (glibc's `malloc_trim`; elsewhere
    nothing). Freed memory otherwise stays with the process, and counts in the build's peak while a worker
    runs: a build's large strings (a feed, a bulletin) are freed in the middle of the heap, which glibc
    gives back only when asked. About 2 ms at 100,000 items."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # multiprocessing imports it anyway when workers are forked

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # a C library without it (musl)
        return None
    return trim


# Rough relative costs of a page by template (10,000 items: a bulletin runs the engine again, a task page
# is one item), to cut the work into jobs of about the same time.
COSTS = {
    "bulletin.html": 500,
    "overdue.html": 60,
    "tasks_page.html": 45,
    "calendar.html": 25,
    "unit.html": 20,
    "dashboard.html": 10,
    "tasks.html": 10,
    "person.html": 2,
}
CHUNK_COST = 150  # about 0.1 s of rendering per job: small enough to share evenly, large enough to pay
PARALLEL_PAGES = 300  # fewer pages are rendered here: starting workers would cost more than it saves


# This process renders the pages that list items in groups, each of which fills a cache the others do not use
# (at 100,000 items: 170 MB of item rows, 70 MB of bulletin cells), dropped when its group is done. These
# templates show item rows (`task_rows`; a page of another group that did would make them again, slower).
ROW_TEMPLATES = frozenset({"tasks_page.html", "tasks.html", "unit.html", "person.html", "dashboard.html"})


def _cost(page: Page) -> int:
    return COSTS.get(page.template, 1)


def _group(page: Page) -> int:
    """Pages that show item rows, bulletins (their cells), then the others (a calendar, an index)."""
    return 0 if page.template in ROW_TEMPLATES else 1 if page.template == "bulletin.html" else 2


def _group_ends(listing: list[Page]) -> list[int]:
    """Where each group of `listing` (in `_listing_order`) ends: the position after its last page."""
    last = len(listing)
    return [n for n in range(1, last + 1) if n == last or _group(listing[n]) != _group(listing[n - 1])]


def _listing_order(page: Page) -> tuple[int, int]:
    """By group, the costliest first within one (which this process renders in what order is the same
    for the time: the worker takes none of these pages)."""
    return _group(page), -_cost(page)


def _chunks(ordered: list[Page], start: int, end: int) -> Iterator[tuple[int, int]]:
    """Jobs of about CHUNK_COST each over `ordered[start:end]`."""
    cost = 0
    for index in range(start, end):
        cost += _cost(ordered[index])
        if cost >= CHUNK_COST:
            yield start, index + 1
            start, cost = index + 1, 0
    if start < end:
        yield start, end


def jobs_for(pages: int) -> int:
    return workers.jobs() if pages >= PARALLEL_PAGES else 1


def asset_files() -> Iterator[tuple[str, bytes]]:
    """The stylesheet, script and icon, copied from the templates folder (no CDN, no web fonts)."""
    folder = data_dir("site_templates") / ASSETS
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            yield f"{ASSETS}/{path.name}", path.read_bytes()


class _NoBar:
    def update(self, count: int) -> None:
        return None


def _progress(length: int, show: bool) -> Any:
    if not show or length < PROGRESS_MIN_PAGES:
        return nullcontext(_NoBar())
    return click.progressbar(length=length, label="Rendering pages", file=sys.stderr, show_pos=True)
