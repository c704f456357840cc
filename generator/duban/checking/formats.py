"""`duban check`'s output formats: one printer per format, chosen from FORMATS (docs/engine.md, "Output").

Text and JSON are written a line or a record at a time (duban.output): at 100,000 items the whole text
would take more memory than the findings themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from duban import github
from duban.checking.findings import CheckFinding, CheckResult
from duban.checking.texts import TEXTS, say
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
from duban.settings import Settings
from duban.wording import FINDING_NAMES, pick

Printer = Callable[[CheckResult, Path], None]


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


# --- text ---


def _finding_line(f: CheckFinding, language: str, settings: Settings, ref: str | None) -> str:
    where = f.state.file + (f":{f.line}:{f.column or 1}" if f.line else "")
    return f"{where}: {f.severity}[{f.finding}]: {f.message(language, settings, ref)}"


def print_text(result: CheckResult, root: Path) -> None:
    """Problems as `duban validate` prints them, one line per finding, then the summary line."""
    settings, language = result.settings, result.language
    lines = itertools.chain(
        (text_line(p, language) for p in result.problems),
        (_finding_line(f, language, settings, result.ref) for f in result.findings),
        [_summary(result.findings, result.problems, language)],
    )
    echo_chunks(joined_lines(lines))


# --- json ---


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


def print_json(result: CheckResult, root: Path) -> None:
    settings, language = result.settings, result.language
    document = {  # the lists are written record by record (duban.output.json_chunks)
        "problems": (problem_record(p, language) for p in result.problems),
        "findings": (finding_record(f, language, settings, result.ref) for f in result.findings),
        "as_of": result.as_of.isoformat(),
        "failed": result.failed,
    }
    echo_chunks(json_chunks(document))


# --- github ---


def _finding_annotation(f: CheckFinding, result: CheckResult, root: Path) -> str:
    language = result.language
    title = f"duban {pick(FINDING_NAMES, f.finding, language)}: {f.state.id}"
    message = f.message(language, result.settings, result.ref)
    return annotation(f.severity, github_file(f.state.file, root), f.line, f.column, title, message)


def print_github(result: CheckResult, root: Path) -> None:
    """Annotations, most important first (errors, then warnings), then the job summary."""
    language, problems = result.language, result.problems

    def problem_annotation(p: Problem) -> str:
        return annotation(
            p.severity, github_file(p.file, root), p.line, p.column, p.code, p.message(language)
        )

    lines = [problem_annotation(p) for p in problems if p.severity == "error"]
    lines += [_finding_annotation(f, result, root) for f in result.findings if f.severity == "error"]
    lines += [_finding_annotation(f, result, root) for f in result.findings if f.severity != "error"]
    lines += [problem_annotation(p) for p in problems if p.severity != "error"]
    click.echo("\n".join([*lines, _summary(result.findings, problems, language)]))
    path = github.summary_path()
    if path is not None:
        github.append_summary(path, step_summary(result, github.summary_budget(path)))


def step_summary(result: CheckResult, budget: int) -> str:
    """The Markdown for `$GITHUB_STEP_SUMMARY`, at most `budget` bytes."""
    language, settings = result.language, result.settings
    headers = [say(k, language) for k in ("h-where", "h-finding", "h-message")]

    def rows(severity: str) -> list[list[object]]:
        return [
            [f"{f.state.file}:{f.line or 1}", pick(FINDING_NAMES, f.finding, language),
             f.message(language, settings, result.ref)]
            for f in result.findings if (f.severity == "error") == (severity == "error")
        ]  # fmt: skip

    problem_rows: list[list[object]] = [
        [f"{p.file}:{p.line or 1}", p.severity, p.message(language)] for p in result.problems
    ]
    tables = [
        github.SummaryTable(say("failing", language), headers, rows("error")),
        github.SummaryTable(say("warnings", language), headers, rows("warning")),
        github.SummaryTable(say("problems", language), [headers[0], say("h-level", language), headers[2]],
                            problem_rows),
    ]  # fmt: skip
    icon = "❌" if result.failed else "✅"
    intro = f"## {icon} duban check\n\n{say('as-of', language, date=result.as_of.isoformat())} · "
    intro += _summary(result.findings, result.problems, language) + "\n"
    return github.render_summary(intro, tables, budget, pick(TEXTS, "more", language))


FORMATS: dict[str, Printer] = {"text": print_text, "json": print_json, "github": print_github}
