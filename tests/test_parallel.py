"""Files read by worker processes give exactly what one process gives: the same data, problems and site.

The commands run as subprocesses (a clean process can fork; the test process may run other threads), on a
registry large enough for workers to start (documents.PARALLEL_MIN files), with good and broken files mixed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from duban import cache, documents, locate, workers
from validation_helpers import AS_OF, build_registry, minimal_task, write_file

COUNT = documents.PARALLEL_MIN + 60
BROKEN: dict[int, str | bytes | None] = {
    7: "id: [unclosed\n",  # a syntax error
    8: "title: 只有标题\n",  # missing keys
    9: None,  # the wrong id (id-mismatch)
    10: minimal_task("DB-2026-1010", deadline="2026-02-30"),  # an impossible date
    11: minimal_task("DB-2026-1011", lead_unit="housin"),  # an unknown unit
    12: minimal_task("DB-2026-1012", status="completed"),  # completion required
    13: "id: DB-2026-1013\nid: DB-2026-1013\n",  # a duplicate key
    14: b"\xd6\xd0\xce\xc4: \xb2\xe2\xca\xd4\n",  # GBK, not UTF-8
}


def _many_tasks(root: Path, broken: dict[int, str | bytes | None]) -> Path:
    for number in range(1000, 1000 + COUNT):
        rel = f"tasks/2026/many/DB-2026-{number}.yaml"
        text = broken.get(number - 1000, "")
        if isinstance(text, bytes):
            (root / rel).write_bytes(text)
        elif text:
            write_file(root, rel, text)
        else:
            task_id = "DB-2026-9999" if number - 1000 in broken else f"DB-2026-{number}"
            write_file(root, rel, minimal_task(task_id, title=f"第{number}号事项", owner="zhang-wei"))
    return root


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good files and every kind of broken one, well past the number that starts workers."""
    return _many_tasks(build_registry(None, tmp_path_factory.mktemp("parallel") / "registry"), BROKEN)


def _duban(root: Path, jobs: int, cache_folder: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, workers.VARIABLE: str(jobs), cache.VARIABLE: cache_folder}
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "duban", *args, "--root", str(root), "--as-of", AS_OF]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def _validate(root: Path, jobs: int, cache_folder: str = "off") -> list[dict[str, object]]:
    completed = _duban(root, jobs, cache_folder, "validate", "--format", "json")
    assert completed.returncode == 1, completed.stderr
    problems: list[dict[str, object]] = json.loads(completed.stdout)["problems"]
    return problems


def test_workers_find_the_same_problems_as_one_process(registry: Path) -> None:
    serial = _validate(registry, jobs=1)
    assert {p["code"] for p in serial} >= {"yaml-syntax", "missing-key", "bad-date", "unknown-unit"}
    assert {p["code"] for p in serial} >= {"id-mismatch", "duplicate-key", "not-utf8", "completion-required"}
    assert _validate(registry, jobs=2) == serial
    assert _validate(registry, jobs=3) == serial


def test_workers_fill_the_cache_and_a_warm_run_agrees(registry: Path, tmp_path: Path) -> None:
    serial = _validate(registry, jobs=1)
    folder = tmp_path / "cache"
    assert _validate(registry, jobs=2, cache_folder=str(folder)) == serial
    packs = list(folder.glob("v-*/*.pack"))
    assert len(packs) > 2  # one per chunk a worker checked: the workers did run
    assert _validate(registry, jobs=2, cache_folder=str(folder)) == serial


def test_status_is_the_same_with_workers(tmp_path: Path) -> None:
    root = _many_tasks(build_registry(None, tmp_path / "registry"), {})
    outputs = [_duban(root, jobs, "off", "status", "--format", "json") for jobs in (1, 2)]
    assert outputs[0].returncode == 0, outputs[0].stderr
    assert len(json.loads(outputs[0].stdout)["tasks"]) > documents.PARALLEL_MIN
    assert outputs[1].stdout == outputs[0].stdout


