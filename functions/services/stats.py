"""Leadership sees the picture: /stats (a chart and a summary) and /export (a spreadsheet).

Charts and spreadsheets are made by functions.services.charts and .export, imported only by /stats and
/export: matplotlib and openpyxl never load for any other request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Final, Protocol

from functions.domain.categories import RESTRICTED_CATEGORIES
from functions.domain.export_job import ExportJob
from functions.domain.incoming import IncomingMessage
from functions.domain.models import Outcome
from functions.domain.regions import REGION_CODES
from functions.domain.rollups import Totals
from functions.domain.statistics import (
    EXPORT_MAX_DAYS,
    Request,
    Stats,
    parse_request,
    scope_regions,
)
from functions.domain.takedown import Takedown
from functions.domain.time import KZ_TZ
from functions.domain.workflow import Role, StaffMember, may_see
from functions.i18n import t
from functions.log import get_logger
from functions.services import child_stats, takedown_texts
from functions.services.access import Access
from functions.services.calls import send, upload
from functions.services.rollups import PeriodFigures, RollupReads, period_figures
from functions.services.texts import duration_text

log = get_logger("oversight")

COMMANDS: Final[tuple[str, ...]] = ("stats", "export")
MAX_CATEGORY_LINES: Final = 8


class StatsStore(Protocol):
    """What statistics need from storage (OversightStore implements it)."""

    def take_quota(self, name: str, user_id: int, per_hour: int) -> bool: ...


LinksSince = Callable[[datetime, tuple[str, ...] | None], Sequence[Takedown]]


class ExportQueue(Protocol):
    """Hands an export to the export target (services.export_job.ExportStart)."""

    def start(self, job: ExportJob) -> Outcome: ...


class Statistics:
    """Counts, medians, charts and spreadsheets of the cases in a person's scope."""

    def __init__(
        self,
        store: StatsStore,
        access: Access,
        clock: Callable[[], datetime],
        rollups: RollupReads,
        exports_per_hour: int = 3,
        links: LinksSince | None = None,
        exports: ExportQueue | None = None,
    ) -> None:
        self.store = store
        self.access = access
        self.clock = clock
        self.rollups = rollups
        self.exports_per_hour = exports_per_hour
        self.links = links  # the takedown records of a period (time to removal); None leaves them out
        self.exports = exports  # the export target's queue

    def command(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """Handle /stats and /export (private chats only)."""
        person = self.access.in_private(message, lang)
        if isinstance(person, Outcome):
            return person
        if name == "stats":
            return self.stats(person, message.chat_id, arg)
        if name == "export":
            return self.export(person, message.chat_id, arg, message.update_id)
        return None

    # --- /stats ---------------------------------------------------------------------------------------------
    def scope_name(self, lang: str, regions: tuple[str, ...] | None) -> str:
        """The scope in words: all regions, or the regions' names."""
        if regions is None:
            return t(lang, "all_regions")
        return ", ".join(t(lang, f"region_{code}") for code in regions)

    def compute_stats(self, person: StaffMember, request: Request) -> tuple[Stats, tuple[str, ...] | None] | None:
        """The statistics this person may see for the request, from the roll-ups only (never the cases);
        None when the region asked is not theirs. Restricted categories count only for those who may see them."""
        found = self._figures(person, request)
        return (found[0].stats, found[1]) if found is not None else None

    def _figures(self, person: StaffMember, request: Request) -> tuple[PeriodFigures, tuple[str, ...] | None] | None:
        regions = scope_regions(person, request.region)
        if regions == ():
            return None
        figures = period_figures(self.rollups, self.clock(), request.days, regions, self._restricted(person, regions))
        log.info("stats read", extra={"by": person.user_id, "days": request.days, "documents": figures.reads})
        return figures, regions

    @staticmethod
    def _restricted(person: StaffMember, regions: tuple[str, ...] | None) -> bool:
        return any(may_see(person, c.value, r) for c in RESTRICTED_CATEGORIES for r in regions or REGION_CODES)

    def _child_lines(
        self, person: StaffMember, request: Request, totals: Totals, regions: tuple[str, ...] | None
    ) -> list[str]:
        """The help-the-child track's lines: the scope's, then by region (child_stats)."""
        lines = child_stats.scope_lines(person.lang, totals)
        if lines:
            restricted = self._restricted(person, regions)
            national = totals if regions is None else None  # the country's documents count by region already
            more, reads = child_stats.region_lines(
                person.lang, self.rollups, self.clock(), request.days, regions, restricted, national
            )
            lines += more
            log.info("stats read", extra={"by": person.user_id, "days": request.days, "documents": reads})
        return lines

    def stats(self, person: StaffMember, chat_id: int, arg: str) -> Outcome:
        """Counts by status, category and region, median times, as a chart and a short summary."""
        lang = person.lang
        request = parse_request(arg)
        if request.bad or request.personal:
            return Outcome(body=send(chat_id, t(lang, "stats_usage")))
        computed = self._figures(person, request)
        if computed is None:
            return Outcome(body=send(chat_id, t(lang, "refuse_out_of_scope")))
        figures, regions = computed
        stats = figures.stats
        scope = self.scope_name(lang, regions)
        summary = summary_text(lang, stats, scope)
        child = self._child_lines(person, request, figures.totals, regions) if stats.total else []
        summary += "\n\n" + "\n".join(child) if child else ""
        if self.links is not None:
            removal = takedown_texts.stats_lines(lang, self.links(stats.since, regions), stats.until)
            summary += "\n\n" + "\n".join(removal) if removal else ""
        log.info("stats", extra={"by": person.user_id, "days": request.days, "cases": stats.total})
        if stats.total == 0:
            return Outcome(body=send(chat_id, summary))
        from functions.services import charts

        png = charts.render(stats, lang, scope)
        caption = t(lang, "stats_caption", days=request.days, scope=scope)
        photo = upload("sendPhoto", "photo", chat_id, png, "qorgau-stats.png", caption)
        return Outcome(direct=[photo], body=send(chat_id, summary[:4096]))

    # --- /export --------------------------------------------------------------------------------------------
    def export(self, person: StaffMember, chat_id: int, arg: str, update_id: int = 0) -> Outcome:
        """A spreadsheet of the cases in scope, made by the export target (reporter ids only when an admin asks
        for them, pii): checked and counted against the hourly limit here, "preparing…" at once."""
        lang = person.lang
        request = parse_request(arg, EXPORT_MAX_DAYS)
        if request.bad:
            return Outcome(body=send(chat_id, t(lang, "export_usage")))
        if request.personal and person.role != Role.ADMIN:
            return Outcome(body=send(chat_id, t(lang, "export_pii_admins_only")))
        if scope_regions(person, request.region) == ():
            return Outcome(body=send(chat_id, t(lang, "refuse_out_of_scope")))
        if self.exports is None:  # a composition without the export target (never in a deployed webhook)
            return Outcome(body=send(chat_id, t(lang, "export_failed")))
        if not self.store.take_quota("export", person.user_id, self.exports_per_hour):
            return Outcome(body=send(chat_id, t(lang, "export_limit", n=self.exports_per_hour)))
        job = ExportJob(
            export_id=f"x{update_id}-{person.user_id}",
            user_id=person.user_id,
            chat_id=chat_id,
            lang=lang,
            days=request.days,
            region=request.region,
            personal=request.personal,
        )
        return self.exports.start(job)


def median_text(lang: str, minutes: float | None) -> str:
    """A median duration, or 'no data'."""
    if minutes is None:
        return t(lang, "stats_no_data")
    return duration_text(lang, timedelta(minutes=minutes))


def summary_text(lang: str, stats: Stats, scope: str) -> str:
    """The short text that goes with the chart."""
    since = stats.since.astimezone(KZ_TZ).strftime("%d.%m.%Y")
    until = stats.until.astimezone(KZ_TZ).strftime("%d.%m.%Y")
    lines = [t(lang, "stats_header", days=stats.days, since=since, until=until, scope=scope)]
    if stats.total == 0:
        lines.append(t(lang, "stats_none"))
        return "\n".join(lines)
    lines.append(t(lang, "stats_total", n=stats.total))
    statuses = ", ".join(f"{t(lang, f'status_{s}')}: {stats.shown(n)}" for s, n in stats.by_status.items())
    lines.append(t(lang, "stats_by_status", list=statuses))
    lines.append(t(lang, "stats_by_category"))
    ordered = sorted(stats.by_category.items(), key=lambda item: -item[1])
    lines += [f"• {t(lang, f'cat_{c}')}: {stats.shown(n)}" for c, n in ordered[:MAX_CATEGORY_LINES]]
    busiest = sorted(((r, n) for r, n in stats.by_region.items() if n), key=lambda item: -item[1])
    if len(stats.by_region) > 1 and busiest:
        lines.append(t(lang, "stats_top_regions"))
        lines += [f"• {t(lang, f'region_{r}')}: {n}" for r, n in busiest[:5]]
    lines.append(t(lang, "stats_median_take", value=median_text(lang, stats.median_take_minutes), n=stats.taken))
    resolve = stats.median_resolve_hours * 60 if stats.median_resolve_hours is not None else None
    lines.append(t(lang, "stats_median_resolve", value=median_text(lang, resolve), n=stats.resolved))
    if stats.narrow:
        lines.append(t(lang, "stats_small_note"))
    return "\n".join(lines)
