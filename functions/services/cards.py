"""The staff card of a case: text (never the media) and the buttons the recipient's role allows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.conversation import offers_writing
from functions.domain.escalation import may_recategorise, staff_categories
from functions.domain.models import Status
from functions.domain.platforms import report_pages
from functions.domain.takedown import Takedown
from functions.domain.text import Entity, Part, Quote, compose
from functions.domain.time import KZ_TZ, coarse
from functions.domain.visibility import may_see_content, shows_content_on_card
from functions.domain.workflow import ARGUMENTS, Action, StaffMember, actions_for
from functions.i18n import t
from functions.services import child_help_texts, takedown_texts
from functions.services.console_menu import card_button
from functions.services.keyboards import Keyboard, button, markup

SEVERITY_ICON: Final = {"urgent": "🔴", "high": "🟠", "normal": "🟢"}
MAX_LINKS: Final = 10
MAX_DESCRIPTION_ON_CARD: Final = 500
MAX_LINK_ON_CARD: Final = 300  # UTF-16 units; the whole link is in the evidence message


def text_hash_of(text: str, keyboard: Keyboard) -> str:
    """A short fingerprint of a rendered card (to skip edits that would change nothing)."""
    payload = text + "\x00" + json.dumps(keyboard, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def age_text(lang: str, created_at: datetime | None, now: datetime) -> str:
    """How long ago the case came in, coarse and short."""
    if created_at is None:
        return "—"
    unit, count = coarse(now - created_at, minutes_below=60)
    return t(lang, f"age_{unit}", n=count)


def received_text(created_at: datetime | None, now: datetime) -> str:
    """When the case came in, as a time of day in Kazakhstan (with the date when it is not today): never frozen."""
    if created_at is None:
        return "—"
    local, today = created_at.astimezone(KZ_TZ), now.astimezone(KZ_TZ)
    return local.strftime("%H:%M") if local.date() == today.date() else local.strftime("%d.%m %H:%M")


def preview_line(lang: str, case: Case) -> str:
    """The card's first line (the notification preview): severity, category and region — what staff decide on."""
    region = t(lang, f"region_{case.region}") if case.region else t(lang, "card_region_unknown")
    severity = t(lang, f"severity_{case.severity}")
    parts = [severity[:1].upper() + severity[1:], t(lang, f"cat_{case.category}"), region]
    return f"{SEVERITY_ICON.get(case.severity, '')} " + " · ".join(parts)


def status_line(lang: str, case: Case, owner_name: str | None) -> str:
    """Status with its detail: owner, escalation target, outcome."""
    status = case.status
    text = t(lang, f"status_{status.value}")
    if status == Status.ESCALATED and case.escalated_to:
        text += f" ({t(lang, 'esc_' + case.escalated_to)})"
    if status == Status.NEW and case.escalated_to:  # handed back after it was passed on: the next owner sees it
        text += f" ({t(lang, 'card_was_escalated', to=t(lang, 'esc_' + case.escalated_to))})"
    if status == Status.RESOLVED and case.outcome:
        text += f" ({t(lang, 'res_' + case.outcome)})"
    if status == Status.REJECTED and case.outcome:
        text += f" ({t(lang, 'rej_' + case.outcome)})"
    if owner_name and status in {Status.IN_PROGRESS, Status.ESCALATED}:
        text += " — " + t(lang, "card_owner", name=owner_name)
    return text


