"""Small text pieces shared by the staff texts: durations, one case per line, long texts split for Telegram."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from functions.domain.case_rows import CaseRow
from functions.domain.time import coarse
from functions.i18n import t
from functions.services.cards import SEVERITY_ICON

MAX_TEXT: Final = 4096


def duration_text(lang: str, delta: timedelta) -> str:
    """A coarse, short duration: minutes under two hours, hours under two days, then days."""
    unit, count = coarse(delta, minutes_below=120)
    return t(lang, f"dur_{unit}", n=count)


def case_line(lang: str, case: CaseRow, reason: str, now: datetime) -> str:
    """One case in a reminder or digest: icon, code, category, region and why it waits."""
    since = case.created_at if reason in {"urgent", "untaken"} else case.updated_at
    waited = now - since if since is not None else timedelta(0)
    return t(
        lang,
        "item_line",
        icon=SEVERITY_ICON.get(case.severity, ""),
        code=case.code,
        category=t(lang, f"cat_{case.category}"),
        region=t(lang, f"region_{case.region}") if case.region else "—",
        reason=t(lang, f"overdue_{reason}", age=duration_text(lang, waited)),
    )


def chunks(lines: list[str], limit: int = MAX_TEXT) -> list[str]:
    """Join lines into as few texts of at most limit characters as it takes."""
    texts: list[str] = []
    current = ""
    for whole in lines:
        line = whole[:limit]
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts
