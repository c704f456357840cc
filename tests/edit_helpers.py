"""A small registry on disk for the editing tests, and a way to run the real CLI on it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from duban.cli import cli

SETTINGS = """\
title: 测试督办
timezone: Asia/Shanghai
language: {language}
id_prefix: DB
"""

UNITS = """\
- id: gov
  name: 市人民政府
- id: housing
  name: 市住房和城乡建设局
  parent: gov
- id: finance
  name: 市财政局
  parent: gov
- id: planning
  name: 市自然资源和规划局
  parent: gov
"""

PEOPLE = """\
- id: zhang-wei
  name: 张伟
  unit: housing
- id: chen-jing
  name: 陈静
  unit: gov
- id: li-ming
  name: 李明
  unit: gov
"""

# National Day 2026: 10-01..10-07 off (weekdays listed), Saturday 10-10 a make-up workday.
CALENDAR = """\
year: 2026
holidays: [2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07]
workdays: [2026-09-20, 2026-10-10]
"""

# The must-show file: comments at the top, inline, between list items, before a key and at the end;
# flow lists; single-, double- and un-quoted strings; a `|` block as the last value of the last update.
COMMENTED = """\
# yaml-language-server: $schema=../../schema/task.schema.json
# 督查室登记：本事项来自市政府常务会议
id: DB-2026-0001   # 编号不要改
title: "推进老旧小区改造二期工程"
source:
  type: meeting-decision  # 会议决定
  ref: '市政府常务会议纪要〔2026〕12号'
  date: 2026-01-15
description: |
  完成二期 120 个小区改造。
  资金由市财政统筹。
priority: important
lead_unit: housing
co_units: [finance, planning]   # 协办单位
owner: zhang-wei
supervisor: chen-jing
assigned: 2026-01-20
deadline: 2026-12-31
status: in_progress
tags: ['民生实事', 城市更新]
updates:
  # 第一次反馈
  - date: 2026-02-01
    by: zhang-wei   # 住建局副局长
    progress: 20
    text: 已完成 40 个小区摸底。

  # 第二次反馈由督办员补录
  - date: "2026-03-01"
    progress: 40
    text: |
      完成方案批复。
      开工 30 个小区。
    # 附件见 OA 系统

# ---- 催办记录 ----
reminders:
  - date: 2026-03-05
    by: chen-jing
    note: 请于3月10日前报送进展  # 电话催办
# 文件结束
"""

# Where new updates go in COMMENTED: after the second update and its own comment, before the blank line and
# the comment that introduce `reminders`.
UPDATES_END = "    # 附件见 OA 系统\n"

PLAIN = """\
# yaml-language-server: $schema=../../schema/task.schema.json
id: DB-2026-0002
title: 编制城市更新专项规划
source:
  type: leader-instruction
  by: li-ming
lead_unit: planning
owner: zhang-wei
assigned: 2026-02-01
deadline: 2026-09-30
status: assigned
milestones:
  - name: 形成规划初稿
    due: 2026-05-31
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def make_registry(root: Path, language: str = "zh-CN", tasks: dict[str, str] | None = None) -> Path:
    """duban.yaml, org/, calendar/ and task files under tasks/2026/ (default: COMMENTED and PLAIN)."""
    write(root / "duban.yaml", SETTINGS.format(language=language))
    write(root / "org" / "units.yaml", UNITS)
    write(root / "org" / "people.yaml", PEOPLE)
    write(root / "calendar" / "2026.yaml", CALENDAR)
    chosen = tasks if tasks is not None else {"DB-2026-0001": COMMENTED, "DB-2026-0002": PLAIN}
    for task_id, text in chosen.items():
        write(root / "tasks" / "2026" / f"{task_id}.yaml", text)
    return root


def run(*args: str, input: str | None = None) -> Result:
    """The real CLI, as a user would call it (from inside the registry: tests chdir there)."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def task_file(root: Path, task_id: str, year: int = 2026) -> Path:
    return root / "tasks" / str(year) / f"{task_id}.yaml"


def leftovers(root: Path) -> list[Path]:
    """Temporary files an edit may have left behind (there must be none)."""
    return sorted(root.rglob(".*.tmp"))
