"""Warm builds: render only the pages whose inputs changed, and write only the files whose bytes changed.

Every page gets a key: a hash of everything its template can show. A key is made of the build's inputs (the
site key: duban's code and templates, the settings, the as-of day, the organisation, the calendar, who has a
person page, where the registry sits in its repository) and of the page's own inputs: for an item, its file's
bytes, path and git history, its parent's and children's titles and lights, the links of its evidence; for a
unit, person or page of the plain list, the keys of the items it lists; for the list index, every item's key;
for the overdue list, the keys of the overdue items in the order and groups it shows them; for the dashboard,
its numbers and the keys of the items in its short lists; for a calendar month, its events; for the units' and
people's indexes, their rows' numbers. A bulletin's key is the site key only: whether its items still show
the same is `unchanged_bulletins`' call. The feeds are rendered every time and their bytes compared with the
file already there (they are put together from each item's share, kept in the cache folder as well: only the
shares of changed items are made again, site.feeds).

The last build's keys are kept in a manifest in the cache folder (never in the output: a warm build must give
the same bytes as a cold one), with each file's size and modification time, so a file changed behind duban's
back is rendered again. A warm build renders what changed into a staging folder first; only when every page is
rendered are the new files moved into place, one atomic rename each, and the manifest written. The output is
never half-rendered, and a build that fails leaves the previous site as it was (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import os
import shutil
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duban
from duban.cache import Cache, cache_folder, read_sealed, write_sealed
from duban.dates import parse_date
from duban.engine import Standing, assigned_by, standing
from duban.registry import TaskFile
from duban.resources import data_dir
from duban.site.context import repository_prefix
from duban.site.pages import Page, overdue_lists
from duban.site.views import CalendarMonth, Ref, SiteContext, TaskView
from duban.site.write import MARKER
from duban.stats import month_period

Entry = tuple[bytes, int, int]  # (page key, or b"" for a page rendered every time; size; mtime in ns)
Manifest = dict[str, Entry]  # site path → entry, for every file of the output folder
TaskIndex = dict[str, tuple[str, bytes]]  # item id → (its file, the digest of the file's bytes)
FORMAT = 1


def _hash(*parts: object) -> bytes:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).digest()


@cache
def code_key() -> bytes:
    """duban's Python code, templates and catalogs: a change to any of them is a change to every page."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(duban.__file__).parent
    folders = [package, data_dir("site_templates")]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".svg", ".po"):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def site_key(context: SiteContext) -> bytes:
    """Everything outside the pages' own inputs that pages show or that shapes their inputs."""
    registry, calendar = context.registry, context.registry.calendar
    with_pages = sorted(p.ref.id for p in context.people)
    return _hash(
        code_key(),
        context.settings,
        context.language,
        context.as_of,
        context.version,
        registry.units,
        registry.people,
        (sorted(calendar.holidays), sorted(calendar.workdays), sorted(calendar.years)),
        with_pages,
        repository_prefix(context.root),
        [m.key for m in context.months],
        len(context.task_list.pages),
    )


def _task_key(view: TaskView, context: SiteContext, site: bytes) -> bytes:
    """An item's page and its rows elsewhere are functions of these (see the module's docstring)."""
    digest = context.registry.tasks[view.id].digest
    if not digest:  # a registry built in memory (tests) carries no file hashes: never reuse its pages
        raise _NoKey
    # Plain values only: the repr of a dataclass (a Ref, a commit) is made in Python, ten times slower.
    children = [
        (c.id, c.title, c.light, _ref(c.lead), c.state.progress, c.path) for c in _children(view, context)
    ]
    history = view.details.history_key(view)
    return _hash(site, view.state.file, digest, history, _ref(view.parent), children, view.evidence)


def _ref(ref: Ref | None) -> tuple[str, str, str | None] | None:
    return (ref.id, ref.name, ref.path) if ref is not None else None


def _children(view: TaskView, context: SiteContext) -> list[TaskView]:
    return [context.by_id[ref.id] for ref in view.children]


class _NoKey(Exception):
    pass


