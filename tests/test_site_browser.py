"""The built site in a real browser (headless Chromium): every page, the task list, attacks, screenshots.

The demo registry (the repository's root) is built with the real command line for a fixed day, then opened
from a local HTTP server on 127.0.0.1 and from file://. Any console error, uncaught exception, failed
request, HTTP error or request that leaves the site fails the test. A second registry whose every text field
is an attack is built and opened page by page: no script of its text may ever run.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner

from duban.cli import cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
# Contract pages every site has (the rest are found by walking the built folder).
CONTRACT_PAGES = (
    "index.html",
    "tasks/index.html",
    "overdue/index.html",
    "units/index.html",
    "people/index.html",
    "calendar/index.html",
    "bulletins/index.html",
    "404.html",
)
LIST_ROWS = "#task-table tbody tr"
VISIBLE_ROWS = f"{LIST_ROWS}:visible"


# --- building and serving ---------------------------------------------------------------------------------


def build(root: Path, out: Path) -> Path:
    """`duban build` through the real command line, for the fixed day."""
    args = ["build", "--root", str(root), "--out", str(out), "--as-of", AS_OF, "--quiet"]
    result = CliRunner().invoke(cli, args, env={"DUBAN_NOW": None, "GITHUB_ACTIONS": None})
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The test reports failed requests itself; the server's access log would only be noise."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 with an ephemeral port, in a thread; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def page_url(base: str, path: str) -> str:
    """Directory URLs for index pages, as a reader follows them (tasks/X/ rather than tasks/X/index.html)."""
    return base + (path.removesuffix("index.html") if base.startswith("http") else path)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO_ROOT, tmp_path_factory.mktemp("demo") / "site")


@pytest.fixture(scope="module")
def demo_url(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


@pytest.fixture(scope="module")
def demo_tasks(demo_site: Path) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = json.loads((demo_site / "data" / "tasks.json").read_text("utf-8"))["tasks"]
    return tasks


# --- watching a page --------------------------------------------------------------------------------------


class Watch:
    """What went wrong on a page: console errors, exceptions, failed or foreign requests, dialogs."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed  # URL prefixes that belong to the site
        self.problems: list[str] = []
        self.dialogs: list[str] = []

    def inside(self, url: str) -> bool:
        # data: and blob: URLs never leave the machine (an inline SVG icon, a generated download)
        return url.startswith((*self.allowed, "data:", "blob:"))

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("request", self._request)
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} at {message.location}")

    def _request(self, request: Any) -> None:
        if not self.inside(request.url):
            self.problems.append(f"request outside the site: {request.url}")

    def _request_failed(self, request: Any) -> None:
        # Foreign requests are aborted on purpose (reported by _request). ERR_ABORTED: the browser cancels
        # a request when the test moves on (the favicon loads after `load`). A missing file is an HTTP 404
        # on the server and ERR_FILE_NOT_FOUND from file://, both still caught.
        if self.inside(request.url) and request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed request: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., tuple[Any, Watch]]]:
    """A fresh browser context whose network stops at the site's own URLs (nothing may leave the machine)."""
    contexts: list[Any] = []

    def make(*allowed: str, viewport: dict[str, int] = VIEWPORT) -> tuple[Any, Watch]:
        watch = Watch(allowed)
        context = browser.new_context(viewport=viewport, service_workers="block")
        contexts.append(context)

        def guard(route: Any) -> None:
            route.continue_() if watch.inside(route.request.url) else route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        watch.attach(page)
        return page, watch

    yield make
    for context in contexts:
        context.close()


def visit(page: Any, url: str) -> None:
    """Open a page and wait for `load`: a static page has then fetched everything and run its script."""
    response = page.goto(url, wait_until="load")
    assert response is None or response.ok, f"{url}: HTTP {response.status}"


# --- every page of the demo -------------------------------------------------------------------------------


def test_contract_pages_exist(demo_site: Path, demo_tasks: list[dict[str, Any]]) -> None:
    pages = set(html_pages(demo_site))
    assert set(CONTRACT_PAGES) <= pages
    assert {f"tasks/{t['id']}/index.html" for t in demo_tasks} <= pages
    assert any(p.startswith("units/") and p != "units/index.html" for p in pages)
    assert any(p.startswith("people/") and p != "people/index.html" for p in pages)
    assert any(p.startswith("bulletins/2026-") for p in pages)


