"""Printing problems: one formatter per output format, chosen from one dict."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
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
    """`file:line:column: severity[code]: message`, always one line (editors' problem matchers read it)."""
    where = problem.file
    if problem.line is not None:
        where += f":{problem.line}:{problem.column or 1}"
    return visible(f"{where}: {problem.severity}[{problem.code}]: {problem.message(language)}")


def visible(text: str, keep: str = "") -> str:
    """Control characters from the files (a quoted "\\e[31m", a line break in a key) shown as escapes: they
    must neither break the one-line-per-problem output nor reach a terminal as escape sequences."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) == "Cc" and ch not in keep
        else ch
        for ch in text
    )


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


def json_chunks(document: dict[str, Any]) -> Iterator[str]:
    """`json.dumps(document, ensure_ascii=False, indent=2)` piece by piece. A value that is an iterator (a
    generator of records) is written as a list one item at a time: at 100,000 items the whole document and
    its text took several times the memory of the registry itself."""
    if not document:
        yield "{}"
        return
    separator = "{\n  "
    for key, value in document.items():
        yield f"{separator}{_dumps(key)}: "
        separator = ",\n  "
        if isinstance(value, Iterator):
            yield from _list_chunks(value)
        else:
            yield _dumps(value).replace("\n", "\n  ")
    yield "\n}"


def _list_chunks(items: Iterator[Any]) -> Iterator[str]:
    """A list at the second level of an indented document; JSON text never holds a raw line break, so
    indenting a record's own dump line by line gives the same bytes as dumping the whole document."""
    empty = True
    for item in items:
        yield ("[\n    " if empty else ",\n    ") + _dumps(item).replace("\n", "\n    ")
        empty = False
    yield "[]" if empty else "\n  ]"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def joined_lines(lines: Iterable[str]) -> Iterator[str]:
    """`"\n".join(lines)` in pieces, a line at a time."""
    separator = ""
    for line in lines:
        yield separator + line
        separator = "\n"


def echo_chunks(chunks: Iterable[str], *, err: bool = False, batch: int = 1 << 16) -> None:
    """click.echo of `"".join(chunks)` and a line break, written in pieces of about `batch` characters
    (one write per record would cost more than the records' encoding)."""
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= batch:
            click.echo("".join(pending), nl=False, err=err)
            pending, size = [], 0
    click.echo("".join(pending), err=err)


def escape_data(text: str) -> str:
    """GitHub workflow-command escaping for the message part."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub workflow-command escaping for `file=`, `title=` and the like."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_file(problem_file: str, root: Path | None) -> str:
    """Annotations need the path from the repository's top (where the workflow runs), not the registry's."""
    if root is None:
        return problem_file
    return Path(os.path.relpath(root / problem_file)).as_posix()


def annotation(level: str, file: str, line: int | None, column: int | None, title: str, message: str) -> str:
    props = [f"file={escape_property(visible(file))}"]
    if line is not None:
        props += [f"line={line}", f"col={column or 1}"]
    props.append(f"title={escape_property(visible(title))}")
    return f"::{level} {','.join(props)}::{escape_data(visible(message, keep=chr(13) + chr(10)))}"


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
    echo(FORMATTERS[fmt](problems, language, root), err=err, as_json=fmt == "json")


def echo(text: str, *, err: bool = False, as_json: bool = False) -> None:
    """click.echo, but never a UnicodeEncodeError: a pipe on Chinese Windows is GBK, and an emoji in a title
    must not crash the report. Characters the stream cannot encode are written as escapes (JSON's in JSON)."""
    stream = sys.stderr if err else sys.stdout
    click.echo(fit_encoding(text, getattr(stream, "encoding", None) or "utf-8", as_json=as_json), err=err)


def fit_encoding(text: str, encoding: str, *, as_json: bool = False) -> str:
    try:
        text.encode(encoding)
    except LookupError:  # an encoding Python does not know: leave it to the stream
        return text
    except UnicodeEncodeError:
        return "".join(_encodable(ch, encoding, as_json) for ch in text)
    return text


def _encodable(ch: str, encoding: str, as_json: bool) -> str:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        # Non-ASCII only ever occurs inside JSON strings in our output, so a \\u escape keeps the JSON valid.
        return json.dumps(ch)[1:-1] if as_json else ch.encode("unicode_escape").decode("ascii")
    return ch
