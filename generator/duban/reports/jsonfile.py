"""Reports as JSON: each report's data view, with the same field names as `duban status --format json`."""

from __future__ import annotations

import json

from duban.reports.model import Report


def write(report: Report) -> bytes:
    return (json.dumps(report.data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
