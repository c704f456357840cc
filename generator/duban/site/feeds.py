"""The site's machine-readable files: calendar feeds, an Atom feed, tasks.json and the schemas.

Everything here is a pure function of (registry, engine states, as-of date): no clock, no network,
and two builds of the same input give the same bytes (docs/site-data.md). Times in the feeds come
from the records' dates and the as-of date, or from SOURCE_DATE_EPOCH when a reproducible build sets
it, never from the wall clock.

Each item's share of them (its tasks.json record, its calendar events, the sort keys of its Atom records) is
kept in the cache folder between builds, by the item's file and everything else it depends on
(`item_shares`): a warm build makes only the shares of the items that changed, and puts the files together.

The files are given in pieces (`feed_files`), and the shares made or read a run of items at a time while
tasks.json is written: at 100,000 items tasks.json is 148 MB and the calendars 84 MB, which a build holding
every share and every whole file kept in memory at once (+550 MB).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import json
import os
import re
import sys
import uuid
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import escape

from duban import __version__
from duban.cache import read_sealed, write_sealed
from duban.dates import parse_date
from duban.engine import TaskState, task_json
from duban.registry import Registry
from duban.resources import data_dir
from duban.settings import Settings
from duban.site.incremental import code_key
from duban.site.markdown import render_markdown
from duban.wording import number, pick

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_ENTRIES = 100  # the latest records; older ones are on the task pages
TASKS_JSON_VERSION = 1
_UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")  # FORMAT.md's id pattern: safe as a file name
# Characters XML 1.0 cannot carry at all (not even escaped): a YAML "\x01" escape must not break the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

WORDS: dict[str, dict[str, str]] = {
    "calendar": {"zh-CN": "{title}·办结时限", "en": "{title}: deadlines"},
    "unit_calendar": {"zh-CN": "{title}·{unit}办结时限", "en": "{title}: deadlines of {unit}"},
    "deadline": {"zh-CN": "【办结时限】{title}（{id}）", "en": "Deadline: {title} ({id})"},
    "milestone": {"zh-CN": "【节点】{name}·{title}（{id}）", "en": "Milestone: {name}, {title} ({id})"},
    "lead_unit": {"zh-CN": "牵头单位：{name}", "en": "Lead unit: {name}"},
    "owner": {"zh-CN": "责任人：{name}", "en": "Person in charge: {name}"},
    "link": {"zh-CN": "详情：{url}", "en": "Details: {url}"},
    "updates": {"zh-CN": "{title}·最新动态", "en": "{title}: latest updates"},
    "update": {"zh-CN": "【进展】{title}（{id}）", "en": "Progress: {title} ({id})"},
    "completion": {"zh-CN": "【办结】{title}（{id}）", "en": "Completed: {title} ({id})"},
    "reported": {"zh-CN": "【报办结】{title}（{id}）", "en": "Reported complete: {title} ({id})"},
    "reminder": {"zh-CN": "【催办】{title}（{id}）", "en": "Reminder: {title} ({id})"},
    "progress": {"zh-CN": "进度 {value}%", "en": "Progress {value}%"},
    "problems": {"zh-CN": "存在问题：{text}", "en": "Problems: {text}"},
    "next": {"zh-CN": "下一步：{text}", "en": "Next steps: {text}"},
}


def say(key: str, language: str, **fields: Any) -> str:
    return pick(WORDS, key, language).format(**fields)


Pieces = Iterable[bytes]  # a file's bytes, in the order they are written


def render_feeds(
    registry: Registry, states: list[TaskState], as_of: dt.date, store: Path | None = None
) -> dict[str, bytes]:
    """Every machine-readable file of the site: relative output path → bytes, sorted by path (`feed_files`,
    each file joined)."""
    files = feed_files(registry, states, as_of, store)
    return dict(sorted((path, b"".join(pieces)) for path, pieces in files))


def feed_files(
    registry: Registry, states: list[TaskState], as_of: dt.date, store: Path | None = None
) -> Iterator[tuple[str, Pieces]]:
    """Every machine-readable file of the site: (relative output path, its pieces). With `store`, each item's
    share of them is kept there for the next build (`item_shares`).

    Each file's pieces must be taken before the next file is asked for: taking tasks.json's pieces makes the
    shares, one run of items at a time, and keeps of them only what the other files need (the calendar events
    and the newest Atom keys), so that no more than a run's records are ever in memory.
    """
    gathered = _Gathered()
    shares = item_shares(registry, states, as_of, store)
    yield "data/tasks.json", render_tasks_json(registry, as_of, gathered.records(shares))
    yield from calendar_files(registry, gathered.all_events())
    yield "feeds/updates.atom", (render_atom(registry, states, as_of, gathered.newest()),)
    for path, data in schema_files().items():
        yield path, (data,)


class _Gathered:
    """What the calendars and the Atom feed need of the shares, kept while tasks.json's records go by."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.keys: list[RecordKey] = []
        self.done = False

    def records(self, shares: Iterable[Share]) -> Iterator[bytes]:
        for share in shares:
            self.events += share[1]
            self.keys += share[2]
            if len(self.keys) > 10 * ATOM_ENTRIES:  # only the newest ATOM_ENTRIES are ever shown
                self.keys = heapq.nsmallest(ATOM_ENTRIES, self.keys)
            yield share[0]
        self.done = True

    def all_events(self) -> list[Event]:
        self._check()
        return self.events

    def newest(self) -> list[RecordKey]:
        self._check()
        return heapq.nsmallest(ATOM_ENTRIES, self.keys)

    def _check(self) -> None:
        if not self.done:
            raise RuntimeError("the feeds' files were asked for before tasks.json's pieces were all taken")


