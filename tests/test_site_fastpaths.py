"""The page renderer's shortcuts give exactly what the general path gives.

Each shortcut (Markdown without markdown-it, item rows joined in Python, `{{ value }}` written out without a
Markup per value) is compared with the general path on
generated input, script-injection payloads included.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

from duban.commands._common import load_or_fail
from duban.engine import evaluate
from duban.site import markdown, pages, render
from duban.site.context import build_context
from duban.site.views import Ref, SiteContext
from engine_helpers import task, write_registry

# Pieces of Markdown text: stars in runs of every length next to letters, punctuation, spaces and line ends.
STRONG_PIECES = st.sampled_from(
    [*"ab1 中文，。：“”*\n\t.-_`<&\u3000", "**", "***", "**要求**", "**a b**", "** a**", "**a **", "**：**"]
)


@settings(max_examples=3000, deadline=None, database=None)
@given(text=st.lists(STRONG_PIECES, max_size=16).map("".join))
def test_strong_paragraphs_render_as_markdown_it_renders_them(text: str) -> None:
    fast = markdown.strong_paragraph(text)
    if fast is not None:
        assert fast == markdown._parser().render(text)


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("围绕，\n**工作要求**：牵头单位每月报送进展；\n**完成标准**：按期完成。\n", True),
        ("a**b**c", True),
        ("**要求**", True),
        ("**要求", False),  # an unpaired run stays as text
        ("** 要求**", False),  # not left-flanking
        ("**要求：**后", False),  # ends with punctuation: CommonMark's flanking rules decide
        ("***要求***", False),
        ("**要\n求**", False),
        ("**要求** <script>", False),
        ("1. **要求**", False),
    ],
)
def test_strong_paragraph_shortcut_is_taken_for_plain_strong_text_only(text: str, taken: bool) -> None:
    assert (markdown.strong_paragraph(text) is not None) is taken
    assert str(markdown.render_markdown(text)) == markdown._parser().render(text)


# --- item rows: rendered once with a mark where the way back to the top goes, then joined per page ---

ATTACK = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&<duban-root>"
ROOTS = ["", "../", "../../../", 'https://x.example/a&b"c<duban-root>/']


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteContext:
    """The demo registry's items and one whose every text is a script-injection payload."""
    evil = task("DB-2026-0001", title=ATTACK, priority="urgent", co_units=["housing"])
    root = write_registry(tmp_path_factory.mktemp("evil"), [evil])
    return _context(root)


def _context(root: Path) -> SiteContext:
    day = dt.date(2026, 11, 30)
    registry = load_or_fail(root, day).registry
    return build_context(registry, evaluate(registry, day), day, {})


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("registry", ["evil", "demo"])
def test_joined_rows_are_the_rows_rendered_for_the_page(
    site: SiteContext, registry: str, root: str, request: pytest.FixtureRequest
) -> None:
    context = site if registry == "evil" else _context(Path(request.config.rootpath))
    env = render.environment(context.language)
    joined = env.from_string("{{ task_rows(views) }}").render(views=context.tasks, root=root, site=context)
    row = env.get_template("_row.html")
    assert joined == "".join(row.render(t=t, root=root, site=context) for t in context.tasks)
    one = env.from_string("{{ task_row(view) }}").render(view=context.tasks[0], root=root, site=context)
    assert one == row.render(t=context.tasks[0], root=root, site=context)


def test_rows_escape_the_registry_and_link_from_the_page(site: SiteContext) -> None:
    env = render.environment(site.language)
    html = env.from_string("{{ task_rows(views) }}").render(views=site.tasks, root="../../", site=site)
    assert "<script>" not in html and "<img" not in html and "<duban-root>" not in html
    assert '<a href="../../tasks/DB-2026-0001/index.html">&lt;/script&gt;' in html
    assert '<a href="../../units/housing/index.html">' in html


# --- `{{ value }}` written out through escape_output rather than Jinja's escape() ---


