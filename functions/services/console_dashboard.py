"""The console's dashboard: the very numbers of /stats (same Statistics code, same small-count rule), broken
down by region for the tile map and the times by region and platform."""

from __future__ import annotations

from typing import Any

from functions.domain.console import ApiError
from functions.domain.regions import REGION_CODES
from functions.domain.statistics import OPEN_VALUES, compute, parse_request
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
            raise ApiError(400, "days must be 7, 30 or 90; region a region code")
        scoped = self.statistics.scoped_facts(person, request)
        if scoped is None:
            raise ApiError(403, "region out of scope")
        lang = person.lang
        facts, since, until, regions = scoped.facts, scoped.since, scoped.until, scoped.regions
        stats = compute(facts, since, until, regions)
        scope = self.statistics.scope_name(lang, regions)
        summary = summary_text(lang, stats, scope)
        records = self.statistics.links(since, regions) if self.statistics.links is not None else []
        removal = takedown_texts.stats_lines(lang, records, until)
        if removal:  # as /stats words it
            summary += "\n\n" + "\n".join(removal)
        opened = compute([f for f in facts if f.status in OPEN_VALUES], since, until, regions)
        times = []
        for code in regions if regions is not None else REGION_CODES:
            mine = [f for f in facts if f.region == code]
            if not mine:
                continue
            one = compute(mine, since, until, (code,))
            times.append(
                {
                    "region": code,
                    "cases": one.total,
                    "median_take_minutes": one.median_take_minutes,
                    "taken": one.taken,
                    "median_resolve_hours": one.median_resolve_hours,
                    "resolved": one.resolved,
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
            "open_by_region": dict(opened.by_region),
            "times_by_region": times,
            "removal_by_platform": platforms,
            "median_take_minutes": stats.median_take_minutes,
            "median_resolve_hours": stats.median_resolve_hours,
            "summary": summary,
        }
