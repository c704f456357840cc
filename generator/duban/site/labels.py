"""The words for the registry's codes (lights, states, source types …) as gettext msgids.

Templates show `label("light", "red")`; the msgids are marked with `N_` here so that the extractor (and the
i18n test) sees them, and translated at render time through the catalog like every other interface string.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a msgid for extraction without translating it (it is translated where it is shown)."""
    return message


LIGHTS: dict[str, str] = {
    "red": N_("Red"),
    "yellow": N_("Yellow"),
    "green": N_("Green"),
    "grey": N_("Paused"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}

# The light's icon: the light is never told by colour alone (icon, word and colour together).
LIGHT_ICONS: dict[str, str] = {
    "red": "●",
    "yellow": "▲",
    "green": "✓",
    "grey": "‖",
    "done": "✔",
    "cancelled": "✕",
}

LIGHT_ORDER: tuple[str, ...] = ("red", "yellow", "green", "grey", "done", "cancelled")

STATUSES: dict[str, str] = {
    "assigned": N_("Assigned"),
    "in_progress": N_("In progress"),
    "reported": N_("Reported complete"),
    "suspended": N_("Suspended"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}

FINDINGS: dict[str, str] = {
    "overdue": N_("Overdue"),
    "due_soon": N_("Due soon"),
    "milestone_overdue": N_("Milestone overdue"),
    "feedback_overdue": N_("Report overdue"),
    "behind_pace": N_("Behind pace"),
    "extension_pending": N_("Extension pending"),
}

SOURCES: dict[str, str] = {
    "leader-instruction": N_("Leader's instruction"),
    "meeting-decision": N_("Meeting decision"),
    "superior-assignment": N_("Assigned by a superior"),
    "work-report": N_("Government work report"),
    "npc-suggestion": N_("NPC deputies' suggestion"),
    "cppcc-proposal": N_("CPPCC proposal"),
    "hotline": N_("12345 hotline"),
    "media": N_("Media report"),
    "other": N_("Other"),
}

PRIORITIES: dict[str, str] = {
    "normal": N_("Normal"),
    "important": N_("Important"),
    "urgent": N_("Urgent"),
}

REPORT_CYCLES: dict[str, str] = {
    "weekly": N_("Weekly"),
    "biweekly": N_("Every two weeks"),
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "none": N_("No regular reports"),
}

DECISIONS: dict[str, str] = {
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}

GRADES: dict[str, str] = {
    "satisfied": N_("Satisfied"),
    "basically-satisfied": N_("Basically satisfied"),
    "unsatisfied": N_("Unsatisfied"),
}

MEASURES: dict[str, str] = {
    "cumulative": N_("Cumulative"),
    "level": N_("Level"),
}

ROLES: dict[str, str] = {
    "leader": N_("Responsible leader"),
    "owner": N_("Person in charge"),
    "supervisor": N_("Supervisor"),
    "source": N_("Instruction given by"),
}

TABLES: dict[str, dict[str, str]] = {
    "light": LIGHTS,
    "status": STATUSES,
    "finding": FINDINGS,
    "source": SOURCES,
    "priority": PRIORITIES,
    "cycle": REPORT_CYCLES,
    "decision": DECISIONS,
    "grade": GRADES,
    "measure": MEASURES,
    "role": ROLES,
}


def msgid(kind: str, code: str) -> str:
    """The msgid for a code; an unknown code (a newer registry than this duban) is shown as it is written."""
    return TABLES[kind].get(code, code)
