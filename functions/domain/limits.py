"""How many new cases one reporter may open: a sliding hour and a sliding day (pure rules, no I/O).

The record is per reporter (one person cannot write more than about once a second, so it is never a hot
document): the times of their latest new cases, at most a day's worth. Joining an existing case, a
re-sent update and the helplines never count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

MAX_ITEMS_PER_REPORT: Final = 20  # messages of evidence one report holds (an album of ten is ten)
HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)


@dataclass(frozen=True)
class ReportLimits:
    """New cases one reporter may open per sliding hour and per sliding day (0 or less: no limit)."""

    per_hour: int = 10
    per_day: int = 30


@dataclass(frozen=True)
class Admission:
    """Whether one more case may be opened now, and the record to store if it is."""

    allowed: bool
    times: tuple[datetime, ...]  # the record after this case (unchanged when refused)
    retry_in_minutes: int = 0  # when refused: how long until one more is allowed


def recent(times: Iterable[datetime], now: datetime) -> tuple[datetime, ...]:
    """The times of the last day, oldest first."""
    return tuple(sorted(moment for moment in times if now - DAY < moment <= now))


def admit(times: Iterable[datetime], now: datetime, limits: ReportLimits) -> Admission:
    """Whether a reporter whose latest new cases were at `times` may open one more at `now`."""
    kept = recent(times, now)
    waits: list[timedelta] = []
    for limit, window in ((limits.per_hour, HOUR), (limits.per_day, DAY)):
        if limit <= 0:
            continue
        inside = [moment for moment in kept if moment > now - window]
        if len(inside) >= limit:
            waits.append(inside[len(inside) - limit] + window - now)
    if waits:
        minutes = max(1, math.ceil(max(waits).total_seconds() / 60))
        return Admission(allowed=False, times=kept, retry_in_minutes=minutes)
    newest = (*kept, now)
    cap = max(limits.per_day, limits.per_hour, 1)
    return Admission(allowed=True, times=newest[-cap:])
