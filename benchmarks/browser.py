"""How soon the task list of a built site is usable in headless Chromium, and how heavy the pages are.

    .venv/bin/python benchmarks/browser.py /tmp/duban-bench/registry-10000/_site

Opens tasks/index.html from file:// (as a reader who opens the folder would) in Debian's Chromium through
Playwright, and prints JSON:

- `usable_s`: from the start of navigation until the list is usable: the script has shown the filters, said
  how many items it shows, and the table has its rows (read in the page from performance.now(), so Python's
  own overhead is not counted);
- `search_s`: typing an item's id into the search box until the list shows only that item;
- `load_event_s`: the page's load event; the sizes of the list, the dashboard and the largest item page.

The browser runs with the arguments of the test suite (no sandbox, no GPU, no network services).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
USABLE = """() => {
  const form = document.getElementById("task-filters");
  const count = document.getElementById("task-count");
  const rows = document.querySelectorAll("#task-table tbody tr").length;
  return form && !form.hidden && count && count.textContent.length > 0 && rows > 0 ? performance.now() : 0;
}"""


def measure(site: Path) -> dict[str, float]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto((site / "tasks" / "index.html").as_uri(), wait_until="commit")
        usable = page.wait_for_function(USABLE, polling="raf", timeout=60_000).json_value()
        page.wait_for_load_state("load")
        load_event = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        first_id = page.evaluate("document.querySelector('#task-table tbody tr').dataset.id")
        started = page.evaluate("performance.now()")
        page.fill("#filter-q", first_id)
        done = page.wait_for_function(
            "() => document.querySelectorAll('#task-table tbody tr:not([hidden])').length === 1"
            " ? performance.now() : 0",
            polling="raf",
            timeout=60_000,
        ).json_value()
        browser.close()
    return {"usable_s": usable / 1000, "search_s": (done - started) / 1000, "load_event_s": load_event / 1000}


def sizes(site: Path) -> dict[str, int]:
    task_pages = [p.stat().st_size for p in (site / "tasks").glob("*/index.html") if p.parent.name != "all"]
    return {
        "list_bytes": (site / "tasks" / "index.html").stat().st_size,
        "dashboard_bytes": (site / "index.html").stat().st_size,
        "largest_item_page_bytes": max(task_pages, default=0),
        "item_pages": len(task_pages),
    }


def main() -> None:
    site = Path(sys.argv[1]).resolve()
    print(json.dumps({**measure(site), **sizes(site)}))


if __name__ == "__main__":
    main()
