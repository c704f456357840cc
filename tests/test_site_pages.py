"""The pages of the built site, parsed: links resolve, no network, the CSP, lights, escaping, the list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from duban.site import listing
from engine_helpers import commit_all, git_repo, run, task, write_registry
from html_helpers import Element, links, local_target, parse_file

REPO_ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
LIGHT_WORDS_ZH = {"红灯", "黄灯", "绿灯", "暂停", "已办结", "已撤销"}


def build(root: Path, out: Path, as_of: str = AS_OF) -> Path:
    result = run(["build", "--root", str(root), "--out", str(out), "--as-of", as_of, "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO_ROOT, tmp_path_factory.mktemp("demo") / "site")


@pytest.fixture(scope="module")
def demo_pages(demo: Path) -> dict[str, Element]:
    return {path: parse_file(demo / path) for path in html_pages(demo)}


# --- every page ---------------------------------------------------------------------------------------------


def test_every_internal_link_resolves(demo: Path, demo_pages: dict[str, Element]) -> None:
    broken = []
    for path, document in demo_pages.items():
        if path == "404.html":  # links from the base URL: checked below
            continue
        for element, attribute, value in links(document):
            target = local_target(demo, path, value)
            if target is not None and not target.is_file():
                broken.append(f"{path}: <{element.tag} {attribute}={value!r}>")
    assert broken == []


def test_links_are_relative_so_the_site_works_under_a_sub_path(demo_pages: dict[str, Element]) -> None:
    for path, document in demo_pages.items():
        if path == "404.html":
            continue
        for _element, _attribute, value in links(document):
            assert not value.startswith("/"), (path, value)


def test_404_links_from_the_base_url(demo: Path, demo_pages: dict[str, Element]) -> None:
    document = demo_pages["404.html"]
    stylesheet = document.find("link", rel="stylesheet")
    assert stylesheet.get("href") == "/assets/style.css"  # base_url "/" in the demo's duban.yaml
    home = [a.get("href") for a in document.find_all("a")]
    assert "/index.html" in home


def test_assets_are_local(demo_pages: dict[str, Element]) -> None:
    """No CDN, no web font, no script from anywhere else: only page links may leave the site."""
    for path, document in demo_pages.items():
        for element in document.find_all():
            if element.tag in (
                "script",
                "img",
                "link",
                "iframe",
                "source",
                "audio",
                "video",
                "embed",
                "object",
            ):
                for attribute in ("src", "href", "data"):
                    value = element.get(attribute) or ""
                    assert "://" not in value and not value.startswith("//"), (path, element.tag, value)


def test_every_page_has_the_security_policy_and_no_inline_code(demo_pages: dict[str, Element]) -> None:
    for path, document in demo_pages.items():
        metas = document.find_all("meta", http_equiv="Content-Security-Policy")
        assert len(metas) == 1, path
        assert (metas[0].get("content") or "").startswith(CSP), path
        for script in document.find_all("script"):
            assert script.get("src") or script.get("type") == "application/json", path
        assert document.find_all("style") == [], path
        for element in document.find_all():
            assert "style" not in element.attrs, (path, element.tag)
            assert not any(name.startswith("on") for name in element.attrs), (path, element.tag)


def test_every_page_is_labelled_and_structured(demo_pages: dict[str, Element]) -> None:
    for path, document in demo_pages.items():
        html = document.find("html")
        assert html.get("lang") == "zh-CN", path
        assert len(document.find_all("h1")) == 1, path
        assert document.find("main").get("id") == "main", path
        assert document.find("a", cls="skip-link").get("href") == "#main", path
        assert document.find("title").text().strip(), path
        assert document.find_all("link", rel="icon"), path


def test_lights_are_never_told_by_colour_alone(demo_pages: dict[str, Element]) -> None:
    seen = set()
    for document in demo_pages.values():
        for badge in document.find_all("span", cls="light"):
            icon = badge.find("span", cls="light-icon")
            assert icon.get("aria-hidden") == "true"
            assert icon.text().strip()
            word = badge.text().replace(icon.text(), "").strip()
            assert word in LIGHT_WORDS_ZH
            seen.add(word)
    assert {"红灯", "黄灯", "绿灯", "已办结"} <= seen


def test_pages_stay_small(demo: Path) -> None:
    assert (demo / "index.html").stat().st_size < 150_000
    for page in (demo / "tasks").glob("*/index.html"):
        assert page.stat().st_size < 40_000, page


# --- the item page ------------------------------------------------------------------------------------------


def test_item_page_shows_every_part(demo: Path, demo_pages: dict[str, Element]) -> None:
    document = demo_pages["tasks/DB-2026-0002/index.html"]
    assert "老旧小区" in document.find("h1").text()
    headings = {h.get("id") for h in document.find_all("h2")}
    assert {
        "facts-heading",
        "description-heading",
        "deadline-heading",
        "milestones-heading",
        "indicators-heading",
        "updates-heading",
    } <= headings
    assert document.find("ul", cls="reasons").find_all("li")
    facts = document.find("dl", cls="facts")
    terms = [dt.text() for dt in facts.find_all("dt")]
    assert {"督办来源", "牵头单位", "协办单位", "责任人", "责任领导", "办结时限", "所属总任务"} <= set(terms)
    bars = document.find("ul", cls="indicators").find_all("svg", cls="bar")
    assert bars and all(bar.get("role") == "img" and bar.get("aria-label") for bar in bars)
    assert bars[0].find("line", cls="bar-marker")  # the pace marker
    raw = document.find("details", cls="raw").find("code").text()
    assert raw == (REPO_ROOT / "tasks" / "2026" / "DB-2026-0002.yaml").read_text(encoding="utf-8")
    edit = document.find_all("a", cls="button")
    assert edit[0].get("href") == "https://github.com/duban-dev/duban/edit/main/tasks/2026/DB-2026-0002.yaml"


def test_item_page_shows_a_file_saved_on_windows_with_plain_newlines(tmp_path: Path) -> None:
    root = write_registry(tmp_path / "reg", [task("DB-2026-0001", title="窗口保存的文件")])
    path = root / "tasks" / "DB-2026-0001.yaml"
    lines = path.read_bytes().decode("utf-8").splitlines()
    # CRLF throughout, and one old-Mac line end between two comment lines
    path.write_bytes(("\r\n".join(lines) + "\r\n# 备注\r# 结束\r\n").encode("utf-8"))
    page = build(root, tmp_path / "site", "2026-03-01") / "tasks" / "DB-2026-0001" / "index.html"
    raw = parse_file(page).find("details", cls="raw").find("code").text()
    assert raw == "\n".join(lines) + "\n# 备注\n# 结束\n"
    assert b"\r" not in page.read_bytes()


def test_parent_and_children_link_both_ways(demo_pages: dict[str, Element]) -> None:
    parent = demo_pages["tasks/DB-2026-0001/index.html"]
    children = parent.find("ul", cls="children").find_all("a")
    assert "../../tasks/DB-2026-0002/index.html" in [a.get("href") for a in children]
    child = demo_pages["tasks/DB-2026-0002/index.html"]
    hrefs = [a.get("href") for a in child.find("dl", cls="facts").find_all("a")]
    assert "../../tasks/DB-2026-0001/index.html" in hrefs


# --- the list -----------------------------------------------------------------------------------------------


def index_data(document: Element) -> dict[str, Any]:
    block = document.find("script", id="task-index")
    assert block.get("type") == "application/json"
    data: dict[str, Any] = json.loads(block.text())
    return data


def test_list_has_every_row_labelled_filters_and_the_index(
    demo: Path, demo_pages: dict[str, Element]
) -> None:
    document = demo_pages["tasks/index.html"]
    ids = sorted(p.parent.name for p in (demo / "tasks").glob("*/index.html"))
    rows = document.find("table", id="task-table").find("tbody").find_all("tr")
    assert sorted(r.get("data-id") or "" for r in rows) == ids  # without JavaScript the table is complete
    search = document.find("input", id="filter-q")
    assert search.get("type") == "search"
    labelled = {label.get("for") for label in document.find_all("label")}
    controls = [search, *document.find("form", id="task-filters").find_all("select")]
    assert {c.get("id") for c in controls} <= labelled
    assert {c.get("id") for c in controls} >= {
        "filter-q",
        "filter-light",
        "filter-unit",
        "filter-leader",
        "filter-source",
        "filter-priority",
        "filter-status",
    }
    data = index_data(document)
    assert data["large"] is False
    assert sorted(row[0] for row in data["index"]["rows"]) == ids
    assert data["index"]["columns"] == list(listing.COLUMNS)


def test_large_registry_ships_an_index_and_paged_lists(tmp_path: Path) -> None:
    count = listing.LARGE_LIST + 20
    tasks = [task(f"DB-2026-{n:04d}", title=f"事项 {n}") for n in range(1, count + 1)]
    site = build(write_registry(tmp_path / "big", tasks), tmp_path / "site", "2026-03-01")
    document = parse_file(site / "tasks" / "index.html")
    rows = document.find("table", id="task-table").find("tbody").find_all("tr")
    assert len(rows) == listing.FIRST_ROWS
    data = index_data(document)
    assert data["large"] is True and len(data["index"]["rows"]) == count
    hrefs = [a.get("href") or "" for a in document.find("nav", cls="pages").find_all("a")]
    pages = [local_target(site, "tasks/index.html", href) for href in hrefs]
    assert pages == [site / "tasks/all/1/index.html", site / "tasks/all/2/index.html"]
    seen = []
    for page in pages:
        assert page is not None
        table = parse_file(page).find("table")
        seen += [row.get("data-id") for row in table.find("tbody").find_all("tr")]
    assert sorted(seen) == sorted(t["id"] for t in tasks)


# --- text from the registry is data, never markup ----------------------------------------------------------

ATTACK = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&"


def test_registry_text_is_escaped_everywhere(tmp_path: Path) -> None:
    evil = task(
        "DB-2026-0001",
        title=ATTACK,
        description=f"{ATTACK}\n\n[x](javascript:alert(3))",
        tags=[ATTACK],
        updates=[{"date": "2026-02-01", "by": "zhang-wei", "text": ATTACK}],
        completion=None,
    )
    site = build(write_registry(tmp_path / "evil", [evil]), tmp_path / "site", "2026-03-01")
    for path in html_pages(site):
        document = parse_file(site / path)
        for element in document.find_all():
            assert element.tag != "img" or element.get("src") != "x", path
            assert not any(name.startswith("on") for name in element.attrs), path
            href = (element.get("href") or "").strip().lower()
            assert not href.startswith("javascript:"), path
        assert all(
            s.get("src") or s.get("type") == "application/json" for s in document.find_all("script")
        ), path
    page = parse_file(site / "tasks" / "DB-2026-0001" / "index.html")
    assert page.find("h1").text() == ATTACK
    assert ATTACK in page.find("ul", cls="tags").text()
    data = index_data(parse_file(site / "tasks" / "index.html"))
    assert data["index"]["rows"][0][1] == ATTACK  # the JSON block gives the title back exactly


# --- git history --------------------------------------------------------------------------------------------


def test_item_page_lists_the_files_commits(tmp_path: Path) -> None:
    root = write_registry(
        git_repo(tmp_path / "repo"),
        [task("DB-2026-0001")],
        settings={"repository": {"url": "https://git.example.org/office/registry"}},
    )
    commit_all(root, "登记事项")
    commit_all_after_edit(root)
    site = build(root, tmp_path / "site", "2026-03-01")
    page = parse_file(site / "tasks" / "DB-2026-0001" / "index.html")
    commits = page.find("ol", cls="commits").find_all("li")
    assert len(commits) == 2
    assert "报送进展" in commits[0].text() and "Test User" in commits[0].text()
    link = commits[0].find("a").get("href") or ""
    assert (
        link.startswith("https://git.example.org/office/registry/commit/")
        and len(link.rsplit("/", 1)[1]) == 40
    )


def commit_all_after_edit(root: Path) -> None:
    path = root / "tasks" / "DB-2026-0001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "updates:\n- date: '2026-02-01'\n  by: zhang-wei\n  text: 进展\n", encoding="utf-8"
    )
    commit_all(root, "报送进展")
