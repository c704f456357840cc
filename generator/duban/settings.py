"""The registry's settings (duban.yaml) with FORMAT.md's defaults filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FINDINGS = (
    "overdue",
    "due_soon",
    "milestone_overdue",
    "feedback_overdue",
    "behind_pace",
    "extension_pending",
)


@dataclass(frozen=True)
class Settings:
    title: str = "督查督办"
    timezone: str = "Asia/Shanghai"
    organization: str = ""
    language: str = "zh-CN"
    id_prefix: str = "DB"
    repository_url: str | None = None
    repository_branch: str = "main"
    base_url: str = "/"
    due_soon_days: int = 7
    feedback_grace_days: int = 3
    pace_yellow_points: int = 10
    pace_red_points: int = 30
    fail_on: tuple[str, ...] = ("overdue",)
    grace_days: int = 0
    report_every: str = "monthly"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Settings:
        """Settings from an already schema-checked duban.yaml mapping."""
        default = cls()
        warnings = data.get("warnings") or {}
        check = data.get("check") or {}
        repository = data.get("repository") or {}
        return cls(
            title=data.get("title", default.title),
            timezone=data.get("timezone", default.timezone),
            organization=data.get("organization", default.organization),
            language=data.get("language", default.language),
            id_prefix=data.get("id_prefix", default.id_prefix),
            repository_url=(repository.get("url") or "").rstrip("/") or None,
            repository_branch=repository.get("branch", default.repository_branch),
            base_url=data.get("base_url", default.base_url),
            due_soon_days=warnings.get("due_soon_days", default.due_soon_days),
            feedback_grace_days=warnings.get("feedback_grace_days", default.feedback_grace_days),
            pace_yellow_points=warnings.get("pace_yellow_points", default.pace_yellow_points),
            pace_red_points=warnings.get("pace_red_points", default.pace_red_points),
            fail_on=tuple(check.get("fail_on", default.fail_on)),
            grace_days=check.get("grace_days", default.grace_days),
            report_every=data.get("report_every", default.report_every),
            raw=data,
        )
