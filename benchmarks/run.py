"""Time duban against Hugo and check-jsonschema on the same synthetic registries, side by side in one run.

    .venv/bin/python benchmarks/run.py                       # N = 1000 and 10000, 3 runs of each command
    .venv/bin/python benchmarks/run.py --sizes 1000 10000 100000 --repeat 3
    .venv/bin/python benchmarks/run.py --sizes 10000 --only build --repeat 5

For each N the registry is generated (benchmarks/generate.py, deterministic) into --work, with the same tasks
as a Hugo site, and committed to a git repository (duban build reads the history). Every command runs as a
subprocess, --repeat times for its wall time (round by round: each round runs every command of every size
once, so that a machine that slows down weighs on every tool and every size alike), then once more for the
peak memory of its whole process tree (Pss and Rss from /proc/PID/smaps_rollup of the process and all its
descendants, polled every 20 ms; the polling would slow the timed runs down on a two-core machine). Pss counts
a page shared by several processes once, split between them: it is the honest total for duban's forked
workers; Rss counts shared pages again in each process. Hugo is one process (Pss ≈ Rss).

Commands: duban --help; validate cold (no cache) and warm (cache filled, nothing changed); check, status and
report (warm); build cold (no cache, no previous site), warm (cache and site from the previous build, one
task file changed) and as in CI (the read cache restored into a new checkout: no previous site); hugo
(always cold: it keeps no cache between runs); check-jsonschema on every task file with
schema/task.schema.json; and, with --browser, the time until the task list of the built site is usable in
headless Chromium.

Results: benchmarks/out/results.json and results.md (git-ignored); docs/performance.md quotes them. The
medians are compared; the fastest run is kept too. Benchmarks are never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - the generator lives next to this script

AS_OF = "2026-11-30"
DUBAN = REPO / ".venv" / "bin" / "duban"
PYTHON = REPO / ".venv" / "bin" / "python"
CHECK_JSONSCHEMA_CANDIDATES = ("/tmp/cjs/bin/check-jsonschema", "check-jsonschema")
CJS_BATCH = 10_000  # files per check-jsonschema call: 100,000 paths would not fit in one command line
POLL_SECONDS = 0.02
MIB = 1024 * 1024


@dataclass
class Run:
    seconds: float
    pss_mib: float
    rss_mib: float
    returncode: int
    cpu_s: float = 0.0  # user + system time of the whole process tree: steadier than wall time on a shared VM


@dataclass
class Result:
    n: int
    name: str
    tool: str
    argv: list[str]
    runs: list[Run] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # what else a run reported (browser: sizes, search)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run.cpu_s for run in self.runs)

    @property
    def best(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def pss(self) -> float:
        return max(run.pss_mib for run in self.runs)

    @property
    def rss(self) -> float:
        return max(run.rss_mib for run in self.runs)

    def summary(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "median_s": round(self.median, 3),
            "best_s": round(self.best, 3),
            "peak_pss_mib": round(self.pss, 1),
            "peak_rss_mib": round(self.rss, 1),
        }


# --- measuring one command ---


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            text = (task / "children").read_text(encoding="ascii")
        except OSError:
            continue
        found += [int(child) for child in text.split()]
    return found


def _tree(pid: int) -> list[int]:
    pids, index = [pid], 0
    while index < len(pids):
        pids += _children(pids[index])
        index += 1
    return pids


def _memory(pid: int) -> tuple[int, int]:
    """(Pss, Rss) in bytes of one process; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0, 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1]) * 1024
        elif line.startswith("Rss:"):
            rss = int(line.split()[1]) * 1024
    return pss, rss


