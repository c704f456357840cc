"""The wheel carries schemas and templates, so an installed duban checks any registry, not only this repo."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
    )
    (found,) = out.glob("duban-*.whl")
    return found


def test_wheel_contains_schemas_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = {n for n in names if n.startswith("duban/schema/") and n.endswith(".schema.json")}
    assert {Path(n).name for n in schemas} == {p.name for p in (REPO_ROOT / "schema").glob("*.schema.json")}
    assert any(n.startswith("duban/site_templates/") for n in names)
    assert "duban/cli.py" in names
    assert not any(n.startswith(("tasks/", "tests/", "org/")) for n in names)


def test_installed_wheel_validates_another_registry(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
    )
    registry = tmp_path / "other"
    (registry / "org").mkdir(parents=True)
    (registry / "duban.yaml").write_text("title: 别的登记库\ntimezone: Asia/Shanghai\n", encoding="utf-8")
    (registry / "org" / "units.yaml").write_text("- id: office\n  name: 办公室\n", encoding="utf-8")
    (registry / "org" / "people.yaml").write_text("- id: li\n  name: 李四\n  unit: offce\n", encoding="utf-8")
    # The installed copy must win over the source checkout: put it first and run from an unrelated folder.
    code = (
        f"import sys; sys.path.insert(0, {str(target)!r}); import duban; "
        f"assert duban.__file__.startswith({str(target)!r}), duban.__file__; "
        "from duban.cli import main; main(['validate', '--root', sys.argv[1]])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(registry)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        "org/people.yaml:3:9: error[unknown-unit]: 单位“offce”不存在于 org/units.yaml，是否应为“office”？"
    )
