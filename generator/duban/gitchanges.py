"""Which files changed since a git ref: the generic half of `duban check --changed-since`.

Three calls to git, each an argument list run in the folder asked about (never through a shell, so that a
ref or a path with any character is only ever data): `rev-parse` (does REF exist?), `diff --merge-base REF`
(committed and uncommitted changes since the branch left REF, renames followed) and `ls-files --others` (new
files not yet added). Paths are relative to that folder (`--relative`), so a registry in a sub-folder of its
repository works.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Variables that point git at another repository (git sets them for its hooks: `duban check` in a pre-commit
# hook would otherwise be answered about the hook's repository, not the folder asked about).
REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")
# Settings of a user's ~/.gitconfig that would change the output parsed here.
_CONFIG = ("-c", "core.quotepath=false", "-c", "color.ui=never", "-c", "diff.external=")


class GitError(Exception):
    """git cannot answer: no such ref, not a repository, git missing. The message is for the user."""


def git_environment() -> dict[str, str]:
    """This process's environment without the variables that would make git look at another repository."""
    return {name: value for name, value in os.environ.items() if name not in REPOSITORY_VARIABLES}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *_CONFIG, *args],
            cwd=root,
            capture_output=True,
            check=False,
            env=git_environment(),
            stdin=subprocess.DEVNULL,
        )
    except OSError as error:  # git is not installed, or root vanished
        raise GitError(f"cannot run git: {error}") from error


def _error_text(done: subprocess.CompletedProcess[bytes]) -> str:
    """git's last line on stderr ("fatal: …"), for the error message."""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def changed_files(root: Path, ref: str) -> set[str]:
    """Files changed since `ref` (relative to `root`, forward slashes): committed on this branch since it
    left `ref`, staged, unstaged, or new and untracked. Both sides of a rename count."""
    if ref.startswith("-"):  # git would read it as an option
        raise GitError(f"'{ref}' is not a git reference")
    verify = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if verify.returncode != 0:
        if verify.returncode == 1:
            raise GitError(f"no commit named '{ref}' in this repository (in CI, fetch it: fetch-depth: 0)")
        raise GitError(f"{root} is not inside a git repository ({_error_text(verify)})")
    diff = _git(
        root, "diff", "--no-ext-diff", "--merge-base", "--name-status", "-z", "-M", "--relative", ref, "--"
    )
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