def card_message(
    case: Case,
    staff: StaffMember,
    now: datetime,
    owner_name: str | None,
    menu: str | None = None,
    links: Sequence[Takedown] = (),
    extra: Sequence[str] = (),
) -> tuple[str, list[Entity], Keyboard]:
    """The card of a case for one staff member: text, entities and keyboard (menu: an open sub-menu; links:
    the takedown records of its links, each shown with its state).

    The reporter's description is a blockquote under its own label, so however it is written it cannot pass
    for the card's fields; the whole is measured in UTF-16 code units and cut within Telegram's 4096.
    """
    lang = staff.lang
    parts: list[Part] = [preview_line(lang, case)]
    if case.child_in_danger:
        parts.append(t(lang, "card_danger_now"))
    if case.child_request:
        parts.append(t(lang, "card_child_request"))
    parts += [
        t(lang, "card_code", code=case.code),
        t(lang, "card_received_at", time=received_text(case.created_at, now)),
        t(lang, "card_reporters", count=case.reporter_count)
        if not case.quarantined
        else t(lang, "card_from_quarantine"),
        t(lang, "card_status", status=status_line(lang, case, owner_name)),
    ]
    if case.sla_escalated_at:
        parts.append(t(lang, "card_sla_escalated"))
    if case.muted:
        parts.append(t(lang, "card_muted"))
    if case.reporter_role:
        role_key = "card_role_child" if case.reporter_role == "child" else f"role_{case.reporter_role}"
        parts.append(t(lang, "card_reporter_role", role=t(lang, role_key)))  # the child's own wording
    if case.contributors:
        parts.append(additions_line(lang, case))
    parts += child_help_texts.card_lines(lang, case, now)
    if not shows_content_on_card(case.category):
        parts.append(t(lang, "card_restricted"))  # links, media, descriptions: child_safety, behind the warning
        text, entities = compose([*parts, *extra])
        return text, entities, card_keyboard(case, staff, menu)
    if case.description:
        parts += [t(lang, "card_description_label"), Quote(case.description[:MAX_DESCRIPTION_ON_CARD])]
    urls = case.urls
    if urls:
        parts.append(t(lang, "card_links"))
        parts.extend(takedown_texts.link_lines(lang, urls, links, MAX_LINKS, MAX_LINK_ON_CARD))
        if len(urls) > MAX_LINKS:
            parts.append(t(lang, "card_more_links", n=len(urls) - MAX_LINKS))
        pages = report_pages(urls)
        if pages:
            parts.append(t(lang, "card_platform_pages"))
            parts.extend(f"{takedown_texts.platform_name(name)}: {page}" for name, page in pages)
    if case.media:
        parts.append(t(lang, "card_media", n=len(case.media)))
    parts.extend(extra)
    text, entities = compose(parts)
    return text, entities, card_keyboard(case, staff, menu, links)


def additions_line(lang: str, case: Case) -> str:
    """How many reporters who joined added what."""
    return t(
        lang,
        "card_additions",
        reporters=case.contributors,
        links=case.added_links,
        media=case.added_media,
        descriptions=case.added_descriptions,
    )


def access_changed(code: str, lang: str, *, purged: bool = False) -> tuple[str, Keyboard]:
    """What a card becomes for someone who may no longer see the case (or after its purge): its code,
    nothing of its content."""
    return t(lang, "card_purged_stub" if purged else "card_access_changed", code=code), markup([])


def category_choices(case: Case, staff: StaffMember) -> list[str]:
    """The categories this person may move this case to (none once it is closed)."""
    if not case.is_open:
        return []
    return [c for c in staff_categories() if may_recategorise(staff, case.category, case.region, c)]


def card_keyboard(case: Case, staff: StaffMember, menu: str | None = None, links: Sequence[Takedown] = ()) -> Keyboard:
    """The buttons this person may use on this case now."""
    code = case.code
    lang = staff.lang
    allowed = actions_for(staff, case.view())
    choices = category_choices(case, staff)
    if menu == "category" and choices:
        options = [[button(t(lang, f"cat_{c}"), callbacks.case("cat", code, c))] for c in choices]
        return markup([*options, [button(t(lang, "btn_back"), callbacks.case("back", code))]])
    if menu in {"escalate", "resolve", "reject"} and Action(menu) in allowed:
        prefix = {"escalate": "esc", "resolve": "res", "reject": "rej"}[menu]
        options = [
            [button(t(lang, f"btn_{prefix}_{arg}"), callbacks.case(prefix, code, arg))]
            for arg in ARGUMENTS[Action(menu)]
        ]
        if menu == "reject" and not case.muted:  # a flood is rejected, and its sender muted, here
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
    if choices:
        rows.append([button(t(lang, "btn_recategorise"), callbacks.case("menu", code, "category"))])
    if (case.media or case.urls) and may_see_content(staff, case.category, case.region):
        rows.append([button(t(lang, "btn_evidence"), callbacks.case("ev", code))])
    rows.extend(takedown_texts.card_rows(lang, case, links))
    rows.extend(child_help_texts.card_rows(lang, case, staff))
    if case.reporter_count > 0 and offers_writing(staff, case.view()):
        rows.append([button(t(lang, "btn_write_reporter"), callbacks.write(code))])
    console = card_button(code, lang)
    if console is not None:
        rows.append([console])
    return markup(rows)
