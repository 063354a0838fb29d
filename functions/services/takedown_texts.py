"""What staff read of the takedown track: each link's state on the card, its buttons, /stats lines, the digest
lines, the /export columns. Text from the catalogs (``functions/i18n/<lang>.takedown.json``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.takedown import (
    Takedown,
    TakedownState,
    all_removed,
    live_longest,
    short_duration,
    time_to_removal,
)
from functions.domain.takedown_stats import Durations, PlatformRemovals, removals_by_platform
from functions.domain.text import MESSAGE_LIMIT, fit
from functions.domain.time import KZ_TZ
from functions.domain.urls import platform_of
from functions.i18n import t
from functions.services.keyboards import button

PLATFORM_NAMES: Final = {
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "vk": "VK",
    "telegram": "Telegram",
    "x": "X",
    "facebook": "Facebook",
    "ok": "OK",
    "rutube": "Rutube",
    "vimeo": "Vimeo",
    "dailymotion": "Dailymotion",
    "twitch": "Twitch",
    "reddit": "Reddit",
    "likee": "Likee",
    "yappy": "Yappy",
    "short_link": "short links",
    "other": "other sites",
}
MAX_REPORT_BUTTONS: Final = 2


def platform_name(platform: str) -> str:
    """The name people know a platform by."""
    return PLATFORM_NAMES.get(platform, platform)


def duration(lang: str, delta: timedelta) -> str:
    """A duration as "2 d 4 h", "3 h 10 min" or "12 min"."""
    days, hours, minutes = short_duration(delta)
    if days:
        return t(lang, "td_dur_dh", d=days, h=hours)
    if hours:
        return t(lang, "td_dur_hm", h=hours, m=minutes)
    return t(lang, "td_dur_m", m=minutes)


def state_text(lang: str, record: Takedown) -> str:
    """One link's state: up, reported, removed after …, restricted, private, not checked yet."""
    state = record.state
    if state is TakedownState.REMOVED:
        took = time_to_removal(record) or timedelta(0)
        text = t(lang, "td_state_removed", duration=duration(lang, took))
    else:
        text = t(lang, f"td_state_{state.value}")
    if record.reference:
        text += "; " + t(lang, "td_reference", reference=record.reference)
    return text


def link_lines(
    lang: str, urls: Sequence[str], records: Sequence[Takedown], limit: int, width: int = MESSAGE_LIMIT
) -> list[str]:
    """The card's link lines: each link (cut to `width` UTF-16 units) with its state (a link without a record
    yet shows bare)."""
    by_url = {record.url: record for record in records}
    lines: list[str] = []
    for url in urls[:limit]:
        record = by_url.get(url)
        shown = fit(url, width)
        lines.append(f"{shown} — {state_text(lang, record)}" if record is not None else shown)
    if all_removed(records):
        lines.append(t(lang, "td_all_removed"))
    return lines


def card_rows(lang: str, case: Case, records: Sequence[Takedown]) -> list[list[dict[str, str]]]:
    """The takedown buttons of a card: "reported to <platform>" (one tap per platform) and "check now"."""
    if not case.urls or all_removed(records):
        return []
    reported = {record.platform for record in records if record.reported_at is not None}
    rows = [
        [button(t(lang, "btn_td_reported", platform=platform_name(name)), callbacks.takedown("rep", case.code, name))]
        for name in [name for name in platforms_of(case) if name not in reported][:MAX_REPORT_BUTTONS]
    ]
    rows.append([button(t(lang, "btn_td_check"), callbacks.takedown("chk", case.code))])
    return rows


def platforms_of(case: Case) -> list[str]:
    """The platforms of a case's links, in order."""
    return list(dict.fromkeys(platform_of(url) or "other" for url in case.urls))


# --- /stats -------------------------------------------------------------------------------------------------
def _hours(lang: str, value: float | None) -> str:
    return duration(lang, timedelta(hours=value)) if value is not None else t(lang, "stats_no_data")


def _share(lang: str, value: float | None) -> str:
    return f"{round(value * 100)}%" if value is not None else t(lang, "stats_no_data")


def _durations_line(lang: str, key: str, figures: Durations) -> str:
    return t(
        lang,
        key,
        median=_hours(lang, figures.median_hours),
        p90=_hours(lang, figures.p90_hours),
        share24=_share(lang, figures.within_24h),
        share72=_share(lang, figures.within_72h),
    )


def stats_lines(lang: str, records: Sequence[Takedown], now: datetime) -> list[str]:
    """Time to removal per platform, for /stats (nothing when no link was tracked in the period)."""
    figures: list[PlatformRemovals] = removals_by_platform(records, now)
    if not figures:
        return []
    lines = [t(lang, "td_stats_header")]
    for item in figures:
        lines.append(
            t(
                lang,
                "td_stats_platform",
                platform=platform_name(item.platform),
                removed=item.removed,
                links=item.links,
                reported=item.reported,
            )
        )
        lines.append(_durations_line(lang, "td_stats_from_creation", item.from_creation))
        if item.reported:
            lines.append(_durations_line(lang, "td_stats_from_notice", item.from_notice))
        lines.append(t(lang, "td_stats_live_week", n=item.live_after_7d))
    return lines


# --- the digest -----------------------------------------------------------------------------------------------
def digest_lines(lang: str, records: Sequence[Takedown], now: datetime, limit: int = 5) -> list[str]:
    """The links still up the longest, for the daily digest (nothing when none is up)."""
    longest = live_longest(records, now, limit)
    if not longest:
        return []
    return [t(lang, "td_digest_header")] + [
        t(
            lang,
            "td_digest_line",
            code=record.case_code,
            platform=platform_name(record.platform),
            age=duration(lang, now - record.intake_at),
        )
        for record in longest
    ]


# --- /export --------------------------------------------------------------------------------------------------
EXPORT_COLUMNS: Final = (
    "td_col_links",
    "td_col_removed",
    "td_col_reported_at",
    "td_col_references",
    "td_col_removed_at",
    "td_col_hours_to_removal",
)


def export_headers(lang: str) -> list[str]:
    """The headers of the takedown columns."""
    return [t(lang, key) for key in EXPORT_COLUMNS]


def export_cells(records: Sequence[Takedown]) -> list[Any]:
    """The takedown columns of one case: links, removed, first notice, references, all removed at, hours."""
    tracked = [record for record in records if not record.merged_into]
    removed = [record for record in tracked if record.state is TakedownState.REMOVED]
    notices = [record.reported_at for record in tracked if record.reported_at is not None]
    references = ", ".join(sorted({record.reference for record in tracked if record.reference}))
    done_at = max((r.removed_at for r in removed if r.removed_at), default=None) if all_removed(tracked) else None
    hours = None
    if done_at is not None and tracked:
        hours = round((done_at - min(record.intake_at for record in tracked)).total_seconds() / 3600, 1)
    return [
        len(tracked),
        len(removed),
        _local(min(notices)) if notices else None,
        references or None,
        _local(done_at),
        hours,
    ]


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(KZ_TZ).replace(tzinfo=None) if moment is not None else None
