"""`duban check`: validate, then fail on the findings that `check.fail_on` names (the CI gate).

With `--changed-since REF` (pull requests), findings fail only for tasks whose files changed since REF;
every other task's findings are listed as warnings, so that a pull request is not blocked by an item that
became overdue on its own. Which files changed is asked of git in three calls: `rev-parse` (does REF
exist?), `diff --merge-base REF` (committed and uncommitted changes since the branch left REF, renames
followed) and `ls-files --others` (new files not yet added).
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from duban import github
from duban.commands._common import Loaded, as_of_option, default_format, load, root_option
from duban.engine import Reason, TaskState, evaluated
from duban.locate import locate_all
from duban.output import (
    annotation,
    echo_chunks,
    github_file,
    joined_lines,
    json_chunks,
    problem_record,
    summary_line,
    text_line,
)
from duban.problems import Problem, has_errors
from duban.settings import FINDINGS, Settings
from duban.wording import FINDING_NAMES, pick

TEXTS: dict[str, dict[str, str]] = {
    "item": {"zh-CN": "{id}「{title}」{reasons}", "en": '{id} "{title}": {reasons}'},
    "grace": {"zh-CN": "（在 {days} 天宽限期内，仅提示）", "en": " (within the {days}-day grace period)"},
    "unchanged": {"zh-CN": "（本次未改动该事项，仅提示）", "en": " (not changed since {ref}: warning only)"},
    "failed": {"zh-CN": "检查未通过", "en": "check failed"},
    "passed": {"zh-CN": "检查通过", "en": "check passed"},
    "counts": {
        "zh-CN": "{errors} 项未通过，{warnings} 项提示",
        "en": "{errors} failing, {warnings} warnings",
    },
    "files": {"zh-CN": "文件校验：{summary}", "en": "files: {summary}"},
    "fix-first": {
        "zh-CN": "（文件有错误，修正后才能检查逾期等情况）",
        "en": " (the files have errors: findings are checked once they are fixed)",
    },
    "as-of": {"zh-CN": "截至 {date}", "en": "as of {date}"},
    "failing": {"zh-CN": "未通过检查的事项", "en": "Failing findings"},
    "warnings": {"zh-CN": "提示", "en": "Warnings"},
    "problems": {"zh-CN": "文件问题", "en": "Problems in the files"},
    "more": {
        "zh-CN": "……另有 {count} 行未显示（见运行日志）",
        "en": "… {count} more rows not shown (see the log)",
    },
    "h-where": {"zh-CN": "位置", "en": "Where"},
    "h-finding": {"zh-CN": "类型", "en": "Finding"},
    "h-level": {"zh-CN": "级别", "en": "Level"},
    "h-message": {"zh-CN": "说明", "en": "Message"},
}


def say(key: str, language: str, **args: Any) -> str:
    return pick(TEXTS, key, language).format(**args)


@dataclass(frozen=True)
class CheckFinding:
    """A finding that `check.fail_on` names, on one task: an error, or a warning (grace period, unchanged)."""

    state: TaskState
    finding: str
    severity: str  # error | warning
    reasons: tuple[Reason, ...]
    note: str | None = None  # grace | unchanged
    line: int | None = None
    column: int | None = None

    def message(self, language: str, settings: Settings, ref: str | None) -> str:
        joiner = "；" if language == "zh-CN" else "; "
        reasons = joiner.join(r.message(language) for r in self.reasons)
        text = say("item", language, id=self.state.id, title=self.state.title, reasons=reasons)
        if self.note:
            text += say(self.note, language, days=settings.grace_days, ref=ref)
        return text

    def sort_key(self) -> tuple[int, int, int, str]:
        """Errors first, then by finding (overdue first), the longest overdue first: GitHub shows only about
        ten annotations of each level per step."""
        severity = 0 if self.severity == "error" else 1
        return (severity, FINDINGS.index(self.finding), -self.state.days_overdue, self.state.id)


# --- which findings fail ---


def _judge(
    state: TaskState, finding: str, settings: Settings, touched: set[str] | None
) -> tuple[str, str | None]:
    """Error, or warning with why: within the grace period, or a task the change did not touch."""
    if finding == "overdue" and state.days_overdue <= settings.grace_days:
        return "warning", "grace"
    if touched is not None and state.file not in touched:
        return "warning", "unchanged"
    return "error", None


def select_findings(
    states: Iterable[TaskState], settings: Settings, touched: set[str] | None
) -> list[CheckFinding]:
    """Findings named in `check.fail_on`; `touched` (task files changed, or None without --changed-since)."""
    selected = []
    for state in states:
        for finding in state.findings:
            if finding not in settings.fail_on:
                continue
            severity, note = _judge(state, finding, settings, touched)
            reasons = tuple(r for r in state.reasons if r.finding == finding)
            selected.append(CheckFinding(state, finding, severity, reasons, note))
    return sorted(selected, key=CheckFinding.sort_key)


def locate_findings(findings: list[CheckFinding], root: Path) -> list[CheckFinding]:
    """Line and column of each finding's record (the `deadline` line for overdue), via duban.locate."""
    probes = [Problem(f.state.file, f.finding, path=f.reasons[0].path if f.reasons else ()) for f in findings]
    locate_all(probes, root)
    return [
        CheckFinding(f.state, f.finding, f.severity, f.reasons, f.note, p.line, p.column)
        for f, p in zip(findings, probes, strict=True)
    ]