# --- shared ---------------------------------------------------------------------------------------


def site_url(settings: Settings, path: str = "") -> str:
    """A page's address under `base_url` (a path like /duban/tasks/X/, or absolute when base_url is)."""
    base = settings.base_url if settings.base_url.endswith("/") else settings.base_url + "/"
    return base + path


def registry_key(settings: Settings) -> str:
    """What tells this registry from another one, so that two offices' DB-2026-0001 never share an id.

    The repository URL when there is one (it outlives a change of title), else organisation and title.
    """
    source = settings.repository_url or f"{settings.organization}\n{settings.title}"
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def stamp(as_of: dt.date) -> dt.datetime:
    """The feeds' "generated at": SOURCE_DATE_EPOCH when set (reproducible builds).

    Otherwise the as-of day, 00:00 UTC: the build's own time would make every build differ.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.combine(as_of, dt.time(), dt.UTC)


# --- each item's share, kept from one build to the next ---------------------------------------------

# An item's share of the feeds: its tasks.json record; its calendar events, each (day's ordinal, item, kind,
# lead unit, VEVENT in UTF-8); the sort keys of its Atom records (RecordKey).
Event = tuple[int, str, str, str, bytes]
Share = tuple[bytes, tuple[Event, ...], tuple["RecordKey", ...]]
Kept = dict[str, tuple[str, bytes, Share]]  # item id → (its file, the digest of its bytes, its share)
SHARES_FORMAT = 2
SHARES_FOLDER = "site-feeds"  # in the cache folder, next to the build manifests
# The shares are kept in files of a run of items each (about RUN_ITEMS, `_runs`): a build that changes a few
# items rewrites a few small files, not all the shares (21 MB at 10,000 items), and holds one run at a time.
RUN_ITEMS = 256


def item_shares(
    registry: Registry, states: list[TaskState], as_of: dt.date, store: Path | None
) -> Iterator[Share]:
    """Every item's share, in the order of `states`; made again only for the items whose file changed.

    An item's share is a function of its state and data (the item's file: its path and the digest of its
    bytes; `evaluate_task` reads nothing else of the registry) and of what `_shares_key` holds. Kept shares
    are used only when that key is the one they were made with. A run's file is read when the run starts and
    written when it is done, if anything in it changed; files of runs that are gone are removed at the end.
    """
    key, generated = registry_key(registry.settings), stamp(as_of)
    base = _shares_key(registry, as_of)
    names: set[str] = set()
    for run in _runs(states):
        path = store / _run_name(run[0].id) if store is not None else None
        kept = _load_shares(path, base) if path is not None else {}
        fresh: Kept = {}
        for state in run:
            task = registry.tasks[state.id]
            share = _kept_share(kept.get(state.id), task.file, task.digest)
            if share is None:
                share = _share(registry, state, as_of, key, generated)
            if task.digest:  # a registry built in memory (tests) has no digests: nothing to tell versions by
                fresh[state.id] = (task.file, task.digest, share)
            yield share
        if path is not None:
            names.add(path.name)
            if fresh != kept:  # a share made afresh, or an item come or gone (kept ones compare by identity)
                _save_shares(path, base, fresh)
    if store is not None:
        _remove_shares(store, names)


def _runs(states: list[TaskState]) -> Iterator[list[TaskState]]:
    """The items in runs, each ending at an item whose id's checksum is a multiple of RUN_ITEMS: where a run
    ends depends on its own ids only, so an item added or removed changes its own run and no other."""
    run: list[TaskState] = []
    for state in states:
        run.append(state)
        if zlib.crc32(state.id.encode("utf-8")) % RUN_ITEMS == 0:  # the same in every process (unlike `hash`)
            yield run
            run = []
    if run:
        yield run


def _run_name(first: str) -> str:
    """A run's file, named after its first item (new items come last, and leave the name as it was)."""
    return hashlib.blake2b(first.encode("utf-8"), digest_size=10).hexdigest() + ".shares"


