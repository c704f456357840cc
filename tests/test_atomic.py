"""Atomic writes keep the old file on failure, leave nothing behind, and give files their usual mode."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from duban.atomic import write_atomic


def test_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_bytes(b"old")
    write_atomic(target, "新".encode())
    assert target.read_bytes() == "新".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_modes(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.md", b"x")
        assert (tmp_path / "new.md").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
        kept = tmp_path / "kept.md"
        kept.write_bytes(b"x")
        kept.chmod(0o640)
        write_atomic(kept, b"y")
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)


def test_a_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "bulletin.md"
    target.write_bytes(b"old")

    def refuse(self: Path, other: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bulletin.md"]