class Peak:
    """Polls the process tree of `pid` in a thread and keeps the highest sums seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.pss, self.rss = pid, 0, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.done.is_set():
            pss = rss = 0
            for pid in _tree(self.pid):
                one_pss, one_rss = _memory(pid)
                pss, rss = pss + one_pss, rss + one_rss
            self.pss, self.rss = max(self.pss, pss), max(self.rss, rss)
            self.done.wait(POLL_SECONDS)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None, *, memory: bool = True) -> Run:
    """One run of `argv`: its wall time, and with `memory` the peak Pss and Rss of its process tree.

    Reading /proc/PID/smaps_rollup walks the process's page tables: on a two-core machine the polling would
    slow down the measured command (a few percent, more for commands with several processes), so timed runs
    do not poll (`memory=False`) and the peak comes from a run of its own.
    """
    environment = {**os.environ, **(env or {})}
    # Children's times count descendants that were waited for: duban's forked workers included.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = Peak(process.pid) if memory else None
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if peak is not None:
        peak.stop()
    if process.returncode not in (0, 1):
        print(stderr.decode("utf-8", "replace")[-2000:], file=sys.stderr)
    pss, rss = (peak.pss / MIB, peak.rss / MIB) if peak is not None else (0.0, 0.0)
    return Run(round(seconds, 3), round(pss, 1), round(rss, 1), process.returncode, round(cpu, 3))


# ext4 without a journal (this machine's disk) skips every free inode freed in the last 60 seconds (360 while
# the inode's table block is not written back) before it hands one out (`recently_deleted` in its inode
# allocator, seen with `perf`): a run that creates 20,000 files and folders after others were removed spends
# seconds of system time skipping them, more with every removal still in the window. So nothing is removed
# during a run: outputs are moved into a trash folder (a rename frees no inode), emptied before the first run
# (followed by one wait out of the window) and after the last.
RECENTLY_DELETED_SECONDS = 61
_trash: Path | None = None


def open_trash(work: Path) -> None:
    """Empty the trash of an earlier run, write everything back, and wait out the window once."""
    global _trash
    _trash = work / ".trash"
    shutil.rmtree(_trash, ignore_errors=True)
    _trash.mkdir(parents=True)
    os.sync()
    time.sleep(RECENTLY_DELETED_SECONDS)


def empty_trash() -> None:
    if _trash is not None:
        shutil.rmtree(_trash, ignore_errors=True)


def remove_tree(folder: Path) -> None:
    """Take an output folder out of the way: into the trash, or removed when there is none (see above)."""
    if not folder.exists():
        return
    if _trash is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    folder.rename(_trash / f"{len(list(_trash.iterdir()))}-{folder.name}")


def settle() -> None:
    """Let the disk catch up with the previous run before the next one: otherwise a run that writes 10,000
    files pays for the write-back of the last one."""
    os.sync()
    time.sleep(1.0)


def measured(argv: list[str], cwd: Path, before: Callable[[int], None], repeat: int) -> list[Run]:
    """`repeat` timed runs, then one more for the peak memory (reported with every run's time)."""
    runs = []
    for round_ in range(repeat):
        before(round_ + 1)
        settle()
        runs.append(measure(argv, cwd, memory=False))
    before(repeat + 1)
    settle()
    peak = measure(argv, cwd, memory=True)
    return [replace(run, pss_mib=peak.pss_mib, rss_mib=peak.rss_mib) for run in runs]


# --- the data ---


def prepare(n: int, work: Path) -> tuple[Path, Path]:
    """The registry and Hugo site of N tasks, generated once per generator version and committed to git."""
    stamp = str(hash_file(HERE / "generate.py"))
    registry, hugo = work / f"registry-{n}", work / f"hugo-{n}"
    marker = registry / ".bench-stamp"
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp and hugo.is_dir():
        return registry, hugo
    for folder in (registry, hugo):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {n} tasks into {registry} …", flush=True)
    generate.generate(n, registry, hugo)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=registry, check=True)
    subprocess.run([*git, "add", "-A"], cwd=registry, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "benchmark registry"], cwd=registry, check=True)
    (registry / ".git" / "info" / "exclude").write_text(".bench-stamp\n.duban-cache/\n_site/\n", "utf-8")
    marker.write_text(stamp, encoding="utf-8")
    return registry, hugo


def hash_file(path: Path) -> str:
    import hashlib

    return hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()


def task_files(registry: Path) -> list[str]:
    return sorted(path.relative_to(registry).as_posix() for path in (registry / "tasks").rglob("*.yaml"))


def touch_one_task(registry: Path, round_: int) -> None:
    """Change one task file the way offices change them most: a progress report, written by `duban update`
    as of the benchmark's day (a different one each round)."""
    env = {**os.environ, "DUBAN_NOW": f"{AS_OF}T10:00:00+08:00"}
    text = f"第{round_}次报送：已完成阶段性任务，正在组织验收。"
    command = [str(DUBAN), "update", "DB-2026-00002", "--text", text, "--progress", str(min(99, 50 + round_))]
    subprocess.run(command, cwd=registry, env=env, check=True, capture_output=True)


# --- the scenarios ---


def duban(*args: str) -> list[str]:
    return [str(DUBAN), *args]


