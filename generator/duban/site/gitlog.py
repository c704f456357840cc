"""The git history of every file of the registry, for the "history" box of the site's task pages.

One `git log` process reads the whole history of the registry's folder; we then split it per file.
Reading per file would start hundreds of processes on a real registry (one per task), and
`git log --follow` only works for a single path.

Parsing is by position, never by searching for markers: every field is NUL-terminated (`-z`, `%x00`),
and NUL can appear neither in a file name nor in a commit message, so no subject and no file name
(Chinese, spaces, quotes, control characters) can be mistaken for a field boundary.

Renames: `--name-status -M` reports `R<score> old new`. We walk the log newest first (children before
parents, `--date-order`), and once `old → new` is seen, older commits that touched `old` are filed
under the file's current name: a renamed or moved task keeps its history. A file moved into the
registry from outside it shows as added. Merge commits list no files (git's default for `log`), so a
change is credited to the commit that made it.

No git, not a repository, a repository without commits or any other git failure: an empty history,
never an error — the site simply shows no history box. A shallow clone (CI checkouts default to
depth 1) has a short history: use `fetch-depth: 0` to build the site with full history.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from duban.gitchanges import git_environment

# Git settings that would change the output we parse, pinned so that a user's ~/.gitconfig cannot break it.
_CONFIG = (
    "core.quotepath=false",
    "i18n.logOutputEncoding=UTF-8",
    "log.showSignature=false",
    "log.showRoot=true",
)
_FIELDS = ("%H", "%h", "%cI", "%aN", "%s")  # sha, short sha, committer date, author (after .mailmap), subject
_HEADER = "\x1e"  # starts a commit's first field; a status token (M, A, R100 …) never starts with it
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Commit:
    sha: str
    short: str
    date: str  # the committer date exactly as git gives it, strict ISO 8601 with the committer's offset
    author: str
    subject: str

    @property
    def day(self) -> str:
        """The date part (YYYY-MM-DD), in the committer's own timezone."""
        return self.date[:10]


def collect_history(root: Path, limit_per_file: int = 50) -> dict[str, list[Commit]]:
    """Commits per file (path relative to `root`, forward slashes), newest first.

    At most `limit_per_file` commits per file; renames are followed (see the module's docstring).
    """
    output = _git_log(root)
    if output is None:
        return {}
    return _histories(_parse(output), limit_per_file)


def git_log_command(root: Path) -> list[str]:
    """The one git command we run.

    `--relative` keys paths to `root` even when the registry is a sub-folder of the repository
    (what `git rev-parse --show-prefix` would tell), without a second process.
    """
    command = ["git", "--no-pager", "-C", str(root)]
    for setting in _CONFIG:
        command += ["-c", setting]
    fmt = _HEADER + "%x00".join(_FIELDS) + "%x00"
    return [
        *command,
        "log",
        "--no-color",
        "--no-ext-diff",
        "--date-order",
        "-z",
        "--name-status",
        "-M",
        "--relative",
        f"--format={fmt}",
        "--",
        ".",
    ]


def _git_log(root: Path) -> bytes | None:
    environment = git_environment()  # `-C root` must decide alone which repository is read
    try:
        result = subprocess.run(  # an argument list, no shell: paths with any character are safe
            git_log_command(root),
            capture_output=True,
            check=False,
            env=environment,
            timeout=TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):  # git missing, root missing, timeout
        return None
    return result.stdout if result.returncode == 0 else None


@dataclass
class _Entry:
    commit: Commit
    changes: list[tuple[str, list[str]]]  # (status letter, paths): one path, or old and new for R/C


def _parse(output: bytes) -> Iterator[_Entry]:
    """Commits with their changed files, in log order, from the NUL-separated output of `git_log_command`."""
    tokens = output.split(b"\0")
    entry: _Entry | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")  # git puts a newline between a commit's header and its files
        if token.startswith(_HEADER.encode()):
            if entry is not None:
                yield entry
            fields = [token[1:], *tokens[index + 1 : index + len(_FIELDS)]]
            entry = _Entry(Commit(*(_text(f) for f in fields)), [])
            index += len(_FIELDS)
        elif token and entry is not None:
            count = 2 if token[:1] in (b"R", b"C") else 1
            paths = [_path(p) for p in tokens[index + 1 : index + 1 + count]]
            entry.changes.append((token[:1].decode("ascii", "replace"), paths))
            index += 1 + count
        else:
            index += 1
    if entry is not None:
        yield entry


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _path(raw: bytes) -> str:
    # surrogateescape, like os.walk on Linux: a non-UTF-8 file name still matches the loader's TaskFile.file
    return raw.decode("utf-8", "surrogateescape")


def _histories(entries: Iterator[_Entry], limit: int) -> dict[str, list[Commit]]:
    history: dict[str, list[Commit]] = {}
    renamed: dict[str, str] = {}  # an older name → the name the file has now
    for entry in entries:
        touched: list[str] = []
        for status, paths in entry.changes:
            current = _current_name(paths[-1], renamed)
            touched.append(current)
            if status == "R" and len(paths) == 2:
                _record_rename(paths[0], current, renamed)
        for path in dict.fromkeys(touched):  # once per commit, in the order git listed them
            commits = history.setdefault(path, [])
            if len(commits) < limit:
                commits.append(entry.commit)
    return dict(sorted(history.items()))


def _record_rename(old: str, current: str, renamed: dict[str, str]) -> None:
    """Older commits that touched `old` belong to the file now called `current`."""
    if old == current:  # renamed away and back again (A → B, later B → A): no alias needed
        renamed.pop(old, None)
    else:
        renamed[old] = current


def _current_name(path: str, renamed: dict[str, str]) -> str:
    seen = {path}
    while path in renamed and renamed[path] not in seen:  # `seen` guards against a cycle of renames
        path = renamed[path]
        seen.add(path)
    return path
