"""`duban build`: contract paths, byte-identical rebuilds, a failed build that leaves the old site alone."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

import pytest

from duban.site import build as site_build
from duban.site import pages as site_pages
from duban.site.write import MARKER
from engine_helpers import commit_all, dump, git_repo, run, task, write_registry

AS_OF = "2026-07-01"
REPO_ROOT = Path(__file__).resolve().parent.parent


def small_tasks() -> list[dict[str, Any]]:
    return [
        task(
            "DB-2026-0001",
            title="推进老旧小区改造",
            deadline="2026-06-20",
            milestones=[{"name": "完成摸底", "due": "2026-03-31", "done": "2026-03-30"}],
            updates=[{"date": "2026-05-01", "by": "zhang-wei", "progress": 40, "text": "已完成 **40** 个"}],
        ),
        task(
            "DB-2026-0002",
            parent="DB-2026-0001",
            lead_unit="education",
            owner="feng-chao",
            deadline="2026-12-31",
        ),
        task(
            "DB-2026-0003",
            status="completed",
            deadline="2026-05-31",
            completion={"date": "2026-05-20", "summary": "已办结"},
        ),
    ]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes (the whole state a reader could see)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def build(root: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return run(["build", "--root", str(root), "--out", str(out), "--as-of", AS_OF, *extra], env=env)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    root = write_registry(
        git_repo(tmp_path / "registry"),
        small_tasks(),
        settings={"repository": {"url": "https://git.example.org/office/duban"}},
    )
    commit_all(root, "登记首批督办事项")
    return root


CONTRACT = (
    "index.html",
    "tasks/index.html",
    "overdue/index.html",
    "calendar/index.html",
    "404.html",
    "units/index.html",
    "people/index.html",
    "bulletins/index.html",
    "feeds/deadlines.ics",
    "feeds/updates.atom",
    "data/tasks.json",
    "assets/style.css",
    "assets/print.css",
    "assets/app.js",
    "assets/favicon.svg",
)


def test_build_writes_every_contract_path(registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build(registry, out)
    assert result.exit_code == 0, result.output
    files = snapshot(out)
    for path in CONTRACT:
        assert path in files, path
    for task_id in ("DB-2026-0001", "DB-2026-0002", "DB-2026-0003"):
        assert f"tasks/{task_id}/index.html" in files
    assert {"units/housing/index.html", "units/education/index.html", "people/li-ming/index.html"} <= set(
        files
    )
    assert {
        "bulletins/2026-07/index.html",
        "bulletins/2026-01/index.html",
        "calendar/2026-06/index.html",
    } <= set(files)
    assert MARKER in files


def test_default_output_is_site_in_the_registry(registry: Path) -> None:
    result = run(["build", "--root", str(registry), "--as-of", AS_OF, "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (registry / "_site" / "index.html").is_file()


def test_two_builds_are_byte_identical(registry: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(registry, first).exit_code == 0
    assert build(registry, second).exit_code == 0
    assert snapshot(first) == snapshot(second)
    # and rebuilding over an existing output gives the same bytes again
    assert build(registry, first).exit_code == 0
    assert snapshot(first) == snapshot(second)


def test_source_date_epoch_builds_are_byte_identical(registry: Path, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1782864000"}
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(registry, first, env=env).exit_code == 0
    assert build(registry, second, env=env).exit_code == 0
    assert snapshot(first) == snapshot(second)


def test_schema_error_writes_nothing_and_keeps_the_old_site(registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(registry, out).exit_code == 0
    before = snapshot(out)
    dump(registry / "tasks" / "DB-2026-0004.yaml", task("DB-2026-0004", priority="very-high"))
    result = build(registry, out)
    assert result.exit_code == 1
    assert "DB-2026-0004.yaml" in result.output
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry", "site"]  # no staging folder left behind


def test_failed_build_on_a_new_folder_creates_nothing(registry: Path, tmp_path: Path) -> None:
    (registry / "duban.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    out = tmp_path / "site"
    assert build(registry, out).exit_code == 1
    assert not out.exists()


def test_builds_leave_nothing_frozen_out_of_the_collectors_sight(registry: Path, tmp_path: Path) -> None:
    # `duban serve` builds again and again in one process: what a build froze must be thawed after it,
    # whether it failed or not, or the collector would never see those objects again.
    assert gc.get_freeze_count() == 0
    assert build(registry, tmp_path / "site").exit_code == 0
    assert gc.get_freeze_count() == 0
    dump(registry / "tasks" / "DB-2026-0004.yaml", task("DB-2026-0004", priority="very-high"))
    assert build(registry, tmp_path / "site").exit_code == 1
    assert gc.get_freeze_count() == 0


def test_render_failure_keeps_the_old_site(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    assert build(registry, out).exit_code == 0
    before = snapshot(out)
    calls = 0

    def counting(render: Any) -> Any:
        def failing(context: Any, page: site_pages.Page) -> Any:
            nonlocal calls
            calls += 1
            if calls > 5:
                raise OSError(28, "No space left on device")
            return render(context, page)

        return failing

    # Item pages, and the pages that list items (written in pieces).
    monkeypatch.setattr(site_build, "render_page", counting(site_pages.render_page))
    monkeypatch.setattr(site_build, "render_page_pieces", counting(site_pages.render_page_pieces))
    # Another day, so that the warm build renders every page again (with no change it would render none).
    result = build(registry, out, "--as-of", "2026-07-02")
    assert calls > 5
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry", "site"]


def test_pages_that_list_items_drop_their_caches_group_by_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The item rows are kept until the last page that shows them, the bulletins' cells until the last
    bulletin: then dropped, before the next group of pages (the rows are 170 MB at 100,000 items)."""
    monkeypatch.setenv("DUBAN_CACHE", "off")
    monkeypatch.setenv("DUBAN_JOBS", "1")  # every page rendered here, where the recorder sees it
    seen: list[tuple[int, bool, bool]] = []  # (group, rows kept, bulletin cells kept) as each page starts
    original = site_build.render_page_pieces

    def recording(context: Any, page: site_pages.Page) -> Any:
        cells = any(key[0].startswith("bulletin-") for key in context.row_cache)
        seen.append((site_build._group(page), bool(context.row_parts), cells))
        return original(context, page)

    monkeypatch.setattr(site_build, "render_page_pieces", recording)
    assert site_build.build_site(Path(request.config.rootpath), tmp_path / "site", dt.date(2026, 11, 30)) == 0
    groups = [group for group, _, _ in seen]
    assert groups == sorted(groups)
    assert set(groups) == {0, 1, 2}
    first_bulletin, first_other = groups.index(1), groups.index(2)
    assert seen[first_bulletin - 1][1]  # the rows, kept while their pages are rendered
    assert not seen[first_bulletin][1]
    assert seen[first_other - 1][2]
    assert not any(cells for _, _, cells in seen[first_other:])


