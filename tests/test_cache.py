"""The read cache (duban.cache): the same results with or without it, never a stale or forged one.

A cached result is keyed by the hash of the file's bytes, so an edit that keeps the size and the times is
still seen; a damaged pack is ignored and replaced; a cache folder that git tracks (which a pull request could
fill with forged results) is never read; and a site built from the cache is byte-identical to one without.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from duban import cache, checks, documents, loader, workers
from duban import registry as registry_module
from duban.dates import parse_date
from duban.loader import finish_problems, load_registry
from duban.site import feeds
from duban.site.build import build_site
from validation_helpers import AS_OF, build_registry, case_dirs, run_cli

TODAY = parse_date(AS_OF)
TASK = "tasks/2026/DB-2026-0001.yaml"
CASES = ["many-problems-one-run", "not-utf8-gbk", "duplicate-key", "unknown-person", "parent-cycle"]


@pytest.fixture(autouse=True)
def _cache_in_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.VARIABLE, raising=False)
    monkeypatch.delenv(workers.VARIABLE, raising=False)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return build_registry(None, tmp_path / "registry")


def _load(root: Path, *, use_cache: bool = True) -> dict[str, Any]:
    """Everything a load gives: the located problems, and the data of every task, unit and person."""
    result = load_registry(root, cache=use_cache)
    assert TODAY is not None
    problems = finish_problems(result, TODAY)
    registry = result.registry
    return {
        "problems": [dataclasses.asdict(p) for p in problems],
        "tasks": {task_id: (t.file, t.data) for task_id, t in registry.tasks.items()},
        "units": registry.units,
        "people": registry.people,
        "calendar": registry.calendar,
        "settings": registry.settings,
    }


def _packs(root: Path) -> list[Path]:
    return sorted((root / cache.FOLDER).glob("v-*/*.pack"))


def _nothing_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, every file must come from the cache."""

    def refuse(raw: bytes, rel: str, kind: str) -> documents.Document:
        raise AssertionError(f"{rel} was parsed, not taken from the cache")

    monkeypatch.setattr(documents, "check_bytes", refuse)