Scenario = tuple[str, str, list[str], Path, Callable[[int], None]]  # name, tool, argv, cwd, before each run


def scenarios(registry: Path, hugo: Path, work: Path) -> list[Scenario]:
    """(name, tool, argv, cwd, what to do before each run)."""
    cache, site, hugo_out = registry / ".duban-cache", registry / "_site", work / f"hugo-out-{registry.name}"

    def clear_cache(_: int) -> None:
        remove_tree(cache)

    def clear_all(_: int) -> None:
        remove_tree(cache)
        remove_tree(site)

    def nothing(_: int) -> None:
        return None

    def change_one(round_: int) -> None:
        touch_one_task(registry, round_)

    def clear_site(_: int) -> None:
        remove_tree(site)

    def clear_hugo(_: int) -> None:
        remove_tree(hugo_out)

    as_of = ("--as-of", AS_OF)
    return [
        ("validate-cold", "duban", duban("validate", *as_of), registry, clear_cache),
        ("validate-warm", "duban", duban("validate", *as_of), registry, nothing),
        ("check", "duban", duban("check", *as_of, "--format", "json"), registry, nothing),
        ("status", "duban", duban("status", *as_of, "--format", "json"), registry, nothing),
        ("report-units", "duban", duban("report", "units", *as_of, "--format", "json"), registry, nothing),
        ("build-cold", "duban", duban("build", *as_of, "--quiet"), registry, clear_all),
        ("build-warm", "duban", duban("build", *as_of, "--quiet"), registry, change_one),
        # What CI does with the read cache restored (the workflows of `duban init` restore it) into a new
        # checkout: no site yet, every page rendered, no file parsed or checked again.
        ("build-ci", "duban", duban("build", *as_of, "--quiet"), registry, clear_site),
        ("hugo", "hugo", ["hugo", "--quiet", "-d", str(hugo_out)], hugo, clear_hugo),
    ]


def check_jsonschema() -> str | None:
    for candidate in CHECK_JSONSCHEMA_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def run_check_jsonschema(program: str, registry: Path, memory: bool) -> Run:
    """check-jsonschema on every task file, with the task schema; in batches whose times add up (one
    command line cannot hold 100,000 paths). Dates stay strings in its YAML loader, as in duban."""
    files = task_files(registry)
    total = Run(0.0, 0.0, 0.0, 0)
    for start in range(0, len(files), CJS_BATCH):
        argv = [program, "--schemafile", "schema/task.schema.json", *files[start : start + CJS_BATCH]]
        run = measure(argv, registry, memory=memory)
        total = Run(
            round(total.seconds + run.seconds, 3),
            max(total.pss_mib, run.pss_mib),
            max(total.rss_mib, run.rss_mib),
            max(total.returncode, run.returncode),
            round(total.cpu_s + run.cpu_s, 3),
        )
    return total


def compile_bytecode() -> None:
    """duban's modules compiled to bytecode first, as `pip install` does and as a first run does where Python
    may write it: with PYTHONDONTWRITEBYTECODE set (this machine sets it), every run would compile them from
    source again (~0.2 s a command, which the third-party packages, compiled when installed, never pay)."""
    import compileall

    package = REPO / "generator" / "duban"
    if not compileall.compile_dir(str(package), quiet=1):
        raise SystemExit(f"cannot compile {package}")


def read_inputs(*folders: Path) -> None:
    """Read every input file once, so that no tool's first run pays for reading them from the disk: after a
    large generation or removal the page cache may hold none of them (100,000 files: a cold `validate` took
    26 s instead of 14)."""
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not {"_site", ".duban-cache", "public"} & set(path.parts):
                path.read_bytes()


@dataclass
class Size:
    """One registry size of a run: its commands (`scenarios`, those asked for) and their results."""

    n: int
    registry: Path
    repeat: int
    plan: list[Scenario]
    results: list[Result]


def plan_size(n: int, work: Path, repeat: int, only: set[str] | None) -> Size:
    registry, hugo = prepare(n, work)
    # The registry as generated: warm builds of earlier runs added progress reports.
    subprocess.run(["git", "checkout", "-q", "--", "tasks"], cwd=registry, check=True)
    read_inputs(registry, hugo)
    plan = [s for s in scenarios(registry, hugo, work) if only is None or s[0].split("-")[0] in only]
    if shutil.which("hugo") is None:
        plan = [s for s in plan if s[1] != "hugo"]
    return Size(n, registry, repeat, plan, [Result(n, name, tool, argv) for name, tool, argv, _, _ in plan])


