"""Files that ship with duban: the JSON Schemas and the site templates.

In a wheel they sit inside the package (pyproject's force-include); in a source checkout (editable install,
tests) they sit at the repository's top level, where the design card puts them.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`schema` or `site_templates`, wherever this installation keeps them."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent.parent / name