# --- git ---


class GitError(Exception):
    pass


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as error:  # git is not installed, or root vanished
        raise GitError(f"cannot run git: {error}") from error


def _error_text(done: subprocess.CompletedProcess[bytes]) -> str:
    """git's last line on stderr ("fatal: …"), for the error message."""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def changed_files(root: Path, ref: str) -> set[str]:
    """Files changed since `ref` (relative to the registry root, forward slashes): committed on this branch
    since it left `ref`, staged, unstaged, or new and untracked. Both sides of a rename count."""
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git reference")
    verify = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if verify.returncode != 0:
        if verify.returncode == 1:
            raise GitError(f"no commit named '{ref}' in this repository (in CI, fetch it: fetch-depth: 0)")
        raise GitError(f"{root} is not inside a git repository ({_error_text(verify)})")
    diff = _git(root, "diff", "--merge-base", "--name-status", "-z", "-M", "--relative", ref, "--")
    if diff.returncode != 0:
        raise GitError(f"git diff against '{ref}' failed: {_error_text(diff)}")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    return _parse_name_status(diff.stdout) | {p for p in untracked.stdout.decode("utf-8").split("\0") if p}


def _parse_name_status(output: bytes) -> set[str]:
    """`git diff --name-status -z`: STATUS NUL PATH NUL, and two paths for renames and copies (R100, C75)."""
    fields = output.decode("utf-8").split("\0")
    paths: set[str] = set()
    index = 0
    while index < len(fields) and fields[index]:
        count = 2 if fields[index][0] in "RC" else 1
        paths.update(fields[index + 1 : index + 1 + count])
        index += 1 + count
    return paths


# --- output ---


def _summary(findings: list[CheckFinding], problems: list[Problem], language: str) -> str:
    errors = sum(f.severity == "error" for f in findings)
    failed = errors > 0 or has_errors(problems)
    head = say("failed" if failed else "passed", language)
    counts = say("counts", language, errors=errors, warnings=len(findings) - errors)
    files = say("files", language, summary=summary_line(problems, language))
    separator = "：" if language == "zh-CN" else ": "
    joiner = "；" if language == "zh-CN" else "; "
    text = head + separator + counts + joiner + files
    return text + say("fix-first", language) if has_errors(problems) else text


def _finding_line(f: CheckFinding, language: str, settings: Settings, ref: str | None) -> str:
    where = f.state.file + (f":{f.line}:{f.column or 1}" if f.line else "")
    return f"{where}: {f.severity}[{f.finding}]: {f.message(language, settings, ref)}"


def finding_record(f: CheckFinding, language: str, settings: Settings, ref: str | None) -> dict[str, Any]:
    """One finding in the JSON output (docs/engine.md)."""
    return {
        "id": f.state.id,
        "file": f.state.file,
        "line": f.line,
        "column": f.column,
        "finding": f.finding,
        "severity": f.severity,
        "message": f.message(language, settings, ref),
        "title": f.state.title,
        "light": f.state.light,
        "note": f.note,
        "effective_deadline": f.state.effective_deadline.isoformat(),
        "days_overdue": f.state.days_overdue,
        "workdays_overdue": f.state.workdays_overdue,
    }


@dataclass(frozen=True)
class Outcome:
    loaded: Loaded
    findings: list[CheckFinding]
    ref: str | None

    @property
    def language(self) -> str:
        return self.loaded.registry.settings.language

    @property
    def failed(self) -> bool:
        return has_errors(self.loaded.problems) or any(f.severity == "error" for f in self.findings)


def print_text(outcome: Outcome) -> None:
    settings, language = outcome.loaded.registry.settings, outcome.language
    lines = itertools.chain(
        (text_line(p, language) for p in outcome.loaded.problems),
        (_finding_line(f, language, settings, outcome.ref) for f in outcome.findings),
        [_summary(outcome.findings, outcome.loaded.problems, language)],
    )
    echo_chunks(joined_lines(lines))