def page_keys(context: SiteContext, pages: Iterable[Page]) -> dict[str, bytes]:
    """The key of every page that has one; pages without a key are rendered every time. A bulletin's key
    holds only the build's inputs: whether its items still show the same is `unchanged_bulletins`' call, and
    the bulletins it does not vouch for are rendered again whatever their key (`stale_bulletins`)."""
    site = site_key(context)
    try:
        keys = _Keys(site, {v.id: _task_key(v, context, site) for v in context.tasks}, {})
    except _NoKey:
        return {}
    # By the view's identity: a unit's, a person's or a list page's items are looked up without touching
    # each view's memory again (10,000 views scattered over the heap: most of the time went on reaching them).
    keys.by_view.update(zip(map(id, context.tasks), keys.tasks.values(), strict=True))
    found: dict[str, bytes] = {}
    for page in pages:
        key = _page_key(context, page, keys)
        if key is not None:
            found[page.path] = key
    return found


@dataclass
class _Keys:
    site: bytes
    tasks: dict[str, bytes]  # item id → key of its page, in the order of context.tasks
    by_view: dict[int, bytes]  # id() of an item's view → the same key

    def listing(self, path: str, groups: dict[str, list[TaskView]], more: object = None) -> bytes:
        """A page that lists items in groups: the site, the page, each group's name and size, what else the
        page shows (`more`, by its repr), then the items' keys one after the other (16 bytes each: the sizes
        tell where each group ends)."""
        head = (self.site, path, [(name, len(views)) for name, views in groups.items()], more)
        digest = hashlib.blake2b(repr(head).encode("utf-8"), digest_size=16)
        for views in groups.values():
            digest.update(b"".join(map(self.by_view.__getitem__, map(id, views))))
        return digest.digest()


def stale_bulletins(pages: Iterable[Page], unchanged: AbstractSet[str]) -> set[str]:
    """The paths of the bulletins to render again: those of the months not in `unchanged`."""
    return {page.path for page in pages if page.template == "bulletin.html" and page.key not in unchanged}


def task_index(context: SiteContext) -> TaskIndex:
    """Which file and bytes every item came from: the next warm build compares its bulletins with these."""
    return {task_id: (task.file, task.digest) for task_id, task in context.registry.tasks.items()}


def unchanged_bulletins(context: SiteContext, previous: Previous, store: Cache | None) -> set[str]:
    """Months whose bulletin would show exactly what the last build's did.

    A bulletin is the registry as it stood at a month's end: an item changed since the last build leaves it as
    it was when the item shows the same on that day before and after the change (`_on`: a progress report
    written today changes no past month, nor this one unless it moves the item's status). The item's previous
    version comes from the read cache; when it is not there any more, the bulletins are rendered again.
    """
    if store is None or previous.tasks is None:
        return set()
    before, now = previous.tasks, task_index(context)
    changed = [task_id for task_id in before.keys() | now.keys() if before.get(task_id) != now.get(task_id)]
    pairs = [(_old(store, task_id, before), context.registry.tasks.get(task_id)) for task_id in changed]
    if any(old is None and task_id in before for (old, _), task_id in zip(pairs, changed, strict=True)):
        return set()
    months = set()
    for month in context.bulletins:
        end = min(month_period(month.first).end, context.as_of)
        if all(_same_on(old, new, end) for old, new in pairs):
            months.add(month.key)
    return months


def _old(store: Cache, task_id: str, before: TaskIndex) -> TaskFile | None:
    if task_id not in before:
        return None
    rel, digest = before[task_id]
    found = store.peek(("task", rel, digest))
    return TaskFile.of(task_id, rel, marshal.loads(found[0]), digest) if found is not None else None


def _same_on(old: TaskFile | None, new: TaskFile | None, day: dt.date) -> bool:
    """Whether the item is the same on `day` in the two versions, as far as a bulletin can tell."""
    views = [_on(task, day) for task in (old, new)]
    return views[0] == views[1]


