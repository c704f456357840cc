"""Problem messages in every supported language (zh-CN first: most registries are Chinese).

One entry per problem code: `{"zh-CN": template, "en": template}`. Templates use `str.format` fields from the
problem's args. A test checks that every code has every language and that both use the same fields.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- reading files ---
    "not-utf8": {
        "zh-CN": "文件不是 UTF-8 编码{guess}。请另存为 UTF-8（记事本：另存为 → 编码选 UTF-8；"
        "或运行 iconv -f {source} -t UTF-8 原文件 > 新文件）",
        "en": "the file is not UTF-8{guess}. Save it as UTF-8 (Notepad: Save As → Encoding UTF-8; "
        "or run iconv -f {source} -t UTF-8 old > new)",
    },
    "unreadable": {"zh-CN": "无法读取文件：{error}", "en": "cannot read the file: {error}"},
    "too-large": {
        "zh-CN": "文件过大（{size} 字节，上限 {limit} 字节）",
        "en": "the file is too large ({size} bytes; the limit is {limit})",
    },
    "symlink-outside": {
        "zh-CN": "符号链接指向登记库之外（{target}），已忽略",
        "en": "symbolic link points outside the registry ({target}); not followed",
    },
    "empty-file": {"zh-CN": "文件为空", "en": "the file is empty"},
    "tab": {
        "zh-CN": "缩进中使用了制表符（Tab），YAML 只允许空格缩进",
        "en": "tab character in indentation; YAML indents with spaces only",
    },
    "yaml-syntax": {"zh-CN": "YAML 语法错误：{hint}{detail}", "en": "YAML syntax error: {hint}{detail}"},
    "multiple-documents": {
        "zh-CN": "一个文件只能有一个 YAML 文档（此处出现了第二个 ---）",
        "en": "a file holds exactly one YAML document (a second one starts here)",
    },
    "duplicate-key": {
        "zh-CN": "键“{key}”重复（第一次出现在第 {first_line} 行）",
        "en": "duplicate key '{key}' (first on line {first_line})",
    },
    "too-deep": {
        "zh-CN": "嵌套超过 {limit} 层",
        "en": "nesting deeper than {limit} levels",
    },
    "alias-bomb": {
        "zh-CN": "别名（*引用）展开后过大或自我引用，已拒绝",
        "en": "aliases (*references) expand too far or refer to themselves; refused",
    },
    "unsupported-tag": {
        "zh-CN": "不支持的 YAML 标签 {tag}",
        "en": "unsupported YAML tag {tag}",
    },
    "missing-file": {
        "zh-CN": "缺少文件 {name}（登记库根目录：{root}）",
        "en": "missing file {name} (registry root: {root})",
    },
    # --- schema ---
    "missing-key": {"zh-CN": "缺少必填字段“{key}”", "en": "missing required key '{key}'"},
    "unknown-key": {
        "zh-CN": "未知字段“{key}”{suggestion}",
        "en": "unknown key '{key}'{suggestion}",
    },
    "bad-type": {"zh-CN": "应为{expected}，实际为{actual}", "en": "expected {expected}, got {actual}"},
    "bad-value": {
        "zh-CN": "“{value}”不是允许的取值（可选：{allowed}）",
        "en": "'{value}' is not an allowed value (one of: {allowed})",
    },
    "bad-id": {
        "zh-CN": "“{value}”不是合法的编号（格式：{pattern}）",
        "en": "'{value}' is not a valid id (pattern: {pattern})",
    },
    "bad-format": {
        "zh-CN": "“{value}”格式不正确（应匹配 {pattern}）",
        "en": "'{value}' does not match the pattern {pattern}",
    },
    "bad-date": {
        "zh-CN": "“{value}”不是有效日期（格式 YYYY-MM-DD，如 2026-06-30）",
        "en": "'{value}' is not a valid date (YYYY-MM-DD, e.g. 2026-06-30)",
    },
    "too-long": {"zh-CN": "内容过长（最多 {limit}）", "en": "too long (at most {limit})"},
    "too-short": {"zh-CN": "内容过短或为空（至少 {limit}）", "en": "too short or empty (at least {limit})"},
    "out-of-range": {
        "zh-CN": "数值 {value} 超出范围（{bound}）",
        "en": "{value} is out of range ({bound})",
    },
    "not-unique": {"zh-CN": "列表中有重复项", "en": "the list has duplicate items"},
    "schema": {"zh-CN": "不符合格式要求：{detail}", "en": "does not match the schema: {detail}"},
    # --- settings and calendars ---
    "bad-timezone": {
        "zh-CN": "“{value}”不是有效的 IANA 时区（如 Asia/Shanghai）",
        "en": "'{value}' is not an IANA timezone (e.g. Asia/Shanghai)",
    },
    "calendar-year": {
        "zh-CN": "日期 {date} 不在本日历年份 {year} 内",
        "en": "date {date} is not in this calendar's year {year}",
    },
    "calendar-file-name": {
        "zh-CN": "日历文件名应为 {expected}（与 year: {year} 一致）",
        "en": "the calendar file should be named {expected} (to match year: {year})",
    },
    "calendar-duplicate-year": {
        "zh-CN": "{year} 年的日历重复（另见 {other}）",
        "en": "a calendar for {year} exists twice (see also {other})",
    },
    "calendar-conflict": {
        "zh-CN": "{date} 同时列为节假日和调休工作日",
        "en": "{date} is listed both as a holiday and as a make-up workday",
    },
    "calendar-holiday-weekend": {
        "zh-CN": "{date} 是周末，无需列为节假日（holidays 只列本应上班的日子）",
        "en": "{date} is a weekend day; holidays lists only days that would be workdays",
    },
    "calendar-workday-weekday": {
        "zh-CN": "{date} 是工作日（周一至周五），无需列为调休补班日",
        "en": "{date} is already a weekday; workdays lists only weekend make-up days",
    },
    # --- cross-file ---
    "id-mismatch": {
        "zh-CN": "编号“{id}”与文件名“{stem}”不一致",
        "en": "id '{id}' differs from the file name '{stem}'",
    },
    "duplicate-id": {
        "zh-CN": "编号“{id}”重复（另见 {other}）",
        "en": "id '{id}' is used twice (see also {other})",
    },
    "unknown-unit": {
        "zh-CN": "单位“{value}”不存在于 org/units.yaml{suggestion}",
        "en": "unit '{value}' is not in org/units.yaml{suggestion}",
    },
    "unknown-person": {
        "zh-CN": "人员“{value}”不存在于 org/people.yaml{suggestion}",
        "en": "person '{value}' is not in org/people.yaml{suggestion}",
    },
    "unknown-parent": {
        "zh-CN": "上级事项“{value}”不存在{suggestion}",
        "en": "parent item '{value}' does not exist{suggestion}",
    },
    "parent-cycle": {
        "zh-CN": "上级事项形成循环：{chain}",
        "en": "the parent chain forms a cycle: {chain}",
    },
    "unit-cycle": {
        "zh-CN": "单位隶属关系形成循环：{chain}",
        "en": "the unit tree forms a cycle: {chain}",
    },
    "deadline-before-assigned": {
        "zh-CN": "办结时限 {deadline} 早于交办日期 {assigned}",
        "en": "deadline {deadline} is before the assigned date {assigned}",
    },
    "updates-out-of-order": {
        "zh-CN": "进展反馈应按日期从早到晚排列：{date} 早于上一条的 {previous}",
        "en": "updates must be oldest first: {date} comes after {previous}",
    },
    "extension-not-later": {
        "zh-CN": "延期至 {to} 不晚于当时的办结时限 {deadline}",
        "en": "extension to {to} is not after the deadline it extends ({deadline})",
    },
    "extension-undecided": {
        "zh-CN": "延期申请的决定为“{decision}”，须填写 decided（决定日期）和 by（决定人）",
        "en": "an extension with decision '{decision}' needs 'decided' and 'by'",
    },
    "extension-pending-decided": {
        "zh-CN": "延期申请尚待审批（pending），不应填写 decided 或 by",
        "en": "a pending extension should have no 'decided' or 'by'",
    },
    "extension-decided-before-requested": {
        "zh-CN": "审批日期 {decided} 早于申请日期 {requested}",
        "en": "decision date {decided} is before the request date {requested}",
    },
    "completion-required": {
        "zh-CN": "状态为“{status}”时必须填写 completion（办结情况）",
        "en": "status '{status}' requires a completion block",
    },
    "completion-forbidden": {
        "zh-CN": "状态为“{status}”时不应填写 completion（只有 completed 或 reported 可以）",
        "en": "status '{status}' must not have a completion block (only completed or reported)",
    },
    "completion-before-assigned": {
        "zh-CN": "办结日期 {date} 早于交办日期 {assigned}",
        "en": "completion date {date} is before the assigned date {assigned}",
    },
    "indicator-target-baseline": {
        "zh-CN": "累计指标“{name}”的目标值等于基数（{target}），无法计算进度",
        "en": "cumulative indicator '{name}' has its target equal to its baseline ({target}): "
        "progress is undefined",
    },
    "evidence-url": {
        "zh-CN": "佐证材料链接“{url}”{reason}",
        "en": "evidence link '{url}' {reason}",
    },
    "future-record": {
        "zh-CN": "{what}的日期 {date} 晚于今天（{today}）",
        "en": "{what} is dated {date}, after today ({today})",
    },
    "co-unit-is-lead": {
        "zh-CN": "牵头单位“{value}”不必再列为协办单位",
        "en": "the lead unit '{value}' is also listed as a co-unit",
    },
}

# Names of the records that `future-record` talks about, by language.
RECORD_NAMES: dict[str, dict[str, str]] = {
    "update": {"zh-CN": "进展反馈", "en": "an update"},
    "milestone": {"zh-CN": "节点完成", "en": "a milestone's completion"},
    "completion": {"zh-CN": "办结", "en": "the completion"},
    "reminder": {"zh-CN": "催办", "en": "a reminder"},
    "decision": {"zh-CN": "延期审批", "en": "an extension decision"},
    "request": {"zh-CN": "延期申请", "en": "an extension request"},
    "rating": {"zh-CN": "评价", "en": "the rating"},
    "assigned": {"zh-CN": "交办", "en": "the assignment"},
}

# Type names used in `bad-type`, by language.
TYPE_NAMES: dict[str, dict[str, str]] = {
    "string": {"zh-CN": "文本", "en": "text"},
    "integer": {"zh-CN": "整数", "en": "a whole number"},
    "number": {"zh-CN": "数字", "en": "a number"},
    "boolean": {"zh-CN": "true/false", "en": "true/false"},
    "object": {"zh-CN": "键值映射", "en": "a mapping"},
    "array": {"zh-CN": "列表", "en": "a list"},
    "null": {"zh-CN": "空值", "en": "nothing (null)"},
}


def render(code: str, args: dict[str, Any], language: str) -> str:
    """The message for `code` in `language` (English for anything but zh-CN)."""
    templates = MESSAGES.get(code)
    if templates is None:
        return f"{code}: {args}"
    lang = language if language in templates else "en"
    localized = {key: _localize(value, lang) for key, value in args.items()}
    return templates[lang].format(**localized)


def _localize(value: Any, language: str) -> Any:
    """Args may carry per-language text as {"zh-CN": ..., "en": ...}."""
    if isinstance(value, dict) and language in value:
        return value[language]
    return value
