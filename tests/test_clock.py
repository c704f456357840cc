"""The one place that reads the wall clock: pinned by DUBAN_NOW, today in the registry's timezone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from duban import clock
from duban.cli import cli
from validation_helpers import build_registry


def test_today_is_computed_in_the_registry_timezone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.NOW_VARIABLE, "2026-06-30T20:00:00+00:00")
    assert clock.today_in("Asia/Shanghai") == dt.date(2026, 7, 1)  # 04:00 the next morning in Shanghai
    assert clock.today_in("UTC") == dt.date(2026, 6, 30)


def test_a_naive_pinned_time_is_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.NOW_VARIABLE, "2026-06-30T15:59:00")
    assert clock.today_in("Asia/Shanghai") == dt.date(2026, 6, 30)


def test_a_bad_pinned_time_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = build_registry(None, tmp_path / "registry")
    monkeypatch.setenv(clock.NOW_VARIABLE, "yesterday")
    result = CliRunner().invoke(cli, ["status", "--root", str(root)])
    assert result.exit_code == 2
    assert "DUBAN_NOW='yesterday' is not an ISO date-time" in result.output