def test_every_demo_page_opens_cleanly(demo_site: Path, demo_url: str, open_page: Callable[..., Any]) -> None:
    page, watch = open_page(demo_url)
    failures: dict[str, list[str]] = {}
    broken_links: set[str] = set()
    for path in html_pages(demo_site):
        visit(page, page_url(demo_url, path))
        if problems := watch.take():
            failures[path] = problems
        broken_links |= missing_link_targets(page, demo_url, demo_site)
    assert failures == {}
    assert broken_links == set()
    assert watch.dialogs == []


def missing_link_targets(page: Any, base: str, site: Path) -> set[str]:
    """Links into the site whose target file does not exist (a broken link is no failed request)."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    missing = set()
    for href in hrefs:
        if not href.startswith(base):
            continue
        path = urlsplit(href).path.removeprefix(urlsplit(base).path)
        target = site / path
        if not (target.is_file() or (target / "index.html").is_file()):
            missing.add(f"{page.url} → {href}")
    return missing


def test_dashboard_and_list_work_from_file(demo_site: Path, open_page: Callable[..., Any]) -> None:
    """Opened by double-clicking index.html: no server, still no error and no request out of the folder."""
    base = demo_site.as_uri() + "/"
    page, watch = open_page(base)
    for path in ("index.html", "tasks/index.html"):
        visit(page, base + path)
        assert watch.take() == [], path
    assert page.locator("#filter-q").is_visible()  # the list's script ran from file:// too
    before = page.locator(VISIBLE_ROWS).count()
    page.locator("#filter-light").select_option("red")
    assert 0 < page.locator(VISIBLE_ROWS).count() < before
    assert watch.take() == []


# --- the task list ----------------------------------------------------------------------------------------


def search_query(tasks: list[dict[str, Any]]) -> tuple[str, set[str]]:
    """Two characters found in some titles and nowhere else in any item (so only a title can match them)."""
    org = "\n".join(p.read_text("utf-8") for p in (REPO_ROOT / "org").glob("*.yaml"))
    rest = [{k: v for k, v in t.items() if k != "title"} for t in tasks]
    other = org + json.dumps(rest, ensure_ascii=False)
    counts: dict[str, set[str]] = {}
    for task in tasks:
        for i in range(len(task["title"]) - 1):
            pair = task["title"][i : i + 2]
            if all("\u4e00" <= ch <= "\u9fff" for ch in pair) and pair not in other:
                counts.setdefault(pair, set()).add(task["id"])
    usable = [(len(ids), pair) for pair, ids in counts.items() if 2 <= len(ids) <= len(tasks) // 2]
    assert usable, "the demo has no title word to search for"
    _, pair = max(usable, key=lambda c: (c[0], [-ord(ch) for ch in c[1]]))
    return pair, counts[pair]


VISIBLE_IDS = "[...document.querySelectorAll('#task-table tbody tr')].filter(r => r.offsetParent !== null)"


def visible_ids(page: Any) -> list[str]:
    """The ids of the list's rows a reader sees, top to bottom."""
    ids: list[str] = page.evaluate(f"{VISIBLE_IDS}.map(r => r.dataset.id)")
    return ids


def wait_rows(page: Any, count: int) -> list[str]:
    """Wait until the list shows `count` rows (large lists update after a pause in typing); their ids."""
    page.wait_for_function(f"n => {VISIBLE_IDS}.length === n", arg=count, timeout=5000)
    return visible_ids(page)


@pytest.fixture
def task_list(demo_url: str, open_page: Callable[..., Any]) -> Iterator[Any]:
    page, watch = open_page(demo_url)
    visit(page, demo_url + "tasks/")
    yield page
    assert watch.take() == []
    assert watch.dialogs == []


def test_list_filters_as_a_person_types(task_list: Any, demo_tasks: list[dict[str, Any]]) -> None:
    page = task_list
    query, expected = search_query(demo_tasks)
    assert len(visible_ids(page)) == len(demo_tasks)
    box = page.locator("#filter-q")
    box.click()
    page.keyboard.type(query[0], delay=50)  # key by key, never pressing Enter
    after_one = len(visible_ids(page))
    page.keyboard.type(query[1:], delay=50)
    assert set(wait_rows(page, len(expected))) == expected
    assert len(expected) <= after_one <= len(demo_tasks)
    assert len(expected) < len(demo_tasks)
    for text in page.locator(VISIBLE_ROWS).all_inner_texts():
        assert query in text
    box.fill("")
    wait_rows(page, len(demo_tasks))