def _share(registry: Registry, state: TaskState, as_of: dt.date, key: str, generated: dt.datetime) -> Share:
    settings, data = registry.settings, registry.tasks[state.id].data  # unpacked once for the share
    record = _dumps(task_json(state, settings.language) | _list_fields(registry, state.id, data))
    events = tuple(
        (
            event.day.toordinal(),
            event.task,
            event.kind,
            event.lead_unit,
            _vevent(settings, event, key, generated),
        )
        for event in _events(registry, state)
    )
    return record.encode("utf-8"), events, tuple(_record_keys(data, state, as_of))


def _shares_key(registry: Registry, as_of: dt.date) -> bytes:
    """Everything besides an item's file that its share depends on: duban's code (the engine's rules, the
    feeds' formats), Python's version (json), the settings, the organisation's names, the work calendar,
    the as-of day, and SOURCE_DATE_EPOCH (the events' DTSTAMP)."""
    calendar = registry.calendar
    parts = (
        SHARES_FORMAT,
        code_key(),
        sys.version,
        registry.settings,
        registry.units,
        registry.people,
        (sorted(calendar.holidays), sorted(calendar.workdays), sorted(calendar.years)),
        as_of,
        os.environ.get("SOURCE_DATE_EPOCH"),
    )
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).digest()


def _kept_share(kept: object, file: str, digest: bytes) -> Share | None:
    """The kept share when it was made from these bytes at this path. (A kept file was made by this very
    code, `_shares_key` says, and is whole, its checksum says: its shape needs no further check.)"""
    if not digest or not isinstance(kept, tuple) or len(kept) != 3 or kept[:2] != (file, digest):
        return None
    share: Share = kept[2]
    return share


def _load_shares(path: Path, base: bytes) -> Kept:
    loaded = read_sealed(path)
    if not isinstance(loaded, tuple) or len(loaded) != 2 or loaded[0] != base:
        return {}
    return loaded[1] if isinstance(loaded[1], dict) else {}


def _save_shares(path: Path, base: bytes, shares: Kept) -> None:
    with contextlib.suppress(OSError):  # only an optimisation: the next build makes them again
        write_sealed(path, (base, shares))


def _remove_shares(store: Path, keep: set[str]) -> None:
    """The files of runs this build did not have (items removed, or written by an older duban)."""
    with contextlib.suppress(OSError):
        for path in store.glob("*.shares"):
            if path.name not in keep:
                path.unlink(missing_ok=True)


