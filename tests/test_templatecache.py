"""Compiled templates kept in the cache folder (duban.site.templatecache): the same pages as compiling them,
compiled again when anything that shapes the code differs, and a damaged or unwritable cache is no error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from jinja2.bccache import bc_magic

from duban import cache
from duban.site import templatecache
from duban.site.render import environment, make_environment
from duban.site.templatecache import keep_templates
from engine_helpers import git_repo, run, task, write_registry

TEMPLATES = ["task.html", "tasks.html", "dashboard.html", "bulletin.html"]


def _compiled(environment: Environment) -> dict[str, Any]:
    """Each template's compiled code (its body's and its blocks'), as the environment loads it; code objects
    compare by their bytecode and constants."""
    found = {}
    for name in TEMPLATES:
        template = environment.get_template(name)
        blocks = {block: function.__code__ for block, function in template.blocks.items()}
        found[name] = (template.root_render_func.__code__, blocks)
    return found


def _fresh(home: Path | None, language: str = "zh-CN") -> Environment:
    environment = make_environment(language)
    keep_templates(environment, home, language)
    return environment


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From here on, the names of the templates Jinja compiles from their source."""
    compiled: list[str] = []
    real = Environment.compile

    def counting(self: Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return compiled


def test_templates_compiled_once_are_loaded_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = _compiles(monkeypatch)
    first = _compiled(_fresh(tmp_path))
    assert set(TEMPLATES) <= set(compiled)
    compiled.clear()
    assert _compiled(_fresh(tmp_path)) == first
    assert compiled == []
    assert _compiled(_fresh(None)) == first and set(TEMPLATES) <= set(compiled)


def test_another_language_or_version_compiles_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Translations are part of the code (InlineConstants): another language is another folder, and another
    version of duban's code another again; a new folder replaces the old ones."""
    _compiled(_fresh(tmp_path))
    compiled = _compiles(monkeypatch)
    english = _compiled(_fresh(tmp_path, "en"))
    assert set(TEMPLATES) <= set(compiled)
    assert english != _compiled(_fresh(None, "zh-CN"))
    assert len(list((tmp_path / templatecache.FOLDER).iterdir())) == 1
    monkeypatch.setattr(templatecache, "code_key", lambda: b"another version of duban")
    compiled.clear()
    _compiled(_fresh(tmp_path, "en"))
    assert set(TEMPLATES) <= set(compiled)
    [folder] = (tmp_path / templatecache.FOLDER).iterdir()
    assert folder.name == "en-" + b"another version of duban".hex()[:20]


@pytest.mark.parametrize("damage", ["truncate", "cut-checksum", "garbage", "empty"])
def test_a_damaged_compiled_template_is_compiled_again(damage: str, tmp_path: Path) -> None:
    expected = _compiled(_fresh(None))
    _compiled(_fresh(tmp_path))
    for path in (tmp_path / templatecache.FOLDER).rglob("*.cache"):
        data = path.read_bytes()
        damaged = {
            "truncate": data[: len(data) // 2],
            "cut-checksum": data[: len(bc_magic) + 3],  # within the checksum Jinja reads with pickle
            "garbage": b"\x80garbage" * 9,
            "empty": b"",
        }
        path.write_bytes(damaged[damage])
    assert _compiled(_fresh(tmp_path)) == expected


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("a file where the cache folder would go", encoding="utf-8")
    assert _compiled(_fresh(home)) == _compiled(_fresh(None))


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return write_registry(git_repo(tmp_path / "registry"), [task("DB-2026-0001"), task("DB-2026-0002")])


def _build(root: Path, out: Path, env: dict[str, str | None] | None = None) -> dict[str, bytes]:
    result = run(["build", "--root", str(root), "--out", str(out), "--as-of", "2026-07-01"], env=env)
    assert result.exit_code == 0, result.output
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_build_keeps_its_templates_in_the_cache_folder_unless_the_cache_is_off(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache.VARIABLE, raising=False)
    environment.cache_clear()  # templates this process compiled for earlier tests are not loaded again
    site = _build(registry, registry / "_site")
    kept = list((registry / cache.FOLDER / templatecache.FOLDER).rglob("*.cache"))
    assert kept
    assert _build(registry, registry.parent / "other", env={cache.VARIABLE: "off"}) == site
    assert sorted((registry / cache.FOLDER / templatecache.FOLDER).rglob("*.cache")) == sorted(kept)
    bare = registry.parent / "bare"
    bare.mkdir()
    environment.cache_clear()
    assert _build(registry, registry.parent / "third", env={cache.VARIABLE: str(bare)}) == site
    assert list((bare / templatecache.FOLDER).rglob("*.cache"))
