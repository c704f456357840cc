"""An item's parsed records (engine._Records) answer as a plain reading of the file would, whatever the order
of its records: the latest update and the latest progress on a day come from one sorted copy of the
updates' dates (the progress of each is kept alongside it, not in a second sorted copy)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from duban import engine
from duban.loader import load_registry
from duban.registry import TaskFile
from engine_helpers import D, task, write_registry

FIRST = D("2026-03-01")


def _plainly(updates: list[dict[str, Any]], as_of: dt.date) -> tuple[dt.date | None, int | None, Any]:
    """The latest update on or before `as_of` (the file's later one when two share a date), its position,
    and the progress of the latest one that reports one: read straight from the list."""
    dated = [(D(u["date"]), i) for i, u in enumerate(updates) if u["date"] != "soon"]
    seen = [(day, i) for day, i in dated if day <= as_of]
    reported = [(day, i) for day, i in seen if "progress" in updates[i]]
    latest = max(seen, default=(None, None))
    progress = updates[max(reported)[1]]["progress"] if reported else None
    return latest[0], latest[1], progress


def _updates(rng: random.Random) -> list[dict[str, Any]]:
    """Up to six updates on a few days (so some share one), in any order, some without progress, now and
    then one whose date is not a date."""
    updates: list[dict[str, Any]] = []
    for _ in range(rng.randrange(7)):
        update: dict[str, Any] = {"date": (FIRST + dt.timedelta(days=rng.randrange(0, 40, 5))).isoformat()}
        if rng.random() < 0.7:
            update["progress"] = rng.randrange(101)
        if rng.random() < 0.05:
            update["date"] = "soon"
        updates.append(update)
    return updates


def _data(updates: list[dict[str, Any]]) -> TaskFile:
    data = {"status": "in_progress", "assigned": "2026-02-01", "deadline": "2026-06-30", "updates": updates}
    return TaskFile.of("DB-2026-0001", "tasks/DB-2026-0001.yaml", {**data, "title": "T", "lead_unit": "u"})


@pytest.mark.parametrize("seed", range(40))
def test_latest_update_and_progress_agree_with_a_plain_reading(seed: int) -> None:
    rng = random.Random(seed)
    updates = _updates(rng)
    records = engine._Records.read(_data(updates))
    for day in (FIRST + dt.timedelta(days=n) for n in range(-1, 45)):
        latest, position, progress = _plainly(updates, day)
        assert records.latest_update_on(day) == (latest, position), (updates, day)
        assert records.progress_on(day) == progress, (updates, day)


def test_progress_of_an_update_without_one_is_the_one_before() -> None:
    updates = [
        {"date": "2026-03-10", "progress": 40},
        {"date": "2026-03-05", "progress": 20},
        {"date": "2026-03-20"},
        {"date": "2026-03-10", "progress": 45},
    ]
    records = engine._Records.read(_data(updates))
    assert records.updates.items == (1, 0, 3, 2)  # by date, then as listed
    assert records.progress == (20, 40, 45, 45)
    assert records.progress_on(D("2026-03-04")) is None
    assert records.progress_on(D("2026-03-10")) == 45
    assert records.latest_update_on(D("2026-03-25")) == (D("2026-03-20"), 2)


def test_records_kept_for_a_registry_are_the_records_only(tmp_path: Path) -> None:
    """One object an item (the records hold the packed data they were read from, which decides whether they
    are read again), not a pair of the TaskFile and them."""
    root = write_registry(tmp_path, [task(deadline="2026-03-31", status="in_progress")])
    registry = load_registry(root).registry
    engine.evaluate(registry, D("2026-04-10"))
    kept = engine._kept(registry)
    assert isinstance(kept["DB-2026-0001"], engine._Records)
    assert kept["DB-2026-0001"].packed is registry.tasks["DB-2026-0001"].packed
