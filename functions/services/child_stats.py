"""The help-the-child track in /stats, from the roll-ups only: time to first contact (median, p90) and how many
children needed help and were given it — for the scope, and by region.

The durations are the roll-ups' histograms: `contact` (from `first_contact_at`) and the child track's own
`help_needed` / `help_given` (domain.child_track), whose counts are the numbers of children. The scope's come from
the documents /stats reads anyway; the breakdown reads each region's documents of the period in one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from functions.domain import histograms
from functions.domain.regions import REGION_CODES
from functions.domain.rollups import Totals, add_up, kz_day, period_days, plan
from functions.i18n import t
from functions.services.rollups import RollupReads
from functions.services.texts import duration_text


def _duration(lang: str, minutes: float | None) -> str:
    return duration_text(lang, timedelta(minutes=minutes)) if minutes is not None else "—"


def _share(given: int, needed: int) -> str:
    return f"{round(100 * given / needed)}%" if needed else "—"


def help_counts(totals: Totals) -> tuple[int, int]:
    """Children who needed help and children given help, in these totals."""
    found = totals.histograms
    return histograms.count(found.get("help_needed", {})), histograms.count(found.get("help_given", {}))


def scope_lines(lang: str, totals: Totals) -> list[str]:
    """The scope's lines: time to first contact, and help needed and given (none when there is nothing)."""
    contact = totals.histograms.get("contact", {})
    contacts = histograms.count(contact)
    needed, given = help_counts(totals)
    if not contacts and not needed:
        return []
    lines = [t(lang, "stats_ch_header")]
    if contacts:
        median, p90 = histograms.quantile(contact, 0.5), histograms.quantile(contact, 0.9)
        lines.append(t(lang, "stats_ch_contact", median=_duration(lang, median), p90=_duration(lang, p90), n=contacts))
    else:
        lines.append(t(lang, "stats_ch_contact_none"))
    lines.append(t(lang, "stats_ch_help", needed=needed, given=given, share=_share(given, needed)))
    return lines


def region_lines(
    lang: str,
    store: RollupReads,
    now: datetime,
    days: int,
    regions: tuple[str, ...] | None,
    restricted_visible: bool,
    national: Totals | None = None,
) -> tuple[list[str], int]:
    """Help needed and given by region (the regions of the scope where some child needed help), and how many
    documents were read; nothing for a scope of one region (its line is the scope's). For the whole country the
    national documents already read (`national`: their totals) count by region, so nothing more is read."""
    codes: Sequence[str] = regions if regions is not None else REGION_CODES
    if len(codes) < 2:
        return [], 0
    today = kz_day(now)
    first, last = period_days(today, days)
    wanted = {code: plan(f"r{code}", first, last, today) for code in codes} if national is None else {}
    found = store.read([name for reads in wanted.values() for name, _ in reads]) if wanted else {}
    lines: list[str] = []
    for code in codes:
        if national is not None:
            kinds = national.region_kinds.get(code, {})
            needed, given = kinds.get("help_needed", 0), kinds.get("help_given", 0)
        else:
            totals = add_up(((name, found.get(name, {}), sign) for name, sign in wanted[code]), restricted_visible)
            needed, given = help_counts(totals)
        if needed:
            region = t(lang, f"region_{code}")
            lines.append(t(lang, "stats_ch_region", region=region, needed=needed, given=given,
                           share=_share(given, needed)))  # fmt: skip
    if lines:
        lines.insert(0, t(lang, "stats_ch_by_region"))
    return lines, sum(len(reads) for reads in wanted.values())
