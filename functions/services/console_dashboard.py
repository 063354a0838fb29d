"""The console's dashboard: the very numbers of /stats (Statistics.compute_stats, the roll-ups, the same
small-count rule), and per region (the tile map and the times) the same call narrowed to each region."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from functions.domain.console import ApiError
from functions.domain.regions import REGION_CODES
from functions.domain.statistics import OPEN_VALUES, Request, parse_request
from functions.domain.takedown import Takedown, time_to_removal
from functions.domain.takedown_stats import removal_times, removals_by_platform
from functions.domain.workflow import StaffMember
from functions.log import get_logger
from functions.services import charts, child_stats, takedown_texts
from functions.services.rollups import PeriodFigures
from functions.services.stats import Statistics, summary_text

log = get_logger("console")


def region_times(code: str, figures: PeriodFigures, links: Sequence[Takedown]) -> dict[str, Any]:
    """One region's row of the times table: time to take (and to resolve), to first contact, to removal.

    The same figures /stats shows for that region (`/stats <days>d <region>`): the medians of the roll-ups and
    of the takedown records, with their counts. A region's own counts are not narrower than a region, so the
    small-count rule leaves them as they are, as /stats does (it hides 1-4 only in breakdowns of one region).
    """
    stats = figures.stats
    contact_median, contact_p90, contacts = child_stats.contact_times(figures.totals)
    removal = removal_times(links)
    return {
        "region": code,
        "cases": stats.total,
        "median_take_minutes": stats.median_take_minutes,
        "taken": stats.taken,
        "median_resolve_hours": stats.median_resolve_hours,
        "resolved": stats.resolved,
        "median_contact_minutes": contact_median,
        "p90_contact_minutes": contact_p90,
        "contacts": contacts,
        "median_removal_hours": removal.median_hours,
        "links": removal.base,
        "removed": sum(1 for r in links if not r.merged_into and time_to_removal(r) is not None),
    }


class ConsoleDashboard:
    """Statistics of a person's scope, as the dashboard draws them."""

    def __init__(self, statistics: Statistics) -> None:
        self.statistics = statistics

    def dashboard(self, person: StaffMember, days: str, region: str) -> dict[str, Any]:
        """Received and closed per day, open cases and times by region (take, first contact, removal), time to
        removal by platform."""
        if len(days) > 4 or len(region) > 4:
            raise ApiError(400, "days or region not understood")
        request = parse_request(f"{days}d {region}" if days else region)
        if request.bad or request.personal:
            raise ApiError(400, "days must be a number of days, region a region code")
        computed = self.statistics.figures(person, request)
        if computed is None:
            raise ApiError(403, "region out of scope")
        figures, regions = computed
        stats = figures.stats
        lang = person.lang
        until = stats.until
        scope = self.statistics.scope_name(lang, regions)
        summary = summary_text(lang, stats, scope)  # as /stats words it: the summary, the child track, removals
        child = self.statistics.child_lines(person, request, figures.totals, regions) if stats.total else []
        summary += "\n\n" + "\n".join(child) if child else ""
        records = self.statistics.links(stats.since, regions) if self.statistics.links is not None else []
        removal = takedown_texts.stats_lines(lang, records, until)
        summary += "\n\n" + "\n".join(removal) if removal else ""
        opened: dict[str, int] = {}
        times = []
        for code in regions if regions is not None else REGION_CODES:
            one = self.statistics.figures(person, Request(days=request.days, region=code))
            if one is None:
                continue
            region_stats = one[0].stats
            opened[code] = sum(n for status, n in region_stats.by_status.items() if status in OPEN_VALUES)
            if region_stats.total:
                times.append(region_times(code, one[0], [r for r in records if r.region == code]))
        platforms = [
            {
                "platform": item.platform,
                "links": item.links,
                "removed": item.removed,
                "median_hours": item.from_creation.median_hours,
            }
            for item in removals_by_platform(records, until)
        ]
        log.info("console dashboard", extra={"by": person.user_id, "days": request.days, "cases": stats.total})
        return {
            "days": request.days,
            "scope": list(regions) if regions is not None else None,
            "total": stats.total,
            "narrow": stats.narrow,
            "by_status": {status: stats.shown(n) for status, n in stats.by_status.items()},
            "by_category": {category: stats.shown(n) for category, n in stats.by_category.items()},
            "chart": charts.chart_data(stats, lang),
            "open_by_region": opened,
            "times_by_region": times,
            "removal_by_platform": platforms,
            "median_take_minutes": stats.median_take_minutes,
            "median_resolve_hours": stats.median_resolve_hours,
            "summary": summary,
        }