def timed_rounds(sizes: list[Size]) -> None:
    """Round by round, every command of every size once per round: a machine that slows down (or speeds up)
    during the benchmark weighs on duban and Hugo alike, and on the 10,000 and 100,000 items alike (their
    ratio is a target). Each round keeps the order warm commands need."""
    for round_ in range(max(size.repeat for size in sizes)):
        for size in sizes:
            if round_ < size.repeat:
                for result, (_, _, argv, cwd, before) in zip(size.results, size.plan, strict=True):
                    before(round_ + 1)
                    settle()
                    result.runs.append(measure(argv, cwd, memory=False))


def finish_size(size: Size, only: set[str] | None, browser: bool) -> list[Result]:
    """One more run of each command for its peak memory; check-jsonschema and the browser."""
    results, registry = size.results, size.registry
    for result, (_, _, argv, cwd, before) in zip(results, size.plan, strict=True):
        before(size.repeat + 1)
        settle()
        peak = measure(argv, cwd, memory=True)
        result.runs = [replace(r, pss_mib=peak.pss_mib, rss_mib=peak.rss_mib) for r in result.runs]
        print(_line(result), flush=True)
    program = check_jsonschema()
    if program and (only is None or "check-jsonschema" in only):
        result = Result(size.n, "check-jsonschema", "check-jsonschema", [program, "--schemafile", "…"])
        # One run at 100,000 files (about ten minutes), with the memory polled: its long run hardly notices.
        rounds = 1 if size.n > 10_000 else size.repeat
        result.runs = [run_check_jsonschema(program, registry, memory=rounds == 1) for _ in range(rounds)]
        if rounds > 1:
            peak = run_check_jsonschema(program, registry, memory=True)
            result.runs = [replace(r, pss_mib=peak.pss_mib, rss_mib=peak.rss_mib) for r in result.runs]
        print(_line(result), flush=True)
        results.append(result)
    if browser and (only is None or "browser" in only):
        results.append(browser_result(size.n, registry, size.repeat))
    # Left as generated: other tools (and byte-for-byte comparisons of sites) use the same registry.
    subprocess.run(["git", "checkout", "-q", "--", "tasks"], cwd=registry, check=True)
    return results


def browser_result(n: int, registry: Path, repeat: int) -> Result:
    """The task list of the built site, opened from file:// in headless Chromium (benchmarks/browser.py)."""
    argv = [str(PYTHON), str(HERE / "browser.py"), str(registry / "_site")]
    result = Result(n, "browser-task-list", "chromium", argv)
    for _ in range(repeat):
        completed = subprocess.run(argv, capture_output=True, text=True, check=False)
        try:
            report = json.loads(completed.stdout)
            seconds = float(report["usable_s"])
        except (ValueError, KeyError):
            print(completed.stderr[-2000:], file=sys.stderr)
            report, seconds = {}, float("nan")
        result.runs.append(Run(round(seconds, 3), 0.0, 0.0, completed.returncode))
        result.extra = {key: [*result.extra.get(key, []), value] for key, value in report.items()}
    print(_line(result), flush=True)
    return result


def bench_help(repeat: int) -> Result:
    result = Result(0, "help", "duban", duban("--help"))
    result.runs = measured(result.argv, REPO, lambda _: None, max(repeat, 5))
    print(_line(result), flush=True)
    return result


def _line(result: Result) -> str:
    return (
        f"N={result.n:>6} {result.name:<18} median {result.median:8.3f} s  best {result.best:8.3f} s  "
        f"peak Pss {result.pss:7.1f} MiB  Rss {result.rss:7.1f} MiB  exit {result.runs[-1].returncode}"
    )


# --- the machine and the report ---


