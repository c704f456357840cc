"""The site's two interfaces: every msgid has a zh_CN translation; an English site has no Chinese chrome."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from duban.site.i18n import catalog_path, translations
from engine_helpers import run, task, write_registry
from html_helpers import parse_file

REPO_ROOT = Path(__file__).resolve().parent.parent
# The same extraction as generator/duban/locales/babel.cfg (what a translator runs with pybabel).
METHODS = [("generator/duban/site/**.py", "python"), ("site_templates/**.html", "jinja2")]
OPTIONS = {"site_templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}
FIELD = re.compile(r"%\((\w+)\)s")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def extracted() -> dict[str, str | None]:
    """Every msgid the templates and the site's code use → its plural msgid (None when it has none)."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[str, str | None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO_ROOT), METHODS, OPTIONS, keywords=keywords
    ):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found[message] = None
    return found


@pytest.fixture(scope="module")
def catalog() -> object:
    with catalog_path("zh_CN").open("rb") as po_file:
        return read_po(po_file, locale="zh_CN")


def test_extraction_finds_the_interface(catalog: object) -> None:
    msgids = extracted()
    assert {"Dashboard", "All items", "Red", "Leader's instruction", "%(num)s day overdue"} <= set(msgids)
    assert len(msgids) > 150


def test_every_msgid_has_a_chinese_translation(catalog: object) -> None:
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}  # type: ignore[attr-defined]
    missing, fuzzy, wrong_fields = [], [], []
    for msgid, plural in extracted().items():
        message = messages.get(msgid)
        strings = (
            [message.string]
            if message and not isinstance(message.string, tuple)
            else list(message.string if message else ())
        )
        if message is None or not all(strings):
            missing.append(msgid)
            continue
        if message.fuzzy:
            fuzzy.append(msgid)
        if plural is not None and message.id != (msgid, plural):
            wrong_fields.append(f"{msgid}: plural form differs")
        for text in strings:
            if sorted(FIELD.findall(text)) != sorted(
                set(FIELD.findall(msgid)) | set(FIELD.findall(plural or ""))
            ):
                wrong_fields.append(f"{msgid} → {text}")
    assert missing == []
    assert fuzzy == []
    assert wrong_fields == []


def test_catalog_has_no_stale_entries(catalog: object) -> None:
    used = set(extracted())
    stale = [m.id for m in catalog if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in used]  # type: ignore[attr-defined]
    assert stale == []


def build(root: Path, out: Path) -> Path:
    result = run(["build", "--root", str(root), "--out", str(out), "--as-of", "2026-03-02", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def ascii_registry(root: Path, language: str) -> Path:
    """Every name in ASCII, so that any Chinese on an English page can only come from the interface."""
    units = [
        {"id": "housing", "name": "Housing Bureau", "short": "Housing"},
        {"id": "gov", "name": "City Hall"},
    ]
    people = [
        {"id": "zhang-wei", "name": "Zhang Wei", "unit": "housing"},
        {"id": "li-ming", "name": "Li Ming", "unit": "gov"},
    ]
    tasks = [
        task(
            "DB-2026-0001",
            title="Fix the old estates",
            deadline="2026-02-20",
            milestones=[{"name": "Survey", "due": "2026-02-01"}],
            updates=[
                {
                    "date": "2026-01-20",
                    "by": "zhang-wei",
                    "progress": 30,
                    "text": "Started",
                    "problems": "Money",
                    "next": "Tender",
                }
            ],
            indicators=[{"name": "Estates", "unit": " estates", "target": 120, "actual": 20}],
            reminders=[{"date": "2026-02-25", "by": "li-ming", "note": "Hurry"}],
            extensions=[
                {"requested": "2026-02-18", "to": "2026-04-30", "reason": "Rain", "decision": "pending"}
            ],
        ),
        task(
            "DB-2026-0002",
            title="Open the park",
            status="completed",
            deadline="2026-02-28",
            leader=None,
            completion={
                "date": "2026-02-10",
                "summary": "Opened",
                "evidence": [{"title": "Photos", "url": "https://example.org/photos"}],
            },
            rating={"grade": "satisfied", "by": "li-ming", "date": "2026-02-12"},
        ),
        task(
            "DB-2026-0003",
            title="Quiet the roads",
            status="suspended",
            parent="DB-2026-0001",
            source={"type": "hotline", "by": "li-ming", "ref": "No. 42"},
        ),
    ]
    settings = {"title": "Supervision", "organization": "City Office", "language": language}
    root = write_registry(root, tasks, settings=settings)
    from engine_helpers import dump

    dump(root / "org" / "units.yaml", units)
    dump(root / "org" / "people.yaml", people)
    return root


def test_english_site_has_no_chinese_interface_text(tmp_path: Path) -> None:
    site = build(ascii_registry(tmp_path / "registry", "en"), tmp_path / "site")
    offenders = []
    for page in sorted(site.rglob("*.html")):
        document = parse_file(page)
        assert document.find("html").get("lang") == "en"
        text = document.find("body").text()
        offenders += [f"{page.relative_to(site)}: {m}" for m in set(CJK.findall(text))]
    assert offenders == []
    item = parse_file(site / "tasks" / "DB-2026-0001" / "index.html")
    assert item.find("p", cls="as-of").text().strip() == "Data as of Mar 2, 2026"
    assert "10 days overdue" in item.find("p", cls="verdict-light").text()


def test_chinese_site_translates_everything_it_shows(tmp_path: Path) -> None:
    zh = translations("zh-CN")
    missing: set[str] = zh.missing  # type: ignore[attr-defined]
    missing.clear()
    site = build(ascii_registry(tmp_path / "registry", "zh-CN"), tmp_path / "site")
    assert missing == set()
    item = parse_file(site / "tasks" / "DB-2026-0001" / "index.html")
    assert item.find("html").get("lang") == "zh-CN"
    assert item.find("p", cls="as-of").text().strip() == "数据截至 2026年3月2日"
    assert "已逾期 10 天" in item.find("p", cls="verdict-light").text()
