"""Registry Markdown as safe HTML: no script, no event handler, no dangerous link may come out of any text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from duban.site.markdown import (
    is_safe_link,
    registry_path,
    render_markdown,
    repository_file_url,
    safe_href,
)

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background")
# What CommonMark with tables and strikethrough may produce; anything else means raw HTML got through.
INLINE_TAGS = {"a", "em", "strong", "code", "s", "br"}  # no img: images become links
BLOCK_TAGS = {"p", "pre", "blockquote", "ul", "ol", "li", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
TABLE_TAGS = {"table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_TAGS = INLINE_TAGS | BLOCK_TAGS | TABLE_TAGS


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_harmless(html: str) -> None:
    """No element or attribute that can run code, and every URL http(s), mailto or relative."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name != "style", html
            if name in URL_ATTRIBUTES:
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
                assert scheme in ("", "http", "https", "mailto"), (value, html)
    assert "<script" not in html.lower()


XSS = [
    "<script>window.__pwned=1</script>",
    "</script><script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,AAAA)",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "<iframe src=https://example.org></iframe>",
    "<style>body{display:none}</style>",
    "{{7*7}} '-alert(1)-' ${7*7}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- <script>alert(1)</script> -->",
    "| a | b |\n|--:|:-|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
]


@pytest.mark.parametrize("text", XSS)
def test_attack_vectors_render_harmless(text: str) -> None:
    html = render_markdown(text)
    assert isinstance(html, Markup)
    assert_harmless(str(html))


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "[x](data:text/html,hi)",
        "<javascript:alert(1)>",
    ],
)
def test_a_refused_link_stays_visible_as_text(text: str) -> None:
    html = str(render_markdown(text))
    assert not any(tag in ("a", "img") for tag, _ in elements(html))
    assert "javascript:" in html or "data:" in html  # shown as the text it was, so a reviewer sees it


def test_raw_html_is_text() -> None:
    assert str(render_markdown("<b>粗体</b>")) == "<p>&lt;b&gt;粗体&lt;/b&gt;</p>\n"


def test_entities_are_decoded_once_and_escaped_again() -> None:
    assert str(render_markdown("&lt;script&gt; &#60;b&#62; &amp; &quot;")) == (
        "<p>&lt;script&gt; &lt;b&gt; &amp; &quot;</p>\n"
    )


def test_allowed_links() -> None:
    html = str(
        render_markdown("[a](https://example.org/x?q=1) [b](mailto:duban@example.org) [c](../DB-2026-0002/)")
    )
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert [link["href"] for link in links] == [
        "https://example.org/x?q=1",
        "mailto:duban@example.org",
        "../DB-2026-0002/",
    ]
    assert links[0]["rel"] == "noopener noreferrer"
    assert "rel" not in links[1] and "rel" not in links[2]


def test_autolinks() -> None:
    (link,) = [
        attrs for tag, attrs in elements(str(render_markdown("<https://example.org/a>"))) if tag == "a"
    ]
    assert link == {"href": "https://example.org/a", "rel": "noopener noreferrer"}
    (mail,) = [attrs for tag, attrs in elements(str(render_markdown("<duban@example.org>"))) if tag == "a"]
    assert mail == {"href": "mailto:duban@example.org"}


def test_images_become_links() -> None:
    """No image is ever loaded: the site's CSP forbids outside images, and they would track readers."""
    html = str(render_markdown("![验收照片](https://example.org/a.png) ![](docs/b.png)"))
    assert elements(html) == [
        ("p", {}),
        ("a", {"class": "image-link", "href": "https://example.org/a.png", "rel": "noopener noreferrer"}),
        ("a", {"class": "image-link", "href": "docs/b.png"}),
    ]
    assert ">验收照片</a>" in html and ">docs/b.png</a>" in html


def test_an_image_inside_a_link_is_its_label() -> None:
    html = str(render_markdown("[![<b>图</b>](https://example.org/a.png)](https://example.org/page)"))
    assert elements(html) == [
        ("p", {}),
        ("a", {"href": "https://example.org/page", "rel": "noopener noreferrer"}),
    ]
    assert "&lt;b&gt;图&lt;/b&gt;" in html


def test_tables_and_strikethrough() -> None:
    html = str(render_markdown("| 子事项 | 完成 |\n|---|--:|\n| 老旧小区 | 85 |\n\n~~作废~~"))
    tags = elements(html)
    assert ("td", {"class": "align-right"}) in tags
    assert ("s", {}) in tags
    assert "style=" not in html


def test_line_breaks_are_kept() -> None:
    assert str(render_markdown("第一行\n第二行")) == "<p>第一行<br />\n第二行</p>\n"


def test_empty_text() -> None:
    assert str(render_markdown("")) == ""


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>\"'&;:()[]!/\\= \n`*_#jJavscriptdonerlimg%0x1x6A")), max_size=60)
)
def test_no_text_produces_markup_that_runs(text: str) -> None:
    assert_harmless(str(render_markdown(text)))


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org", True),
        ("HTTP://example.org", True),
        ("mailto:a@example.org", True),
        ("../x", True),
        ("x.pdf", True),
        ("#top", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("vbscript:x", False),
        ("data:image/png;base64,AA", False),
        ("file:///etc/passwd", False),
        ("ftp://example.org", False),
        ("java\nscript:alert(1)", False),
    ],
)
def test_is_safe_link(url: str, safe: bool) -> None:
    assert is_safe_link(url) is safe


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "验收 报告.pdf").write_bytes(b"%PDF")
    (tmp_path.parent / "secret.txt").write_text("outside", encoding="utf-8")
    (tmp_path / "evidence" / "link.pdf").symlink_to(tmp_path.parent / "secret.txt")
    return tmp_path


BLOB = "https://github.com/example/registry/blob/main"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/report.pdf", "https://example.org/report.pdf"),
        ("  http://example.org/a  ", "http://example.org/a"),
        ("evidence/验收 报告.pdf", f"{BLOB}/evidence/%E9%AA%8C%E6%94%B6%20%E6%8A%A5%E5%91%8A.pdf"),
        ("./evidence/验收 报告.pdf", f"{BLOB}/evidence/%E9%AA%8C%E6%94%B6%20%E6%8A%A5%E5%91%8A.pdf"),
        ("evidence/missing.pdf", None),
        ("evidence/link.pdf", None),  # a symlink out of the registry
        ("../secret.txt", None),
        ("evidence/../../secret.txt", None),
        ("/etc/passwd", None),
        ("C:\\x.pdf", None),
        ("evidence\\x.pdf", None),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("https://", None),
        ("https://example.org/\x00", None),
        ("", None),
    ],
)
def test_safe_href(registry: Path, url: str, expected: str | None) -> None:
    assert safe_href(url, registry, BLOB) == expected


def test_safe_href_without_a_repository_shows_paths_as_text(registry: Path) -> None:
    assert safe_href("evidence/验收 报告.pdf", registry) is None
    assert safe_href("https://example.org/a", registry) == "https://example.org/a"
    assert registry_path("evidence/验收 报告.pdf", registry) == "evidence/验收 报告.pdf"


def test_repository_file_url() -> None:
    assert repository_file_url("https://github.com/o/r/", "main") == "https://github.com/o/r/blob/main"
    assert repository_file_url("https://gitee.com/o/r", "release/2026", "edit") == (
        "https://gitee.com/o/r/edit/release/2026"
    )
    assert repository_file_url(None, "main") is None
