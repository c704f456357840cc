"""The read cache: each file's result (data and own problems) by the hash of its bytes, in `.duban-cache/`.

Why it cannot serve a stale result: an entry is the fact "the file at REL whose bytes hash to D gives R",
and it is looked up with the hash of the bytes read in this run, never with times or sizes. Entries live in a
folder named after a fingerprint of everything else R depends on: duban's version and the source of the
modules that compute R, the schema files, Python's and the libraries' versions. Another duban finds
another folder. Each pack file carries a checksum of its contents; a pack that fails it, or does not hold
what it should, is ignored (and removed), as is a cache folder that git tracks: a pull request must not be
able to hand `duban check` results for files it did not check.

Packs are written whole under a temporary name and renamed into place, so a reader sees a pack complete
or not at all; worker processes write the packs of what they parsed themselves (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import duban
from duban.problems import Problem
from duban.resources import data_dir

FOLDER = ".duban-cache"
VARIABLE = "DUBAN_CACHE"  # a folder to use instead, or "off"
OFF = ("off", "0", "no", "false")
FORMAT = b"DUBANPK1"  # the first bytes of every pack
CHECKSUM_SIZE = 16
PACK_SIZE = 2000  # entries per pack when the cache is rewritten whole
MAX_PACKS = 64
# Kinds whose data is kept packed (marshal bytes of it, see duban.registry.TaskFile), here and in memory.
PACKED_KINDS = frozenset({"task"})
# The modules whose code decides a file's result: a change to any of them is a new fingerprint.
# A task's facts and cross-file problems are kept too (duban.loader: checks and registry make them), and the
# places of problems in task files (duban.locate).
_MODULES = (
    "cache",
    "checks",
    "dates",
    "documents",
    "locate",
    "messages",
    "problems",
    "registry",
    "schemas",
    "yamlio",
)
_LIBRARIES = (("yaml", "pyyaml"), ("jsonschema", "jsonschema"), ("fastjsonschema", "fastjsonschema"))

# (kind, rel, digest of the bytes) → (data, problems as tuples)
Key = tuple[str, str, bytes]
Entry = tuple[str, str, bytes, Any, list[tuple[Any, ...]]]


def problem_tuple(problem: Problem) -> tuple[Any, ...]:
    return (
        problem.file,
        problem.code,
        problem.args,
        problem.path,
        problem.severity,
        problem.line,
        problem.column,
        problem.where,
    )


def problem_from(fields: tuple[Any, ...]) -> Problem:
    # A new dict and path each time: problems are located (lines filled in) in place later.
    file, code, args, path, severity, line, column, where = fields
    return Problem(file, code, dict(args), tuple(path), severity, line, column, where)


@cache
def fingerprint() -> str:
    """Everything besides a file's bytes and path that its result depends on, hashed."""
    parts = [duban.__version__.encode(), sys.version.encode(), FORMAT]
    parts += [f"{name}={_version(module, name)}".encode() for module, name in _LIBRARIES]
    package = Path(duban.__file__).parent
    for module in _MODULES:
        with contextlib.suppress(OSError):  # an installation without sources: the version has to do
            parts.append((package / f"{module}.py").read_bytes())
    for schema in sorted(data_dir("schema").glob("*.schema.json")):
        parts.append(schema.read_bytes())
    return hashlib.blake2b(b"\0".join(parts), digest_size=10).hexdigest()