# --- calendars ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    day: dt.date
    task: str
    kind: str  # deadline | milestone-<index>
    summary: str
    description: str
    lead_unit: str


def calendar_files(registry: Registry, events: list[Event]) -> Iterator[tuple[str, Pieces]]:
    """`feeds/deadlines.ics` with every open deadline and milestone, and one calendar per unit.

    Every unit gets its file, even without open items, so that a subscription never turns into a 404. Each
    event is written once (in its item's share) and put into both calendars it belongs to. `events` is sorted
    in place.
    """
    settings = registry.settings
    events.sort()  # by (day, item, kind): unique for every event, so the texts that follow are never compared
    name = say("calendar", settings.language, title=settings.title)
    yield "feeds/deadlines.ics", _calendar(settings, name, [event[4] for event in events])
    by_unit: dict[str, list[bytes]] = {}
    for event in events:
        by_unit.setdefault(event[3], []).append(event[4])
    for unit_id in sorted(registry.units):
        if not _UNIT_ID.match(unit_id):
            continue
        unit_name = say(
            "unit_calendar", settings.language, title=settings.title, unit=registry.unit_name(unit_id)
        )
        yield f"feeds/units/{unit_id}.ics", _calendar(settings, unit_name, by_unit.get(unit_id, []))


def _events(registry: Registry, state: TaskState) -> Iterator[_Event]:
    """An open item's effective deadline and its milestones not reached yet (overdue ones included)."""
    if not state.is_open:
        return
    language = registry.settings.language
    description = _event_description(registry, state)
    summary = say("deadline", language, title=state.title, id=state.id)
    yield _Event(state.effective_deadline, state.id, "deadline", summary, description, state.lead_unit)
    for milestone in state.milestones:
        if milestone.done is None:
            summary = say("milestone", language, name=milestone.name, title=state.title, id=state.id)
            kind = f"milestone-{milestone.index}"
            yield _Event(milestone.due, state.id, kind, summary, description, state.lead_unit)


def _event_description(registry: Registry, state: TaskState) -> str:
    language = registry.settings.language
    lines = [say("lead_unit", language, name=registry.unit_name(state.lead_unit))]
    if state.owner:
        lines.append(say("owner", language, name=registry.person_name(state.owner)))
    lines += [reason.message(language) for reason in state.reasons]
    lines.append(say("link", language, url=site_url(registry.settings, f"tasks/{state.id}/")))
    return "\n".join(lines)


# iCalendar (RFC 5545) is written here rather than with the icalendar package, which took 6 of the 20 seconds
# of a 10,000-item build. The few properties we need are written the way icalendar writes them (the same
# order, escaping and folding); tests/test_feeds.py reads every feed back with icalendar.


def _calendar(settings: Settings, name: str, events: list[bytes]) -> Pieces:
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _line("PRODID", _text(f"-//duban//duban {__version__}//{settings.language.upper()}")),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _line("X-WR-CALNAME", _text(name)),
        _line("X-WR-TIMEZONE", _text(settings.timezone)),
    ]
    # The events come in UTF-8 already (kept that way: half the memory of Chinese text in a str), and are
    # written as they are, never joined into the whole calendar.
    return chain((("\r\n".join(head) + "\r\n").encode("utf-8"),), events, (b"END:VCALENDAR\r\n",))