def test_check_locates_findings_in_workers_as_one_process_does(tmp_path: Path) -> None:
    """`duban check` reads every file with a finding again for its lines: shared by workers past
    locate.PARALLEL_MIN files, with the same output."""
    root = build_registry(None, tmp_path / "registry")
    for number in range(1000, 1000 + locate.PARALLEL_MIN + 60):
        task = minimal_task(f"DB-2026-{number}", deadline="2026-03-31", owner="zhang-wei")
        write_file(root, f"tasks/2026/many/DB-2026-{number}.yaml", "# 逾期事项\n" + task)
    outputs = [_duban(root, jobs, "off", "check", "--format", "json") for jobs in (1, 2)]
    assert outputs[0].returncode == 1, outputs[0].stderr  # overdue items fail the check
    findings = json.loads(outputs[0].stdout)["findings"]
    many = [f for f in findings if "/many/" in f["file"]]
    assert len(many) > locate.PARALLEL_MIN
    assert {(f["finding"], f["line"]) for f in many} == {("overdue", 7)}  # the deadline, after the comment
    assert outputs[1].stdout == outputs[0].stdout


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_sites_rendered_by_workers_are_byte_identical(tmp_path: Path) -> None:
    root = _many_tasks(build_registry(None, tmp_path / "registry"), {})
    sites = []
    for jobs in (1, 2, 3):
        out = tmp_path / f"site-{jobs}"
        completed = _duban(root, jobs, "off", "build", "--out", str(out), "--quiet")
        assert completed.returncode == 0, completed.stderr
        sites.append(_snapshot(out))
    assert len(sites[0]) > documents.PARALLEL_MIN
    assert sites[1] == sites[0]
    assert sites[2] == sites[0]


# Parents and children in other chunks of the item pages' workers (duban.site.items.CHUNK items each), and
# one child assigned after the as-of day: a worker makes each page from its items, their parents and children.
FAMILY: dict[int, str | bytes | None] = {
    **{
        n: minimal_task(f"DB-2026-{1000 + n}", parent="DB-2026-1000", leader="li-ming") for n in (3, 170, 340)
    },
    5: minimal_task("DB-2026-1005", parent="DB-2026-1450"),
    399: minimal_task("DB-2026-1399", parent="DB-2026-1000", assigned="2026-12-20", deadline="2027-03-31"),
    450: minimal_task("DB-2026-1450", parent="DB-2026-1003", owner="zhang-wei"),
}


def test_item_pages_by_workers_show_parents_and_children_from_other_chunks(tmp_path: Path) -> None:
    root = _many_tasks(build_registry(None, tmp_path / "registry"), FAMILY)
    sites = []
    for jobs in (1, 2):
        out = tmp_path / f"site-{jobs}"
        completed = _duban(root, jobs, "off", "build", "--out", str(out), "--quiet")
        assert completed.returncode == 0, completed.stderr
        sites.append(_snapshot(out))
    assert sites[1] == sites[0]
    parent = sites[0]["tasks/DB-2026-1000/index.html"].decode("utf-8")
    assert all(f"DB-2026-{n}/index.html" in parent for n in (1003, 1170, 1340))
    assert "DB-2026-1399" not in parent  # assigned after the day: not on the site yet


FAILING_ITEM_SCRIPT = """
import sys
from pathlib import Path
from duban.dates import parse_date
from duban.site import build, items
started = []
start = build.start_items
build.start_items = lambda *args: started.append(1) or start(*args)
def failing(render):
    def render_page(context, page):
        if page.key == "DB-2026-1200":
            raise OSError(28, "No space left on device")
        return render(context, page)
    return render_page
build.render_page, items.render_page = failing(build.render_page), failing(items.render_page)
code = build.build_site(Path(sys.argv[1]), Path(sys.argv[2]), parse_date(sys.argv[3]), quiet=True)
print(code, started)
"""


def test_an_item_page_failing_in_a_worker_leaves_the_old_site(tmp_path: Path) -> None:
    root = _many_tasks(build_registry(None, tmp_path / "registry"), {})
    out = tmp_path / "site"
    assert _duban(root, 1, "off", "build", "--out", str(out), "--quiet").returncode == 0
    before = _snapshot(out)
    env = {**os.environ, workers.VARIABLE: "2", cache.VARIABLE: "off"}  # no manifest: a first build, workers
    command = [sys.executable, "-c", FAILING_ITEM_SCRIPT, str(root), str(out), AS_OF]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert completed.stdout.split("\n")[-2] == "1 [1]", completed.stderr
    assert "No space left on device" in completed.stderr
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry", "site"]  # no staging folder left


