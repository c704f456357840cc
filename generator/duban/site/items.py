"""Item pages rendered apart from the rest of the site, by worker processes forked right after loading.

A worker forked when the registry is loaded shares its memory pages with the build's process only while
neither writes them, and with CPython 3.11 reading an object writes its reference count: a worker forked
later, when every item's state and views were built, ends up with its own copy of nearly all of them, since
the pages that list every item (and the feeds) touch them all in this process (at 100,000 items the two held
twice the 800 MB heap). So the workers start from the loaded registry (its data packed: duban.registry), and
each makes, for its chunk of items, what their pages show: their states and views and those of their parents
and children (the same functions as the whole site's context, so the same bytes), while this process builds
the context of the site and renders the rest. Then this process joins them on what is left (`join`).

Only for a first build into an output folder (a warm build renders a few pages: duban.site.incremental) with
enough pages to pay for a worker, where forking is possible (duban.workers).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from duban.engine import TaskState, assigned_by, evaluate_task
from duban.registry import Registry
from duban.site.context import item_context, people_with_pages
from duban.site.gitlog import Commit
from duban.site.pages import Page, render_page
from duban.site.render import environment
from duban.site.taskviews import task_path
from duban.site.write import StagingDir
from duban.workers import Crew

ITEM_TEMPLATE = "task.html"
CHUNK = 150  # item pages per job: about 0.03 s of rendering, and the parents and children made again
Done = list[tuple[str, int, int]]  # site path, size, modification time (ns) of each file written


@dataclass(frozen=True, eq=False)
class ItemPages:
    """What the item pages need besides each item's own file: one per build, inherited by the workers."""

    registry: Registry
    as_of: dt.date
    history: dict[str, list[Commit]]
    people: set[str]  # who has a page (the whole site's choice: duban.site.context.people_with_pages)
    existing: list[str]  # the items that existed on the day (those with a page), in id order
    children: dict[str, list[str]]  # the same, by their parent's id
    staging: StagingDir

    @classmethod
    def of(
        cls, registry: Registry, as_of: dt.date, history: dict[str, list[Commit]], staging: StagingDir
    ) -> ItemPages:
        existing = [task_id for task_id, task in registry.tasks.items() if assigned_by(task, as_of)]
        children: dict[str, list[str]] = {}
        for task_id in existing:
            parent = registry.tasks[task_id].parent
            if parent is not None:
                children.setdefault(parent, []).append(task_id)
        people = people_with_pages(registry, existing)
        return cls(registry, as_of, history, people, existing, children, staging)

    def jobs(self) -> list[tuple[str, ...]]:
        """The pages of the items that existed on the day, in id order, in chunks."""
        ids = self.existing
        return [tuple(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK)]

    def render(self, ids: tuple[str, ...]) -> Done:
        """A worker's job: the pages of `ids`, written into the staging folder."""
        if not gc.isenabled():  # forked while the build's process had the collector off (nothing made since)
            gc.freeze()
            gc.enable()
        unpacked = {task_id: self.registry.tasks[task_id].data for task_id in self._needed(ids)}
        states = self._states(unpacked)
        context = item_context(self.registry, states, self.as_of, self.history, self.people, unpacked)
        done = []
        for task_id in ids:
            page = Page(task_path(task_id), ITEM_TEMPLATE, "tasks", task_id)
            info = self.staging.write(page.path, render_page(context, page))
            done.append((page.path, info.st_size, info.st_mtime_ns))
        return done

    def _needed(self, ids: tuple[str, ...]) -> list[str]:
        """The items, their parents and their children (existing on the day), in id order."""
        tasks = self.registry.tasks
        needed = set(ids)
        for task_id in ids:
            parent = tasks[task_id].parent
            if parent is not None and parent in tasks and assigned_by(tasks[parent], self.as_of):
                needed.add(parent)
            needed.update(self.children.get(task_id, ()))
        return sorted(needed)

    def _states(self, unpacked: dict[str, dict[str, Any]]) -> list[TaskState]:
        tasks, settings, calendar = self.registry.tasks, self.registry.settings, self.registry.calendar
        return [evaluate_task(tasks[i], settings, calendar, self.as_of, data) for i, data in unpacked.items()]


@dataclass(eq=False)
class ItemWorkers:
    """The item pages' workers of a build, started right after loading (`start`)."""

    pages: ItemPages
    crew: Crew[tuple[str, ...], Done]

    def join(self, here: Callable[[tuple[str, ...]], Done]) -> Iterator[Done]:
        """Every item page's file: the workers', and those this process renders with `here`."""
        return self.crew.join(here)

    def stop(self) -> None:
        self.crew.close()


def start(pages: ItemPages, workers: int) -> ItemWorkers:
    """The workers, at work on the item pages as soon as they are forked."""
    environment(pages.registry.settings.language).get_template(ITEM_TEMPLATE)  # compiled once, inherited
    return ItemWorkers(pages, Crew(pages.render, pages.jobs(), workers))
