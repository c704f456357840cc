"""The findings `duban check` fails on, as data: which findings `check.fail_on` names, whether each is an
error or only a warning (grace period, a task the change did not touch), and the line each points at.

`check_registry` turns a loaded registry into a `CheckResult`; printing it is `duban.checking.formats`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from duban.checking.texts import say
from duban.commands._common import Loaded
from duban.engine import Reason, TaskState, evaluated
from duban.locate import KeptPlaces, kept_places, locate_all
from duban.problems import Problem, has_errors
from duban.settings import FINDINGS, Settings


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


@dataclass(frozen=True)
class CheckResult:
    """What `duban check` found: the files' problems and the findings, most important first."""

    problems: list[Problem]  # located and sorted, as `duban validate` prints them
    findings: list[CheckFinding]  # none while the files have errors
    as_of: dt.date
    settings: Settings
    ref: str | None  # --changed-since, named in the "not changed" warnings

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def failed(self) -> bool:
        return has_errors(self.problems) or any(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def check_registry(
    loaded: Loaded, root: Path, touched: set[str] | None = None, ref: str | None = None
) -> CheckResult:
    """The result for a loaded registry; `touched` holds the files changed since `ref` (None: every task
    counts as changed)."""
    settings = loaded.registry.settings
    findings: list[CheckFinding] = []
    if loaded.ok:  # the engine reads only a registry without errors
        states = evaluated(loaded.registry, loaded.as_of)  # only those with findings are kept
        kept = kept_places(loaded.registry, loaded.store)
        findings = locate_findings(select_findings(states, settings, touched), root, kept)
    return CheckResult(loaded.problems, findings, loaded.as_of, settings, ref)


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


def locate_findings(
    findings: list[CheckFinding], root: Path, kept: KeptPlaces | None = None
) -> list[CheckFinding]:
    """Line and column of each finding's record (the `deadline` line for overdue), via duban.locate."""
    probes = [Problem(f.state.file, f.finding, path=f.reasons[0].path if f.reasons else ()) for f in findings]
    locate_all(probes, root, kept)
    return [
        CheckFinding(f.state, f.finding, f.severity, f.reasons, f.note, p.line, p.column)
        for f, p in zip(findings, probes, strict=True)
    ]
