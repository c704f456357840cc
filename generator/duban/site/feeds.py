"""The site's machine-readable files: calendar feeds, an Atom feed, tasks.json and the schemas.

Everything here is a pure function of (registry, engine states, as-of date): no clock, no network,
and two builds of the same input give the same bytes (docs/site-data.md). Times in the feeds come
from the records' dates and the as-of date, or from SOURCE_DATE_EPOCH when a reproducible build sets
it, never from the wall clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import escape

from duban import __version__
from duban.dates import parse_date
from duban.engine import TaskState, task_json
from duban.registry import Registry
from duban.resources import data_dir
from duban.settings import Settings
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


def render_feeds(registry: Registry, states: list[TaskState], as_of: dt.date) -> dict[str, bytes]:
    """Every machine-readable file of the site: relative output path → bytes, sorted by path."""
    files = calendar_files(registry, states, as_of)
    files["feeds/updates.atom"] = render_atom(registry, states, as_of)
    files["data/tasks.json"] = render_tasks_json(registry, states, as_of)
    files |= schema_files()
    return dict(sorted(files.items()))


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


# --- calendars ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    day: dt.date
    task: str
    kind: str  # deadline | milestone-<index>
    summary: str
    description: str
    lead_unit: str


def calendar_files(registry: Registry, states: list[TaskState], as_of: dt.date) -> dict[str, bytes]:
    """`feeds/deadlines.ics` with every open deadline and milestone, and one calendar per unit.

    Every unit gets its file, even without open items, so that a subscription never turns into a 404. Each
    event is written once and put into both calendars it belongs to.
    """
    settings = registry.settings
    events = sorted(_events(registry, states), key=lambda e: (e.day, e.task, e.kind))
    key, generated = registry_key(settings), stamp(as_of)
    written = [_vevent(settings, event, key, generated) for event in events]
    name = say("calendar", settings.language, title=settings.title)
    files = {"feeds/deadlines.ics": _calendar(settings, name, written)}
    by_unit: dict[str, list[str]] = {}
    for event, text in zip(events, written, strict=True):
        by_unit.setdefault(event.lead_unit, []).append(text)
    for unit_id in sorted(registry.units):
        if not _UNIT_ID.match(unit_id):
            continue
        unit_name = say(
            "unit_calendar", settings.language, title=settings.title, unit=registry.unit_name(unit_id)
        )
        files[f"feeds/units/{unit_id}.ics"] = _calendar(settings, unit_name, by_unit.get(unit_id, []))
    return files


def _events(registry: Registry, states: Iterable[TaskState]) -> Iterator[_Event]:
    """The open items' effective deadlines and their milestones not reached yet (overdue ones included)."""
    language = registry.settings.language
    for state in states:
        if not state.is_open:
            continue
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


def _calendar(settings: Settings, name: str, events: list[str]) -> bytes:
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _line("PRODID", _text(f"-//duban//duban {__version__}//{settings.language.upper()}")),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _line("X-WR-CALNAME", _text(name)),
        _line("X-WR-TIMEZONE", _text(settings.timezone)),
    ]
    return ("\r\n".join(head) + "\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode("utf-8")


def _vevent(settings: Settings, event: _Event, key: str, generated: dt.datetime) -> str:
    """One VEVENT, each line ending in CRLF."""
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
    return "\r\n".join(lines) + "\r\n"


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


def render_atom(registry: Registry, states: list[TaskState], as_of: dt.date) -> bytes:
    """`feeds/updates.atom`: the latest progress reports, completions and reminders, newest first."""
    by_id = {state.id: state for state in states}
    # Only the newest ATOM_ENTRIES of ~5 records per item are made into entries.
    newest = heapq.nsmallest(
        ATOM_ENTRIES, (key for state in states for key in _record_keys(registry, state, as_of))
    )
    records = [_record(registry, by_id[key[1]], key) for key in newest]
    feed = _feed_element(registry.settings, records, as_of)
    for record in records:
        feed.append(_entry(registry.settings, record))
    ET.indent(feed)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


RecordKey = tuple[int, str, int, int, dt.date]  # newest first: (-day, item, kind's rank, index, day)


def _record_keys(registry: Registry, state: TaskState, as_of: dt.date) -> Iterator[RecordKey]:
    """A task's records dated on or before the as-of date: later ones have not happened yet that day."""
    data = registry.tasks[state.id].data
    for kind in ("updates", "reminders"):
        for index, record in enumerate(data.get(kind, [])):
            day = parse_date(record.get("date"))
            if day is not None and day <= as_of:
                yield (-day.toordinal(), state.id, _KIND_ORDER[kind[:-1]], index, day)
    if state.completion_date is not None and state.status in ("completed", "reported"):
        day = state.completion_date
        yield (-day.toordinal(), state.id, _KIND_ORDER["completion"], 0, day)


def _record(registry: Registry, state: TaskState, key: RecordKey) -> _Record:
    data, language = registry.tasks[state.id].data, registry.settings.language
    words = {"title": state.title, "id": state.id}
    _, _, rank, index, day = key
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


def render_tasks_json(registry: Registry, states: list[TaskState], as_of: dt.date) -> bytes:
    """`data/tasks.json`: the status JSON of CLI.md plus the names a list needs (docs/site-data.md).

    Written record by record (the same bytes as one `json.dumps` of the whole document): the records of a
    large registry as Python objects would take several times the memory of the file.
    """
    settings = registry.settings
    head = {
        "version": TASKS_JSON_VERSION,
        "as_of": as_of.isoformat(),
        "title": settings.title,
        "organization": settings.organization,
        "language": settings.language,
    }
    records = (
        _dumps(task_json(state, settings.language) | _list_fields(registry, state.id)).encode("utf-8")
        for state in states
    )
    opening = _dumps(head)[:-1] + ',"tasks":['
    return opening.encode("utf-8") + b",".join(records) + b"]}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _list_fields(registry: Registry, task_id: str) -> dict[str, Any]:
    data = registry.tasks[task_id].data
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
