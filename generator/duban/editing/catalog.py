"""Every sentence the editing commands print, in every supported language (zh-CN first, English otherwise).

Templates use `str.format` fields. A test checks that both languages have every entry with the same fields.
"""

from __future__ import annotations

import string
from typing import Any

from duban.wording import STATUS_NAMES, pick

CATALOG: dict[str, dict[str, str]] = {
    "zh-CN": {
        # --- what changed ---
        "updated": "已在 {file} 追加进展反馈（{date}{progress_part}）",
        "progress-part": "，进度 {progress}%",
        "status-changed": "状态由“{old}”改为“{new}”",
        "reported": "已在 {file} 记录报办结（办结日期 {date}），状态改为“已报办结”，等待审核销号",
        "verified": "已在 {file} 记录办结销号（办结日期 {date}，审核人 {by}），状态改为“已办结”",
        "extension-requested": "已在 {file} 追加延期申请：延期至 {to}（待审批）",
        "extension-approved": "已在 {file} 记录延期审批：同意延期至 {to}（审批人 {by}，{date}）",
        "extension-rejected": "已在 {file} 记录延期审批：不同意延期至 {to}（审批人 {by}，{date}）",
        "reminded": "已在 {file} 追加催办记录（{date}）",
        "created": "已新建 {file}：{id} {title}（交办 {assigned}，办结时限 {deadline}）",
        "commit-hint": "提交到 git：",
        "dry-run": "试运行：以下修改已通过校验，但未写入文件",
        # --- commit messages ---
        "commit-update": "{id}: 进展反馈 {date}",
        "commit-reported": "{id}: 报办结 {date}",
        "commit-verified": "{id}: 办结销号 {date}",
        "commit-extension-requested": "{id}: 申请延期至 {to}",
        "commit-extension-approved": "{id}: 同意延期至 {to}",
        "commit-extension-rejected": "{id}: 不同意延期至 {to}",
        "commit-remind": "{id}: 催办 {date}",
        "commit-new": "{id}: 新建督办事项 {title}",
        # --- refusals ---
        "registry-has-errors": "登记库中有错误，请先修正后再编辑（未做任何修改）",
        "invalid-change": "修改后 {file} 将不符合格式要求，未写入任何内容",
        "not-found": "找不到编号为“{id}”的督办事项{suggestion}",
        "closed": "{id} 的状态是“{status}”，已经关闭，不能再{action}",
        "action-update": "追加进展反馈",
        "action-complete": "报办结",
        "action-extend": "申请延期",
        "action-remind": "催办",
        "summary-required": "{id} 还没有办结情况，请用 --summary 填写",
        "no-pending": "{id} 没有待审批（pending）的延期申请；要新提延期申请，请同时给出 --to 和 --reason",
        "unreadable": "无法读取 {file}：{error}",
        "unparsable": "无法在保留注释和格式的前提下读取 {file}：{error}",
        "write-failed": "无法写入 {file}：{error}（原文件未改动）",
        "exists": "{file} 已存在，未覆盖",
        "guard": "这次修改会改动 {file} 中不该改动的内容（{keys}），已放弃写入。这是 duban 的缺陷，请报告",
    },
    "en": {
        "updated": "Appended a progress report to {file} ({date}{progress_part})",
        "progress-part": ", progress {progress}%",
        "status-changed": "Status changed from '{old}' to '{new}'",
        "reported": "Recorded the completion report in {file} (completed {date}); "
        "status 'reported', awaiting review",
        "verified": "Recorded the verified completion in {file} (completed {date}, verified by {by}); "
        "status 'completed'",
        "extension-requested": "Appended an extension request to {file}: to {to} (pending)",
        "extension-approved": "Recorded the decision in {file}: extension to {to} approved by {by} on {date}",
        "extension-rejected": "Recorded the decision in {file}: extension to {to} rejected by {by} on {date}",
        "reminded": "Appended a reminder to {file} ({date})",
        "created": "Created {file}: {id} {title} (assigned {assigned}, deadline {deadline})",
        "commit-hint": "To commit it:",
        "dry-run": "Dry run: this change passes the checks but was not written",
        "commit-update": "{id}: progress report {date}",
        "commit-reported": "{id}: completion reported {date}",
        "commit-verified": "{id}: completed and verified {date}",
        "commit-extension-requested": "{id}: extension requested to {to}",
        "commit-extension-approved": "{id}: extension to {to} approved",
        "commit-extension-rejected": "{id}: extension to {to} rejected",
        "commit-remind": "{id}: reminder {date}",
        "commit-new": "{id}: new item {title}",
        "registry-has-errors": "the registry has errors; fix them before editing (nothing was changed)",
        "invalid-change": "the change would make {file} invalid; nothing was written",
        "not-found": "no item with id '{id}'{suggestion}",
        "closed": "{id} is '{status}' (closed); cannot {action}",
        "action-update": "append a progress report",
        "action-complete": "report its completion",
        "action-extend": "request an extension",
        "action-remind": "send a reminder",
        "summary-required": "{id} has no completion report yet: give one with --summary",
        "no-pending": "{id} has no pending extension request; to file a new one, give --to and --reason",
        "unreadable": "cannot read {file}: {error}",
        "unparsable": "cannot read {file} while keeping its comments and layout: {error}",
        "write-failed": "cannot write {file}: {error} (the file is unchanged)",
        "exists": "{file} already exists; not overwritten",
        "guard": "this change would alter parts of {file} it should not touch ({keys}); nothing was written. "
        "This is a bug in duban: please report it",
    },
}

# Field labels written as comments into a new task file (`duban new`), by dotted path.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "id": "编号",
        "title": "事项名称",
        "source": "督办来源",
        "source.type": "来源类型",
        "source.ref": "文号",
        "source.by": "交办领导",
        "source.date": "来源日期",
        "category": "类别",
        "priority": "紧急程度",
        "lead_unit": "牵头单位",
        "co_units": "协办单位",
        "owner": "责任人",
        "leader": "责任领导",
        "supervisor": "督办员",
        "parent": "上级事项",
        "assigned": "交办日期",
        "deadline": "办结时限",
        "report_every": "反馈周期",
        "status": "办理状态",
        "tags": "标签",
    },
    "en": {
        "id": "id",
        "title": "title",
        "source": "where the item comes from",
        "source.type": "kind of source",
        "source.ref": "document number",
        "source.by": "leader who gave it",
        "source.date": "date of the source",
        "category": "category",
        "priority": "priority",
        "lead_unit": "lead unit",
        "co_units": "co-operating units",
        "owner": "person responsible",
        "leader": "leader in charge",
        "supervisor": "supervising officer",
        "parent": "parent item",
        "assigned": "assigned on",
        "deadline": "deadline",
        "report_every": "feedback cycle",
        "status": "status",
        "tags": "tags",
    },
}


def language_of(language: str) -> str:
    """zh-CN, or English for anything else."""
    return language if language in CATALOG else "en"


def say(key: str, language: str, **args: Any) -> str:
    """The sentence `key` in `language`, with its fields filled in."""
    return CATALOG[language_of(language)][key].format(**args)


def status_name(status: str, language: str) -> str:
    return pick(STATUS_NAMES, status, language_of(language))


def fields_of(template: str) -> set[str]:
    """The `{field}` names a template uses (for the catalog's own test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class EditRefused(Exception):
    """An edit that cannot be made: a catalog key and its fields, printed by the session."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args

    def message(self, language: str) -> str:
        return say(self.key, language, **self.args_)