def print_json(outcome: Outcome) -> None:
    settings, language = outcome.loaded.registry.settings, outcome.language
    document = {  # the lists are written record by record (duban.output.json_chunks)
        "problems": (problem_record(p, language) for p in outcome.loaded.problems),
        "findings": (finding_record(f, language, settings, outcome.ref) for f in outcome.findings),
        "as_of": outcome.loaded.as_of.isoformat(),
        "failed": outcome.failed,
    }
    echo_chunks(json_chunks(document))


def _finding_annotation(f: CheckFinding, outcome: Outcome, root: Path) -> str:
    language = outcome.language
    title = f"duban {pick(FINDING_NAMES, f.finding, language)}: {f.state.id}"
    message = f.message(language, outcome.loaded.registry.settings, outcome.ref)
    return annotation(f.severity, github_file(f.state.file, root), f.line, f.column, title, message)


def print_github(outcome: Outcome, root: Path) -> None:
    """Annotations, most important first (errors, then warnings), then the job summary."""
    language, problems = outcome.language, outcome.loaded.problems

    def problem_annotation(p: Problem) -> str:
        return annotation(
            p.severity, github_file(p.file, root), p.line, p.column, p.code, p.message(language)
        )

    lines = [problem_annotation(p) for p in problems if p.severity == "error"]
    lines += [_finding_annotation(f, outcome, root) for f in outcome.findings if f.severity == "error"]
    lines += [_finding_annotation(f, outcome, root) for f in outcome.findings if f.severity != "error"]
    lines += [problem_annotation(p) for p in problems if p.severity != "error"]
    click.echo("\n".join([*lines, _summary(outcome.findings, problems, language)]))
    path = github.summary_path()
    if path is not None:
        github.append_summary(path, step_summary(outcome, github.summary_budget(path)))


def step_summary(outcome: Outcome, budget: int) -> str:
    language, settings = outcome.language, outcome.loaded.registry.settings
    headers = [say(k, language) for k in ("h-where", "h-finding", "h-message")]

    def rows(severity: str) -> list[list[object]]:
        return [
            [f"{f.state.file}:{f.line or 1}", pick(FINDING_NAMES, f.finding, language),
             f.message(language, settings, outcome.ref)]
            for f in outcome.findings if (f.severity == "error") == (severity == "error")
        ]  # fmt: skip

    problem_rows: list[list[object]] = [
        [f"{p.file}:{p.line or 1}", p.severity, p.message(language)] for p in outcome.loaded.problems
    ]
    tables = [
        github.SummaryTable(say("failing", language), headers, rows("error")),
        github.SummaryTable(say("warnings", language), headers, rows("warning")),
        github.SummaryTable(say("problems", language), [headers[0], say("h-level", language), headers[2]],
                            problem_rows),
    ]  # fmt: skip
    icon = "❌" if outcome.failed else "✅"
    intro = f"## {icon} duban check\n\n{say('as-of', language, date=outcome.loaded.as_of.isoformat())} · "
    intro += _summary(outcome.findings, outcome.loaded.problems, language) + "\n"
    return github.render_summary(intro, tables, budget, pick(TEXTS, "more", language))


# --- the command ---


def run_check(root: Path, fmt: str, as_of: dt.date | None, changed_since: str | None) -> int:
    touched = None
    if changed_since is not None:
        try:
            touched = changed_files(root, changed_since)
        except GitError as error:
            raise click.BadParameter(str(error), param_hint="--changed-since") from error
    loaded = load(root, as_of)
    findings: list[CheckFinding] = []
    if loaded.ok:  # the engine reads only a registry without errors
        states = evaluated(loaded.registry, loaded.as_of)  # only those with findings are kept
        findings = locate_findings(select_findings(states, loaded.registry.settings, touched), root)
    outcome = Outcome(loaded, findings, changed_since)
    if fmt == "json":
        print_json(outcome)
    elif fmt == "github":
        print_github(outcome, root)
    else:
        print_text(outcome)
    return 1 if outcome.failed else 0


@click.command(name="check")
@root_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default=None,
    help="Output format [default: text; github inside GitHub Actions].",
)  # fmt: skip
@click.option(
    "--changed-since", metavar="GITREF", default=None,
    help="Fail only for tasks changed since this git ref (e.g. origin/main); list the rest as warnings.",
)  # fmt: skip
@as_of_option
def command(root: Path, fmt: str | None, changed_since: str | None, as_of: dt.date | None) -> None:
    """Validate, then fail (exit 1) on the findings that check.fail_on names in duban.yaml.

    Overdue items fail once they are more than check.grace_days past their effective deadline. In GitHub
    Actions the output is annotations on the task files plus a summary on the run's page.
    """
    raise SystemExit(run_check(root, fmt or default_format(), as_of, changed_since))
