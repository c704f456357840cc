"""The engine's shortcuts agree with a plain evaluation: records read once per registry and reused for every
as-of day, TaskState made by a fast stand-in for its __init__, and `standing` (what bulletins count and list).

Checked on every item of the demo registry (this repository) and of the example registries
(tests/examples), on days before, during and after their items' lives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import marshal
from pathlib import Path
from typing import Any

import pytest

from duban import engine, stats
from duban.engine import TaskState, evaluate, evaluate_task, standings
from duban.loader import load_registry
from duban.registry import Registry, TaskFile, compacted
from engine_helpers import D, task, write_registry
from validation_helpers import build_registry, case_dirs

REPO_ROOT = Path(__file__).resolve().parent.parent
# Before the first item, month ends, the examples' as-of day and the demo's, and after the last deadlines.
DAYS = [D(day) for day in ("2025-12-31", "2026-02-28", "2026-05-15", "2026-07-31", "2026-10-31")]
DAYS += [D(day) for day in ("2026-11-28", "2026-11-30", "2027-01-01", "2027-12-31")]
CASES = [None, *case_dirs("valid")]


def _registry(case: Path | None, tmp_path: Path) -> Registry:
    """The demo registry (case None is this repository) or an example case's."""
    root = REPO_ROOT if case is None else build_registry(case, tmp_path / "registry")
    registry = load_registry(root).registry
    assert registry.tasks or case is not None  # a case may have no items
    return registry


def _fresh(registry: Registry, as_of: dt.date) -> list[TaskState]:
    """`evaluate` with every item read anew: a new TaskFile has no records yet."""
    settings, calendar = registry.settings, registry.calendar
    return [
        evaluate_task(TaskFile.of(t.id, t.file, t.data, t.digest), settings, calendar, as_of)
        for t in registry.tasks.values()
        if engine.assigned_by(t, as_of)
    ]


@pytest.mark.parametrize("case", CASES, ids=["demo", *(c.name for c in CASES[1:])])
def test_reused_records_give_the_states_of_a_fresh_evaluation(case: Path | None, tmp_path: Path) -> None:
    registry = _registry(case, tmp_path)
    for day in reversed(DAYS):  # the records are read on the latest day and reused on the earlier ones
        evaluate(registry, day)
    for day in DAYS:
        assert evaluate(registry, day) == _fresh(registry, day), day


@pytest.mark.parametrize("case", CASES, ids=["demo", *(c.name for c in CASES[1:])])
def test_standing_agrees_with_the_full_state(case: Path | None, tmp_path: Path) -> None:
    registry = _registry(case, tmp_path)
    for day in DAYS:
        states = evaluate(registry, day)
        found = standings(registry, day)
        assert [s.id for s in found] == [s.id for s in states]
        for standing, state in zip(found, states, strict=True):
            for name in (*engine.Standing._fields, "counted"):
                assert getattr(standing, name) == getattr(state, name), (state.id, day, name)
        assert stats.unit_stats(found) == stats.unit_stats(states)


def _as_constructed(made: Any) -> None:
    """`made` is exactly what its dataclass's own constructor makes of its fields: the same class, no
    __dict__ (all in slots), equal, with the same hash and repr, and still frozen."""
    cls = type(made)
    assert cls in (TaskState, engine.Reason, engine.MilestoneState, engine.IndicatorState)
    assert not hasattr(made, "__dict__")
    values = {f.name: getattr(made, f.name) for f in dataclasses.fields(cls)}
    again = cls(**values)
    assert again == made
    assert hash(again) == hash(made)
    assert repr(again) == repr(made)
    assert dataclasses.astuple(again) == dataclasses.astuple(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(cls)[0].name, None)


def test_results_are_made_with_exactly_their_dataclass_fields() -> None:
    """The engine makes TaskState, Reason, MilestoneState and IndicatorState with `engine._maker`'s fast
    stand-ins for their constructors."""
    registry = load_registry(REPO_ROOT).registry
    for day in DAYS:
        for state in evaluate(registry, day):
            _as_constructed(state)
            for part in (*state.reasons, *state.milestones, *state.indicators):
                _as_constructed(part)


