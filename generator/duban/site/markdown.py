"""Markdown from the registry (descriptions, progress reports, summaries) as safe HTML; safe evidence links.

The registry is written by many hands (every lead unit's liaison may open a pull request), so its text
is data, never markup: raw HTML is escaped, and a link survives only when it is http(s), mailto or
relative. Everything else (javascript:, vbscript:, data:, file:, any unknown scheme) is left as plain
text, for images too.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ALIGN_STYLE = re.compile(r"^text-align:(left|right|center)$")


class _SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # markdown-it's name for the hook
        """Called with the normalised destination (entities decoded, percent-encoded) of links and images."""
        return is_safe_link(url)


def is_safe_link(url: str) -> bool:
    """http, https, mailto, or a relative reference (no scheme at all)."""
    if _CONTROL.search(url):
        return False
    match = _SCHEME.match(url.strip())
    return match is None or match[1].lower() in _LINK_SCHEMES


def is_external(url: str) -> bool:
    """Leaves the site: an http(s) URL or a scheme-relative `//host/…` one."""
    return url.lower().startswith(("http://", "https://", "//"))


@cache
def _parser() -> MarkdownIt:
    # breaks: a line break in the YAML stays a line break. Chinese text is written one line per point,
    # and a soft break would show as a stray space between two Chinese characters.
    md = _SafeMarkdown("commonmark", {"html": False, "breaks": True})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    for name in ("th_open", "td_open"):
        md.add_render_rule(name, _render_cell_open)
    return md


def _render_link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if is_external(str(token.attrGet("href") or "")):
        token.attrSet("rel", "noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """An image becomes a link to it, labelled with its alt text: the site loads nothing from elsewhere.

    Its Content-Security-Policy forbids outside images anyway, an outside image would tell its host who reads
    which item, and a relative image names a registry file that the site does not publish.
    """
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    label = escapeHtml(self.renderInlineAsText(token.children or [], options, env) or src)
    if _inside_link(tokens, idx):  # no link inside a link: the outer link keeps the label
        return label
    rel = ' rel="noopener noreferrer"' if is_external(src) else ""
    return f'<a class="image-link" href="{escapeHtml(src)}"{rel}>{label}</a>'


def _inside_link(tokens: list[Token], idx: int) -> bool:
    depth = 0
    for token in tokens[:idx]:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


def _render_cell_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """Table alignment as a class (`align-right`), not a style attribute.

    A strict Content-Security-Policy then needs no 'unsafe-inline' for styles.
    """
    token = tokens[idx]
    style = token.attrGet("style")
    if style is not None:
        token.attrs.pop("style")
        match = _ALIGN_STYLE.match(str(style))
        if match:
            token.attrSet("class", f"align-{match[1]}")
    return str(self.renderToken(tokens, idx, options, env))


@lru_cache(maxsize=4096)  # the same text shows on several pages (task, unit, bulletin)
def render_markdown(text: str) -> Markup:
    """Registry Markdown as HTML that is safe to put into a page as it is."""
    return Markup(plain_paragraph(text) or strong_paragraph(text) or _parser().render(text or ""))


# Characters that may mean something to Markdown or to HTML (ASCII punctuation that CommonMark uses, entities,
# quotes that the renderer escapes) and control characters. Text without them, in lines that neither start
# with a space or a digit nor end with a space, is one paragraph of plain text.
_NOT_PLAIN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\\\\`*_\\[\\]<>&!#~|+=:.()\"'{}\\-\u2028\u2029]")


def plain_paragraph(text: str) -> str | None:
    """What markdown-it makes of plain text, without running it (a third of an item page's time: most
    progress reports are a sentence or two of Chinese); None when the text may hold any Markdown at all.
    tests/test_fastpath.py checks this against markdown-it on generated text."""
    body = text.rstrip("\n")
    if not body or _NOT_PLAIN.search(body):
        return None
    lines = body.split("\n")
    for line in lines:
        if not line or line[0].isspace() or line[-1].isspace() or line[0].isdigit():
            return None
    return "<p>" + "<br />\n".join(lines) + "</p>\n"


def strong_paragraph(text: str) -> str | None:
    """What markdown-it makes of plain text with `**strong**` spans (item descriptions often start a line
    with `**要求**：`), without running it; None when the text may hold anything else.

    A span is taken only when it has exactly two stars on each side, stays on one line, and starts and ends
    with a letter or digit: its opening run is then left-flanking and its closing run right-flanking, so
    CommonMark pairs the runs in order, each with the next. tests/test_site_fastpaths.py checks it against
    markdown-it on generated text.
    """
    parts = text.split("**")
    if len(parts) < 3 or len(parts) % 2 == 0 or not all(parts[2:-1:2]):  # `****` is one run of four
        return None
    for inner in parts[1::2]:
        if not inner or not inner[0].isalnum() or not inner[-1].isalnum() or "\n" in inner:
            return None
    if plain_paragraph("".join(parts)) is None:  # no other Markdown, and lines that are one paragraph
        return None
    tags = ("<strong>", "</strong>") * (len(parts) // 2)
    body = "".join(part + tag for part, tag in zip(parts, (*tags, ""), strict=True)).rstrip("\n")
    return "<p>" + body.replace("\n", "<br />\n") + "</p>\n"


def safe_href(url: str, root: Path | None = None, blob_base: str | None = None) -> str | None:
    """Where an evidence link may point, or None when it must be shown as plain text.

    http(s) URLs are kept. A relative path is a file inside the registry (checked under `root` when
    given): it becomes a link to `blob_base` (the repository's blob URL for the branch, see
    `repository_file_url`) when there is one; without a repository URL the site shows the path as
    text, since the site does not publish the registry's files.
    """
    url = url.strip()
    if _CONTROL.search(url):
        return None
    if url.lower().startswith(("http://", "https://")):
        return url if len(url) > len("https://") else None
    path = registry_path(url, root)
    if path is None or blob_base is None:
        return None
    return f"{blob_base.rstrip('/')}/{quote(path)}"


def registry_path(url: str, root: Path | None = None) -> str | None:
    """`url` as a clean relative path inside the registry (no scheme, no `..`, no drive), or None."""
    if not url or _SCHEME.match(url) or ":" in url or "\\" in url or url.startswith("/"):
        return None
    parts = [p for p in PurePosixPath(url).parts if p != "."]
    if not parts or ".." in parts:
        return None
    if root is not None and not _file_inside(root, parts):
        return None
    return "/".join(parts)


def _file_inside(root: Path, parts: list[str]) -> bool:
    try:
        real_root = root.resolve()
        target = root.joinpath(*parts).resolve()  # a symlink must not lead out of the registry
        return target.is_file() and target.is_relative_to(real_root)
    except (OSError, RuntimeError):
        return False


def repository_file_url(repository_url: str | None, branch: str, kind: str = "blob") -> str | None:
    """The base URL of the registry's files in its repository (`…/blob/main`; `edit` for "edit this item").

    GitHub, Gitee and GitLab (which redirects) all use `<repo>/<kind>/<branch>/<path>`. None without a URL.
    """
    if not repository_url:
        return None
    return f"{repository_url.rstrip('/')}/{kind}/{quote(branch)}"
