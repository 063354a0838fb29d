"""The console's dashboard: the very numbers of /stats (Statistics.compute_stats, the roll-ups, the same
small-count rule), and per region (the tile map and the times) the same call narrowed to each region."""

from __future__ import annotations

from typing import Any

from functions.domain.console import ApiError
from functions.domain.regions import REGION_CODES
from functions.domain.statistics import OPEN_VALUES, Request, parse_request
from functions.domain.takedown_stats import removals_by_platform
from functions.domain.workflow import StaffMember
from functions.log import get_logger
from functions.services import charts, takedown_texts
from functions.services.stats import Statistics, summary_text

log = get_logger("console")


class ConsoleDashboard:
    """Statistics of a person's scope, as the dashboard draws them."""

    def __init__(self, statistics: Statistics) -> None:
        self.statistics = statistics

    def dashboard(self, person: StaffMember, days: str, region: str) -> dict[str, Any]:
        """Received and closed per day, open cases and times by region, time to removal by platform."""
        if len(days) > 4 or len(region) > 4:
            raise ApiError(400, "days or region not understood")
        request = parse_request(f"{days}d {region}" if days else region)
        if request.bad or request.personal:
            raise ApiError(400, "days must be a number of days, region a region code")
        computed = self.statistics.compute_stats(person, request)
        if computed is None:
            raise ApiError(403, "region out of scope")
        stats, regions = computed
        lang = person.lang
        until = stats.until
        scope = self.statistics.scope_name(lang, regions)
        summary = summary_text(lang, stats, scope)
        records = self.statistics.links(stats.since, regions) if self.statistics.links is not None else []
        removal = takedown_texts.stats_lines(lang, records, until)
        if removal:  # as /stats words it
            summary += "\n\n" + "\n".join(removal)
        opened: dict[str, int] = {}
        times = []
        for code in regions if regions is not None else REGION_CODES:
            one = self.statistics.compute_stats(person, Request(days=request.days, region=code))
            if one is None:
                continue
            figures = one[0]
            opened[code] = sum(n for status, n in figures.by_status.items() if status in OPEN_VALUES)
            if figures.total:
                times.append(
                    {
                        "region": code,
                        "cases": figures.total,
                        "median_take_minutes": figures.median_take_minutes,
                        "taken": figures.taken,
                        "median_resolve_hours": figures.median_resolve_hours,
                        "resolved": figures.resolved,
                    }
                )
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
