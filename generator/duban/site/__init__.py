"""The static status site: `duban build` renders the registry into plain files that work with no network.

The pipeline (mkdocs-style, one small module per stage):
load and validate (`duban.commands._common.load`) → evaluate (`duban.engine`) → context (`site.context`, built
once) → render (`site.render`, one cached Jinja environment per language) → write (`site.write`, a temporary
folder swapped into place). `site.build.build_site` runs it and returns an exit code.
"""