def test_list_light_filter(task_list: Any, demo_tasks: list[dict[str, Any]]) -> None:
    page = task_list
    for light in ("red", "yellow", "done"):
        page.locator("#filter-light").select_option(light)
        expected = {t["id"] for t in demo_tasks if t["light"] == light}
        assert expected, light
        assert set(wait_rows(page, len(expected))) == expected
        classes = page.eval_on_selector_all(VISIBLE_ROWS, "rows => rows.map(r => r.className)")
        assert all(f"row-{light}" in c.split() for c in classes)
    page.locator("#filter-light").select_option("")
    wait_rows(page, len(demo_tasks))


def test_list_unit_filter_combines_with_search(task_list: Any, demo_tasks: list[dict[str, Any]]) -> None:
    page = task_list
    by_unit: dict[str, set[str]] = {}
    for task in demo_tasks:
        by_unit.setdefault(task["lead_unit"], set()).add(task["id"])
    unit, ids = max(by_unit.items(), key=lambda item: (len(item[1]), item[0]))
    page.locator("#filter-unit").select_option(unit)
    assert set(wait_rows(page, len(ids))) == ids
    one = min(ids)
    page.locator("#filter-q").fill(one)
    assert wait_rows(page, 1) == [one]
    page.locator("#filter-reset").click()
    wait_rows(page, len(demo_tasks))


def test_list_sorts_by_deadline(task_list: Any, demo_tasks: list[dict[str, Any]]) -> None:
    page = task_list
    deadline = {t["id"]: t["effective_deadline"] for t in demo_tasks}
    header = page.locator("#task-table thead th.col-deadline")
    clickable = header.locator("button")
    target = clickable if clickable.count() else header
    target.click()
    first = [deadline[i] for i in visible_ids(page)]
    target.click()
    second = [deadline[i] for i in visible_ids(page)]
    assert len(first) == len(second) == len(demo_tasks)
    assert {tuple(first), tuple(second)} == {tuple(sorted(first)), tuple(sorted(first, reverse=True))}
    assert first != second
    assert header.get_attribute("aria-sort") in ("ascending", "descending")


def test_filters_are_reachable_by_keyboard(task_list: Any) -> None:
    page = task_list
    reached: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if focused:
            reached.append(focused)
        if "filter-unit" in reached:
            break
    wanted = ["filter-q", "filter-light", "filter-unit"]
    assert [r for r in reached if r in wanted] == wanted
    # and typing works where the focus landed
    page.locator("#filter-q").focus()
    page.keyboard.type("DB-")
    assert page.locator("#filter-q").input_value() == "DB-"


# --- screenshots for the documentation --------------------------------------------------------------------


# Chromium's anti-aliasing of a rounded corner can differ by one level between two browser processes: a
# difference that small is no change, and must not dirty git.
PIXEL_TOLERANCE = 8

PICTURE_DIFFERENCE = """async ([first, second]) => {
  const load = async (source) => {
    const image = new Image();
    image.src = source;
    await image.decode();
    return image;
  };
  const pixels = (image) => {
    const canvas = document.createElement("canvas");
    canvas.width = image.width; canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, image.width, image.height).data;
  };
  const [a, b] = await Promise.all([load(first), load(second)]);
  if (a.width !== b.width || a.height !== b.height) { return 256; }
  const p = pixels(a), q = pixels(b);
  let worst = 0;
  for (let i = 0; i < p.length; i++) { worst = Math.max(worst, Math.abs(p[i] - q[i])); }
  return worst;
}"""


def picture_difference(page: Any, first: bytes, second: bytes) -> int:
    """The largest difference of one colour channel between two PNGs (256 when their sizes differ)."""
    urls = [f"data:image/png;base64,{base64.b64encode(data).decode('ascii')}" for data in (first, second)]
    blank = page.context.new_page()
    try:
        difference: int = blank.evaluate(PICTURE_DIFFERENCE, urls)
    finally:
        blank.close()
    return difference


