"""Shared helpers for the validation tests: example registries, the CLI through click's runner, expected.txt.

The example cases live in tests/examples (see its README.md): `base/` is a complete valid registry, and each
case folder holds only the files laid over a copy of it, plus `remove.txt` (base files to delete) and
`expected.txt` (the exact problems duban must report).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from duban import yamlio
from duban.cli import cli

EXAMPLES = Path(__file__).resolve().parent / "examples"
BASE = EXAMPLES / "base"
AS_OF = (
    "2026-11-28"  # every case is checked as of this day, so "dated after today" warnings are deterministic
)
CONTROL_FILES = ("expected.txt", "remove.txt")  # files of a case folder that are not laid over the registry

# Variables that would change what the CLI prints; tests set them explicitly where they matter.
CLEAN_ENV: dict[str, str | None] = {"GITHUB_ACTIONS": None, "DUBAN_NOW": None, "GITHUB_STEP_SUMMARY": None}


def case_dirs(kind: str) -> list[Path]:
    """The case folders under tests/examples/<kind> (valid or invalid), sorted by name."""
    return sorted(path for path in (EXAMPLES / kind).iterdir() if path.is_dir())


def build_registry(case: Path | None, dest: Path) -> Path:
    """A copy of base/ at `dest` with `case` laid over it: its files replace or add, remove.txt deletes."""
    shutil.copytree(BASE, dest)
    if case is None:
        return dest
    for source in sorted(case.rglob("*")):
        rel = source.relative_to(case)
        if source.is_dir() or rel.as_posix() in CONTROL_FILES:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)  # bytes as committed: GBK, BOM and CRLF survive
    removals = case / "remove.txt"
    if removals.is_file():
        for line in removals.read_text(encoding="utf-8").splitlines():
            name = line.strip()
            if not name or name.startswith("#"):
                continue
            target = dest / name
            assert target.exists(), f"{removals}: {name} is not in base/"
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
    return dest


def run_cli(args: list[str], env: dict[str, str | None] | None = None) -> Result:
    """The real command line, in-process; exceptions propagate, so a crash fails with its traceback."""
    return CliRunner().invoke(cli, args, env={**CLEAN_ENV, **(env or {})}, catch_exceptions=False)


def validate_json(root: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    """`duban validate --format json` on `root`: the exit code and the problem records."""
    result = run_cli(["validate", "--root", str(root), "--format", "json", "--as-of", AS_OF, *extra])
    document = json.loads(result.stdout)
    assert set(document) == {"problems", "findings"}, document
    return result.exit_code, document["problems"]


def head(record: dict[str, Any]) -> str:
    """`file:line:column: severity[code]` — a text-output line without its message."""
    where = (
        record["file"] if record["line"] is None else f"{record['file']}:{record['line']}:{record['column']}"
    )
    return f"{where}: {record['severity']}[{record['code']}]"


_EXPECTED = re.compile(r"^(?P<head>\S.*?: (?:error|warning)\[[a-z0-9-]+\])(?:: (?P<message>.+))?$")


@dataclass(frozen=True)
class Expected:
    head: str
    message: str | None  # when given, the exact message (in the registry's language)

    @property
    def code(self) -> str:
        return self.head.rsplit("[", 1)[1].rstrip("]")

    @property
    def severity(self) -> str:
        return self.head.rsplit(": ", 1)[1].split("[", 1)[0]


def read_expected(path: Path) -> list[Expected]:
    """The problems an expected.txt lists; `#` lines are comments that say what the case is about."""
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _EXPECTED.match(line)
        assert match, (
            f"{path}:{number}: not `file:line:column: severity[code]` (optionally `: message`): {line}"
        )
        entries.append(Expected(match["head"], match["message"]))
    return entries


def write_file(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def minimal_task(task_id: str = "DB-2026-0099", **fields: str) -> str:
    """A small valid task in base/'s organisation, as YAML text; `fields` replace or add top-level lines."""
    lines = {
        "id": task_id,
        "title": "测试事项",
        "source": "{type: other}",
        "lead_unit": "housing",
        "assigned": "2026-01-05",
        "deadline": "2026-12-31",
        "status": "in_progress",
    }
    lines.update(fields)
    return "".join(f"{key}: {value}\n" for key, value in lines.items())


class _Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1: it leaves `1e3` or `0E0` unquoted, which YAML 1.2 (and duban) reads as a float.
    Teaching it the 1.2 float pattern makes it quote such strings, so what it writes reads back as written."""


_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", yamlio._FLOAT, list("-+0123456789."))


def same_data(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 is not 1.0 nor True) and keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_data(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def dump_yaml(data: Any, **options: Any) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, **options)
    return text


KIND_OF = {"duban.yaml": "settings", "org/units.yaml": "units", "org/people.yaml": "people"}


def _kind(rel: str) -> str | None:
    if rel in KIND_OF:
        return KIND_OF[rel]
    if rel.startswith("calendar/"):
        return "calendar"
    return "task" if rel.startswith("tasks/") else None


def example_documents() -> list[tuple[str, str, Any]]:
    """Every parseable registry file of every example case (tests/examples), with its schema kind."""
    documents = []
    for path in sorted(EXAMPLES.rglob("*.y*ml")):
        case = path.relative_to(EXAMPLES).parts
        rel = "/".join(case[1:] if case[0] == "base" else case[2:])
        kind = _kind(rel)
        text, _ = yamlio.decode(path.read_bytes(), rel)
        if kind is None or text is None:
            continue
        parsed = yamlio.parse_text(text, rel)
        if parsed.ok:
            documents.append((str(path.relative_to(EXAMPLES)), kind, parsed.data))
    return documents
