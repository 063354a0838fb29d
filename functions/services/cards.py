"""The staff card of a case: text (never the media) and the buttons the recipient's role allows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from functions.domain import callbacks
from functions.domain.models import Status
from functions.domain.platforms import report_pages
from functions.domain.text import Entity, Part, Quote, compose, fit
from functions.domain.time import coarse
from functions.domain.workflow import ARGUMENTS, Action, CaseView, StaffMember, actions_for
from functions.i18n import t
from functions.services.keyboards import Keyboard, button, markup

SEVERITY_ICON: Final = {"urgent": "🔴", "high": "🟠", "normal": "🟢"}
MAX_LINKS: Final = 10
MAX_DESCRIPTION_ON_CARD: Final = 500
MAX_LINK_ON_CARD: Final = 300  # UTF-16 units; the whole link is in the evidence message
PLATFORM_NAMES: Final = {
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "vk": "VK",
    "telegram": "Telegram",
    "x": "X",
    "facebook": "Facebook",
}


def text_hash_of(text: str, keyboard: Keyboard) -> str:
    """A short fingerprint of a rendered card (to skip edits that would change nothing)."""
    payload = text + "\x00" + json.dumps(keyboard, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def case_view(report: dict[str, Any]) -> CaseView:
    """The rule-relevant facts of a stored case."""
    assignee = report.get("assignee")
    return CaseView(
        status=Status(report.get("status", "new")),
        category=str(report.get("category", "other")),
        region=str(report.get("region", "")),
        assignee=int(assignee) if isinstance(assignee, int) else None,
    )


def age_text(lang: str, created_at: datetime | None, now: datetime) -> str:
    """How long ago the case came in, coarse and short."""
    if created_at is None:
        return "—"
    unit, count = coarse(now - created_at, minutes_below=60)
    return t(lang, f"age_{unit}", n=count)


def status_line(lang: str, report: dict[str, Any], owner_name: str | None) -> str:
    """Status with its detail: owner, escalation target, outcome."""
    status = str(report.get("status", "new"))
    text = t(lang, f"status_{status}")
    if status == Status.ESCALATED and report.get("escalated_to"):
        text += f" ({t(lang, 'esc_' + str(report['escalated_to']))})"
    if status == Status.RESOLVED and report.get("outcome"):
        text += f" ({t(lang, 'res_' + str(report['outcome']))})"
    if status == Status.REJECTED and report.get("outcome"):
        text += f" ({t(lang, 'rej_' + str(report['outcome']))})"
    if owner_name and status in {Status.IN_PROGRESS, Status.ESCALATED}:
        text += " — " + t(lang, "card_owner", name=owner_name)
    return text


def card_message(
    report: dict[str, Any],
    staff: StaffMember,
    now: datetime,
    owner_name: str | None,
    menu: str | None = None,
    extra: Sequence[str] = (),
) -> tuple[str, list[Entity], Keyboard]:
    """The card of a case for one staff member: text, entities and keyboard (menu: an open sub-menu).

    The reporter's description is a blockquote under its own label, so however it is written it cannot pass
    for the card's fields; the whole is measured in UTF-16 code units and cut within Telegram's 4096.
    """
    lang = staff.lang
    code = str(report["id"])
    severity = str(report.get("severity", "normal"))
    parts: list[Part] = [
        f"{SEVERITY_ICON.get(severity, '')} "
        + t(lang, "card_title", code=code, severity=t(lang, f"severity_{severity}")),
        t(lang, "card_category", category=t(lang, f"cat_{report.get('category', 'other')}")),
        t(lang, "card_region", region=t(lang, f"region_{report.get('region')}") if report.get("region") else "—"),
        t(lang, "card_age", age=age_text(lang, report.get("created_at"), now)),
        t(lang, "card_reporters", count=int(report.get("reporter_count", 1))),
        t(lang, "card_status", status=status_line(lang, report, owner_name)),
    ]
    if report.get("child_in_danger"):
        parts.append(t(lang, "card_danger_now"))
    if report.get("sla_escalated_at"):
        parts.append(t(lang, "card_sla_escalated"))
    if report.get("child_request"):
        parts.append(t(lang, "card_child_request"))
    if report.get("muted"):
        parts.append(t(lang, "card_muted"))
    if report.get("reporter_role"):
        parts.append(t(lang, "card_reporter_role", role=t(lang, f"role_{report['reporter_role']}")))
    if report.get("description"):
        parts += [t(lang, "card_description_label"), Quote(str(report["description"])[:MAX_DESCRIPTION_ON_CARD])]
    urls = [str(url) for url in report.get("urls") or []]
    if urls:
        parts.append(t(lang, "card_links"))
        parts.extend(fit(url, MAX_LINK_ON_CARD) for url in urls[:MAX_LINKS])
        if len(urls) > MAX_LINKS:
            parts.append(t(lang, "card_more_links", n=len(urls) - MAX_LINKS))
        pages = report_pages(urls)
        if pages:
            parts.append(t(lang, "card_platform_pages"))
            parts.extend(f"{PLATFORM_NAMES.get(name, name)}: {page}" for name, page in pages)
    media = report.get("media") or []
    if media:
        parts.append(t(lang, "card_media", n=len(media)))
    parts.extend(extra)
    text, entities = compose(parts)
    return text, entities, card_keyboard(report, staff, menu)


def render_card(
    report: dict[str, Any], staff: StaffMember, now: datetime, owner_name: str | None, menu: str | None = None
) -> tuple[str, Keyboard]:
    """The card's text and keyboard (without its entities: see card_message, which sending must use)."""
    text, _, keyboard = card_message(report, staff, now, owner_name, menu)
    return text, keyboard


def card_keyboard(report: dict[str, Any], staff: StaffMember, menu: str | None = None) -> Keyboard:
    """The buttons this person may use on this case now."""
    code = str(report["id"])
    lang = staff.lang
    allowed = actions_for(staff, case_view(report))
    if menu in {"escalate", "resolve", "reject"} and Action(menu) in allowed:
        prefix = {"escalate": "esc", "resolve": "res", "reject": "rej"}[menu]
        options = [
            [button(t(lang, f"{prefix}_{arg}"), callbacks.case(prefix, code, arg))] for arg in ARGUMENTS[Action(menu)]
        ]
        if menu == "reject" and not report.get("muted"):  # a flood is rejected, and its sender muted, here
            options.append([button(t(lang, "btn_mute"), callbacks.case("mute", code))])
        return markup([*options, [button(t(lang, "btn_back"), callbacks.case("back", code))]])
    rows: list[list[dict[str, str]]] = []
    if Action.TAKE in allowed:
        rows.append([button(t(lang, "btn_take"), callbacks.case("take", code))])
    step_row = []
    if Action.ESCALATE in allowed:
        step_row.append(button(t(lang, "btn_escalate"), callbacks.case("menu", code, "escalate")))
    if Action.RESOLVE in allowed:
        step_row.append(button(t(lang, "btn_resolve"), callbacks.case("menu", code, "resolve")))
    if step_row:
        rows.append(step_row)
    if Action.REJECT in allowed:
        rows.append([button(t(lang, "btn_reject"), callbacks.case("menu", code, "reject"))])
    if Action.REOPEN in allowed:
        rows.append([button(t(lang, "btn_reopen"), callbacks.case("reopen", code))])
    if report.get("media") or report.get("urls"):
        rows.append([button(t(lang, "btn_evidence"), callbacks.case("ev", code))])
    return markup(rows)