def save_if_changed(page: Any, path: Path, data: bytes) -> None:
    """Write only when the picture changed, so that a test run leaves git clean."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and picture_difference(page, path.read_bytes(), data) <= PIXEL_TOLERANCE:
        return
    path.write_bytes(data)


def stable_screenshot(page: Any, tries: int = 5) -> bytes:
    """A picture of the viewport once two in a row are the same (the filters appear when the script has run,
    and a corner may still be painting): an unchanged page must give unchanged bytes."""
    page.evaluate("document.fonts.ready.then(() => true)")
    previous: bytes = page.screenshot(animations="disabled", caret="hide")
    for _ in range(tries):
        page.wait_for_timeout(100)
        picture: bytes = page.screenshot(animations="disabled", caret="hide")
        if picture == previous:
            return picture
        previous = picture
    return previous


def red_task(tasks: list[dict[str, Any]]) -> str:
    overdue = [t for t in tasks if t["light"] == "red" and "overdue" in t["findings"]]
    assert overdue, "the demo has no overdue item"
    return str(max(overdue, key=lambda t: (len(t["milestones"]) + len(t["findings"]), t["id"]))["id"])


def test_screenshots(demo_url: str, demo_tasks: list[dict[str, Any]], open_page: Callable[..., Any]) -> None:
    page, watch = open_page(demo_url)
    shots = {
        "dashboard.png": demo_url,
        "list.png": demo_url + "tasks/",
        "task.png": f"{demo_url}tasks/{red_task(demo_tasks)}/",
    }
    pictures = {}
    for name, url in shots.items():
        visit(page, url)
        pictures[name] = stable_screenshot(page)
        assert pictures[name].startswith(b"\x89PNG") and len(pictures[name]) > 10_000
    assert watch.take() == []
    # The comparison that keeps git quiet must still see a real change.
    assert picture_difference(page, pictures["list.png"], pictures["list.png"]) == 0
    assert picture_difference(page, pictures["list.png"], pictures["task.png"]) > PIXEL_TOLERANCE
    for name, picture in pictures.items():
        save_if_changed(page, SCREENSHOTS / name, picture)


# --- a registry made of attacks ---------------------------------------------------------------------------

PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "javascript:window.__pwned=1",
    "</script><script>window.__pwned=1</script>",
    "{{7*7}} {% raw %}${7*7}",
    "'-alert(1)-'",
    "<svg onload=window.__pwned=1>",
    "</title><script>window.__pwned=1</script>",
    "]]><!--<script>window.__pwned=1</script>-->",
    '\u2028\u2029"}];window.__pwned=1;//',
)
EVIL_MARKDOWN = "\n\n".join(
    [
        *PAYLOADS,
        "[点我](javascript:window.__pwned=1)",
        "![图](javascript:window.__pwned=1)",
        '<a href="javascript:window.__pwned=1">x</a>',
        "[x](&#106;avascript:window.__pwned=1)",
        "<javascript:window.__pwned=1>",
        "| a | b |\n|---|---|\n| <script>window.__pwned=1</script> | [x](javascript:window.__pwned=1) |",
    ]
)


def evil(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


def evil_task(task_id: str, n: int, **fields: Any) -> dict[str, Any]:
    """A task with an attack in every free text field."""
    data: dict[str, Any] = {
        "id": task_id,
        "title": f"{evil(n)} 事项 {task_id}",
        "source": {"type": "leader-instruction", "ref": evil(n + 1), "by": "li-ming", "date": "2026-01-02"},
        "category": evil(n + 2),
        "description": EVIL_MARKDOWN,
        "priority": "urgent",
        "lead_unit": "housing",
        "co_units": ["gov"],
        "owner": "zhang-wei",
        "leader": "li-ming",
        "supervisor": "chen-jing",
        "assigned": "2026-01-05",
        "deadline": "2026-06-30",
        "report_every": "monthly",
        "status": "in_progress",
        "tags": list(PAYLOADS[:5]),
        "milestones": [{"name": evil(n + 3), "due": "2026-03-31"}],
        "updates": [
            {"date": "2026-02-01", "by": "zhang-wei", "progress": 30, "text": EVIL_MARKDOWN,
             "problems": evil(n + 4), "next": evil(n + 5)},
        ],
        "reminders": [{"date": "2026-03-05", "by": "chen-jing", "note": evil(n + 6)}],
        "extensions": [
            {"requested": "2026-06-20", "to": "2026-12-31", "reason": evil(n + 7), "decision": "pending"},
        ],
        "indicators": [{"name": evil(n + 8), "unit": evil(n + 9), "target": 100, "actual": 20}],
    }  # fmt: skip
    data.update(fields)
    return data


def evil_registry(root: Path) -> Path:
    (root / "evidence").mkdir(parents=True)
    evidence_file = '"><img src=x onerror=window.__pwned=1>.pdf'
    (root / "evidence" / evidence_file).write_bytes(b"%PDF-1.4\n")
    completed = evil_task(
        "DB-2026-0002",
        2,
        status="completed",
        extensions=[],
        completion={
            "date": "2026-06-28",
            "summary": EVIL_MARKDOWN,
            "evidence": [
                {"title": evil(0), "url": 'https://example.org/"><script>window.__pwned=1</script>'},
                {"title": evil(1), "url": f"evidence/{evidence_file}"},
            ],
            "verified_by": "chen-jing",
        },
        rating={"grade": "satisfied", "by": "li-ming", "date": "2026-07-05", "comment": evil(3)},
    )
    reported = evil_task(
        "DB-2026-0003",
        4,
        status="reported",
        completion={"date": "2026-11-20", "summary": evil(5)},
        parent="DB-2026-0001",
    )
    files = {
        "duban.yaml": {
            "title": evil(0),
            "organization": evil(1),
            "timezone": "Asia/Shanghai",
            "repository": {
                "url": 'https://example.org/"><script>window.__pwned=1</script>',
                "branch": evil(2),
            },
        },
        "org/units.yaml": [
            {"id": "gov", "name": evil(3), "short": evil(4)},
            {"id": "housing", "name": evil(5), "short": evil(6), "parent": "gov"},
        ],
        "org/people.yaml": [
            {"id": "zhang-wei", "name": evil(7), "unit": "housing", "title": evil(8)},
            {"id": "li-ming", "name": evil(9), "unit": "gov", "title": evil(0)},
            {"id": "chen-jing", "name": evil(1), "unit": "gov"},
        ],
        "tasks/DB-2026-0001.yaml": evil_task("DB-2026-0001", 0),
        "tasks/DB-2026-0002.yaml": completed,
        "tasks/DB-2026-0003.yaml": reported,
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("xss")
    return build(evil_registry(base / "registry"), base / "site")


def pwned(page: Any) -> str:
    state: str = page.evaluate("typeof window.__pwned")
    return state


def test_attacks_never_run(evil_site: Path, open_page: Callable[..., Any]) -> None:
    with serve(evil_site) as base:
        page, watch = open_page(base)
        for path in html_pages(evil_site):
            visit(page, page_url(base, path))
            assert pwned(page) == "undefined", path
            assert watch.take() == [], path
        assert watch.dialogs == []


def test_attacks_are_shown_as_text(evil_site: Path, open_page: Callable[..., Any]) -> None:
    """Escaped, not dropped: a reviewer sees exactly what was written."""
    with serve(evil_site) as base:
        page, _ = open_page(base)
        visit(page, base + "tasks/DB-2026-0001/")
        text = page.locator("main").inner_text()
        assert "<script>window.__pwned=1</script> 事项 DB-2026-0001" in text
        assert "[点我](javascript:window.__pwned=1)" in text
        hrefs = page.eval_on_selector_all(
            "[href], [src]", "els => els.map(e => e.getAttribute('href') || e.src)"
        )
        assert not [
            h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:text", "vbscript:"))
        ]


def test_typing_attacks_into_the_list(evil_site: Path, open_page: Callable[..., Any]) -> None:
    """The list's script writes rows and messages from the index and the search box: none of it may run."""
    with serve(evil_site) as base:
        page, watch = open_page(base)
        visit(page, base + "tasks/")
        box = page.locator("#filter-q")
        for payload in PAYLOADS:
            box.fill("")
            box.type(payload)
            assert pwned(page) == "undefined", payload
        box.fill("")
        page.locator("#task-table thead th.col-title").click()
        for select in page.locator("#task-filters select").all():
            for value in select.locator("option").evaluate_all("options => options.map(o => o.value)"):
                select.select_option(value)
                assert pwned(page) == "undefined"
        assert watch.take() == []
        assert watch.dialogs == []
