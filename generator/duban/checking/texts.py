"""Every word `duban check` prints, in zh-CN and English (a test checks that both are complete)."""

from __future__ import annotations

from typing import Any

from duban.wording import pick

TEXTS: dict[str, dict[str, str]] = {
    "item": {"zh-CN": "{id}「{title}」{reasons}", "en": '{id} "{title}": {reasons}'},
    "grace": {"zh-CN": "（在 {days} 天宽限期内，仅提示）", "en": " (within the {days}-day grace period)"},
    "unchanged": {"zh-CN": "（本次未改动该事项，仅提示）", "en": " (not changed since {ref}: warning only)"},
    "failed": {"zh-CN": "检查未通过", "en": "check failed"},
    "passed": {"zh-CN": "检查通过", "en": "check passed"},
    "counts": {
        "zh-CN": "{errors} 项未通过，{warnings} 项提示",
        "en": "{errors} failing, {warnings} warnings",
    },
    "files": {"zh-CN": "文件校验：{summary}", "en": "files: {summary}"},
    "fix-first": {
        "zh-CN": "（文件有错误，修正后才能检查逾期等情况）",
        "en": " (the files have errors: findings are checked once they are fixed)",
    },
    "as-of": {"zh-CN": "截至 {date}", "en": "as of {date}"},
    "failing": {"zh-CN": "未通过检查的事项", "en": "Failing findings"},
    "warnings": {"zh-CN": "提示", "en": "Warnings"},
    "problems": {"zh-CN": "文件问题", "en": "Problems in the files"},
    "more": {
        "zh-CN": "……另有 {count} 行未显示（见运行日志）",
        "en": "… {count} more rows not shown (see the log)",
    },
    "h-where": {"zh-CN": "位置", "en": "Where"},
    "h-finding": {"zh-CN": "类型", "en": "Finding"},
    "h-level": {"zh-CN": "级别", "en": "Level"},
    "h-message": {"zh-CN": "说明", "en": "Message"},
}


def say(key: str, language: str, **args: Any) -> str:
    return pick(TEXTS, key, language).format(**args)
