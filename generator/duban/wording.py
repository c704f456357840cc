"""The words of the deadline engine in every supported language: lights, states, findings and reasons.

Problems have their catalog in `duban.messages`; this one is for what the engine says about an item (why
its light is red, what the status table and the reports call things). zh-CN first; English for any other
language. A test checks that both languages have every entry and use the same fields.
"""

from __future__ import annotations

import unicodedata
from typing import Any

LIGHT_NAMES: dict[str, dict[str, str]] = {
    "red": {"zh-CN": "红灯", "en": "red"},
    "yellow": {"zh-CN": "黄灯", "en": "yellow"},
    "green": {"zh-CN": "绿灯", "en": "green"},
    "grey": {"zh-CN": "灰灯", "en": "grey"},
    "done": {"zh-CN": "已办结", "en": "done"},
    "cancelled": {"zh-CN": "已撤销", "en": "cancelled"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "assigned": {"zh-CN": "已交办", "en": "assigned"},
    "in_progress": {"zh-CN": "承办中", "en": "in progress"},
    "reported": {"zh-CN": "已报办结", "en": "reported"},
    "suspended": {"zh-CN": "暂停", "en": "suspended"},
    "completed": {"zh-CN": "已办结", "en": "completed"},
    "cancelled": {"zh-CN": "已撤销", "en": "cancelled"},
}

FINDING_NAMES: dict[str, dict[str, str]] = {
    "overdue": {"zh-CN": "逾期", "en": "overdue"},
    "due_soon": {"zh-CN": "临期", "en": "due soon"},
    "milestone_overdue": {"zh-CN": "节点逾期", "en": "milestone overdue"},
    "feedback_overdue": {"zh-CN": "反馈超期", "en": "report overdue"},
    "behind_pace": {"zh-CN": "进度滞后", "en": "behind pace"},
    "extension_pending": {"zh-CN": "延期待批", "en": "extension pending"},
}

# Why an item has its light. Fields come from `Reason.args`; `{days}` and `{workdays}` are numbers in Chinese
# and "3 days" / "1 workday" in English (see `_localize`).
REASONS: dict[str, dict[str, str]] = {
    "overdue": {
        "zh-CN": "已逾期 {days} 天（{workdays} 个工作日），办结时限 {deadline}",
        "en": "overdue by {days} ({workdays}); deadline {deadline}",
    },
    "due_soon": {
        "zh-CN": "距办结时限 {deadline} 还有 {days} 天",
        "en": "due in {days}, on {deadline}",
    },
    "due_today": {"zh-CN": "今天（{deadline}）到期", "en": "due today ({deadline})"},
    "milestone_overdue": {
        "zh-CN": "节点“{name}”应于 {due} 完成，尚未完成",
        "en": "milestone '{name}' was due on {due} and is not done",
    },
    "feedback_overdue": {
        "zh-CN": "应于 {due} 前报送进展，已超期（上次反馈 {last}）",
        "en": "a progress report was due on {due} (last report {last})",
    },
    "feedback_overdue_none": {
        "zh-CN": "应于 {due} 前报送进展，交办后尚未反馈",
        "en": "a progress report was due on {due}; none since the assignment",
    },
    "behind_pace": {
        "zh-CN": "指标“{name}”完成 {progress}%，时间进度 {pace}%，落后 {gap} 个百分点",
        "en": "indicator '{name}' is at {progress}% with {pace}% of the time gone ({gap} points behind)",
    },
    "behind_level": {
        "zh-CN": "指标“{name}”实际值 {actual}{unit}，未达到目标值 {target}{unit}",
        "en": "indicator '{name}' is {actual}{unit}, below its target of {target}{unit}",
    },
    "behind_level_lower": {
        "zh-CN": "指标“{name}”实际值 {actual}{unit}，高于目标值 {target}{unit}（越低越好）",
        "en": "indicator '{name}' is {actual}{unit}, above its target of {target}{unit} (lower is better)",
    },
    "extension_pending": {
        "zh-CN": "{requested} 申请延期至 {to}，待审批",
        "en": "extension to {to} requested on {requested}, awaiting a decision",
    },
    "reported": {
        "zh-CN": "已于 {date} 报办结，待审核",
        "en": "reported complete on {date}, awaiting review",
    },
    "on_track": {"zh-CN": "正常推进，办结时限 {deadline}", "en": "on track; deadline {deadline}"},
    "suspended": {"zh-CN": "暂停办理，不计逾期", "en": "suspended: no warnings while suspended"},
    "completed_on_time": {"zh-CN": "已于 {date} 按期办结", "en": "completed on time on {date}"},
    "completed_late": {
        "zh-CN": "已于 {date} 办结，逾期 {days} 天",
        "en": "completed on {date}, {days} late",
    },
    "cancelled": {"zh-CN": "已撤销，不计入统计", "en": "cancelled: left out of statistics"},
}

# Words that follow a number in English and take a plural.
_COUNTED = {"days": ("day", "days"), "workdays": ("workday", "workdays")}


def pick(table: dict[str, dict[str, str]], key: str, language: str) -> str:
    """`key`'s word in `language` (English for anything but zh-CN; the key itself when unknown)."""
    words = table.get(key)
    if words is None:
        return key
    return words["zh-CN"] if language == "zh-CN" else words["en"]


def render_reason(code: str, args: dict[str, Any], language: str) -> str:
    template = pick(REASONS, code, language)
    if template == code:
        return f"{code}: {args}"
    return template.format(**_localize(args, language))


def _localize(args: dict[str, Any], language: str) -> dict[str, Any]:
    if language == "zh-CN":
        return args
    localized = dict(args)
    for key, (one, many) in _COUNTED.items():
        if isinstance(args.get(key), int):
            localized[key] = f"{args[key]} {one if args[key] == 1 else many}"
    return localized


def number(value: float | int | None) -> str:
    """A number as an office writes it: 85, 85.5, 1200 (no trailing .0, no exponent)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal or a spreadsheet: Chinese characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns (with … when cut) and padded with spaces to exactly `width`."""
    if display_width(text) > width:
        while text and display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))