def test_refuses_to_replace_a_folder_it_did_not_write(registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "README.md").write_text("不是生成的站点", encoding="utf-8")
    result = build(registry, out)
    assert result.exit_code == 2
    assert "refusing" in result.output
    assert snapshot(out) == {"README.md": "不是生成的站点".encode()}


def test_refuses_the_registry_itself_as_output(registry: Path) -> None:
    result = build(registry, registry)
    assert result.exit_code == 2
    assert (registry / "duban.yaml").is_file()


def test_as_of_leaves_out_items_not_assigned_yet(registry: Path, tmp_path: Path) -> None:
    dump(
        registry / "tasks" / "DB-2026-0009.yaml",
        task("DB-2026-0009", assigned="2026-08-01", deadline="2026-12-31"),
    )
    out = tmp_path / "site"
    assert build(registry, out).exit_code == 0
    assert not (out / "tasks" / "DB-2026-0009").exists()
    later = tmp_path / "later"
    result = run(["build", "--root", str(registry), "--out", str(later), "--as-of", "2026-08-02"])
    assert result.exit_code == 0, result.output
    assert (later / "tasks" / "DB-2026-0009" / "index.html").is_file()


@pytest.mark.slow
def test_demo_registry_builds_every_item(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run(["build", "--root", str(REPO_ROOT), "--out", str(out), "--as-of", "2026-11-28", "--quiet"])
    assert result.exit_code == 0, result.output
    task_files = sorted(p.stem for p in (REPO_ROOT / "tasks").rglob("*.yaml"))
    built = sorted(p.parent.name for p in (out / "tasks").glob("*/index.html") if p.parent.name != "all")
    assert built == task_files
    for path in CONTRACT:
        assert (out / path).is_file(), path


def test_empty_registry_builds(tmp_path: Path) -> None:
    root = write_registry(tmp_path / "empty", [])
    out = tmp_path / "site"
    assert build(root, out).exit_code == 0
    assert {"index.html", "tasks/index.html", "calendar/index.html", "bulletins/index.html"} <= set(
        snapshot(out)
    )


def test_refuses_a_registry_folder_as_output(registry: Path) -> None:
    before = snapshot(registry / "tasks")
    result = build(registry, registry / "tasks")
    assert result.exit_code == 2
    assert snapshot(registry / "tasks") == before
