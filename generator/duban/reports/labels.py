"""Every word the reports print, in zh-CN and English (a test checks that both are complete)."""

from __future__ import annotations

from typing import Any

from duban.wording import pick

LABELS: dict[str, dict[str, str]] = {
    # columns
    "no": {"zh-CN": "序号", "en": "No."},
    "rank": {"zh-CN": "排名", "en": "Rank"},
    "id": {"zh-CN": "编号", "en": "ID"},
    "title": {"zh-CN": "事项名称", "en": "Item"},
    "lead_unit": {"zh-CN": "牵头单位", "en": "Lead unit"},
    "owner": {"zh-CN": "责任人", "en": "Owner"},
    "leader": {"zh-CN": "责任领导", "en": "Leader"},
    "assigned": {"zh-CN": "交办日期", "en": "Assigned"},
    "deadline": {"zh-CN": "原办结时限", "en": "Original deadline"},
    "effective_deadline": {"zh-CN": "办结时限", "en": "Deadline"},
    "days_overdue": {"zh-CN": "逾期天数", "en": "Days overdue"},
    "workdays_overdue": {"zh-CN": "逾期工作日", "en": "Workdays overdue"},
    "latest_update": {"zh-CN": "最近反馈", "en": "Latest report"},
    "reminders": {"zh-CN": "催办次数", "en": "Reminders"},
    "progress": {"zh-CN": "进度", "en": "Progress"},
    "completion_date": {"zh-CN": "办结日期", "en": "Completed"},
    "result": {"zh-CN": "办结情况", "en": "Result"},
    "requested": {"zh-CN": "申请日期", "en": "Requested"},
    "decided": {"zh-CN": "批准日期", "en": "Approved"},
    "extended_to": {"zh-CN": "延期至", "en": "Extended to"},
    "reason": {"zh-CN": "延期理由", "en": "Reason"},
    "total": {"zh-CN": "事项总数", "en": "Items"},
    "on_time": {"zh-CN": "按期办结", "en": "Done on time"},
    "late": {"zh-CN": "逾期办结", "en": "Done late"},
    "open": {"zh-CN": "未逾期未办结", "en": "Open, not overdue"},
    "overdue": {"zh-CN": "逾期未办结", "en": "Open, overdue"},
    "rate": {"zh-CN": "按期办结率", "en": "On-time rate"},
    "sum": {"zh-CN": "合计", "en": "Total"},
    "on_time_word": {"zh-CN": "按期", "en": "on time"},
    "late_word": {"zh-CN": "逾期 {days} 天", "en": "{days} days late"},
    # overdue report
    "overdue.title": {"zh-CN": "{org}逾期督办事项清单", "en": "{org}: overdue items"},
    "overdue.subtitle": {
        "zh-CN": "截至 {date}，逾期未办结事项 {count} 项，涉及牵头单位 {units} 个",
        "en": "As of {date}: {count} overdue items in {units} lead units",
    },
    "overdue.section": {"zh-CN": "逾期未办结事项", "en": "Overdue items"},
    "overdue.sheet": {"zh-CN": "逾期事项", "en": "Overdue"},
    "overdue.group": {"zh-CN": "{unit}（{count} 项）", "en": "{unit} ({count})"},
    "none": {"zh-CN": "无。", "en": "None."},
    # units report
    "units.title": {"zh-CN": "{org}各单位督办事项办理情况统计", "en": "{org}: items by lead unit"},
    "units.subtitle": {"zh-CN": "截至 {date}", "en": "As of {date}"},
    "units.section": {"zh-CN": "各单位办理情况", "en": "By lead unit"},
    "units.sheet": {"zh-CN": "各单位统计", "en": "Units"},
    "units.note": {
        "zh-CN": "按期办结率 = 按期办结数 ÷（按期办结数 + 逾期办结数 + 逾期未办结数）；"
        "尚未到期的在办事项不计入，已撤销事项不计入统计。"
        "排名按按期办结率从高到低，相同时逾期未办结数少者在前。",
        "en": "On-time rate = done on time ÷ (done on time + done late + open and overdue); open items not "
        "yet due are left out, and so are cancelled items. Ranked by on-time rate, then by fewer overdue "
        "items.",
    },
    # bulletin
    "bulletin.title": {"zh-CN": "{org}督查通报", "en": "{org}: supervision bulletin"},
    "bulletin.subtitle": {"zh-CN": "（{period}）", "en": "{period}"},
    "bulletin.as_of": {
        "zh-CN": "统计时段：{start} 至 {end}",
        "en": "Period: {start} to {end}",
    },
    "bulletin.overview": {"zh-CN": "一、总体情况", "en": "1. Overview"},
    "bulletin.overview.sheet": {"zh-CN": "总体情况", "en": "Overview"},
    "bulletin.overview.text": {
        "zh-CN": "本期新交办督办事项 {new} 项；办结 {completed} 项，"
        "其中按期办结 {on_time} 项、逾期办结 {late} 项；批准延期 {extensions} 项；催办 {reminders} 次。"
        "截至 {end}，累计督办事项 {total} 项，已办结 {done} 项，逾期未办结 {overdue} 项，"
        "按期办结率 {rate}。",
        "en": "This period {new} new items were assigned; {completed} were completed, {on_time} on time and "
        "{late} late; {extensions} extensions were approved and {reminders} reminders sent. As of {end}, "
        "of {total} items {done} are done and {overdue} are open and overdue; the on-time rate is {rate}.",
    },
    "bulletin.units": {"zh-CN": "二、各单位办理情况", "en": "2. By lead unit"},
    "bulletin.overdue": {"zh-CN": "三、逾期未办结事项", "en": "3. Overdue items"},
    "bulletin.new": {"zh-CN": "四、本期新交办事项", "en": "4. New items"},
    "bulletin.new.sheet": {"zh-CN": "新交办", "en": "New"},
    "bulletin.completed": {"zh-CN": "五、本期办结事项", "en": "5. Completed items"},
    "bulletin.completed.sheet": {"zh-CN": "本期办结", "en": "Completed"},
    "bulletin.extensions": {"zh-CN": "六、本期批准延期事项", "en": "6. Extensions approved"},
    "bulletin.extensions.sheet": {"zh-CN": "批准延期", "en": "Extensions"},
    "no_rate": {"zh-CN": "—", "en": "—"},
}


def label(key: str, language: str, **args: Any) -> str:
    text = pick(LABELS, key, language)
    return text.format(**args) if args else text
