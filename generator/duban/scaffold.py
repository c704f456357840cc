"""`duban init`: a ready registry for a new office, written from the templates in `duban/templates/init/`.

The templates are plain files with `@@NAME@@` placeholders (GitHub's `${{ }}` and Markdown rule out the usual
template syntaxes). The GitHub workflows are kept in this one place: this repository's own
`.github/workflows/duban-*.yml` are the same templates filled with `DUBAN_PIP_SPEC: .` (a test keeps them so).

Nothing here reads the clock: the command passes today's date in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
import yaml

from duban import __version__
from duban.resources import data_dir

TEMPLATES = Path(__file__).resolve().parent / "templates" / "init"
WORKFLOWS = ("duban-pull-request.yml", "duban-publish.yml")
WORKFLOW_DIR = ".github/workflows"
LANGUAGES = ("zh-CN", "en")
EXAMPLE_DAYS = 60  # the example item's deadline, in days from today: far enough to start green
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
# Entries that do not make a folder "non-empty": a fresh `git init` is as good as an empty folder.
_IGNORED_ENTRIES = frozenset({".git"})


class ScaffoldError(Exception):
    """The registry cannot be written where asked (the message says why, in the registry's language)."""


@dataclass(frozen=True)
class InitOptions:
    title: str
    timezone: str
    today: dt.date  # today in `timezone`: the example item is dated from it
    year: int  # the first calendar year written (and the next one)
    language: str = "zh-CN"
    organization: str | None = None
    id_prefix: str = "DB"


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)  # relative paths, forward slashes
    skipped: list[str] = field(default_factory=list)  # already there (with --force): kept as they were
    example_task: str = ""


def default_pip_spec(version: str = __version__) -> str:
    """Where the workflows install duban from: the tagged release on GitHub (duban is not on PyPI yet)."""
    return f"duban @ git+https://github.com/duban-dev/duban@v{version}"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every `@@NAME@@`; an unknown name is a bug in a template, not bad input."""

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise KeyError(f"template placeholder @@{name}@@ has no value")
        return values[name]

    return _PLACEHOLDER.sub(replace, text)


def yaml_scalar(value: str) -> str:
    """`value` as one YAML scalar: plain when that reads back as the same string, quoted otherwise."""
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1_000_000)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render_workflow(name: str, pip_spec: str | None = None) -> str:
    """One of WORKFLOWS, installing duban from `pip_spec` (default: this version's release)."""
    return fill(
        template(f"workflows/{name}"), {"DUBAN_PIP_SPEC_Q": yaml_scalar(pip_spec or default_pip_spec())}
    )


def workflow_files(pip_spec: str | None = None) -> dict[str, str]:
    """The workflows by their path in a repository."""
    return {f"{WORKFLOW_DIR}/{name}": render_workflow(name, pip_spec) for name in WORKFLOWS}


def task_id(options: InitOptions) -> str:
    return f"{options.id_prefix}-{options.today.year}-0001"


def _values(options: InitOptions) -> dict[str, str]:
    organization = options.organization
    if organization:
        organization_line = f"organization: {yaml_scalar(organization)}"
    else:
        organization_line = "# organization: 某某单位" if options.language == "zh-CN" else "# organization: …"
    office = {"zh-CN": "督查室", "en": "Supervision Office"}[options.language]
    return {
        "TITLE": options.title,
        "TITLE_Q": yaml_scalar(options.title),
        "ORGANIZATION_LINE": organization_line,
        "OFFICE_NAME_Q": yaml_scalar(
            f"{organization}{office}" if organization and options.language == "zh-CN" else office
        ),
        "TIMEZONE_Q": yaml_scalar(options.timezone),
        "ID_PREFIX": options.id_prefix,
        "ID_PREFIX_Q": yaml_scalar(options.id_prefix),
        "YEAR": str(options.year),
        "NEXT_YEAR": str(options.year + 1),
        "TASK_ID": task_id(options),
        "TASK_YEAR": str(options.today.year),
        "ASSIGNED": options.today.isoformat(),
        "DEADLINE": (options.today + dt.timedelta(days=EXAMPLE_DAYS)).isoformat(),
        "DUBAN_PIP_SPEC": default_pip_spec(),
        "DUBAN_VERSION": __version__,
    }


def text_files(options: InitOptions) -> dict[str, str]:
    """Every text file of the new registry by its relative path (the schemas are copied apart)."""
    values = _values(options)
    language = options.language
    files = {
        "duban.yaml": fill(template(f"{language}/duban.yaml"), values),
        "org/units.yaml": fill(template(f"{language}/units.yaml"), values),
        "org/people.yaml": fill(template(f"{language}/people.yaml"), values),
        f"tasks/{options.today.year}/{task_id(options)}.yaml": fill(
            template(f"{language}/task.yaml"), values
        ),
        "README.md": fill(template(f"{language}/README.md"), values),
        ".gitignore": template("gitignore"),
        ".pre-commit-config.yaml": fill(template("pre-commit-config.yaml"), values),
    }
    for year in (options.year, options.year + 1):
        files[f"calendar/{year}.yaml"] = calendar_file(year, language)
    files.update(workflow_files())
    return files


# --- the calendar -------------------------------------------------------------------------------------------

_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利纪念日",
}
_WEEKEND_NAMES = {5: "星期六", 6: "星期日"}

