"""Kazakhstan time: a single zone, UTC+5, since March 2024; and coarse durations for people to read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final, Literal

KZ_TZ: Final = timezone(timedelta(hours=5), "Asia/Almaty")
Unit = Literal["minutes", "hours", "days"]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def coarse(delta: timedelta, minutes_below: int) -> tuple[Unit, int]:
    """A duration as (unit, count): minutes under minutes_below, hours under two days, then days."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < minutes_below:
        return "minutes", minutes
    if minutes < 48 * 60:
        return "hours", minutes // 60
    return "days", minutes // (24 * 60)
