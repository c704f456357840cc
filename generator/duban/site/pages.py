"""Which pages the site has, and rendering one of them.

A page is (site path, template, section, key); `render_page(context, page)` is a pure function of the two, so
pages can be rendered in any order, or in worker processes, and give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from jinja2 import Template

from duban.documents import read_text
from duban.site import aggregates, listing
from duban.site.render import DEFERRED_ROWS, DeferredRows, environment, root_prefix
from duban.site.views import SiteContext, TaskView


@dataclass(frozen=True, slots=True)  # one per item: 100 bytes less each without a __dict__
class Page:
    path: str  # site path, e.g. tasks/DB-2026-0001/index.html
    template: str
    section: str  # the navigation entry it belongs to
    key: str | None = None  # the item, unit, person or month it shows


def plan(context: SiteContext) -> list[Page]:
    """Every page, in a fixed order (sections first, then one page per item, unit, person, month)."""
    pages = [
        Page("index.html", "dashboard.html", "home"),
        Page("tasks/index.html", "tasks.html", "tasks"),
        Page("overdue/index.html", "overdue.html", "overdue"),
        Page("units/index.html", "units.html", "units"),
        Page("people/index.html", "people.html", "people"),
        Page("calendar/index.html", "calendar.html", "calendar"),
        Page("bulletins/index.html", "bulletins.html", "bulletins"),
        Page("404.html", "404.html", "none"),
    ]
    pages += [
        Page(path, "tasks_page.html", "tasks", str(n)) for n, path in enumerate(context.task_list.pages)
    ]
    pages += [Page(m.path, "calendar.html", "calendar", m.key) for m in context.months]
    pages += [Page(b.path, "bulletin.html", "bulletins", b.key) for b in context.bulletins]
    pages += [Page(u.ref.path or "", "unit.html", "units", u.ref.id) for u in context.units]
    pages += [Page(p.ref.path or "", "person.html", "people", p.ref.id) for p in context.people]
    pages += [Page(t.path, "task.html", "tasks", t.id) for t in sorted(context.tasks, key=lambda t: t.id)]
    return pages


def _page_variables(context: SiteContext, page: Page, deferred: DeferredRows | None) -> dict[str, Any]:
    """What the page's template needs besides the whole context: the object its key names."""
    if page.template == "task.html":
        task = context.by_id[page.key or ""]
        raw = read_text(context.root / task.state.file)
        # The detail is made here, in the process that renders the page, and dropped with it.
        return {"task": task, "detail": task.detail(), "raw_yaml": raw}
    if page.template == "unit.html":
        return {"unit": context.unit_by_id[page.key or ""]}
    if page.template == "person.html":
        return {"person": context.person_by_id[page.key or ""]}
    if page.template == "bulletin.html":
        month = next(b for b in context.bulletins if b.key == page.key)
        return {"bulletin": aggregates.bulletin(context.registry, month, context.as_of)}
    if page.template == "calendar.html":
        key = page.key or context.as_of.strftime("%Y-%m")
        return {"month": next(m for m in context.months if m.key == key)}
    if page.template == "tasks.html":
        return {"index": listing.index_data(context.tasks, deferred)}
    if page.template == "overdue.html":
        return overdue_lists(context)
    if page.template == "tasks_page.html":
        number = int(page.key or 0)
        rows = context.tasks[number * listing.PAGE_ROWS : (number + 1) * listing.PAGE_ROWS]
        return {"rows": rows, "page_number": number + 1}
    return {}


def overdue_lists(context: SiteContext) -> dict[str, Any]:
    """Overdue items, the longest overdue first, in all and per lead unit (units without any left out): what
    overdue.html shows, and what its key is made of (site.incremental)."""

    def longest_first(tasks: list[TaskView]) -> list[TaskView]:
        return sorted((t for t in tasks if t.state.overdue), key=lambda t: t.state.days_overdue, reverse=True)

    by_unit = [(unit, longest_first(unit.lead_tasks)) for unit in context.units]
    return {"overdue": longest_first(context.tasks), "by_unit": [(u, items) for u, items in by_unit if items]}


def render_page(context: SiteContext, page: Page) -> bytes:
    template, variables = _template(context, page)
    return template.render(variables).encode("utf-8")


def render_page_pieces(context: SiteContext, page: Page) -> Iterator[bytes]:
    """The page in UTF-8 pieces, as its template writes it out: a page that lists many items (a person's, 33
    MB at 100,000 items) is never one str, nor one bytes object, its tables' rows written a few hundred at a
    time (site.render.task_rows). The same bytes as `render_page`."""
    deferred = DeferredRows()
    template, variables = _template(context, page, deferred)
    pieces = template.generate({**variables, DEFERRED_ROWS: deferred})
    while run := list(islice(pieces, 4096)):
        if max(map(len, run)) < LONG_PIECE:  # short pieces (most pages): joined, then encoded at once
            yield from map(_encoded, deferred.expand("".join(run)))
        else:  # a bulletin's long lists among them (`Html`): each encoded alone, not copied into a longer str
            yield from (_encoded(part) for piece in run for part in deferred.expand(piece))


def _encoded(part: str | bytes) -> bytes:
    return part.encode("utf-8") if isinstance(part, str) else part


LONG_PIECE = 1 << 16


def _template(
    context: SiteContext, page: Page, deferred: DeferredRows | None = None
) -> tuple[Template, dict[str, Any]]:
    template = environment(context.language).get_template(page.template)
    # 404.html is served at any missing path (GitHub Pages), so relative links would resolve against that
    # path: it links from the site's base URL instead.
    root = _base(context.settings.base_url) if page.path == "404.html" else root_prefix(page.path)
    return template, {"site": context, "page": page, "root": root, **_page_variables(context, page, deferred)}


def _base(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"