def _version(argv: list[str]) -> str:
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return "not installed"
    return (
        (completed.stdout or completed.stderr).strip().splitlines()[0] if completed.returncode == 0 else "?"
    )


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        if line.startswith("MemTotal")
    )
    libraries = subprocess.run(
        [
            str(PYTHON),
            "-c",
            "import importlib.metadata as m, yaml, json; print(json.dumps({n: m.version(n) for n in "
            "('pyyaml', 'jsonschema', 'fastjsonschema', 'jinja2', 'markupsafe', 'click')} | "
            "{'libyaml': yaml.__with_libyaml__ and __import__('yaml._yaml')._yaml.get_version_string()}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cjs = check_jsonschema()
    return {
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": _version([str(PYTHON), "--version"]),
        "libraries": json.loads(libraries.stdout),
        "hugo": _version(["hugo", "version"]),
        "check_jsonschema": _version([cjs, "--version"]) if cjs else "not installed",
        "chromium": _version(["/usr/bin/chromium", "--version"]),
        "load_average_before": os.getloadavg(),
    }


def markdown(results: list[Result], info: dict[str, Any]) -> str:
    lines = [
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['memory_gib']} GiB, {info['python']}, "
        f"{info['hugo']}, {info['check_jsonschema']}",
        "",
        "| N | command | median s | best s | median CPU s | peak Pss MiB | peak Rss MiB | runs |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result.n} | {result.name} | {result.median:.3f} | {result.best:.3f} | {result.cpu:.2f} | "
            f"{result.pss:.1f} | "
            f"{result.rss:.1f} | {len(result.runs)} |"
        )
    lines += ["", *ratios(results)]
    return "\n".join(lines) + "\n"


def ratios(results: list[Result]) -> list[str]:
    """The issue's targets, as ratios of medians (and of peak Pss)."""
    by = {(r.n, r.name): r for r in results}
    lines = []
    for n in sorted({r.n for r in results if r.n}):
        hugo, cold, warm = by.get((n, "hugo")), by.get((n, "build-cold")), by.get((n, "build-warm"))
        cjs, validate = by.get((n, "check-jsonschema")), by.get((n, "validate-cold"))
        if hugo and cold:
            lines.append(
                f"- N={n}: build cold / Hugo = {cold.median / hugo.median:.2f}x time (target ≤ 0.5), "
                f"{cold.pss / hugo.pss:.2f}x peak memory (target ≤ 0.25); CPU time {cold.cpu / hugo.cpu:.2f}x"
            )
        if hugo and warm:
            lines.append(f"- N={n}: build warm / Hugo cold = {warm.median / hugo.median:.3f}x (target ≤ 0.1)")
        if cjs and validate:
            speedup = cjs.median / validate.median
            lines.append(f"- N={n}: check-jsonschema / validate cold = {speedup:.1f}x (target ≥ 25)")
    small, large = by.get((10_000, "build-cold")), by.get((100_000, "build-cold"))
    if small and large:
        lines.append(
            f"- build cold 100k / 10k = {large.median / small.median:.1f}x (target ≤ 11), "
            f"100k peak Pss {large.pss:.0f} MiB (target < 1024)"
        )
    for result in results:
        if result.name == "browser-task-list" and result.extra:
            lines.append(_browser_line(result))
    if (0, "help") in by:
        lines.append(f"- duban --help: {by[(0, 'help')].median:.3f} s (target < 0.15)")
    return lines


def _browser_line(result: Result) -> str:
    extra, kib = result.extra, 1024
    search = statistics.median(extra["search_s"])
    list_page, dashboard = extra["list_bytes"][0] / kib, extra["dashboard_bytes"][0] / kib
    item = extra["largest_item_page_bytes"][0] / kib
    return (
        f"- N={result.n}: task list usable in {result.median:.2f} s in headless Chromium (target < 1 s); "
        f"search {search:.2f} s; list page {list_page:.0f} KB, dashboard {dashboard:.0f} KB (target < 150), "
        f"largest item page {item:.1f} KB (target < 40)"
    )


def _repeat(n: int, asked: int) -> int:
    return min(asked, 2) if n > 10_000 else asked


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (100k: at most 2)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/duban-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--only",
        nargs="+",
        default=None,
        help="validate check status report build hugo check-jsonschema help browser",
    )
    parser.add_argument("--browser", action="store_true", help="also time the task list in headless Chromium")
    args = parser.parse_args()
    only = set(args.only) if args.only else None
    args.work.mkdir(parents=True, exist_ok=True)
    info = machine()
    compile_bytecode()
    results: list[Result] = []
    if only is None or "help" in only:
        results.append(bench_help(args.repeat))
    for n in args.sizes:  # generated first: a registry generated again removes the old one
        prepare(n, args.work)
    open_trash(args.work)
    try:
        sizes = [plan_size(n, args.work, _repeat(n, args.repeat), only) for n in args.sizes]
        timed_rounds(sizes)
        for size in sizes:
            results += finish_size(size, only, args.browser)
    finally:
        empty_trash()
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"machine": info, "as_of": AS_OF, "results": [r.summary() for r in results]}
    (args.out / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    text = markdown(results, info)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
