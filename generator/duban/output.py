"""Printing problems: one formatter per output format, chosen from one dict."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from duban.problems import Problem

Formatter = Callable[[list[Problem], str, Path | None], str]


def problem_record(problem: Problem, language: str) -> dict[str, Any]:
    """The stable JSON shape of a problem (CLI.md); field names are part of the contract."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "path": problem.json_path(),
        "code": problem.code,
        "severity": problem.severity,
        "message": problem.message(language),
    }


def text_line(problem: Problem, language: str) -> str:
    where = problem.file
    if problem.line is not None:
        where += f":{problem.line}:{problem.column or 1}"
    return f"{where}: {problem.severity}[{problem.code}]: {problem.message(language)}"


def summary_line(problems: list[Problem], language: str) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if language == "zh-CN":
        return f"{errors} 个错误，{warnings} 个警告" if problems else "未发现问题"
    if not problems:
        return "no problems found"
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def format_text(problems: list[Problem], language: str, root: Path | None = None) -> str:
    lines = [text_line(p, language) for p in problems]
    lines.append(summary_line(problems, language))
    return "\n".join(lines)


def format_json(problems: list[Problem], language: str, root: Path | None = None) -> str:
    document = {"problems": [problem_record(p, language) for p in problems], "findings": []}
    return json.dumps(document, ensure_ascii=False, indent=2)


def escape_data(text: str) -> str:
    """GitHub workflow-command escaping for the message part."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub workflow-command escaping for `file=`, `title=` and the like."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_file(problem_file: str, root: Path | None) -> str:
    """Annotations need the path from the repository's top (where the workflow runs), not from the registry."""
    if root is None:
        return problem_file
    return Path(os.path.relpath(root / problem_file)).as_posix()


def annotation(level: str, file: str, line: int | None, column: int | None, title: str, message: str) -> str:
    props = [f"file={escape_property(file)}"]
    if line is not None:
        props += [f"line={line}", f"col={column or 1}"]
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def format_github(problems: list[Problem], language: str, root: Path | None = None) -> str:
    lines = [
        annotation(p.severity, github_file(p.file, root), p.line, p.column, p.code, p.message(language))
        for p in problems
    ]
    lines.append(summary_line(problems, language))
    return "\n".join(lines)


FORMATTERS: dict[str, Formatter] = {"text": format_text, "json": format_json, "github": format_github}


def print_problems(
    problems: list[Problem], language: str, fmt: str = "text", *, err: bool = False, root: Path | None = None
) -> None:
    click.echo(FORMATTERS[fmt](problems, language, root), err=err)
