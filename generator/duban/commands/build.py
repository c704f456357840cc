"""`duban build`: render the static status site (生成站点)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from duban.commands._common import as_of_option, root_option


@click.command(name="build")
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The output folder [default: _site in the registry's folder]; replaced as a whole, and only "
    "when the build succeeds.",
)
@as_of_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
def command(root: Path, out: Path | None, as_of: dt.date | None, quiet: bool) -> None:
    """Validate the registry, then render the static status site into --out.

    On any problem nothing is written and a previous output folder is left exactly as it was. The site needs
    no network: open index.html from the folder, or serve it from any sub-path (GitHub Pages).
    """
    from duban.site.build import build_site

    raise SystemExit(build_site(root, out or root / "_site", as_of, quiet=quiet))