def _vevent(settings: Settings, event: _Event, key: str, generated: dt.datetime) -> bytes:
    """One VEVENT in UTF-8, each line ending in CRLF."""
    lines = [
        "BEGIN:VEVENT",
        _line("SUMMARY", _text(event.summary)),
        f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",  # a date: an all-day event
        f"DTEND;VALUE=DATE:{event.day + dt.timedelta(days=1):%Y%m%d}",  # exclusive, RFC 5545
        f"DTSTAMP:{generated.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        # Stable: a deadline moved is the same event.
        _line("UID", _text(f"{event.task}.{event.kind}.{key}@duban")),
        _line("DESCRIPTION", _text(event.description)),
        "TRANSP:TRANSPARENT",  # a deadline does not make anyone busy
    ]
    url = site_url(settings, f"tasks/{event.task}/")
    if url.startswith(("http://", "https://")):  # URL must be absolute; a bare path stays in the description
        lines.append(_line("URL", url))
    lines.append("END:VEVENT")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _text(value: str) -> str:
    """A TEXT value, escaped (RFC 5545, 3.3.11)."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n")


def _line(name: str, value: str, limit: int = 75) -> str:
    """A content line folded so that no line reaches `limit` octets (CRLF and a space before each fold),
    never inside a character's UTF-8 bytes, nor between a backslash and the character it escapes."""
    data = f"{name}:{value}".encode()
    if len(data) < limit:
        return data.decode()
    segments, start = [], 0
    while len(data) - start >= limit:
        end = start + limit - 1
        while data[end] & 0xC0 == 0x80:  # inside a character: it starts the next line
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:  # keep an escape with what it escapes
            end -= 1
        segments.append(data[start:end])
        start = end
    segments.append(data[start:])
    return b"\r\n ".join(segments).decode()


# --- Atom -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    day: dt.date
    task: str
    kind: str  # update | completion | reminder
    index: int
    title: str
    author: str
    html: str


_KIND_ORDER = {"completion": 0, "update": 1, "reminder": 2}


def render_atom(
    registry: Registry, states: list[TaskState], as_of: dt.date, newest: list[RecordKey]
) -> bytes:
    """`feeds/updates.atom`: the latest progress reports, completions and reminders, newest first. `newest`:
    the keys of the ATOM_ENTRIES newest records (of ~5 per item, only these are made into entries)."""
    by_id = {state.id: state for state in states}
    records = [_record(registry, by_id[key[1]], key) for key in newest]
    feed = _feed_element(registry.settings, records, as_of)
    for record in records:
        feed.append(_entry(registry.settings, record))
    ET.indent(feed)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


RecordKey = tuple[int, str, int, int]  # newest first: (-day's ordinal, item, kind's rank, index)


def _record_keys(data: dict[str, Any], state: TaskState, as_of: dt.date) -> Iterator[RecordKey]:
    """A task's records dated on or before the as-of date: later ones have not happened yet that day."""
    for kind in ("updates", "reminders"):
        for index, record in enumerate(data.get(kind, [])):
            day = parse_date(record.get("date"))
            if day is not None and day <= as_of:
                yield (-day.toordinal(), state.id, _KIND_ORDER[kind[:-1]], index)
    if state.completion_date is not None and state.status in ("completed", "reported"):
        yield (-state.completion_date.toordinal(), state.id, _KIND_ORDER["completion"], 0)


def _record(registry: Registry, state: TaskState, key: RecordKey) -> _Record:
    data, language = registry.tasks[state.id].data, registry.settings.language
    words = {"title": state.title, "id": state.id}
    negative, _, rank, index = key
    day = dt.date.fromordinal(-negative)
    if rank == _KIND_ORDER["update"]:
        update = data["updates"][index]
        title, author = say("update", language, **words), registry.person_name(update.get("by"))
        return _Record(day, state.id, "update", index, title, author, _update_html(update, language))
    if rank == _KIND_ORDER["reminder"]:
        reminder = data["reminders"][index]
        title, author = say("reminder", language, **words), registry.person_name(reminder.get("by"))
        return _Record(day, state.id, "reminder", index, title, author, _escape(reminder.get("note", "")))
    title = say("completion" if state.status == "completed" else "reported", language, **words)
    summary = str((data.get("completion") or {}).get("summary", ""))
    return _Record(
        day, state.id, "completion", 0, title, registry.unit_name(state.lead_unit), _markdown(summary)
    )


def _markdown(text: str) -> str:
    return str(render_markdown(text))


def _update_html(update: dict[str, Any], language: str) -> str:
    parts = []
    if update.get("progress") is not None:
        parts.append(_escape(say("progress", language, value=number(update["progress"]))))
    parts.append(str(render_markdown(str(update.get("text", "")))).strip())
    for key in ("problems", "next"):
        if update.get(key):
            parts.append(_escape(say(key, language, text=update[key])))
    return "\n".join(parts)