_CALENDAR_HEAD = {
    "zh-CN": (
        "# {year} 年法定节假日放假与调休补班安排（用于按工作日计算逾期）\n"
        "# holidays：放假且落在周一至周五的日期；workdays：调休补班且落在周六、周日的日期\n"
    ),
    "en": (
        "# Public holidays and make-up workdays (调休) of {year}, for counting workdays overdue\n"
        "# holidays: days off from Monday to Friday; workdays: make-up workdays on a Saturday or Sunday\n"
    ),
}
_CALENDAR_SOURCE = {
    "zh-CN": (
        "# 数据来自 PyPI 包 chinese-calendar {version}，依据国务院办公厅公布的当年节假日安排，"
        "请与通知原文核对\n"
    ),
    "en": "# From the PyPI package chinese-calendar {version}, after the State Council's notice: check it\n",
}
_CALENDAR_UNKNOWN = {
    "zh-CN": (
        "# 尚未填写：国务院办公厅一般在前一年 11 月前后公布下一年的节假日安排，\n"
        "# 公布后请按通知填写下面两个列表。填写之前，这一年按周一至周五上班计算。\n"
    ),
    "en": (
        "# Not filled in yet: the State Council publishes next year's arrangement around November; fill in\n"
        "# the two lists from its notice then. Until then Monday to Friday count as workdays.\n"
    ),
}


def _known_year(year: int) -> bool:
    return any(day.year == year for day in chinese_calendar.holidays)


def _holiday_lines(year: int, language: str) -> Iterator[str]:
    """Weekday days off, each holiday's days under its name (weekend days off change nothing)."""
    previous = None
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.year != year or day.weekday() >= 5:
            continue
        if name != previous:
            yield f"  # {_HOLIDAY_NAMES.get(name, name) if language == 'zh-CN' else name}"
            previous = name
        yield f"  - {day.isoformat()}"


def _workday_lines(year: int, language: str) -> Iterator[str]:
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.year != year or day.weekday() < 5:
            continue
        if language == "zh-CN":
            note = f"{_HOLIDAY_NAMES.get(name, name)}调休，{_WEEKEND_NAMES[day.weekday()]}上班"
        else:
            note = f"{name}: make-up workday on a {day.strftime('%A')}"
        yield f"  - {day.isoformat()}  # {note}"


def calendar_file(year: int, language: str) -> str:
    """calendar/YEAR.yaml from chinese-calendar; empty lists and a note for a year it does not know yet."""
    head = _CALENDAR_HEAD[language].format(year=year)
    if not _known_year(year):
        return f"{head}{_CALENDAR_UNKNOWN[language]}year: {year}\nholidays: []\nworkdays: []\n"
    source = _CALENDAR_SOURCE[language].format(version=_calendar_version())
    holidays = "\n".join(_holiday_lines(year, language))
    workdays = "\n".join(_workday_lines(year, language))
    body = f"year: {year}\nholidays:\n{holidays}\n"
    body += f"workdays:\n{workdays}\n" if workdays else "workdays: []\n"
    return head + source + body


def _calendar_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinese-calendar")
    except PackageNotFoundError:
        return "?"


# --- writing ------------------------------------------------------------------------------------------------


def check_target(target: Path, force: bool, language: str) -> None:
    """Refuse a folder that already holds a registry, and (without --force) one that holds anything else."""
    zh = language == "zh-CN"
    if (target / "duban.yaml").exists():
        raise ScaffoldError(
            f"{target} 中已有 duban.yaml（已经是督办台账），不能覆盖"
            if zh
            else f"{target} already holds duban.yaml (a registry); it is never overwritten"
        )
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} 不是文件夹" if zh else f"{target} is not a folder")
    if target.is_dir() and not force:
        entries = sorted(p.name for p in target.iterdir() if p.name not in _IGNORED_ENTRIES)
        if entries:
            shown = "、".join(entries[:5]) if zh else ", ".join(entries[:5])
            raise ScaffoldError(
                f"{target} 不是空文件夹（有 {shown} 等）；确需在其中建立台账请加 --force（已有文件保留不动）"
                if zh
                else f"{target} is not empty ({shown}…); add --force to write the registry there anyway "
                "(existing files are kept as they are)"
            )


def scaffold(target: Path, options: InitOptions, force: bool = False) -> InitResult:
    """Write the registry into `target` (created when missing). Existing files are never overwritten."""
    check_target(target, force, options.language)
    result = InitResult(example_task=f"tasks/{options.today.year}/{task_id(options)}.yaml")
    files = text_files(options)
    for rel, text in files.items():
        _write(target, rel, text.encode("utf-8"), result)
    for schema in sorted(data_dir("schema").glob("*.schema.json")):
        _write(target, f"schema/{schema.name}", schema.read_bytes(), result)
    return result


def _write(target: Path, rel: str, content: bytes, result: InitResult) -> None:
    path = target / rel
    if path.exists():
        result.skipped.append(rel)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Bytes, so that no platform turns the newlines into CRLF: the files are the same on every machine.
    path.write_bytes(content)
    result.created.append(rel)
