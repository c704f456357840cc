"""The task list's data: the compact JSON index that `assets/app.js` filters, sorts and renders.

Below `LARGE_LIST` items every row is rendered on the server as well (the page works without JavaScript, and
the script only hides and reorders rows). Above it the page carries the first `FIRST_ROWS` rows and the index;
the script renders further rows on demand, and plain paged lists (`tasks/all/<n>/index.html`) keep every item
reachable without JavaScript.

The index is an object of parallel tables, not one object per row, to keep ~10,000 rows small: units and
people are listed once and rows refer to them by position.
"""

from __future__ import annotations

from typing import Any

from duban.registry import Registry
from duban.site.labels import LIGHT_ORDER, PRIORITIES, SOURCES, STATUSES
from duban.site.render import DeferredRows
from duban.site.views import ListIndex, Ref, TaskView

LARGE_LIST = 500
FIRST_ROWS = 100
PAGE_ROWS = 500

# The row layout of the index (documented in docs/site.md); app.js reads rows by these positions.
COLUMNS = (
    "id",
    "title",
    "light",
    "status",
    "lead",
    "leader",
    "source",
    "priority",
    "deadline",
    "days_left",
    "days_overdue",
    "days_late",
    "progress",
    "co_units",  # positions in "units"
    "people",  # positions in "people": owner, supervisor, who gave the instruction
    "search",  # tags, document number and category
)


def all_page_path(number: int) -> str:
    return f"tasks/all/{number}/index.html"


def list_index(views: list[TaskView]) -> ListIndex:
    large = len(views) > LARGE_LIST
    pages = [all_page_path(n + 1) for n in range(-(-len(views) // PAGE_ROWS))] if large else []
    first = views[:FIRST_ROWS] if large else views
    return ListIndex(large, first, pages)


class _Names:
    """Units or people listed once, as [id, name]; rows refer to them by position."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.rows: list[list[str]] = []

    def __call__(self, ref: Ref | None) -> int:
        if ref is None:
            return -1
        if ref.id not in self.positions:
            self.positions[ref.id] = len(self.rows)
            self.rows.append([ref.id, ref.name])
        return self.positions[ref.id]


def index_data(views: list[TaskView], deferred: DeferredRows | None = None) -> dict[str, Any]:
    """The index of every item (in `views`' order) that app.js reads. Made when the list's page is rendered:
    one page shows it, and kept in the context it was the largest part (~600 bytes per item).

    With `deferred` (the page is written out in pieces: site.pages), the rows are made and written a batch at
    a time where their mark stands in the page (at 100,000 items they were 140 MB at once, with their JSON);
    the names they refer to are listed first, in the order the rows name them."""
    unit, person = _Names(), _Names()
    if deferred is None:
        rows: Any = [_index_row(view, unit, person) for view in views]
    else:
        for view in views:
            _name(view, unit, person)
        rows = deferred.defer_json(lambda: (_index_row(view, unit, person) for view in views))
    return {"columns": list(COLUMNS), "units": unit.rows, "people": person.rows, "rows": rows}


def _index_row(view: TaskView, unit: _Names, person: _Names) -> list[Any]:
    state = view.state
    return [
        state.id,
        state.title,
        state.light,
        state.status,
        unit(view.lead),
        person(view.leader),
        view.source_type,
        state.priority,
        state.effective_deadline.isoformat(),
        state.days_left,
        state.days_overdue,
        state.days_late,
        state.progress,
        [unit(ref) for ref in view.co],
        [person(ref) for ref in (view.owner, view.supervisor, view.source_by) if ref is not None],
        search_text(view),
    ]


def _name(view: TaskView, unit: _Names, person: _Names) -> None:
    """The units and people of `_index_row`, named in the same order."""
    unit(view.lead)
    person(view.leader)
    for lead in view.co:
        unit(lead)
    for named in (view.owner, view.supervisor, view.source_by):
        person(named)


def search_text(view: TaskView) -> str:
    """Words the search box finds besides the id, the title and the names: one lower-case string."""
    return " ".join(w for w in (*view.tags, view.source_ref, view.category) if w).lower()


def filters(views: list[TaskView], registry: Registry) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter: only values that occur, in a stable order. Names are empty for coded values
    (lights, states …): the template shows their translated label."""
    lights = {v.light for v in views}
    statuses = {v.state.status for v in views}
    sources = {v.source_type for v in views}
    priorities = {v.state.priority for v in views}
    units = {v.lead.id: v.lead.name for v in views}
    leaders = {v.leader.id: v.leader.name for v in views if v.leader}
    return {
        "light": [(c, "") for c in LIGHT_ORDER if c in lights],
        "unit": [(u, units[u]) for u in registry.units if u in units],
        "leader": sorted(leaders.items(), key=lambda item: (item[1], item[0])),
        "source": [(c, "") for c in SOURCES if c in sources],
        "priority": [(c, "") for c in PRIORITIES if c in priorities],
        "status": [(c, "") for c in STATUSES if c in statuses],
    }
