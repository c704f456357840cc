"""Reading registry files: one file (`read_document`), or many at once (`read_documents`).

A file's result — its data and the problems found in it alone — depends on nothing but its bytes, its path and
this version of duban, so `read_documents` keeps results in a cache (duban.cache) keyed by a hash of the
bytes, and only parses and checks the files it has not seen. Those are spread over the machine's cores when
there are enough of them to pay for starting the worker processes (see docs/performance.md).
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from duban.cache import PACKED_KINDS, Cache, Entry, prepare, problem_from, problem_tuple, write_pack
from duban.dates import parse_date
from duban.problems import Problem
from duban.schemas import date_paths, fast_validator, schema_problems, values_at
from duban.workers import jobs, run
from duban.yamlio import MAX_FILE_BYTES, decode, parse_text

# Fewer unseen files than this are checked in this process: starting workers costs as much as ~250 files.
PARALLEL_MIN = 400


@dataclass
class Document:
    rel: str
    data: Any
    problems: list[Problem]
    digest: bytes = b""  # of the file's bytes, when they could be read
    # What `after` made of it, when parsed in this run: the marshal bytes of a list, one item per file of
    # its chunk (shared by them: one bytes object per chunk, freed whole), and its place in the list.
    made: bytes | None = None
    made_at: int = 0

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def read_document(path: Path, rel: str, kind: str) -> Document:
    """Decode, parse and schema-check one file; `data` is None when it could not be parsed."""
    raw = read_bytes(path, rel)
    if isinstance(raw, Document):
        return raw
    document = check_bytes(raw, rel, kind)
    document.digest = digest(raw)
    return document


def read_bytes(path: Path | str, rel: str) -> bytes | Document:
    """The file's bytes, or a Document with the problem that stopped reading them."""
    try:
        info = os.stat(path)  # noqa: PTH116 - os, not pathlib: see _read_all
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
            return _whole_file(rel, "unreadable", error="not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return _whole_file(rel, "too-large", size=info.st_size, limit=MAX_FILE_BYTES)
        return _read_all(path, info.st_size)
    except OSError as error:
        return _whole_file(rel, "unreadable", error=error.strerror or str(error))


def _read_all(path: Path | str, size: int) -> bytes:
    """The whole file through os's calls, which cost less than pathlib's (8 µs a file against 13 with the
    `stat` above: 10,000 files are read on every run). `size` is what `stat` said: one read gets it all,
    and one more finds the end (or what was written in between)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # O_BINARY: Windows only
    try:
        pieces = [os.read(descriptor, size + 1)]
        while pieces[-1]:
            pieces.append(os.read(descriptor, 1 << 16))
    finally:
        os.close(descriptor)
    return pieces[0] if len(pieces) == 2 else b"".join(pieces)


def read_text(path: Path | str) -> str:
    """A UTF-8 text file as `Path.read_text(encoding="utf-8")` gives it (universal newlines: a file saved on
    Windows reads with "\\n"), through os's calls: every item page shows its file, and Python's text layer
    costs more than reading the file (14 against 9 µs)."""
    text = _read_all(path, TEXT_READ).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


TEXT_READ = 1 << 14  # the first read's size: a task file is ~2 KB; a longer one is read on in pieces


def check_bytes(raw: bytes, rel: str, kind: str) -> Document:
    """Everything that can be said about one file on its own: a pure function of (bytes, rel, kind)."""
    text, problems = decode(raw, rel)
    if text is None:
        return Document(rel, None, problems)
    parsed = parse_text(text, rel)
    if not parsed.ok:
        return Document(rel, None, parsed.problems)
    problems = schema_problems(kind, parsed.data, rel)
    problems += _impossible_dates(kind, parsed.data, rel)
    return Document(rel, parsed.data, problems)


def _whole_file(rel: str, code: str, **args: Any) -> Document:
    return Document(rel, None, [Problem(rel, code, args, where="file")])


def _impossible_dates(kind: str, data: Any, rel: str) -> list[Problem]:
    """The schema checks a date's shape; 2026-02-30 has the shape but is no day."""
    problems: list[Problem] = []
    for pattern in date_paths(kind):
        if isinstance(data, dict) and pattern[0] not in data:  # a file has a few kinds of record, not all
            continue
        for path, value in values_at(data, pattern):
            if isinstance(value, str) and parse_date(value) is None and _looks_like_date(value):
                problems.append(Problem(rel, "bad-date", {"value": value}, path))
    return problems


def _looks_like_date(value: str) -> bool:
    # Values of the wrong shape already got a bad-date problem from the schema's pattern.
    return len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit()


def digest(raw: bytes) -> bytes:
    """The cache key of a file's bytes (collisions are out of reach: 128 bits of BLAKE2b)."""
    return hashlib.blake2b(raw, digest_size=16).digest()


@contextmanager
def no_gc() -> Iterator[None]:
    """Without the cycle collector while building many small trees: they hold no cycles, and each full
    collection would walk every object built so far (5% of a 10,000-file read)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# What else to keep of a valid file, worked out where it is checked (by a worker, when there are many) while
# its data is at hand: a cache entry of another kind, or None. Given (rel, digest of the bytes, data).
After = Callable[[str, bytes, Any], Entry | None]


def read_documents(
    files: list[tuple[Path, str]], kind: str, store: Cache | None, after: After | None = None
) -> list[Document]:
    """Every file's Document, in the order given: from the cache when its bytes were seen before, else
    parsed and checked (by several processes when there are many), and what `after` makes of it put into
    the cache. The caller saves the cache. For the PACKED_KINDS, `data` is the data's marshal bytes, as a
    view into a bundle (unpacked by the caller).

    With nothing cached, the files are not even read here: whoever checks a file reads it.
    """
    results: list[Document | None] = [None] * len(files)
    todo: list[Item] = []
    cold = store is None or store.empty()
    with no_gc():
        for index, (path, rel) in enumerate(files):
            if cold:
                todo.append((index, rel, str(path), None))
                continue
            raw = read_bytes(path, rel)
            if isinstance(raw, Document):
                results[index] = raw
                continue
            key = digest(raw)
            found = store.get((kind, rel, key)) if store is not None else None
            if found is None:
                todo.append((index, rel, key, raw))
            else:
                results[index] = Document(rel, found[0], [problem_from(p) for p in found[1]], key)
        for index, document in _check_all(todo, kind, store, after if store is not None else None):
            results[index] = document
    documents = [document for document in results if document is not None]
    if kind in PACKED_KINDS:
        for start in range(0, len(documents), BUNDLE):
            _bundle(documents[start : start + BUNDLE])
    return documents


BUNDLE = 256  # packed data of this many files in one bytes object


def _bundle(documents: list[Document]) -> None:
    """The documents' packed data joined into one bytes object, each document's data a view into it: a
    process forked later shares its memory pages for as long as it lives (duban.registry.TaskFile)."""
    packed = [document.data for document in documents if isinstance(document.data, bytes)]
    buffer, start = memoryview(b"".join(packed)), 0
    for document in documents:
        if isinstance(document.data, bytes):
            end = start + len(document.data)
            document.data, start = buffer[start:end], end


# A file to check: (its index in the list of files, rel, digest, bytes) once read, or (index, rel, the path to
# read it from, None).
Item = tuple[int, str, bytes | str, bytes | None]
# What checking a file gives: its cache entry, or (rel, problems) for a file that could not be read at all.
Outcome = Entry | tuple[str, list[tuple[Any, ...]]]
# A chunk's outcomes; what `after` made of each (marshal bytes of a list), if anything; and those of its
# entries that no pack holds.
Checked = tuple[list[Outcome], bytes | None, list[Entry]]


def check_item(
    kind: str, rel: str, where: bytes | str, raw: bytes | None, after: After | None = None
) -> tuple[Outcome, Entry | None]:
    """Check one file, reading it first when only its path is known; and what `after` makes of it."""
    if raw is None:
        read = read_bytes(str(where), rel)
        if isinstance(read, Document):
            return (rel, [problem_tuple(p) for p in read.problems]), None
        raw, where = read, digest(read)
    assert isinstance(where, bytes)
    document = check_bytes(raw, rel, kind)
    data = document.data
    extra = after(rel, where, data) if after is not None and data is not None and document.ok else None
    if kind in PACKED_KINDS and data is not None:
        data = marshal.dumps(data)  # here, in the worker: the parent keeps it so (duban.registry.TaskFile)
    return (kind, rel, where, data, [problem_tuple(p) for p in document.problems]), extra


def _document(outcome: Outcome) -> Document:
    if len(outcome) == 2:
        return Document(outcome[0], None, [problem_from(p) for p in outcome[1]])
    return Document(outcome[1], outcome[3], [problem_from(p) for p in outcome[4]], outcome[2])


def _entries(outcomes: list[Outcome]) -> list[Entry]:
    """The outcomes that go into the cache (a file that could not be read is tried again next time)."""
    return [outcome for outcome in outcomes if len(outcome) == 5]


def _check_all(
    items: list[Item], kind: str, store: Cache | None, after: After | None
) -> Iterator[tuple[int, Document]]:
    """Check the files, in chunks shared by this process and forked workers (duban.workers) when there are
    PARALLEL_MIN of them; each chunk's results, and what `after` made of them, go into the cache as a pack,
    written by whoever checked it."""
    count = jobs() if len(items) >= PARALLEL_MIN else 1
    size = max(50, min(250, len(items) // (count * 6) or 1))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    folder = _pack_folder(store) if count > 1 else None
    if count > 1:
        fast_validator(kind)  # compiled once, here: the forked workers inherit it
        date_paths(kind)
    parent = os.getpid()

    def check(chunk: list[Item]) -> tuple[list[int], bytes | Checked, str | None]:
        checked = [check_item(kind, rel, where, raw, after) for _, rel, where, raw in chunk]
        outcomes, made = [outcome for outcome, _ in checked], [extra for _, extra in checked]
        extras = [extra for extra in made if extra is not None]
        entries = _entries(outcomes) + extras
        pack = _write(folder, entries) if folder is not None and entries else None
        # What `after` made reaches this process as one bytes object per chunk (`Document.made`), and goes
        # into the cache's memory only when no pack holds it: 100,000 small tuples held there until the cache
        # is saved left holes in the heap that forked processes copy (duban.site.items).
        sent: Checked = (outcomes, marshal.dumps(made) if extras else None, extras if pack is None else [])
        # A worker's results cross a pipe: marshal is several times faster than the pipe's pickle.
        return [item[0] for item in chunk], sent if os.getpid() == parent else marshal.dumps(sent), pack

    for indexes, sent, pack in run(check, chunks, count):
        outcomes, made, extras = marshal.loads(sent) if isinstance(sent, bytes) else sent
        if store is not None:
            store.add(_entries(outcomes) + extras, Path(pack) if pack else None)
        for at, (index, outcome) in enumerate(zip(indexes, outcomes, strict=True)):
            document = _document(outcome)
            document.made, document.made_at = made, at
            yield index, document


def _pack_folder(store: Cache | None) -> Path | None:
    if store is None:
        return None
    try:
        prepare(store.folder)
    except OSError:  # a read-only checkout: no cache, same results
        return None
    return store.folder


def _write(folder: Path, entries: list[Entry]) -> str | None:
    try:
        return str(write_pack(folder, entries))
    except OSError:
        return None
