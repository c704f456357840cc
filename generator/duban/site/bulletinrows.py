"""The long lists of a monthly bulletin page as ready-made HTML rows.

The twelve bulletins of a 10,000-item registry list ~50,000 rows (most of them overdue items, listed again
each month they stay overdue). Written by the template they cost more than computing the bulletins: here a row
is one string format, and an item's link and lead-unit cells, the same in every month, are made once per
build (`SiteContext.row_cache`). The markup is the one bulletin.html wrote, through the same helpers
(`site.render`): the pages stay byte for byte the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from duban.engine import Standing
from duban.site.render import Html, item_link, unit_link
from duban.site.views import Bulletin
from duban.stats import Record


class BulletinPage(Bulletin):
    """A bulletin with its rows: bulletin.html calls these methods (Jinja passes them the page's context)."""

    @pass_context
    def overdue_rows(self, context: Context) -> Html:
        cells, day = _Cells(context), context["day"]
        return _join(
            f"<tr>{cells.item(s)}<td>{day(s.effective_deadline)}</td>"
            f'<td class="num">{s.days_overdue}</td><td class="num">{s.reminders}</td></tr>\n'
            for s in self.report.overdue
        )

    @pass_context
    def new_rows(self, context: Context) -> Html:
        cells, day = _Cells(context), context["day"]
        return _join(
            f"<tr>{cells.item(s)}<td>{day(s.assigned)}</td><td>{day(s.effective_deadline)}</td></tr>\n"
            for s in self.report.new
        )

    @pass_context
    def reminder_items(self, context: Context, lead: Markup) -> Html:
        """`lead` is the words before the item's link ("Reminder: ")."""
        cells, day = _Cells(context), context["day"]
        return _join(
            f"<li>{day(r.date)} {lead}{cells.link(r.state)}{_note(r)}</li>\n" for r in self.report.reminders
        )

    @pass_context
    def item_cells(self, context: Context, state: Standing) -> Markup:
        """The item (linked, with its id) and its lead unit: the first two cells of every item row."""
        return Markup(_Cells(context).item(state))


def _join(rows: Iterable[str]) -> Html:
    return Html("".join(rows))


class _Cells:
    """An item's cells as the page's template helpers make them, kept for the build (`row_cache`): the link
    depends on the item and the page's depth only."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.cache: dict[tuple[str, ...], str] = context["site"].row_cache
        self.root = str(context["root"])

    def item(self, state: Standing) -> str:
        """The item (linked, with its id) and its lead unit: the first two cells of every item row."""
        key = ("bulletin-item", state.id, self.root)
        html = self.cache.get(key)
        if html is None:
            unit = unit_link(self.context, state.lead_unit)
            html = f'<td>{self.link(state)} <span class="muted">{escape(state.id)}</span></td><td>{unit}</td>'
            self.cache[key] = html
        return html

    def link(self, state: Standing) -> str:
        key = ("bulletin-link", state.id, self.root)
        html = self.cache.get(key)
        if html is None:
            # item_link reads the state's id and title only, which a standing has too
            html = self.cache[key] = str(item_link(self.context, cast(Any, state)))
        return html


def _note(record: Record) -> str:
    note: Any = record.data.get("note")
    return f" — {escape(note)}" if note else ""
