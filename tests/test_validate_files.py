"""Files no example folder can hold (too large, FIFOs, symbolic links), and registries that are not there."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from duban import documents
from duban.yamlio import MAX_FILE_BYTES
from validation_helpers import build_registry, head, minimal_task, run_cli, validate_json, write_file

SECRET = "TOP-SECRET-VALUE-42"
TASK = "tasks/2026/DB-2026-0099.yaml"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return build_registry(None, tmp_path / "registry")


def _symlink(link: Path, target: Path, *, directory: bool = False) -> None:
    try:
        link.symlink_to(target, target_is_directory=directory)
    except (OSError, NotImplementedError) as error:  # Windows without the privilege
        pytest.skip(f"cannot create symbolic links here: {error}")


def _outside_file(tmp_path: Path) -> Path:
    """A file outside the registry whose content must never show up in duban's output."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(f"- id: {SECRET}\n  name: {SECRET}\n  unit: {SECRET}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("told", [0, 1, 65_535, 70_000, 70_001, 200_000])
def test_a_file_is_read_whole_whatever_size_stat_gave(tmp_path: Path, told: int) -> None:
    """`read_bytes` reads the size `stat` gave and on to the end: a file that grew (or shrank) in between is
    read as it is now, never cut."""
    path = tmp_path / "f.yaml"
    content = bytes(range(256)) * 273 + b"end"  # 69,891 bytes: more than one read of 64 KiB
    path.write_bytes(content)
    assert documents._read_all(path, told) == content
    assert documents.read_bytes(str(path), "f.yaml") == content