def test_a_warm_build_by_workers_equals_a_cold_one(tmp_path: Path) -> None:
    root = _many_tasks(build_registry(None, tmp_path / "registry"), {})
    out, cache_folder = tmp_path / "site", str(tmp_path / "cache")
    assert _duban(root, 2, cache_folder, "build", "--out", str(out), "--quiet").returncode == 0
    path = root / "tasks/2026/many/DB-2026-1003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("第1003号事项", "第1003号事项（改）"), "utf-8")
    assert _duban(root, 2, cache_folder, "build", "--out", str(out), "--quiet").returncode == 0
    cold = tmp_path / "cold"
    assert _duban(root, 1, "off", "build", "--out", str(cold), "--quiet").returncode == 0
    assert _snapshot(out) == _snapshot(cold)


WORKERS_SCRIPT = """
import os, sys, time
from duban import workers
assert workers.can_fork(2)
def square(n):
    time.sleep(0.02)  # long enough for every process to take some
    if n == int(sys.argv[1]):
        raise OSError(28, "No space left on device")
    return n * n, os.getpid()
try:
    results = list(workers.run(square, list(range(40)), 3))
except OSError as error:
    print("OSError", error.errno)
else:
    print(sorted(r[0] for r in results) == [n * n for n in range(40)], len({r[1] for r in results}) > 1)
"""


@pytest.mark.parametrize(("failing", "expected"), [(-1, "True True"), (17, "OSError 28")])
def test_workers_run_every_job_once_and_pass_errors_on(failing: int, expected: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", WORKERS_SCRIPT, str(failing)], capture_output=True, text=True, check=False
    )
    assert completed.stdout.strip() == expected, completed.stderr


OWN_SCRIPT = """
import os, time
from duban import workers
def job(n):
    time.sleep(0.01)
    return n, os.getpid()
results = list(workers.run(job, list(range(30)), 2, own=10))
here = os.getpid()
print(sorted(n for n, _ in results) == list(range(30)),
      all(pid == here for n, pid in results if n < 10),
      any(pid != here for n, pid in results if n >= 10))
"""


CREW_SCRIPT = """
import os, sys, time
from duban import workers
def job(n):
    started = time.monotonic()
    time.sleep(0.01)
    if n == int(sys.argv[1]):
        raise OSError(28, "No space left on device")
    return n, os.getpid(), started
crew = workers.Crew(job, list(range(40)), 2)
try:
    time.sleep(0.2)  # this process does something else meanwhile
    joined = time.monotonic()
    results = list(crew.join(job))
except OSError as error:
    print("OSError", error.errno)
else:
    here = os.getpid()
    print(sorted(n for n, _, _ in results) == list(range(40)),
          any(pid != here and started < joined for _, pid, started in results),
          any(pid == here for _, pid, _ in results))
finally:
    crew.close()
"""


@pytest.mark.parametrize(("failing", "expected"), [(-1, "True True True"), (37, "OSError 28")])
def test_a_crew_works_while_this_process_does_something_else(failing: int, expected: str) -> None:
    """Workers forked early (duban.workers.Crew) start at once; `join` shares what is left with them."""
    completed = subprocess.run(
        [sys.executable, "-c", CREW_SCRIPT, str(failing)], capture_output=True, text=True, check=False
    )
    assert completed.stdout.strip() == expected, completed.stderr


def test_the_jobs_a_process_owns_are_done_by_it_while_the_workers_take_the_rest() -> None:
    # The first `own` jobs (pages listing every item) stay in this process: a worker that took one would
    # copy the memory of every item (duban.workers.run).
    completed = subprocess.run(
        [sys.executable, "-c", OWN_SCRIPT], capture_output=True, text=True, check=False
    )
    assert completed.stdout.strip() == "True True True", completed.stderr
