"""The long lists of a monthly bulletin page as ready-made HTML rows.

The twelve bulletins of a 10,000-item registry list ~50,000 rows (most of them overdue items, listed again
each month they stay overdue). Written by the template they cost more than computing the bulletins: here a row
is one string format, and an item's link and lead-unit cells, the same in every month, are made once per
build (`SiteContext.row_cache`). The markup is the one bulletin.html wrote, through the same helpers
(`site.render`): the pages stay byte for byte the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from duban.engine import Standing
from duban.site.render import DEFERRED_ROWS, DeferredRows, Html, batched, item_link, unit_link
from duban.site.views import Bulletin
from duban.stats import Record


class BulletinPage(Bulletin):
    """A bulletin with its rows: bulletin.html calls these methods (Jinja passes them the page's context)."""

    @pass_context
    def overdue_rows(self, context: Context) -> Html:
        cells, day = _Cells(context), context["day"]
        return _join(
            context,
            lambda: (
                f"<tr>{cells.item(s)}<td>{day(s.effective_deadline)}</td>"
                f'<td class="num">{s.days_overdue}</td><td class="num">{s.reminders}</td></tr>\n'
                for s in self.report.overdue
            ),
        )

    @pass_context
    def new_rows(self, context: Context) -> Html:
        cells, day = _Cells(context), context["day"]
        return _join(
            context,
            lambda: (
                f"<tr>{cells.item(s)}<td>{day(s.assigned)}</td><td>{day(s.effective_deadline)}</td></tr>\n"
                for s in self.report.new
            ),
        )

    @pass_context
    def reminder_items(self, context: Context, lead: Markup) -> Html:
        """`lead` is the words before the item's link ("Reminder: ")."""
        cells, day = _Cells(context), context["day"]
        return _join(
            context,
            lambda: (
                f"<li>{day(r.date)} {lead}{cells.link(r.state)}{_note(r)}</li>\n"
                for r in self.report.reminders
            ),
        )

    @pass_context
    def item_cells(self, context: Context, state: Standing) -> Markup:
        """The item (linked, with its id) and its lead unit: the first two cells of every item row."""
        return Markup(_Cells(context).item(state))


def _join(context: Context, rows: Callable[[], Iterable[str]]) -> Html:
    """The rows as one piece of HTML; where the page is written out in pieces, made and written a batch at a
    time where their mark stands (site.render.DeferredRows): the overdue list of a bulletin at 100,000 items
    is 30 MB of rows."""
    deferred: DeferredRows | None = context.get(DEFERRED_ROWS)
    if deferred is None:
        return Html("".join(rows()))
    return Html(deferred.defer_pieces(lambda: batched(rows())))


class _Cells:
    """An item's cells as the page's template helpers make them, kept for the build (`row_cache`, one dict per
    page depth: all bulletins have the same): they depend on the item and the page's depth only."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.root = str(context["root"])
        cache: dict[tuple[str, ...], dict[str, str]] = context["site"].row_cache
        self.items = cache.setdefault(("bulletin-items", self.root), {})

    def item(self, state: Standing) -> str:
        """The item (linked, with its id) and its lead unit: the first two cells of every item row."""
        html = self.items.get(state.id)
        if html is None:
            unit = unit_link(self.context, state.lead_unit)
            html = f'<td>{self.link(state)} <span class="muted">{escape(state.id)}</span></td><td>{unit}</td>'
            self.items[state.id] = html
        return html

    def link(self, state: Standing) -> str:
        """The item's title linked to its page (made again each time: reminders are few; an item row's cells
        hold it already)."""
        # item_link reads the state's id and title only, which a standing has too
        return str(item_link(self.context, cast(Any, state)))


def _note(record: Record) -> str:
    note: Any = record.data.get("note")
    return f" — {escape(note)}" if note else ""