class _SelfRendering:
    def __html__(self) -> str:
        return "<b>already HTML</b>"


OUTPUT_VALUES = [
    ATTACK,
    "",
    "中文 &amp; 'q'",
    Markup("<em>ok</em>"),
    0,
    12.5,
    None,
    True,
    dt.date(2026, 1, 2),
]


@pytest.mark.parametrize("value", [*OUTPUT_VALUES, _SelfRendering(), Ref("x", ATTACK, None), ("<a>",)])
def test_escape_output_writes_what_escape_writes(value: object) -> None:
    assert render.escape_output(value) == str(escape(value))


@settings(max_examples=500, deadline=None, database=None)
@given(text=st.text())
def test_escape_output_escapes_any_text_as_escape_does(text: str) -> None:
    assert render.escape_output(text) == str(escape(text))


@pytest.fixture(params=["evil", "demo"])
def some_root(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A registry of script-injection payloads, and the demo registry."""
    return _evil_registry(tmp_path) if request.param == "evil" else Path(request.config.rootpath)


def test_every_page_is_what_jinjas_own_code_generator_makes(
    some_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _context(some_root)
    expected = {page.path: pages.render_page(fast, page) for page in pages.plan(fast)}
    jinjas = render.make_environment(fast.language, CodeGenerator)
    monkeypatch.setattr(pages, "environment", lambda language: jinjas)
    slow = _context(some_root)  # its own caches of rows and page parts, made by the other environment
    assert {page.path: pages.render_page(slow, page) for page in pages.plan(slow)} == expected


def test_pages_in_pieces_are_the_pages(some_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages that list items are written as their template gives them, in pieces, their tables' rows in
    batches where the table's mark stood: the same bytes."""
    context = _context(some_root)
    monkeypatch.setattr(render, "ROWS_BATCH", 2)  # several batches in small registries too
    monkeypatch.setattr(pages, "LONG_PIECE", 40)  # long pieces, encoded alone, in small registries too
    for page in pages.plan(context):
        whole = pages.render_page(context, page)
        assert b"".join(pages.render_page_pieces(context, page)) == whole, page.path


@pytest.mark.parametrize("mark", [f"{render.ROWS_MARK}0-1>", "\x00duban-json-0-1\x00", "\x00duban-json-"])
def test_text_that_looks_like_a_mark_of_deferred_rows_is_text(tmp_path: Path, mark: str) -> None:
    """A mark that stands for a list's rows carries a token of the render, and a table's starts with "<",
    which escaping never lets through: text like them is written as text."""
    root = write_registry(tmp_path / "r", [task("DB-2026-0001", title=mark, tags=[mark], category=mark)])
    context = _context(root)
    for page in pages.plan(context):
        whole = pages.render_page(context, page)
        assert b"".join(pages.render_page_pieces(context, page)) == whole, page.path


def _evil_registry(tmp_path: Path) -> Path:
    evil = task(
        "DB-2026-0001",
        title=ATTACK,
        description=f"{ATTACK}\n\n**要求**：{ATTACK}",
        tags=[ATTACK],
        updates=[{"date": "2026-02-01", "by": "zhang-wei", "text": ATTACK, "problems": ATTACK}],
        reminders=[{"date": "2026-03-01", "by": "zhang-wei", "note": ATTACK}],
    )
    return write_registry(tmp_path / "evil", [evil])


@pytest.mark.parametrize(
    "translation", ["%(a)s 前", "extended from %(a)s", "%(a)s%% reported", "%(a)s and %(b)s", "%(n)d left"]
)
@pytest.mark.parametrize("value", OUTPUT_VALUES)
def test_fill_formats_as_markups_percent_does(translation: str, value: object) -> None:
    variables = {"a": value, "b": ATTACK, "n": 3}
    filled = render.fill(escape(translation), variables)
    assert filled == escape(translation) % variables
    assert type(filled) is Markup
