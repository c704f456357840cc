"""The page renderer's shortcuts give exactly what the general path gives.

Each shortcut (Markdown without markdown-it, item rows joined in Python) is compared with the general path on
generated input, script-injection payloads included.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duban.site import markdown

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