def test_too_large_file(registry: Path) -> None:
    path = write_file(registry, TASK, minimal_task())
    with path.open("a", encoding="utf-8") as handle:
        handle.write("description: |\n" + ("  " + "x" * 98 + "\n") * (MAX_FILE_BYTES // 100 + 1))
    assert path.stat().st_size > MAX_FILE_BYTES
    code, problems = validate_json(registry)
    assert code == 1
    assert [head(p) for p in problems] == [f"{TASK}: error[too-large]"]
    assert problems[0]["message"] == f"文件过大（{path.stat().st_size} 字节，上限 {MAX_FILE_BYTES} 字节）"


def test_file_at_the_size_limit_is_read(registry: Path) -> None:
    path = write_file(registry, TASK, minimal_task(description="|"))
    size = path.stat().st_size
    line = "  " + "x" * 97 + "\n"
    body = line * ((MAX_FILE_BYTES - size) // len(line))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(body + "  " + "y" * (MAX_FILE_BYTES - size - len(body) - 3) + "\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    code, problems = validate_json(registry)
    assert [head(p) for p in problems] == [f"{TASK}:8:14: error[too-long]"]  # description's 20000 characters
    assert code == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_fifo_is_unreadable_not_a_hang(registry: Path) -> None:
    """Opening a FIFO blocks until someone writes to it: duban must not even open one."""
    os.mkfifo(registry / TASK)
    outcome: list[tuple[int, list[dict[str, object]]]] = []
    worker = threading.Thread(target=lambda: outcome.append(validate_json(registry)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "duban validate hung on a FIFO"
    [(code, problems)] = outcome
    assert code == 1
    assert [head(p) for p in problems] == [f"{TASK}: error[unreadable]"]
    assert problems[0]["message"] == "无法读取文件：not a regular file"


def test_symlink_outside_task_file(registry: Path, tmp_path: Path) -> None:
    _symlink(registry / TASK, _outside_file(tmp_path))
    code, problems = validate_json(registry)
    assert code == 1
    assert [head(p) for p in problems] == [f"{TASK}: error[symlink-outside]"]
    assert problems[0]["message"].startswith("符号链接指向登记库之外（")
    assert SECRET not in str(problems)


def test_symlink_outside_org_file(registry: Path, tmp_path: Path) -> None:
    """A pull request must not be able to make CI print a file of the runner through error messages."""
    (registry / "org/people.yaml").unlink()
    _symlink(registry / "org/people.yaml", _outside_file(tmp_path))
    code, problems = validate_json(registry)
    assert code == 1
    assert [head(p) for p in problems] == ["org/people.yaml: error[symlink-outside]"]
    assert SECRET not in str(problems)


def test_symlink_outside_tasks_folder(registry: Path, tmp_path: Path) -> None:
    outside = _outside_file(tmp_path).parent
    write_file(outside, "DB-2026-0099.yaml", f"id: {SECRET}\n")
    _symlink(registry / "tasks/linked", outside, directory=True)
    _symlink(registry / "calendar/linked", outside, directory=True)
    code, problems = validate_json(registry)
    assert code == 1
    assert [head(p) for p in problems] == [
        "calendar/linked: error[symlink-outside]",
        "tasks/linked: error[symlink-outside]",
    ]
    assert SECRET not in str(problems)


def test_symlink_outside_whole_tasks_folder(registry: Path, tmp_path: Path) -> None:
    outside = _outside_file(tmp_path).parent
    write_file(outside, "DB-2026-0099.yaml", f"id: {SECRET}\n")
    backup = tmp_path / "tasks-backup"
    (registry / "tasks").rename(backup)
    _symlink(registry / "tasks", outside, directory=True)
    code, problems = validate_json(registry)
    assert code == 1
    assert [head(p) for p in problems] == ["tasks: error[symlink-outside]"]
    assert SECRET not in str(problems)


def test_symlink_inside_the_registry_is_followed(registry: Path) -> None:
    write_file(registry, "shared/DB-2026-0099.yaml", minimal_task(deadline="2026-02-30"))
    _symlink(registry / TASK, Path("../../shared/DB-2026-0099.yaml"))
    code, problems = validate_json(registry)
    assert code == 1
    assert [head(p) for p in problems] == [f"{TASK}:6:11: error[bad-date]"]


def test_dangling_and_looping_symlinks(registry: Path) -> None:
    _symlink(registry / "tasks/2026/DB-2026-0098.yaml", Path("nowhere.yaml"))
    _symlink(registry / "tasks/2026/loop-a.yaml", Path("loop-b.yaml"))
    _symlink(registry / "tasks/2026/loop-b.yaml", Path("loop-a.yaml"))
    expected = [
        "tasks/2026/DB-2026-0098.yaml: error[unreadable]: 无法读取文件：No such file or directory",
        "tasks/2026/loop-a.yaml: error[unreadable]: 无法读取文件：symbolic link loop",
        "tasks/2026/loop-b.yaml: error[unreadable]: 无法读取文件：symbolic link loop",
    ]
    code, problems = validate_json(registry)
    assert code == 1
    assert [f"{head(p)}: {p['message']}" for p in problems] == expected


def test_paths_with_links_in_them(registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`validate tasks` reports the links in tasks/ too, also those that lead out or loop."""
    _symlink(registry / "tasks/2026/loop-a.yaml", Path("loop-b.yaml"))
    _symlink(registry / "tasks/2026/loop-b.yaml", Path("loop-a.yaml"))
    _symlink(registry / "tasks/2026/out.yaml", _outside_file(tmp_path))
    monkeypatch.chdir(registry)
    _, everything = validate_json(Path(), "tasks")
    assert [p["file"] for p in everything] == [
        "tasks/2026/loop-a.yaml",
        "tasks/2026/loop-b.yaml",
        "tasks/2026/out.yaml",
    ]
    code, some = validate_json(Path(), "tasks/2026/out.yaml")  # (a looping PATH is a usage error: click)
    assert (code, [p["file"] for p in some]) == (1, ["tasks/2026/out.yaml"])
    assert validate_json(Path(), "org") == (0, [])


def test_root_without_duban_yaml(tmp_path: Path) -> None:
    code, problems = validate_json(tmp_path)
    assert code == 1
    assert [head(p) for p in problems] == [
        "duban.yaml: error[missing-file]",
        "org/people.yaml: error[missing-file]",
        "org/units.yaml: error[missing-file]",
    ]
    assert problems[0]["message"] == f"缺少文件 duban.yaml（登记库根目录：{tmp_path}）"


def test_root_that_does_not_exist(tmp_path: Path) -> None:
    code, problems = validate_json(tmp_path / "nowhere")
    assert code == 1
    assert [p["code"] for p in problems] == ["missing-file"] * 3


def test_root_from_the_current_folder(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(registry)
    result = run_cli(["validate", "--as-of", "2026-11-28"])
    assert (result.exit_code, result.stdout) == (0, "未发现问题\n")


def test_folders_named_like_yaml_files_are_walked_not_read(registry: Path) -> None:
    write_file(registry, "tasks/2026/odd.yaml/DB-2026-0099.yaml", minimal_task(status="open"))
    code, problems = validate_json(registry)
    assert [head(p) for p in problems] == ["tasks/2026/odd.yaml/DB-2026-0099.yaml:7:9: error[bad-value]"]
    assert code == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]\n", ["1:1: error[bad-type]"]),
        ("~\n", ["1:1: error[bad-type]"]),
        ("42\n", ["1:1: error[bad-type]"]),
        ("{}\n", ["1:1: error[missing-key]"] * 7),
        ("# 说明\n- a\n", ["2:1: error[bad-type]"]),  # the list starts on line 2
        ("--- \n...\n", ["1:1: error[empty-file]"]),
    ],
)
def test_task_top_level_not_a_task_mapping(registry: Path, text: str, expected: list[str]) -> None:
    write_file(registry, TASK, text)
    code, problems = validate_json(registry)
    assert [head(p) for p in problems] == [f"{TASK}:{e}" for e in expected]
    assert code == 1


@pytest.mark.skipif(os.name == "nt", reason="Windows file names are always Unicode")
def test_file_name_that_is_not_utf8(registry: Path) -> None:
    """A GBK-named file (copied from a Chinese Windows share) must be reported, not crash the output."""
    name = registry / "tasks/2026" / os.fsdecode(b"\xb6\xbd\xb0\xec.yaml")  # 督办 in GBK
    try:
        name.write_bytes(b"id: x\n")
    except OSError as error:  # macOS and some file systems refuse such names
        pytest.skip(f"this file system refuses non-UTF-8 names: {error}")
    for fmt in ("text", "json", "github"):
        result = run_cli(["validate", "--root", str(registry), "--as-of", "2026-11-28", "--format", fmt])
        assert result.exit_code == 1
        assert "\\udcb6\\udcbd\\udcb0\\udcec.yaml" in result.stdout