def _version(module: str, distribution: str) -> str:
    """A library's version from its `NAME-VERSION.dist-info` folder (PEP 427) next to the package, without
    importing it; importlib.metadata answers the same but takes longer to import than a warm run takes."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "absent"
    prefix = f"{distribution}-"
    for entry in Path(spec.origin).parent.parent.iterdir():
        if entry.name.lower().startswith(prefix) and entry.name.endswith(".dist-info"):
            return entry.name[len(prefix) : -len(".dist-info")]
    from importlib import metadata  # installed some other way

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def cache_folder(root: Path) -> Path | None:
    """Where the cache of the registry at `root` lives: DUBAN_CACHE, else .duban-cache/; None when off."""
    setting = os.environ.get(VARIABLE)
    if setting is not None and setting.strip().lower() in OFF:
        return None
    folder = Path(setting) if setting else root / FOLDER
    return None if _tracked_by_git(root, folder) else folder


def _tracked_by_git(root: Path, folder: Path) -> bool:
    """Whether git holds anything in `folder` (a committed cache would be believed: never use one)."""
    if not folder.is_dir():
        return False
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", str(folder.resolve())],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):  # no git: a checkout without git installed is refused
        return (root / ".git").exists()
    return bool(listed.stdout)


class Cache:
    """Results of files seen before, loaded from the packs of this fingerprint's folder on first use."""

    def __init__(self, folder: Path) -> None:
        self.home = folder  # the cache folder: warm builds keep their manifests and feeds' shares here too
        self.folder = folder / f"v-{fingerprint()}"
        self.entries: dict[Key, tuple[Any, list[tuple[Any, ...]]]] | None = None
        self.packs: list[Path] = []
        self.live: dict[Key, tuple[Any, list[tuple[Any, ...]]]] = {}  # what this run read
        self.pending: list[Entry] = []  # computed in this process, not in a pack yet
        self.written: list[Path] = []  # packs written by workers in this run
        self.saved = False

    @classmethod
    def for_root(cls, root: Path) -> Cache | None:
        folder = cache_folder(root)
        return None if folder is None else cls(folder)

    def empty(self) -> bool:
        """Whether nothing at all is cached (a first run, or after an upgrade): then nothing can be found."""
        if self.entries is None:
            self.entries = self._load()
        return not self.entries

    def get(self, key: Key) -> tuple[Any, list[tuple[Any, ...]]] | None:
        if self.entries is None:
            self.entries = self._load()
        found = self.entries.get(key)
        if found is not None:
            self.live[key] = found
        return found

    def peek(self, key: Key) -> tuple[Any, list[tuple[Any, ...]]] | None:
        """An entry, if the cache holds it, without counting it as part of this run (an older version of a
        file, which a warm build compares with the current one)."""
        if self.entries is None:
            self.entries = self._load()
        return self.entries.get(key)

    def add(self, entries: Iterable[Entry], pack: Path | None = None) -> None:
        """Results of this run; `pack` when a worker already wrote them into that pack."""
        for entry in entries:
            self.live[entry[:3]] = (entry[3], entry[4])
            if pack is None:
                self.pending.append(entry)
        if pack is not None:
            self.written.append(pack)

    def _load(self) -> dict[Key, tuple[Any, list[tuple[Any, ...]]]]:
        entries: dict[Key, tuple[Any, list[tuple[Any, ...]]]] = {}
        if not self.folder.is_dir():
            return entries
        for path in sorted(self.folder.glob("*.pack")):
            loaded = read_pack(path)
            if loaded is None:
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            self.packs.append(path)
            for kind, rel, key, data, problems in loaded:
                entries[(kind, rel, key)] = (data, problems)
        return entries

    def save(self) -> None:
        """Write what this run computed; rewrite the cache whole when it holds too much that is stale.
        Once per run: what it wrote is forgotten here afterwards."""
        if self.saved:
            return
        try:
            if self._stale():
                prepare(self.folder)
                self._rewrite()
            elif self.pending:
                prepare(self.folder)
                self._write_packs(self.pending)
        except OSError:  # a read-only checkout, a full disk: the cache is only an optimisation
            pass
        self._release()

    def _release(self) -> None:
        """Forget this run's entries once saved: their data lives on in the registry, and what a warm build
        still asks for (`peek`) are other versions of files. At 100,000 files the keys and tuples held
        here came to ~35 MB."""
        if self.entries is not None:
            for key in self.live:
                self.entries.pop(key, None)
        self.live, self.pending, self.saved = {}, [], True

    def _stale(self) -> bool:
        loaded = self.entries or {}
        unused = len(loaded) - sum(1 for key in self.live if key in loaded)
        too_many = len(self.packs) + len(self.written) > max(MAX_PACKS, len(self.live) // 100)
        return too_many or unused > max(256, len(loaded) // 4)

    def _rewrite(self) -> None:
        self._write_packs([(*key, data, problems) for key, (data, problems) in self.live.items()])
        for path in [*self.packs, *self.written]:
            with contextlib.suppress(OSError):
                path.unlink()
        self.packs, self.written = [], []

    def _write_packs(self, entries: list[Entry]) -> None:
        """`entries` in packs of PACK_SIZE: one pack of a first run's 100,000 files was 180 MB of bytes,
        made twice over (marshal, then the checksum's header) and read whole by every later run."""
        for start in range(0, len(entries), PACK_SIZE):
            write_pack(self.folder, entries[start : start + PACK_SIZE])


def prepare(folder: Path) -> None:
    """The cache folder with its markers; folders of other fingerprints (other versions) are removed."""
    if folder.is_dir():
        return
    parent = folder.parent
    if not parent.is_dir():
        parent.mkdir(parents=True, exist_ok=True)
        # Never committed by `git add .`, and skipped by backup tools that honour CACHEDIR.TAG.
        (parent / ".gitignore").write_text("# created by duban: a cache, never commit it\n*\n", "utf-8")
        (parent / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# duban's read cache: safe to delete\n", "utf-8"
        )
    for other in parent.glob("v-*"):
        if other != folder and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    folder.mkdir(exist_ok=True)


def sealed(payload: bytes) -> bytes:
    """`payload` behind a header and a checksum, so that a damaged or foreign file is recognised."""
    return FORMAT + hashlib.blake2b(payload, digest_size=CHECKSUM_SIZE).digest() + payload


def unsealed(data: bytes) -> bytes | None:
    """What `sealed` sealed; None when the header or the checksum does not match."""
    head = len(FORMAT) + CHECKSUM_SIZE
    payload = data[head:]
    if data[: len(FORMAT)] != FORMAT:
        return None
    if hashlib.blake2b(payload, digest_size=CHECKSUM_SIZE).digest() != data[len(FORMAT) : head]:
        return None
    return payload


def read_sealed(path: Path) -> Any:
    """What `write_sealed` wrote to `path`; None when it is missing, damaged or not one of duban's files."""
    try:
        payload = unsealed(path.read_bytes())
        return marshal.loads(payload) if payload is not None else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write_sealed(path: Path, value: Any) -> None:
    """`value` (what marshal can write) sealed into `path`: complete under its name or not there at all.
    A temporary name of its own, so that two builds writing at once never mix their bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(sealed(marshal.dumps(value)))
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def pack_bytes(entries: list[Entry]) -> bytes:
    return sealed(marshal.dumps(entries))


def write_pack(folder: Path, entries: list[Entry]) -> Path:
    """One pack in `folder` (see `prepare`), complete under its final name or not there at all."""
    data = pack_bytes(entries)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".pack", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        path = folder / f"{hashlib.blake2b(data, digest_size=12).hexdigest()}.pack"
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise
    return path


def read_pack(path: Path) -> list[Entry] | None:
    """The entries of a pack; None when it is damaged in any way."""
    try:
        payload = unsealed(path.read_bytes())
    except OSError:
        return None
    if payload is None:
        return None
    try:
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return entries if _well_formed(entries) else None


def _well_formed(entries: Any) -> bool:
    return isinstance(entries, list) and all(
        isinstance(entry, tuple)
        and len(entry) == 5
        and isinstance(entry[0], str)
        and isinstance(entry[1], str)
        and isinstance(entry[2], bytes)
        and (entry[0] not in PACKED_KINDS or entry[3] is None or isinstance(entry[3], bytes))
        and isinstance(entry[4], list)
        and all(isinstance(p, tuple) and len(p) == 8 and isinstance(p[2], dict) for p in entry[4])
        for entry in entries
    )
