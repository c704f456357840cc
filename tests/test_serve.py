"""`duban serve`: builds, serves on 127.0.0.1 only, rebuilds when a file changes, keeps the last good site."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from duban.scaffold import InitOptions, scaffold
from duban.serve import SiteServer, is_loopback, relevant

TODAY = dt.date(2026, 3, 2)
TASK = "tasks/2026/DB-2026-0001.yaml"
WAIT = 30.0  # seconds: a rebuild takes well under one; slow CI machines get room


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
        body: bytes = response.read()
    return body.decode("utf-8")


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    scaffold(root, InitOptions(title="督查督办", timezone="Asia/Shanghai", today=TODAY, year=2026))
    return root


@pytest.fixture
def messages() -> list[str]:
    return []


@pytest.fixture
def server(registry: Path, tmp_path: Path, messages: list[str]) -> Iterator[SiteServer]:
    def notice(event: str, files: str) -> None:
        messages.append(f"{event}: {files}")

    site = SiteServer(registry, tmp_path / "site", port=0, as_of=TODAY, notice=notice, debounce_ms=100)
    site.start()
    yield site
    site.stop()


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_serves_the_site_on_loopback(server: SiteServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert server.generation == 1
    page = fetch(server.url)
    assert "<html" in page and "督查督办" in page
    assert "示例：梳理本单位年度重点工作任务清单" in fetch(server.url + "tasks/DB-2026-0001/")


def test_rebuilds_when_a_task_changes(server: SiteServer, registry: Path) -> None:
    task = registry / TASK
    text = task.read_text(encoding="utf-8")
    task.write_text(text.replace("梳理本单位年度重点工作任务清单", "编制年度督查工作要点"), encoding="utf-8")
    assert server.wait_for(2, WAIT), "no rebuild after the task file changed"
    assert "编制年度督查工作要点" in fetch(server.url + "tasks/DB-2026-0001/")


def test_a_broken_file_keeps_the_last_good_site(
    server: SiteServer, registry: Path, messages: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    task = registry / TASK
    good = task.read_text(encoding="utf-8")
    task.write_text("id: [unclosed\n", encoding="utf-8")
    assert wait_until(lambda: any(m.startswith("rebuild-failed") for m in messages)), messages
    assert server.generation == 1
    assert "示例：梳理本单位年度重点工作任务清单" in fetch(server.url + "tasks/DB-2026-0001/")
    assert "DB-2026-0001.yaml" in capsys.readouterr().err  # the problems were printed
    task.write_text(good.replace("梳理本单位", "整理本单位"), encoding="utf-8")
    assert server.wait_for(2, WAIT)
    assert "示例：整理本单位年度重点工作任务清单" in fetch(server.url + "tasks/DB-2026-0001/")


def test_only_registry_files_trigger_a_rebuild(tmp_path: Path) -> None:
    root = tmp_path
    assert relevant(root, str(root / "duban.yaml"))
    assert relevant(root, str(root / "tasks" / "2026" / "DB-2026-0001.yaml"))
    assert relevant(root, str(root / "org" / "units.yaml"))
    assert not relevant(root, str(root / "_site" / "index.html"))  # the site itself: no endless rebuilds
    assert not relevant(root, str(root / ".git" / "index"))
    assert not relevant(root, str(root / "tasks" / ".DB-2026-0001.yaml.swp"))
    assert not relevant(root, str(root / "README.md"))
    assert not relevant(root, str(tmp_path.parent / "elsewhere.yaml"))


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")


def _command(registry: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "duban", "serve", "--root", str(registry), "--as-of", "2026-03-02", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_command_says_where_the_site_is(registry: Path) -> None:
    process = _command(registry, "--port", "0")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line, line + (process.stderr.read() if process.stderr else "")
        url = line[line.index("http://") :].split("/", 3)
        assert "督查督办" in fetch("/".join(url[:3]) + "/")
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)  # also closes the pipes
    assert process.returncode == 0


def test_command_warns_before_binding_elsewhere(registry: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails, no traffic leaves it.
    process = _command(registry, "--port", "0", "--bind", "192.0.2.1")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "警告" in err and "192.0.2.1" in err
    assert "无法监听" in err
