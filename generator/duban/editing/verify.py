"""Checking the text an edit would write, with duban's own pipeline, before it replaces anything.

The staged file (the temporary file that will be renamed over the task file) is read exactly as the
loader reads a task file: decode, parse, schema, impossible dates. Then the cross-file rules run on the
registry as it would be with that file in place (references, dates in order, status and completion,
extensions), and the "dated after today" warnings for the edited file.
Problems point at lines of the new text.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from duban import checks
from duban.commands._common import Loaded
from duban.loader import read_document
from duban.locate import locate_all
from duban.problems import Problem
from duban.registry import TaskFile


@dataclasses.dataclass
class Verdict:
    problems: list[Problem]
    data: Any  # the new file's plain data (None when it could not be read)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def check_staged(loaded: Loaded, file: str, staged: Path) -> Verdict:
    """Every problem the registry would have with `staged` in place of `file` (which may not exist yet)."""
    document = read_document(staged, file, "task")
    problems = list(document.problems)
    if document.ok:
        problems += _in_registry(loaded, file, document.data)
    _locate(problems, loaded.registry.root, file, staged)
    return Verdict(sorted(problems, key=Problem.sort_key), document.data if document.ok else None)


def _in_registry(loaded: Loaded, file: str, data: dict[str, Any]) -> list[Problem]:
    """The cross-file problems with the new file in the registry: those of this file, and any new error."""
    registry = loaded.registry
    task_id = data["id"]
    problems = _identity(loaded, file, task_id)
    tasks = {tid: task for tid, task in registry.tasks.items() if task.file != file and tid != task_id}
    tasks[task_id] = TaskFile.of(task_id, file, data)
    trial = dataclasses.replace(registry, tasks=dict(sorted(tasks.items())))
    found = checks.check_tasks(trial) + checks.check_future(trial, loaded.as_of)
    # The registry had no errors before the edit, so an error anywhere is the edit's doing.
    return problems + [p for p in found if p.file == file or p.severity == "error"]


def _identity(loaded: Loaded, file: str, task_id: str) -> list[Problem]:
    """The loader's file-level rules: the id names the file, and no other file has it."""
    problems = []
    stem = Path(file).name.rsplit(".", 1)[0]
    if task_id != stem:
        problems.append(Problem(file, "id-mismatch", {"id": task_id, "stem": stem}, ("id",)))
    other = loaded.registry.tasks.get(task_id)
    if other is not None and other.file != file:
        problems.append(Problem(file, "duplicate-id", {"id": task_id, "other": other.file}, ("id",)))
    return problems


def _locate(problems: list[Problem], root: Path, file: str, staged: Path) -> None:
    """Lines and columns from the staged text: problems are located in it under its name, then renamed."""
    own = [p for p in problems if p.file == file and p.line is None]
    staged_name = Path(os.path.relpath(staged, root)).as_posix()
    for problem in own:
        problem.file = staged_name
    locate_all(own, root)
    for problem in own:
        problem.file = file
    locate_all(problems, root)
