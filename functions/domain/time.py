"""Kazakhstan time: a single zone, UTC+5, since March 2024."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final

KZ_TZ: Final = timezone(timedelta(hours=5), "Asia/Almaty")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
