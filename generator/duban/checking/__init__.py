"""`duban check`, the CI gate: validate, then fail on the findings that `check.fail_on` names.

The pipeline, one small module per stage: the files changed since `--changed-since` (`duban.gitchanges`,
asked first, so that a bad ref is a usage error before anything is read) → load and validate
(`duban.commands._common.load`) → the findings as data (`checking.findings.check_registry`, a `CheckResult`)
→ print it (`checking.formats.FORMATS[fmt]`). `run_check` runs it and returns the exit code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from duban.checking.findings import CheckFinding, CheckResult, check_registry
from duban.checking.formats import FORMATS
from duban.commands._common import load
from duban.gitchanges import GitError, changed_files

__all__ = ["FORMATS", "CheckFinding", "CheckResult", "GitError", "check_registry", "run_check"]


def run_check(root: Path, fmt: str, as_of: dt.date | None, changed_since: str | None) -> int:
    """Check the registry in `root` and print the result in `fmt`: 1 when anything fails, else 0.

    Raises GitError when `changed_since` cannot be answered (the command makes that a usage error).
    """
    touched = None if changed_since is None else changed_files(root, changed_since)
    loaded = load(root, as_of)
    result = check_registry(loaded, root, touched, changed_since)
    FORMATS[fmt](result, root)
    return result.exit_code