def test_a_maker_fills_every_field_in_order_and_makes_its_class() -> None:
    made = engine._new_milestone(3, "验收", D("2026-05-01"), None, True)
    assert type(made) is engine.MilestoneState
    assert made == engine.MilestoneState(index=3, name="验收", due=D("2026-05-01"), done=None, overdue=True)
    assert isinstance(made, engine.MilestoneState)
    with pytest.raises(TypeError):
        engine._new_milestone(3, "验收", D("2026-05-01"), None)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.done = D("2026-04-01")  # type: ignore[misc]
    changed = dataclasses.replace(made, done=D("2026-04-01"), overdue=False)
    assert (changed.done, changed.overdue, changed.name) == (D("2026-04-01"), False, "验收")


def _one_task_registry(tmp_path: Path) -> Registry:
    root = write_registry(tmp_path, [task(deadline="2026-03-31", status="in_progress")])
    return load_registry(root).registry


def test_a_replaced_task_file_is_read_again(tmp_path: Path) -> None:
    """A registry changed in memory (`duban serve` loads again; tests build registries) never sees old
    records: they belong to the packed bytes of the TaskFile's data."""
    registry = _one_task_registry(tmp_path)
    old = registry.tasks["DB-2026-0001"]
    assert evaluate(registry, D("2026-04-10"))[0].light == "red"
    completed = {**old.data, "status": "completed", "completion": {"date": "2026-03-20"}}
    registry.tasks[old.id] = TaskFile.of(old.id, old.file, completed)
    assert evaluate(registry, D("2026-04-10"))[0].light == "done"
    registry.tasks[old.id].packed = marshal.dumps({**completed, "deadline": "2026-03-10"})
    assert evaluate(registry, D("2026-04-10"))[0].days_late == 10


def test_records_are_read_once_and_forgotten_with_their_registry(tmp_path: Path) -> None:
    registry = _one_task_registry(tmp_path)
    evaluate(registry, D("2026-04-10"))
    records = engine._kept(registry)["DB-2026-0001"]
    standings(registry, D("2026-05-10"))
    assert engine._kept(registry)["DB-2026-0001"] is records  # a Registry must allow weak references
    key = id(registry)
    del registry
    gc.collect()
    assert key not in engine._KEPT


def test_one_item_at_a_time_keeps_nothing(tmp_path: Path) -> None:
    """`duban status` and `duban check` evaluate one item at a time and hold no states: nor records."""
    registry = _one_task_registry(tmp_path)
    before = len(engine._KEPT)
    for task_file in registry.tasks.values():
        evaluate_task(task_file, registry.settings, registry.calendar, D("2026-04-10"))
    assert len(engine._KEPT) == before


def test_the_reasons_of_many_items_name_a_day_with_one_string(tmp_path: Path) -> None:
    """A build's process holds every item's state: its reasons' dates are shared, not a str per reason."""
    tasks = [task(f"DB-2026-000{n}", deadline="2026-03-31") for n in (1, 2)]
    registry = load_registry(write_registry(tmp_path, tasks)).registry
    first, second = evaluate(registry, D("2026-04-10"))
    assert first.reasons[0].code == second.reasons[0].code == "overdue"
    assert first.reasons[0].args["deadline"] == "2026-03-31"
    assert first.reasons[0].args["deadline"] is second.reasons[0].args["deadline"]


def test_compacted_items_are_the_same_items_in_objects_of_their_own(tmp_path: Path) -> None:
    """What a build does before forking its workers (duban.registry.compacted): equal items, sharing none of
    the small objects loading made, and the same data underneath (a view, not a copy)."""
    tasks = [task("DB-2026-0001", parent=None), task("DB-2026-0002", parent="DB-2026-0001")]
    registry = load_registry(write_registry(tmp_path, tasks)).registry
    again = compacted(registry.tasks)
    assert again == registry.tasks and list(again) == list(registry.tasks)
    for task_id, old in registry.tasks.items():
        new = again[task_id]
        assert new is not old
        for name in ("id", "file", "packed", "digest", "people"):
            assert getattr(new, name) is not getattr(old, name), name
        assert isinstance(new.packed, memoryview) and new.packed.obj is old.packed.obj  # type: ignore[union-attr]
        assert new.data == old.data