@pytest.mark.parametrize("case", [None, *CASES])
def test_cached_and_uncached_loads_are_identical(
    case: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = None if case is None else next(c for c in case_dirs("invalid") if c.name == case)
    root = build_registry(folder, tmp_path / "registry")
    uncached = _load(root, use_cache=False)
    assert not (root / cache.FOLDER).exists()
    assert _load(root) == uncached  # fills the cache
    assert _packs(root)
    _nothing_parsed(monkeypatch)
    assert _load(root) == uncached  # served from it


def test_every_example_case_gives_the_same_problems_from_the_cache(tmp_path: Path) -> None:
    for index, case in enumerate(case_dirs("invalid") + case_dirs("valid")):
        root = build_registry(case, tmp_path / str(index))
        uncached = _load(root, use_cache=False)
        assert _load(root) == uncached, case.name
        assert _load(root) == uncached, case.name


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From here on, the files whose cross-file checks run (checks.check_task), in order."""
    checked: list[str] = []
    real = checks.check_task

    def counting(registry: Any, skip: checks.Skip, rel: str, data: dict[str, Any]) -> list[Any]:
        checked.append(rel)
        return real(registry, skip, rel, data)

    monkeypatch.setattr(checks, "check_task", counting)
    return checked


def test_a_warm_load_checks_again_only_tasks_whose_evidence_is_a_path(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged task's facts and cross-file problems come from the cache, unless its checks look at other
    files (evidence given as a path): the base registry's DB-2026-0002 has such evidence."""
    expected = _load(registry, use_cache=False)
    assert _load(registry) == expected
    checked = _counting_checks(monkeypatch)
    found = _load(registry)
    assert checked == ["tasks/2026/DB-2026-0002.yaml"]
    assert found == expected


def _unpacking(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From here on, the ids of the items the loader makes from unpacked data (registry.TaskFile.of)."""
    unpacked: list[str] = []
    real = registry_module.TaskFile.of

    def recording(task_id: str, *args: Any, **kwargs: Any) -> Any:
        unpacked.append(task_id)
        return real(task_id, *args, **kwargs)

    monkeypatch.setattr(registry_module.TaskFile, "of", recording)
    return unpacked


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cold_load_checks_each_task_where_it_is_parsed(
    jobs: str, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing cached, a task's cross-file checks run where it is parsed (with many files, here every
    file is many: in chunks, by workers), into the cache and to the loader with the document: neither this
    load nor the next unpacks a task but the one checked every time."""
    expected = _load(registry, use_cache=False)
    monkeypatch.setenv(workers.VARIABLE, jobs)
    monkeypatch.setattr(documents, "PARALLEL_MIN", 1)
    monkeypatch.setattr(documents, "BUNDLE", 2)  # documents of one chunk in several bundles
    unpacked = _unpacking(monkeypatch)
    assert _load(registry) == expected
    assert unpacked == ["DB-2026-0002"]
    unpacked.clear()
    assert _load(registry) == expected
    assert unpacked == ["DB-2026-0002"]


def test_an_organisation_changed_since_is_seen_by_the_checks(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same task files against other units or people: checked again (an unknown one's suggestion is the
    closest of the ids, so their order counts as well)."""
    assert _load(registry) == _load(registry, use_cache=False)
    units = registry / "org/units.yaml"
    text = units.read_text(encoding="utf-8")
    renamed = text.replace("- id: finance", "- id: finance-bureau")  # DB-2026-0001 names `finance`
    unnamed = text.replace("- id: env\n", "- id: envi\n")  # a unit no task names: suggestions may change
    checked = _counting_checks(monkeypatch)
    for edited in (renamed, unnamed):
        units.write_text(edited, encoding="utf-8")
        checked.clear()
        found = _load(registry)
        assert len(checked) == 5  # every task again
        assert found == _load(registry, use_cache=False)
    units.write_text(renamed, encoding="utf-8")
    assert "unknown-unit" in [problem["code"] for problem in _load(registry)["problems"]]
    units.write_text(text, encoding="utf-8")
    assert "unknown-unit" not in [problem["code"] for problem in _load(registry)["problems"]]


def test_evidence_removed_behind_an_unchanged_task_is_reported(registry: Path) -> None:
    rel = "evidence/DB-2026-0002/acceptance-report.txt"
    assert "evidence-url" not in [problem["code"] for problem in _load(registry)["problems"]]
    (registry / rel).unlink()
    found = _load(registry)
    assert found == _load(registry, use_cache=False)
    assert [p["args"]["url"] for p in found["problems"] if p["code"] == "evidence-url"] == [rel]


def test_cached_facts_of_another_shape_are_not_believed(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache entry is duban's (its checksum says so), not necessarily of this shape: such facts are made
    again from the task."""
    expected = _load(registry, use_cache=False)
    _load(registry)
    store = cache.Cache(registry / cache.FOLDER)
    entries = [entry for path in _packs(registry) for entry in cache.read_pack(path) or []]
    forged = [(*entry[:3], ("DB-2026-0001", 2026, None, (), None), entry[4]) for entry in entries]
    for path in _packs(registry):
        path.unlink()
    cache.write_pack(store.folder, [entry for entry in forged if entry[0] == loader.CHECKED])
    cache.write_pack(store.folder, [entry for entry in entries if entry[0] != loader.CHECKED])
    checked = _counting_checks(monkeypatch)
    found = _load(registry)
    assert len(checked) == 5
    assert found == expected


def test_an_edit_that_keeps_size_and_times_is_still_seen(registry: Path) -> None:
    path = registry / TASK
    original = path.read_bytes()
    first = _load(registry)
    stat = path.stat()
    edited = original.replace("二期工程".encode(), "三期工程".encode(), 1)  # the same number of bytes
    assert len(edited) == len(original) and edited != original
    path.write_bytes(edited)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = _load(registry)
    assert second == _load(registry, use_cache=False)
    assert second != first
    path.write_bytes(original)  # back to the first bytes: the first result again
    assert _load(registry) == first


def test_a_new_version_of_a_file_is_parsed_and_the_old_entry_is_dropped_in_time(registry: Path) -> None:
    path = registry / TASK
    text = path.read_text(encoding="utf-8")
    for round_ in range(6):
        path.write_text(text.replace("title: ", f"title: 第{round_}版", 1), encoding="utf-8")
        assert _load(registry)["tasks"]["DB-2026-0001"][1]["title"].startswith(f"第{round_}版")
    assert len(_packs(registry)) <= 7


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "header"])
def test_a_damaged_pack_is_ignored_and_replaced(
    damage: str, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = _load(registry, use_cache=False)
    _load(registry)
    for pack in _packs(registry):
        data = pack.read_bytes()
        damaged = {
            "truncate": data[: len(data) // 2],
            "flip": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
            "garbage": os.urandom(len(data)),
            "empty": b"",
            "header": b"XXXXXXXX" + data[8:],
        }[damage]
        pack.write_bytes(damaged)
    assert _load(registry) == uncached
    assert all(cache.read_pack(pack) is not None for pack in _packs(registry))  # rewritten
    _nothing_parsed(monkeypatch)
    assert _load(registry) == uncached


def test_a_pack_with_a_good_checksum_and_a_bad_shape_is_ignored(registry: Path) -> None:
    uncached = _load(registry, use_cache=False)
    _load(registry)
    [pack] = _packs(registry)
    for payload in (
        [("task", TASK)],
        {"not": "a list"},
        [("task", TASK, b"k", {}, [("short",)])],
        [("task", TASK, b"k", {"id": "not packed"}, [])],  # a task's data is kept packed (marshal bytes)
    ):
        pack.write_bytes(cache.pack_bytes(payload))  # type: ignore[arg-type]
        assert cache.read_pack(pack) is None
        assert _load(registry) == uncached


def _forge(registry: Path) -> None:
    """A pack that claims the task file holds a different title, keyed by the file's true hash."""
    path = registry / TASK
    data = _load(registry, use_cache=False)["tasks"]["DB-2026-0001"][1]
    forged = {**data, "title": "FORGED"}
    entry = ("task", TASK, documents.digest(path.read_bytes()), marshal.dumps(forged), [])
    folder = registry / cache.FOLDER / f"v-{cache.fingerprint()}"
    cache.prepare(folder)
    cache.write_pack(folder, [entry])


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
        check=True,
        capture_output=True,
    )


def test_a_cache_folder_that_git_tracks_is_never_read(registry: Path) -> None:
    _git(registry, "init", "-q")
    _forge(registry)
    # Untracked, the forged pack is believed: the cache trusts its own folder (this shows the forgery works).
    assert _load(registry)["tasks"]["DB-2026-0001"][1]["title"] == "FORGED"
    _git(registry, "add", "-A")
    _git(registry, "add", "-f", cache.FOLDER)
    _git(registry, "commit", "-q", "-m", "a pull request that brings its own cache")
    assert _load(registry)["tasks"]["DB-2026-0001"][1]["title"] != "FORGED"
    assert cache.Cache.for_root(registry) is None


def test_the_cache_folder_ignores_itself_and_says_what_it_is(registry: Path) -> None:
    _git(registry, "init", "-q")
    _load(registry)
    assert (registry / cache.FOLDER / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (registry / cache.FOLDER / "CACHEDIR.TAG").is_file()
    status = subprocess.run(
        ["git", "-C", str(registry), "status", "--porcelain", "--", cache.FOLDER],
        check=True,
        capture_output=True,
        text=True,
    )
    assert status.stdout == ""


def test_another_fingerprint_uses_another_folder_and_removes_the_old_one(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(registry)
    [old] = list((registry / cache.FOLDER).glob("v-*"))
    monkeypatch.setattr(cache, "fingerprint", lambda: "another-version")
    _load(registry)
    assert [p.name for p in (registry / cache.FOLDER).glob("v-*")] == ["v-another-version"]
    assert not old.exists()


def test_the_fingerprint_covers_code_schemas_and_versions() -> None:
    cache.fingerprint.cache_clear()
    try:
        first = cache.fingerprint()
        assert len(first) == 20
        assert set(cache._MODULES) >= {"yamlio", "schemas", "documents"}
    finally:
        cache.fingerprint.cache_clear()


def test_duban_cache_off_writes_nothing(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.VARIABLE, "off")
    _load(registry)
    assert not (registry / cache.FOLDER).exists()


def test_duban_cache_names_another_folder(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.VARIABLE, str(tmp_path / "elsewhere"))
    uncached = _load(registry, use_cache=False)
    assert _load(registry) == uncached
    assert list((tmp_path / "elsewhere").glob("v-*/*.pack"))
    assert not (registry / cache.FOLDER).exists()


def test_a_cache_that_cannot_be_written_is_no_error(registry: Path) -> None:
    (registry / cache.FOLDER).write_text("a file where the folder should be", encoding="utf-8")
    assert _load(registry) == _load(registry, use_cache=False)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_sites_built_with_and_without_the_cache_are_byte_identical(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert TODAY is not None
    monkeypatch.setenv(cache.VARIABLE, "off")
    assert build_site(registry, tmp_path / "uncached", TODAY, quiet=True) == 0
    monkeypatch.delenv(cache.VARIABLE)
    assert build_site(registry, tmp_path / "cold", TODAY, quiet=True) == 0
    _nothing_parsed(monkeypatch)
    assert build_site(registry, tmp_path / "warm", TODAY, quiet=True) == 0
    uncached = _snapshot(tmp_path / "uncached")
    assert len(uncached) > 10
    assert _snapshot(tmp_path / "cold") == uncached
    assert _snapshot(tmp_path / "warm") == uncached


# --- warm builds: only what changed is rendered and written, and the result is a cold build's ---


def _build(root: Path, out: Path, as_of: str = AS_OF) -> None:
    day = parse_date(as_of)
    assert day is not None
    assert build_site(root, out, day, quiet=True) == 0


def _cold(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch, as_of: str = AS_OF) -> dict[str, bytes]:
    with monkeypatch.context() as patch:
        patch.setenv(cache.VARIABLE, "off")
        _build(root, out, as_of)
    return _snapshot(out)


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


OVERDUE_TASK = "tasks/2026/DB-2026-0004.yaml"
REMINDER = "reminders:\n  - date: 2026-11-26\n    by: chen-jing\n    note: 催办。\n"
EDITS: list[tuple[str, Any]] = [
    ("a progress report", lambda r: _append(r)),
    (
        "an item turning overdue",
        lambda r: _edit(r, OVERDUE_TASK, "deadline: 2026-11-30", "deadline: 2026-11-20"),
    ),
    ("an overdue item's progress report", lambda r: _append(r, "DB-2026-0004")),
    ("an extension approved", lambda r: _edit(r, OVERDUE_TASK, "decision: pending", APPROVED)),
    ("a reminder today", lambda r: _edit(r, TASK, "reminders:\n", REMINDER)),
    ("its note", lambda r: _edit(r, TASK, "note: 催办。", "note: 请加快。")),  # the same standing
    ("a title", lambda r: _edit(r, TASK, "二期工程", "二期工程（调整）")),
    ("a parent's title", lambda r: _edit(r, "tasks/2026/DB-2026-0001.yaml", "推进", "加快推进")),
    ("a unit's name", lambda r: _edit(r, "org/units.yaml", "示例市财政局", "示例市财政局（新）")),
    ("the site's title", lambda r: _edit(r, "duban.yaml", "title: ", "title: 新")),
    ("a removed item", lambda r: (r / "tasks/2026/DB-2026-0004.yaml").unlink()),
    ("an added item", lambda r: _copy_task(r, "tasks/2026/DB-2026-0003.yaml", "DB-2026-0077")),
    ("a commit", lambda r: (_git(r, "add", "-A"), _git(r, "commit", "-q", "-m", "进展"))),
    ("a person's name", lambda r: _edit(r, "org/people.yaml", "张伟", "张伟（新）")),
]


APPROVED = "decision: approved\n    decided: 2026-11-25\n    by: li-ming"


def _append(root: Path, task_id: str = "DB-2026-0001") -> None:
    """A progress report, as `duban update` writes it."""
    env = {"DUBAN_NOW": "2026-11-20T10:00:00+08:00"}
    result = run_cli(
        ["update", task_id, "--root", str(root), "--text", "新进展", "--progress", "70"], env=env
    )
    assert result.exit_code == 0, result.output


def _copy_task(root: Path, rel: str, new_id: str) -> None:
    text = (root / rel).read_text(encoding="utf-8")
    old_id = Path(rel).stem
    (root / rel).with_name(f"{new_id}.yaml").write_text(text.replace(old_id, new_id), encoding="utf-8")


@pytest.fixture
def history(registry: Path) -> Path:
    _git(registry, "init", "-q")
    _git(registry, "add", "-A")
    _git(registry, "commit", "-q", "-m", "登记库")
    return registry


def test_every_warm_build_equals_a_cold_build(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, cold = history / "_site", tmp_path / "cold"
    _build(history, out)
    for name, edit in EDITS:
        edit(history)
        _build(history, out)
        assert _snapshot(out) == _cold(history, cold, monkeypatch), name
    for day in ("2026-11-30", "2026-12-01"):  # other days: every page says so
        _build(history, out, day)
        assert _snapshot(out) == _cold(history, cold, monkeypatch, day), day


def test_a_warm_build_writes_only_what_changed(history: Path) -> None:
    out = history / "_site"
    _build(history, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    _append(history)
    _build(history, out)
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert before.keys() == after.keys()
    rewritten = {p.relative_to(out).as_posix() for p in after if after[p] != before[p]}
    assert f"tasks/{Path(TASK).stem}/index.html" in rewritten
    assert "tasks/DB-2026-0003/index.html" not in rewritten  # another item: untouched
    assert "assets/style.css" not in rewritten
    assert 0 < len(rewritten) < len(after) // 2
    _build(history, out)  # nothing changed: nothing is written
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == after


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered from here on."""
    from duban.site import build as site_build

    rendered: list[str] = []
    original, in_pieces = site_build.render_page, site_build.render_page_pieces

    def recording(context: Any, page: Any) -> bytes:
        rendered.append(page.path)
        return original(context, page)

    def recording_pieces(context: Any, page: Any) -> Any:  # the pages that list items
        rendered.append(page.path)
        return in_pieces(context, page)

    monkeypatch.setattr(site_build, "render_page", recording)
    monkeypatch.setattr(site_build, "render_page_pieces", recording_pieces)
    return rendered


def _bulletins(rendered: list[str]) -> list[str]:
    return sorted(p for p in rendered if p.startswith("bulletins/2"))


def test_a_progress_report_today_renders_no_bulletin_and_a_reminder_only_this_months(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulletin shows an item's standing and its extensions and reminders: a progress report that leaves
    the status as it was changes none of them; a reminder sent today changes this month's bulletin only."""
    out = history / "_site"
    _build(history, out)  # cold: the next build starts from this one's manifest
    bulletins = {p.parent.relative_to(out).as_posix() for p in out.glob("bulletins/*/index.html")}
    assert len(bulletins) > 1
    rendered = _recording(monkeypatch)
    _append(history)
    _build(history, out)
    assert f"tasks/{Path(TASK).stem}/index.html" in rendered
    assert _bulletins(rendered) == []
    rendered.clear()
    _edit(history, TASK, "reminders:\n", REMINDER)
    _build(history, out)
    assert _bulletins(rendered) == [f"bulletins/{AS_OF[:7]}/index.html"]


def test_the_pages_that_sum_up_the_registry_are_rendered_when_what_they_show_changed(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard, the list index, the overdue list (and the other indexes) have keys: a warm build with
    no change renders no page; a progress report on an item that is not overdue leaves the overdue list; an
    item turning overdue renders it and the dashboard again (and this month's bulletin)."""
    out = history / "_site"
    _build(history, out)
    rendered = _recording(monkeypatch)
    _build(history, out)
    assert rendered == []
    _append(history)
    _build(history, out)
    assert {"index.html", "tasks/index.html"} <= set(rendered)  # it is among the recently updated
    assert "overdue/index.html" not in rendered
    assert "units/index.html" not in rendered  # no unit's numbers changed
    rendered.clear()
    _edit(history, OVERDUE_TASK, "deadline: 2026-11-30", "deadline: 2026-11-20")
    _build(history, out)
    assert {"index.html", "tasks/index.html", "overdue/index.html", "units/index.html"} <= set(rendered)
    assert _bulletins(rendered) == [f"bulletins/{AS_OF[:7]}/index.html"]
    rendered.clear()
    _build(history, out, "2026-11-29")  # another day: every page
    assert {"index.html", "tasks/index.html", "overdue/index.html", "404.html"} <= set(rendered)


def test_a_file_changed_behind_dubans_back_is_written_again(history: Path) -> None:
    out = history / "_site"
    _build(history, out)
    page = out / "tasks/DB-2026-0003/index.html"
    original = page.read_bytes()
    page.write_bytes(b"edited by hand")
    _build(history, out)
    assert page.read_bytes() == original


def test_a_warm_build_that_fails_leaves_the_site_as_it_was(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duban.site import build as site_build

    out = history / "_site"
    _build(history, out)
    before = _snapshot(out)
    _edit(history, TASK, "二期工程", "二期工程（调整）")
    _edit(history, "tasks/2026/DB-2026-0003.yaml", "title: ", "title: 改")

    def failing(context: Any, page: Any) -> bytes:
        if page.key == "DB-2026-0003":
            raise OSError(28, "No space left on device")
        return original(context, page)

    original = site_build.render_page
    monkeypatch.setattr(site_build, "render_page", failing)
    day = parse_date(AS_OF)
    assert day is not None
    with pytest.raises(OSError, match="No space"):
        site_build.write_site(out, *_prepared(history, day))
    assert _snapshot(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith("._site")]


def _prepared(root: Path, day: Any) -> tuple[Any, ...]:
    from duban.site import build as site_build

    prepared = site_build._prepare(root, root / "_site", day)
    assert not isinstance(prepared, int)
    return prepared[:3]


def test_a_first_run_writes_packs_of_at_most_pack_size_entries(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process checking every file writes them in packs of PACK_SIZE, not as one huge pack."""
    monkeypatch.setenv(workers.VARIABLE, "1")
    monkeypatch.setattr(cache, "PACK_SIZE", 2)
    expected = _load(registry, use_cache=False)
    assert _load(registry) == expected
    sizes = [len(cache.read_pack(path) or []) for path in _packs(registry)]
    assert len(sizes) > 1 and max(sizes) <= 2
    _nothing_parsed(monkeypatch)
    assert _load(registry) == expected


def test_after_saving_only_other_versions_of_files_are_kept_in_memory(registry: Path) -> None:
    """A load keeps no second reference to what the registry holds; an older version of a changed file can
    still be looked up (a warm build compares it), and saving again writes and removes nothing."""
    load_registry(registry)
    path = registry / TASK
    old_key = ("task", TASK, documents.digest(path.read_bytes()))
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    result = load_registry(registry)
    store = result.store
    assert store is not None and store.live == {} and store.pending == []
    assert store.peek(old_key) is not None
    new_key = ("task", TASK, result.registry.tasks["DB-2026-0001"].digest)
    assert store.peek(new_key) is None  # its data is the registry's
    packs = _packs(registry)
    store.save()
    assert _packs(registry) == packs
    assert _load(registry) == _load(registry, use_cache=False)


# --- the feeds' shares: each item's tasks.json record, calendar events and Atom keys, kept between builds ---


def _shares(root: Path) -> list[Path]:
    return sorted((root / cache.FOLDER / feeds.SHARES_FOLDER).glob("*.shares"))


def _making(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the items whose share is made (not taken from the cache) from here on."""
    made: list[str] = []
    original = feeds._share

    def recording(registry: Any, state: Any, *args: Any) -> Any:
        made.append(state.id)
        return original(registry, state, *args)

    monkeypatch.setattr(feeds, "_share", recording)
    return made


def test_a_warm_build_makes_the_shares_of_changed_items_only(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = history / "_site"
    _build(history, out)
    assert _shares(history)
    made = _making(monkeypatch)
    _build(history, out)
    assert made == []
    _append(history)
    _build(history, out)
    assert made == ["DB-2026-0001"]
    assert _snapshot(out) == _cold(history, tmp_path / "cold", monkeypatch)
    made.clear()
    _build(history, out, "2026-12-01")  # another day: every item's state is another
    assert len(made) == len(set(made)) > 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_shares_file_is_ignored_and_written_again(
    damage: str, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = history / "_site"
    _build(history, out)
    for path in _shares(history):
        data = path.read_bytes()
        damaged = {
            "truncate": data[: len(data) // 2],
            "flip": data[:-1] + bytes([data[-1] ^ 1]),
            "garbage": b"\x00" * len(data),
            "empty": b"",
        }[damage]
        path.write_bytes(damaged)
    _edit(history, TASK, "二期工程", "二期工程（调整）")
    made = _making(monkeypatch)
    _build(history, out)
    assert len(made) > 1  # nothing could be taken from the damaged files
    assert _snapshot(out) == _cold(history, tmp_path / "cold", monkeypatch)
    made.clear()
    _build(history, out)
    assert made == []  # the files were written again, whole


def test_shares_follow_source_date_epoch(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calendar events' DTSTAMP comes from SOURCE_DATE_EPOCH: kept events must not outlive it."""
    out = history / "_site"
    _build(history, out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    _build(history, out)
    assert _snapshot(out) == _cold(history, tmp_path / "cold", monkeypatch)
    assert b"DTSTAMP:20260101T000000Z" in (out / "feeds/deadlines.ics").read_bytes()


def test_feeds_from_kept_shares_equal_feeds_made_afresh(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`render_feeds` with a store, cold and then warm after an edit, gives the bytes it gives without."""
    from duban.engine import evaluate

    assert TODAY is not None
    monkeypatch.setattr(feeds, "RUN_ITEMS", 2)  # several runs, hence files, in a small registry
    store = tmp_path / "shares"
    for round_ in range(3):
        if round_ == 2:
            _edit(registry, TASK, "二期工程", "二期工程（调整）")
        loaded = load_registry(registry, cache=False).registry
        states = evaluate(loaded, TODAY)
        assert feeds.render_feeds(loaded, states, TODAY, store) == feeds.render_feeds(loaded, states, TODAY)
    assert len(list(store.glob("*.shares"))) > 1


def test_shares_are_kept_in_runs_and_a_change_rewrites_its_own_run(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run of items has its file: a build with nothing changed writes none, an edit rewrites its item's
    run only, and the file of a run that is gone is removed."""
    from duban.engine import evaluate

    assert TODAY is not None
    monkeypatch.setattr(feeds, "RUN_ITEMS", 3)  # runs: DB-2025-0007 | 0001 | 0002 0003 | 0004, by their ids
    store = tmp_path / "shares"

    def files(states: list[Any]) -> dict[str, tuple[int, int]]:
        """The shares' files once every share is taken, with inode and time (a rewrite changes both)."""
        for _ in feeds.item_shares(loaded, states, TODAY, store):
            pass
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in store.glob("*.shares")}

    loaded = load_registry(registry, cache=False).registry
    states = evaluate(loaded, TODAY)
    first = files(states)
    assert len(first) == 4
    assert files(states) == first
    _edit(registry, TASK, "二期工程", "二期工程（调整）")
    loaded = load_registry(registry, cache=False).registry
    states = evaluate(loaded, TODAY)
    edited = files(states)
    assert edited.keys() == first.keys()
    assert [name for name in first if edited[name] != first[name]] == [feeds._run_name("DB-2026-0001")]
    fewer = files([state for state in states if state.id != "DB-2026-0001"])
    assert fewer == {name: edited[name] for name in edited if name != feeds._run_name("DB-2026-0001")}


def test_feed_files_are_taken_one_after_the_other(registry: Path) -> None:
    """The calendars are made of what taking tasks.json's pieces gathered: asking for them first is a bug."""
    from duban.engine import evaluate

    assert TODAY is not None
    loaded = load_registry(registry, cache=False).registry
    files = feeds.feed_files(loaded, evaluate(loaded, TODAY), TODAY)
    assert next(files)[0] == "data/tasks.json"
    with pytest.raises(RuntimeError):
        next(files)


def _page_keys(root: Path) -> dict[str, bytes]:
    return _planned(root)[1]


def _planned(root: Path) -> tuple[list[str], dict[str, bytes]]:
    """Every page's path, and the keys of those that have one."""
    from duban.engine import evaluate
    from duban.site.context import build_context
    from duban.site.gitlog import collect_history
    from duban.site.incremental import page_keys
    from duban.site.pages import plan

    assert TODAY is not None
    registry = load_registry(root, cache=False).registry
    context = build_context(registry, evaluate(registry, TODAY), TODAY, collect_history(root))
    pages = plan(context)
    return [page.path for page in pages], page_keys(context, pages)


def test_page_keys_are_the_same_in_every_process_and_follow_the_items_listed(history: Path) -> None:
    """Keys are looked up by the views' identities, but made of the items' keys only: two loads of the same
    registry give the same keys; an edit changes the keys of the pages that list the item, not the others."""
    first = _page_keys(history)
    assert first == _page_keys(history)
    kinds = {path.split("/")[0] for path in first}
    assert {"tasks", "units", "people", "calendar", "bulletins"} <= kinds
    _edit(history, TASK, "二期工程", "二期工程（调整）")
    second = _page_keys(history)
    changed = {path for path in first if first[path] != second.get(path)}
    assert f"tasks/{Path(TASK).stem}/index.html" in changed
    assert any(path.startswith("units/") for path in changed)
    assert "tasks/DB-2026-0003/index.html" not in changed


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_manifest_makes_a_cold_build(
    damage: str, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = history / "_site"
    _build(history, out)
    [manifest] = (history / cache.FOLDER).glob("site-*.manifest")
    data = manifest.read_bytes()
    manifest.write_bytes(
        {"truncate": data[:-7], "flip": data[:40] + bytes([data[40] ^ 1]) + data[41:], "empty": b""}[damage]
    )
    _append(history)
    _build(history, out)
    assert _snapshot(out) == _cold(history, tmp_path / "cold", monkeypatch)
    assert cache.read_sealed(manifest) is not None  # written again, whole


def test_a_warm_build_shares_out_only_the_pages_it_renders(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages whose file is right already are set aside before the work is shared: a warm build that renders
    few pages (what changed) forks no worker."""
    from duban.site import build as site_build

    monkeypatch.setenv(workers.VARIABLE, "2")
    shared: list[tuple[int, int]] = []  # (pages to render, processes)

    def recording(pages: int) -> int:
        shared.append((pages, workers.jobs() if pages >= 20 else 1))
        return shared[-1][1]

    monkeypatch.setattr(site_build, "jobs_for", recording)
    out = history / "_site"
    _build(history, out)
    paths, keys = _planned(history)
    assert shared[-1] == (len(paths), 2)  # cold: every page, shared out
    _build(history, out)
    keyless = [path for path in paths if path not in keys]
    assert shared[-1] == (len(keyless), 1)  # nothing changed: the pages without a key (none), here
    _edit(history, TASK, "二期工程", "二期工程（调整）")
    _build(history, out)
    assert len(keyless) < shared[-1][0] < len(paths)  # and what the edit changed
