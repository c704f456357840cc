"""A deterministic synthetic registry of N tasks (~50 lines, ~2 KB each) for benchmarks.

    python benchmarks/generate.py 10000 /tmp/reg10k [--hugo /tmp/hugo10k]

The same seed and N always give the same bytes. With --hugo, the same tasks are also written as a Hugo site
(content/tasks/<id>.md with the task as YAML front matter), so Hugo renders the equivalent
one-page-per-task site.

Texts (progress reports, problems, next steps, reminders) are put together from phrase pools with the item's
own numbers, so that, as in a real registry, hardly two are the same: a benchmark whose texts repeat would
flatter any program that shares equal strings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNITS = 60
PEOPLE = 300
SOURCES = [
    "leader-instruction",
    "meeting-decision",
    "superior-assignment",
    "work-report",
    "npc-suggestion",
    "cppcc-proposal",
    "hotline",
    "media",
    "other",
]
STATUSES = ["in_progress"] * 8 + [
    "assigned",
    "reported",
    "completed",
    "completed",
    "completed",
    "suspended",
    "cancelled",
]
VERBS = ["推进", "落实", "完成", "加快", "督促", "整改", "办理", "提升"]
SUBJECTS = [
    "老旧小区改造",
    "道路交通拥堵治理",
    "农村人居环境整治",
    "营商环境优化",
    "12345热线工单",
    "校园安全隐患排查",
    "医疗服务能力建设",
    "河道水环境治理",
    "安全生产专项检查",
    "政务服务“一网通办”",
    "菜市场提升改造",
    "人大代表建议",
    "政协委员提案",
    "文旅项目招商",
    "燃气管道更新",
]

DONE = [
    "已召开专题推进会",
    "完成阶段性任务",
    "相关台账资料已归档",
    "完成现场踏勘",
    "已印发实施方案",
    "组织开展专项督查",
    "完成资金拨付",
    "建立周调度机制",
    "完成招标采购",
    "已完成主体施工",
    "开展群众满意度回访",
    "完成问题清单销号",
]
TROUBLES = [
    "部分事项涉及多部门协调",
    "资金拨付滞后",
    "用地审批尚未完成",
    "施工受天气影响",
    "群众意见尚未统一",
    "专业人员不足",
    "前期手续办理较慢",
    "配套政策尚未出台",
]
NEXT = [
    "继续按计划推进",
    "确保按期办结",
    "加快审批进度",
    "加强部门会商",
    "完成竣工验收",
    "报送佐证材料",
    "组织第三方评估",
    "开展回头看",
]


def unit_id(n: int) -> str:
    return f"unit-{n:03d}"


def person_id(n: int) -> str:
    return f"person-{n:04d}"


def write_org(root: Path) -> None:
    units = ["- id: gov\n  name: 某市人民政府\n"]
    units += [
        f"- id: {unit_id(i)}\n  name: 某市第{i}工作部门\n  short: 部门{i}\n  parent: gov\n"
        for i in range(UNITS)
    ]
    people = [
        f"- id: {person_id(i)}\n  name: 人员{i}\n  unit: {unit_id(i % UNITS)}\n  title: 科长\n"
        for i in range(PEOPLE)
    ]
    (root / "org").mkdir(parents=True)
    (root / "org" / "units.yaml").write_text("".join(units), encoding="utf-8")
    (root / "org" / "people.yaml").write_text("".join(people), encoding="utf-8")


def task_text(number: int, rng: random.Random, year: int) -> tuple[str, str]:
    """One task's id and YAML text; every record is dated on or before 2026-11-28."""
    task_id = f"DB-{year}-{number:05d}"
    assigned = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 300 if year == 2026 else 360))
    deadline = assigned + dt.timedelta(days=rng.randrange(20, 200))
    status = rng.choice(STATUSES)
    lead = rng.randrange(UNITS)
    owner = lead + UNITS * rng.randrange(PEOPLE // UNITS)
    subject = rng.choice(SUBJECTS)
    lines = [
        "# yaml-language-server: $schema=../../schema/task.schema.json",
        f"id: {task_id}",
        f"title: {rng.choice(VERBS)}{subject}第{number}号事项",
        "source:",
        f"  type: {rng.choice(SOURCES)}",
        f"  ref: 某政办督〔{year}〕{number}号",
        f"  by: {person_id(rng.randrange(5))}",
        f"  date: {assigned.isoformat()}",
        "category: 重点工作",
        "description: |",
        f"  围绕{subject}，按照“一事项一方案”要求，明确责任分工和完成时限（{rng.randrange(2, 90)}个点位），",
        "  **工作要求**：牵头单位每月报送进展，协办单位密切配合，督查室跟踪问效；",
        "  涉及资金、用地、审批等事项的，同步报送相关部门协调解决。",
        "  **完成标准**：按期完成全部任务并报送佐证材料。",
        f"priority: {rng.choice(['normal', 'normal', 'important', 'urgent'])}",
        f"lead_unit: {unit_id(lead)}",
        f"co_units: [{unit_id((lead + 1) % UNITS)}, {unit_id((lead + 7) % UNITS)}]",
        f"owner: {person_id(owner)}",
        f"leader: {person_id(rng.randrange(5))}",
        f"supervisor: {person_id(5 + rng.randrange(5))}",
        f"assigned: {assigned.isoformat()}",
        f"deadline: {deadline.isoformat()}",
        f"status: {status}",
        f"tags: [{subject}, 督查督办]",
        "milestones:",
    ]
    lines += _milestones(assigned, deadline)
    lines += _updates(assigned, owner, rng)
    if status in ("completed", "reported"):
        done = min(deadline + dt.timedelta(days=rng.randrange(-20, 10)), dt.date(2026, 11, 28))
        done = max(done, assigned)
        summary = f"{subject}{rng.randrange(2, 90)}项任务已全部完成，{_phrase(rng, DONE)}。"
        lines += ["completion:", f"  date: {done.isoformat()}", f"  summary: {summary}"]
        if status == "completed":
            lines.append(f"  verified_by: {person_id(5 + rng.randrange(5))}")
    return task_id, "\n".join(lines) + "\n"


def _milestones(assigned: dt.date, deadline: dt.date) -> list[str]:
    span = (deadline - assigned).days
    lines = []
    for share, name in ((3, "制定工作方案"), (2, "完成主体任务")):
        due = assigned + dt.timedelta(days=span // share)
        lines += [f"  - name: {name}", f"    due: {due.isoformat()}"]
        if due < dt.date(2026, 11, 1):
            lines.append(f"    done: {due.isoformat()}")
    return lines


def _updates(assigned: dt.date, owner: int, rng: random.Random) -> list[str]:
    lines = ["updates:"]
    day = last = assigned
    for progress in (20, 45, 70):
        day += dt.timedelta(days=rng.randrange(15, 40))
        if day > dt.date(2026, 11, 28):
            break
        last = day
        lines += [
            f"  - date: {day.isoformat()}",
            f"    by: {person_id(owner)}",
            f"    progress: {progress}",
            f"    text: {_phrase(rng, DONE)}，{_phrase(rng, DONE)}，累计完成{rng.randrange(3, 400)}项。",
            f"    problems: {_phrase(rng, TROUBLES)}，涉及{rng.randrange(2, 9)}个部门。",
            f"    next: {_phrase(rng, NEXT)}，{rng.randrange(1, 13)}月底前{_phrase(rng, NEXT)}。",
        ]
    if len(lines) == 1:
        return []
    lines += [
        "reminders:",
        f"  - date: {last.isoformat()}",
        f"    by: {person_id(5)}",
        f"    note: 请于{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日前报送进展。",
    ]
    return lines


def _phrase(rng: random.Random, pool: list[str]) -> str:
    return rng.choice(pool)


def generate(count: int, root: Path, hugo: Path | None, seed: int = 20261128) -> None:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "duban.yaml").write_text(
        "title: 基准测试登记库\norganization: 某市人民政府办公室\ntimezone: Asia/Shanghai\nlanguage: zh-CN\n",
        encoding="utf-8",
    )
    write_org(root)
    shutil.copytree(REPO / "calendar", root / "calendar")
    shutil.copytree(REPO / "schema", root / "schema")
    for number in range(1, count + 1):
        year = 2025 if number % 4 == 0 else 2026
        task_id, text = task_text(number, rng, year)
        folder = root / "tasks" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{task_id}.yaml").write_text(text, encoding="utf-8")
        if hugo is not None:
            _hugo_page(hugo, task_id, text)
    if hugo is not None:
        shutil.copytree(Path(__file__).parent / "hugo_site", hugo, dirs_exist_ok=True)


def _hugo_page(hugo: Path, task_id: str, text: str) -> None:
    folder = hugo / "content" / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    body = text.split("\n", 1)[1]  # drop the modeline comment
    (folder / f"{task_id}.md").write_text(f"---\n{body}---\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("count", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument(
        "--hugo", type=Path, default=None, help="also write the same tasks as a Hugo site here"
    )
    args = parser.parse_args()
    if args.hugo is not None and args.hugo.exists():
        shutil.rmtree(args.hugo)
    generate(args.count, args.root, args.hugo)


if __name__ == "__main__":
    main()
