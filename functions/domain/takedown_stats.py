"""Time to removal per platform, from the takedown records: median, p90, share within 24 h and 72 h. Pure.

Counted twice: from the case's creation (how long the content stayed up once someone reported it to us) and from
the platform notice (how fast the platform acted once staff reported it there). Shares are of every tracked link
of the platform (from creation) and of every link reported to the platform (from the notice), so a platform that
removes little scores low however fast its few removals were.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from functions.domain.takedown import LIVE_TOO_LONG, Takedown, live_since, time_to_removal

WITHIN: Final = (timedelta(hours=24), timedelta(hours=72))


@dataclass(frozen=True, slots=True)
class Durations:
    """Times to removal counted from one starting point."""

    base: int  # links the shares are of
    median_hours: float | None
    p90_hours: float | None
    within_24h: float | None  # share of base, 0..1
    within_72h: float | None


@dataclass(frozen=True, slots=True)
class PlatformRemovals:
    """One platform's takedown figures."""

    platform: str
    links: int
    removed: int
    reported: int
    from_creation: Durations
    from_notice: Durations
    live_after_7d: int


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _durations(times: Sequence[timedelta], base: int) -> Durations:
    hours = [time.total_seconds() / 3600 for time in times]
    shares = [sum(1 for time in times if time <= limit) / base if base else None for limit in WITHIN]
    return Durations(base, percentile(hours, 0.5), percentile(hours, 0.9), shares[0], shares[1])


def removal_times(records: Iterable[Takedown]) -> Durations:
    """Time to removal from the case's creation over some links, whatever their platform (merged left out)."""
    links = [record for record in records if not record.merged_into]
    return _durations([d for r in links if (d := time_to_removal(r)) is not None], len(links))


def removals_by_platform(records: Iterable[Takedown], now: datetime) -> list[PlatformRemovals]:
    """The figures of each platform with tracked links, most links first (merged cases' links left out)."""
    grouped: dict[str, list[Takedown]] = {}
    for record in records:
        if not record.merged_into:
            grouped.setdefault(record.platform, []).append(record)
    result: list[PlatformRemovals] = []
    for platform, links in grouped.items():
        from_creation = [d for r in links if (d := time_to_removal(r)) is not None]
        from_notice = [d for r in links if (d := time_to_removal(r, from_notice=True)) is not None]
        reported = sum(1 for r in links if r.reported_at is not None)
        stale = sum(1 for r in links if (since := live_since(r, now)) is not None and since >= LIVE_TOO_LONG)
        result.append(
            PlatformRemovals(
                platform=platform,
                links=len(links),
                removed=len(from_creation),
                reported=reported,
                from_creation=_durations(from_creation, len(links)),
                from_notice=_durations(from_notice, reported),
                live_after_7d=stale,
            )
        )
    result.sort(key=lambda figures: (-figures.links, figures.platform))
    return result