def _on(task: TaskFile | None, day: dt.date) -> tuple[Standing, str, str] | None:
    """What a bulletin of `day` reads of the item: its standing (every item's number, row and link in
    `duban.stats.bulletin` and bulletin.html comes from it), its extensions and reminders dated by then (the
    month's records are listed from them), as written. Not the whole state: a progress report that leaves the
    status as it was changes the state's progress and latest update, which no bulletin shows."""
    if task is None or not assigned_by(task, day):
        return None
    data = task.data
    extensions = _dated_by(data.get("extensions"), "decided", day)
    return (standing(task, day), extensions, _dated_by(data.get("reminders"), "date", day))


def _dated_by(records: object, field: str, day: dt.date) -> str:
    """The records not dated after `day`, in their order, by their repr: a bulletin of `day` lists none of
    the later ones (`stats.bulletin`), nor counts them (`engine.standing`). A record without a readable date
    is kept: the comparison may only say "the same" when it is."""
    if not isinstance(records, list):
        return repr(records)
    return repr([r for r in records if not _after(r, field, day)])


def _after(record: object, field: str, day: dt.date) -> bool:
    found = parse_date(record.get(field)) if isinstance(record, dict) else None
    return found is not None and found > day


def _page_key(context: SiteContext, page: Page, keys: _Keys) -> bytes | None:
    site = keys.site
    if page.template == "bulletin.html":  # its items are `unchanged_bulletins`' business
        return _hash(site, page.path)
    if page.template == "task.html":
        return keys.tasks[page.key or ""]
    if page.template == "unit.html":
        unit = context.unit_by_id[page.key or ""]
        # Its statistics too: its rank among the units moves when another unit's numbers do.
        return keys.listing(page.path, {"lead": unit.lead_tasks, "co": unit.co_tasks}, unit.stats)
    if page.template == "person.html":
        return keys.listing(page.path, context.person_by_id[page.key or ""].roles)
    if page.template == "tasks_page.html":
        return keys.listing(page.path, {"rows": _list_page(context, int(page.key or 0))})
    if page.template == "calendar.html":  # a month (the index: the as-of month), with the list of all months
        months = [(m.key, m.path, m.count) for m in context.months]
        key = page.key or context.as_of.strftime("%Y-%m")
        return _hash(site, page.path, _month_key(_month(context, key)), months)
    return _aggregate_key(context, page, keys)


def _aggregate_key(context: SiteContext, page: Page, keys: _Keys) -> bytes | None:
    """The pages that sum up the whole registry: each key is what its template reads (besides the site)."""
    if page.template == "tasks.html":  # every item: the first rows, the filters' choices, the search index
        return keys.listing(page.path, {"all": context.tasks})
    if page.template == "overdue.html":
        lists = overdue_lists(context)
        groups = {unit.ref.id: items for unit, items in lists["by_unit"]}
        return keys.listing(page.path, {"": lists["overdue"], **groups})
    if page.template == "dashboard.html":
        return _dashboard_key(context, page.path, keys)
    if page.template == "units.html":
        return _hash(keys.site, page.path, [(u.ref, u.stats, len(u.co_tasks)) for u in context.units])
    if page.template == "people.html":
        counts = [
            (_ref(p.ref), p.title, _ref(p.unit), [(r, len(t)) for r, t in p.roles.items()], p.overdue)
            for p in context.people
        ]
        return _hash(keys.site, page.path, counts)
    if page.template in ("bulletins.html", "404.html"):  # the months with a bulletin; the 404 page: nothing
        return _hash(keys.site, page.path, [(b.key, b.path, b.first) for b in context.bulletins])
    return None


def _dashboard_key(context: SiteContext, path: str, keys: _Keys) -> bytes:
    """The dashboard's numbers (counts, bars, rates, months) by their repr, its short lists by their items'
    keys. Every field of `Dashboard` is taken, so one added later is part of the key without a word here."""
    dashboard = context.dashboard
    lists: dict[str, list[TaskView]] = {}
    numbers: list[tuple[str, object]] = []
    for field in dataclasses.fields(dashboard):
        value = getattr(dashboard, field.name)
        if isinstance(value, list) and all(isinstance(v, TaskView) for v in value):
            lists[field.name] = value
        else:
            numbers.append((field.name, value))
    return keys.listing(path, lists, numbers)


