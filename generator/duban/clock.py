"""The only place duban reads the wall clock. Everything else takes the as-of date as an argument."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

# Tests (and anyone reproducing a past run) may pin "now" with DUBAN_NOW=2026-06-30T20:00:00+00:00.
NOW_VARIABLE = "DUBAN_NOW"


class ClockError(ValueError):
    """DUBAN_NOW is set to something that is not a moment in time."""


def now_utc() -> dt.datetime:
    pinned = os.environ.get(NOW_VARIABLE)
    if pinned:
        try:
            moment = dt.datetime.fromisoformat(pinned)
        except ValueError:
            message = f"{NOW_VARIABLE}={pinned!r} is not an ISO date-time (e.g. 2026-06-30T20:00:00+00:00)"
            raise ClockError(message) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def today_in(timezone: str) -> dt.date:
    """Today's date in the registry's timezone: at 20:00 UTC it is already tomorrow in Shanghai."""
    return now_utc().astimezone(ZoneInfo(timezone)).date()
