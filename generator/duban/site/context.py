"""The one place that builds the site's template context from the registry and the engine's states.

Built once per build; every page is then a pure function of (context, page). Aggregates (per unit, per
person, dashboard, calendar months) are computed here, never in templates; only a monthly bulletin's
content is computed when its page is rendered (site.aggregates.bulletin): it runs the engine again for the
month's end.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from duban import __version__
from duban.engine import TaskState
from duban.registry import Registry
from duban.site import aggregates, listing
from duban.site.gitlog import Commit
from duban.site.labels import LIGHT_ORDER
from duban.site.markdown import repository_file_url, safe_href
from duban.site.taskviews import DetailMaker, Linker, Repository, build_task_view
from duban.site.views import PersonView, Ref, SiteContext, TaskView, UnitView

ROLES = ("leader", "owner", "supervisor", "source")


def unit_path(unit_id: str) -> str:
    return f"units/{unit_id}/index.html"


def person_path(person_id: str) -> str:
    return f"people/{person_id}/index.html"


def list_order(view: TaskView) -> tuple[int, dt.date, str]:
    """Most urgent first: by light (red … cancelled), then the effective deadline, then the id."""
    state = view.state
    return (LIGHT_ORDER.index(state.light), state.effective_deadline, state.id)


def build_context(
    registry: Registry, states: list[TaskState], as_of: dt.date, history: dict[str, list[Commit]]
) -> SiteContext:
    """Everything the pages show, computed once. `history` is the git log per file (may be empty)."""
    people_ids = people_with_pages(registry, (state.id for state in states))
    linker = _linker(registry, people_ids)
    views = task_views(registry, states, as_of, history, linker)
    by_id = {v.id: v for v in views}
    views.sort(key=list_order)
    units = _units(registry, views, as_of)
    return _site_context(
        registry,
        as_of,
        views,
        by_id,
        units=units,
        people=_people(registry, views, people_ids, linker),
        dashboard=aggregates.dashboard(views, units, as_of),
        months=aggregates.calendar_months(views, registry, as_of),
        bulletins=aggregates.bulletin_months(views, as_of),
        task_list=listing.list_index(views),
        filters=listing.filters(views, registry),
    )


def task_views(
    registry: Registry,
    states: Iterable[TaskState],
    as_of: dt.date,
    history: dict[str, list[Commit]],
    linker: Linker,
    unpacked: Mapping[str, dict[str, Any]] | None = None,
) -> list[TaskView]:
    """The items' views, with their parent and children links among them, in the order of `states`.
    `unpacked`: the data of items unpacked already, by id (duban.registry.TaskFile)."""
    settings, unpacked = registry.settings, unpacked or {}
    repository = _repository(registry)
    details = DetailMaker(registry, as_of, settings.language, linker, repository, history, unpacked)
    tasks = registry.tasks
    views = [build_task_view(tasks[s.id], s, as_of, linker, details, details.about(s.id)) for s in states]
    _link_family(views, {v.id: v for v in views})
    return views


def item_context(
    registry: Registry,
    states: list[TaskState],
    as_of: dt.date,
    history: dict[str, list[Commit]],
    people: set[str],
    unpacked: Mapping[str, dict[str, Any]],
) -> SiteContext:
    """What the pages of some items need (duban.site.items): `states` are theirs and their parents' and
    children's, `people` the people who have a page on the whole site, `unpacked` their data; the rest of
    the context is empty."""
    views = task_views(registry, states, as_of, history, _linker(registry, people), unpacked)
    return _site_context(
        registry,
        as_of,
        views,
        {v.id: v for v in views},
        units=[],
        people=[],
        dashboard=aggregates.dashboard([], [], as_of),
        months=[],
        bulletins=[],
        task_list=listing.list_index([]),
        filters={},
    )


def _site_context(
    registry: Registry, as_of: dt.date, views: list[TaskView], by_id: dict[str, TaskView], **parts: Any
) -> SiteContext:
    settings = registry.settings
    return SiteContext(
        registry=registry,
        root=registry.root,
        settings=settings,
        language=settings.language,
        as_of=as_of,
        version=__version__,
        tasks=views,
        by_id=by_id,
        **parts,
    )


def people_with_pages(registry: Registry, task_ids: Iterable[str]) -> set[str]:
    """People who lead, own, supervise or gave one of the items get a page; others are named, not linked."""
    ids: set[str] = set()
    for task_id in task_ids:
        ids.update(registry.tasks[task_id].people)
    return ids & set(registry.people)


def _linker(registry: Registry, people_ids: set[str]) -> Linker:
    settings = registry.settings
    blob = repository_file_url(settings.repository_url, settings.repository_branch)
    blob_base = f"{blob}/{repository_prefix(registry.root)}".rstrip("/") if blob else None

    @functools.cache
    def unit(unit_id: str) -> Ref:
        return Ref(unit_id, registry.unit_name(unit_id, short=True), unit_path(unit_id))

    @functools.cache
    def person(person_id: str | None) -> Ref | None:
        if not person_id:
            return None
        path = person_path(person_id) if person_id in people_ids else None
        return Ref(person_id, registry.person_name(person_id), path)

    evidence: Callable[[str], str | None] = functools.partial(_evidence_href, registry.root, blob_base)
    return Linker(unit, person, evidence)


def _evidence_href(root: Path, blob_base: str | None, url: str) -> str | None:
    return safe_href(url, root, blob_base)


def repository_prefix(root: Path) -> str:
    """The registry's folder inside its git repository ('' at its top), for links to the repository's pages.

    Found by walking up to the `.git` entry rather than by running git: one less process, and no git needed.
    """
    real = root.resolve()
    for folder in (real, *real.parents):
        if (folder / ".git").exists():
            relative = real.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""


def _link_family(views: list[TaskView], by_id: dict[str, TaskView]) -> None:
    """Parent and children links, among the items that existed on the day (children in id order)."""
    children: dict[str, list[Ref]] = {}
    for view in sorted(views, key=lambda v: v.id):
        parent = by_id.get(view.parent_id) if view.parent_id else None
        if parent is not None:
            view.parent = parent.ref
            children.setdefault(parent.id, []).append(view.ref)
    for parent_id, refs in children.items():
        by_id[parent_id].children = tuple(refs)


def _repository(registry: Registry) -> Repository:
    settings = registry.settings
    url, branch = settings.repository_url, settings.repository_branch
    edit, blob = repository_file_url(url, branch, "edit"), repository_file_url(url, branch)
    return Repository(repository_prefix(registry.root), edit, blob, url)


def _units(registry: Registry, views: list[TaskView], as_of: dt.date) -> list[UnitView]:
    lead: dict[str, list[TaskView]] = {u: [] for u in registry.units}
    co: dict[str, list[TaskView]] = {u: [] for u in registry.units}
    for view in views:
        lead.setdefault(view.lead.id, []).append(view)
        for ref in view.co:
            co.setdefault(ref.id, []).append(view)
    stats = aggregates.unit_stats(registry, [v.state for v in views], as_of)
    result = []
    for unit_id, record in registry.units.items():
        parent = record.get("parent")
        children = [
            Ref(c, registry.unit_name(c, short=True), unit_path(c))
            for c, r in registry.units.items()
            if r.get("parent") == unit_id
        ]
        parent_ref = (
            Ref(parent, registry.unit_name(parent, short=True), unit_path(parent)) if parent else None
        )
        ref = Ref(unit_id, str(record["name"]), unit_path(unit_id))
        result.append(
            UnitView(
                ref,
                str(record.get("short") or ""),
                parent_ref,
                children,
                lead[unit_id],
                co[unit_id],
                stats[unit_id],
            )
        )
    return result


def _people(registry: Registry, views: list[TaskView], ids: set[str], linker: Linker) -> list[PersonView]:
    roles: dict[str, dict[str, list[TaskView]]] = {p: {r: [] for r in ROLES} for p in sorted(ids)}
    for view in views:
        for role, ref in (
            ("leader", view.leader),
            ("owner", view.owner),
            ("supervisor", view.supervisor),
            ("source", view.source_by),
        ):
            if ref is not None and ref.id in roles:
                roles[ref.id][role].append(view)
    people = []
    for person_id, by_role in roles.items():
        record = registry.people[person_id]
        ref = linker.person(person_id)
        assert ref is not None
        unit = linker.unit(record["unit"]) if record.get("unit") in registry.units else None
        people.append(
            PersonView(ref, str(record.get("title") or ""), unit, {r: t for r, t in by_role.items() if t})
        )
    return people