def _escape(text: Any) -> str:
    """Plain text as one HTML paragraph (the XML writer escapes the whole HTML again, as Atom wants)."""
    return f"<p>{escape(str(text))}</p>"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _feed_element(settings: Settings, records: list[_Record], as_of: dt.date) -> ET.Element:
    # The namespace as a plain attribute: ElementTree's default_namespace refuses unprefixed attributes.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: settings.language})
    _sub(feed, "id", _urn(settings, "updates"))
    _sub(feed, "title", say("updates", settings.language, title=settings.title))
    if settings.organization:
        _sub(feed, "subtitle", settings.organization)
    newest = records[0].day if records else as_of
    _sub(feed, "updated", _timestamp(settings, newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=site_url(settings, "feeds/updates.atom"))
    _sub(feed, "link", rel="alternate", type="text/html", href=site_url(settings))
    _sub(feed, "generator", "duban", version=__version__)
    return feed


def _entry(settings: Settings, record: _Record) -> ET.Element:
    entry = ET.Element("entry")
    _sub(entry, "id", _urn(settings, f"{record.task}/{record.kind}/{record.index}"))
    _sub(entry, "title", record.title)
    _sub(entry, "updated", _timestamp(settings, record.day))
    _sub(entry, "published", _timestamp(settings, record.day))
    author = _sub(entry, "author")
    _sub(author, "name", record.author or settings.organization or settings.title)
    _sub(entry, "link", rel="alternate", type="text/html", href=site_url(settings, f"tasks/{record.task}/"))
    _sub(entry, "category", term=record.kind)
    _sub(entry, "content", record.html, type="html")
    return entry


def _urn(settings: Settings, name: str) -> str:
    """A permanent Atom id: a name-based UUID (RFC 4122 v5) of the registry and the record."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"duban:{registry_key(settings)}/{name}").urn


def _timestamp(settings: Settings, day: dt.date) -> str:
    """A record's date as an RFC 3339 time: the start of that day in the registry's timezone."""
    return dt.datetime.combine(day, dt.time(), ZoneInfo(settings.timezone)).isoformat()


# --- tasks.json and the schemas -------------------------------------------------------------------


def render_tasks_json(registry: Registry, as_of: dt.date, records: Iterable[bytes]) -> Iterator[bytes]:
    """`data/tasks.json`: the status JSON of CLI.md plus the names a list needs (docs/site-data.md).

    Put together from the items' records, each written by `_share` (the same bytes as one `json.dumps` of
    the whole document): the records of a large registry as Python objects would take several times the
    memory of the file, which is itself given in pieces (148 MB at 100,000 items).
    """
    settings = registry.settings
    head = {
        "version": TASKS_JSON_VERSION,
        "as_of": as_of.isoformat(),
        "title": settings.title,
        "organization": settings.organization,
        "language": settings.language,
    }
    opening = _dumps(head)[:-1] + ',"tasks":['
    yield opening.encode("utf-8")
    separator = b""
    for record in records:
        yield separator
        yield record
        separator = b","
    yield b"]}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _list_fields(registry: Registry, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
    lead = data["lead_unit"]
    return {
        "url": f"tasks/{task_id}/",
        "lead_unit_name": registry.unit_name(lead),
        "lead_unit_short": registry.unit_name(lead, short=True),
        "owner_name": registry.person_name(data.get("owner")) or None,
        "leader_name": registry.person_name(data.get("leader")) or None,
        "source_type": data["source"]["type"],
        "source_ref": data["source"].get("ref"),
        "category": data.get("category"),
        "tags": list(data.get("tags", [])),
    }


def schema_files() -> dict[str, bytes]:
    """The published JSON Schemas, byte for byte: editors can fetch them from the site."""
    folder = data_dir("schema")
    return {f"schema/{path.name}": path.read_bytes() for path in sorted(folder.glob("*.json"))}
