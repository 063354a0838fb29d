"""The statistics of a period and scope from roll-up totals (the same Stats that /stats, the chart and the export
summary show). Pure, no I/O."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from functions.domain import histograms
from functions.domain.categories import Category
from functions.domain.regions import REGION_CODES
from functions.domain.rollups import Totals
from functions.domain.statistics import STATUS_ORDER, Stats
from functions.domain.time import KZ_TZ


def day_start(day: date) -> datetime:
    """Midnight of a Kazakhstan day."""
    return datetime.combine(day, time(), tzinfo=KZ_TZ)


def stats_of(totals: Totals, first: date, last: date, until: datetime, regions: tuple[str, ...] | None) -> Stats:
    """The Stats of the cases created on the Kazakhstan days [first, last] (`until` is now, for the header).

    Args:
        totals: the roll-ups of the period and scope, added up for this viewer.
        first: the period's first day.
        last: the period's last day (today).
        until: the moment the period ends (now).
        regions: the scope's regions (None: all), to list regions without cases as zero bars.

    Returns:
        Counts by status, category, region and day (created that day / closed that day), the medians of the
        times to take and to resolve, with the small-count rule's `narrow` flag as /stats has always set it.
    """
    in_regions = regions if regions is not None else REGION_CODES
    with_cases = {code for code, n in totals.by_region.items() if n}
    stats = Stats(
        since=day_start(first),
        until=until,
        days=(last - first).days + 1,
        narrow=len(in_regions) == 1 or len(with_cases) <= 1,
        total=totals.total,
    )
    stats.by_status = {s: totals.by_status[s] for s in STATUS_ORDER if totals.by_status.get(s)}
    stats.by_category = {c.value: totals.by_category[c.value] for c in Category if totals.by_category.get(c.value)}
    stats.by_region = {code: totals.by_region.get(code, 0) for code in in_regions}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    rows = [(day, totals.per_day.get(day, [0, 0])) for day in days]
    stats.per_day = [(day, row[0], row[1]) for day, row in rows]
    take = totals.histograms.get("take", {})
    resolve = totals.histograms.get("resolve", {})
    stats.taken, stats.resolved = histograms.count(take), histograms.count(resolve)
    stats.median_take_minutes = histograms.median(take)
    median_resolve = histograms.median(resolve)
    stats.median_resolve_hours = median_resolve / 60 if median_resolve is not None else None
    return stats