def _list_page(context: SiteContext, number: int) -> list[TaskView]:
    from duban.site.listing import PAGE_ROWS

    return context.tasks[number * PAGE_ROWS : (number + 1) * PAGE_ROWS]


def _month(context: SiteContext, key: str) -> CalendarMonth:
    return next(m for m in context.months if m.key == key)


def _month_key(month: CalendarMonth) -> tuple[object, ...]:
    """What a month's page shows, in plain values (see `_task_key`)."""
    weeks = [
        [
            (
                d.day,
                d.in_month,
                d.is_today,
                d.is_workday,
                [(e.kind, _ref(e.task), e.light, e.label) for e in d.events],
            )
            for d in week
        ]
        for week in month.weeks
    ]
    return (month.key, month.first, month.path, month.count, month.previous, month.next, weeks)


# --- the manifest ---


@dataclass
class Previous:
    """The last build into this output folder, when a warm build can start from it."""

    out: Path
    manifest: Manifest
    tasks: TaskIndex | None = None

    def __post_init__(self) -> None:
        # Paths as strings for os.stat: 10,000 pathlib joins took twice as long as the stats themselves.
        self.prefix = os.path.join(self.out, "")  # noqa: PTH118 - a prefix for strings, see above

    def reusable(self, path: str, key: bytes | None) -> Entry | None:
        """The file's entry when it was made from the same key and is still the file duban wrote."""
        entry = self.manifest.get(path)
        if key is None or entry is None or entry[0] != key:
            return None
        return self.in_place(path)

    def in_place(self, path: str) -> Entry | None:
        """The file's entry when the file is still the one duban wrote (a file to compare new bytes with)."""
        entry = self.manifest.get(path)
        return entry if entry is not None and _still(self.prefix + path, entry) else None

    def same_bytes(self, path: str, data: bytes) -> Entry | None:
        """The entry of the file in place when it already holds `data` (a page rendered every time)."""
        entry = self.manifest.get(path)
        if entry is None or entry[1] != len(data) or self.in_place(path) is None:
            return None
        try:
            return entry if Path(self.prefix + path).read_bytes() == data else None
        except OSError:
            return None


def _still(path: str, entry: Entry) -> bool:
    try:
        info = os.stat(path)  # noqa: PTH116 - a string path: see Previous.__post_init__
    except OSError:
        return False
    return info.st_size == entry[1] and info.st_mtime_ns == entry[2]


def manifest_path(root: Path, out: Path) -> Path | None:
    folder = cache_folder(root)
    if folder is None:
        return None
    name = hashlib.blake2b(str(out.resolve()).encode("utf-8"), digest_size=10).hexdigest()
    return folder / f"site-{name}.manifest"


def previous_build(manifest: Path | None, out: Path) -> Previous | None:
    """The last build's manifest (at `manifest_path`), when `out` is that build's folder (its marker is
    there)."""
    if manifest is None or not (out / MARKER).is_file():
        return None
    loaded = read_sealed(manifest)
    if not isinstance(loaded, tuple) or len(loaded) != 4 or loaded[:2] != (FORMAT, str(out.resolve())):
        return None
    files, tasks = loaded[2], loaded[3]
    if not isinstance(files, dict) or not isinstance(tasks, dict):
        return None
    return Previous(out, files, tasks)


def save_manifest(manifest: Path | None, out: Path, files: Manifest, tasks: TaskIndex) -> None:
    if manifest is None:
        return
    try:
        write_sealed(manifest, (FORMAT, str(out.resolve()), files, tasks))
    except OSError:  # only an optimisation: the next build is a cold one
        return


def apply(staging: Path, out: Path, written: Iterable[str], stale: Iterable[str]) -> None:
    """Move the files rendered into `staging` into `out`, one atomic rename each; remove pages now gone."""
    made: set[Path] = set()
    for rel in written:
        target = out / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        (staging / rel).replace(target)
    for rel in stale:
        (out / rel).unlink(missing_ok=True)
        _remove_empty_parents(out / rel, out)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_empty_parents(path: Path, out: Path) -> None:
    folder = path.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
