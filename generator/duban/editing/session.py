"""The pipeline every editing command runs, and what it prints.

load the registry (refuse if it has errors) → find the task → change the round-trip tree → dump it in the
file's own layout → stage the bytes beside the file → check them with duban's own rules → rename over the
file → say what changed and how to commit it. Any refusal prints its reason and returns 1, file untouched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from duban.commands._common import Loaded, load
from duban.editing import newtask, roundtrip
from duban.editing.catalog import EditRefused, say
from duban.editing.changes import Outcome, Target
from duban.editing.newtask import NewTask, Plan, next_id
from duban.editing.staging import make_folders, remove_folders, staged
from duban.editing.verify import Verdict, check_staged
from duban.output import print_problems
from duban.schemas import did_you_mean

Change = Callable[[Target], Outcome]


def edit_task(
    root: Path, as_of: dt.date | None, task_id: str, change: Change, *, dry_run: bool = False
) -> int:
    """Apply `change` to the task `task_id`; 0 when written (or, with `dry_run`, when it would be), else 1."""
    loaded = load_registry(root, as_of)
    if loaded is None:
        return 1
    language = loaded.registry.settings.language
    try:
        file = find_task(loaded, task_id)
        path = root / file
        source = read_source(path, file)
        yaml, doc = roundtrip.load(source, file)
        registry = loaded.registry
        outcome = change(Target(doc, task_id, file, loaded.as_of, language, registry.person_name))
        data = source.to_bytes(roundtrip.dump(yaml, doc))
        old = loaded.registry.tasks[task_id].data
        return write_checked(loaded, file, data, outcome, dry_run=dry_run, old=old)
    except EditRefused as refused:
        click.echo(refused.message(language), err=True)
        return 1


def create_task(
    root: Path, as_of: dt.date | None, task: NewTask, plan: Plan, *, dry_run: bool = False
) -> int:
    """Write a new task file with the next free id; 0 when written (or, with `dry_run`, when it would be)."""
    loaded = load_registry(root, as_of)
    if loaded is None:
        return 1
    language = loaded.registry.settings.language
    assigned = plan.assigned or loaded.as_of
    deadline = plan.deadline_for(assigned, loaded.registry.calendar)
    task = dataclasses.replace(
        task, task_id=next_id(loaded.registry, assigned.year), assigned=assigned, deadline=deadline
    )
    folder = plan.folder or f"tasks/{assigned.year}"
    file = f"{folder.rstrip('/')}/{task.task_id}.yaml"
    text = newtask.render(newtask.build(task), root, (root / file).parent, language)
    title = task.title.strip().splitlines()[0][:40] if task.title.strip() else ""
    details = {"id": task.task_id, "title": title, "assigned": assigned, "deadline": deadline}
    outcome = Outcome(
        [say("created", language, file=file, **details)], say("commit-new", language, **details)
    )
    try:
        return write_checked(loaded, file, text.encode("utf-8"), outcome, dry_run=dry_run, old=None)
    except EditRefused as refused:
        click.echo(refused.message(language), err=True)
        return 1


def load_registry(root: Path, as_of: dt.date | None) -> Loaded | None:
    """The loaded registry; None after printing its problems when it has errors (edits need a sound one)."""
    loaded = load(root, as_of)
    if loaded.ok:
        return loaded
    language = loaded.registry.settings.language
    print_problems(loaded.problems, language, err=True)
    click.echo(say("registry-has-errors", language), err=True)
    return None


def find_task(loaded: Loaded, task_id: str) -> str:
    """The file of task `task_id` (any sub-folder of tasks/), or a refusal with a did-you-mean hint."""
    task = loaded.registry.tasks.get(task_id)
    if task is None:
        known = list(loaded.registry.tasks)
        near = did_you_mean(task_id, known)
        if not near["en"]:  # `db-2026-0007` for `DB-2026-0007`
            near = did_you_mean(task_id.upper(), known)
        language = loaded.registry.settings.language
        raise EditRefused("not-found", id=task_id, suggestion=near.get(language, near["en"]))
    return task.file


def read_source(path: Path, file: str) -> roundtrip.Source:
    try:
        return roundtrip.Source.from_bytes(path.read_bytes())
    except OSError as error:
        raise EditRefused("unreadable", file=file, error=error.strerror or str(error)) from None
    except UnicodeDecodeError as error:
        raise EditRefused("unreadable", file=file, error=str(error)) from None


def write_checked(
    loaded: Loaded, file: str, data: bytes, outcome: Outcome, *, dry_run: bool, old: dict[str, Any] | None
) -> int:
    """Stage `data`, check it, and rename it over `file` only when it passes; then say what changed."""
    root, language = loaded.registry.root, loaded.registry.settings.language
    target = root / file
    created = make_folders(target.parent, file) if old is None else []
    try:
        with staged(target, data, file) as stage:
            verdict = check_staged(loaded, file, stage.path)
            if not _acceptable(verdict, file, language, old, outcome):
                return 1
            if dry_run:
                _show_diff(target, data, file, language)
                return 0
            stage.commit(must_be_new=old is None)
    finally:
        if not target.exists():
            remove_folders(created)
    report(loaded, file, outcome)
    return 0


def _acceptable(
    verdict: Verdict, file: str, language: str, old: dict[str, Any] | None, outcome: Outcome
) -> bool:
    """Print the new file's problems; False when any is an error. Also guards what the change may touch."""
    if verdict.problems:
        print_problems(verdict.problems, language, err=True)
    if not verdict.ok:
        click.echo(say("invalid-change", language, file=file), err=True)
        return False
    if old is not None:
        changed = sorted(
            k
            for k in set(old) | set(verdict.data)
            if k not in outcome.touched and old.get(k) != verdict.data.get(k)
        )
        if changed:
            raise EditRefused("guard", file=file, keys=", ".join(changed))
    return True


def _show_diff(target: Path, data: bytes, file: str, language: str) -> None:
    before = target.read_bytes().decode("utf-8-sig").splitlines(keepends=True) if target.exists() else []
    after = data.decode("utf-8-sig").splitlines(keepends=True)
    click.echo(say("dry-run", language))
    click.echo("".join(difflib.unified_diff(before, after, f"a/{file}", f"b/{file}")), nl=False)


def report(loaded: Loaded, file: str, outcome: Outcome) -> None:
    """What changed, then the git commands that commit it."""
    language = loaded.registry.settings.language
    for line in outcome.lines:
        click.echo(line)
    click.echo(say("commit-hint", language))
    for command in git_commands(loaded.registry.root, file, outcome.commit):
        click.echo(f"  {command}")


def git_commands(root: Path, file: str, message: str) -> list[str]:
    """`git add FILE` and `git commit -m "MESSAGE"`, with `-C ROOT` when the registry is elsewhere."""
    here = _same_folder(root, Path.cwd())
    git = "git" if here else f"git -C {shlex.quote(str(root))}"
    return [f"{git} add {shlex.quote(file)}", f"{git} commit -m {double_quoted(message)}"]


def double_quoted(text: str) -> str:
    """`text` in double quotes for a POSIX shell (`"`, `\\`, `$` and backquotes escaped)."""
    escaped = "".join("\\" + ch if ch in '"\\$`' else ch for ch in text)
    return f'"{escaped}"'


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False
