"""How conversation messages read: a reporter's answer for staff, the conversation in a case's history."""

from __future__ import annotations

from typing import Any, Final

from functions.domain.case import Case
from functions.domain.crisis import mentions_crisis
from functions.i18n import catalog, t

MAX_IN_HISTORY: Final = 500
CONVERSATION_EVENTS: Final = frozenset({"message", "followup", "first_contact", "urgent", "undelivered"})


def role_label(lang: str, role: str | None) -> str:
    """How a reporter's role reads in a message to staff (a role, never a name)."""
    for key in (f"card_role_{role}", f"role_{role}"):
        if key in catalog("kk" if lang == "kk" else "ru"):
            return t(lang, key)
    return t(lang, "conv_role_unknown")


def staff_text(lang: str, code: str, report: Case, event: dict[str, Any]) -> str:
    """A reporter's answer as staff read it: case, role and position, the text; never a name or username."""
    position, count = int(event.get("reporter") or 1), report.reporter_count
    who = role_label(lang, event.get("role"))
    if count > 1:
        who += ", " + t(lang, "conv_position", n=position, total=count)
    if event.get("paused"):
        return t(lang, "conv_paused", code=code, who=who)
    if event.get("type") == "phone":
        return t(lang, "conv_phone_to_staff", code=code, who=who, phone=str(event.get("phone") or "—"))
    lines = [t(lang, "conv_from_reporter", code=code, who=who)]
    text = str(event.get("text") or "")
    if mentions_crisis(text):
        lines.append(t(lang, "conv_crisis"))
    if text:
        lines.append(text)
    if event.get("media") or event.get("urls"):
        lines.append(t(lang, "conv_new_material"))
    return "\n\n".join(lines)[:4096]


def history_text(lang: str, event: dict[str, Any]) -> str:
    """What a conversation event says in /case (the text itself until retention blanks it)."""
    kind = str(event.get("type") or "")
    if kind == "undelivered":  # a message delivery gave up on (refused, or parked after its last attempt)
        side = "in" if event.get("dir") == "in" else "out"
        return t(lang, f"hist_undelivered_{side}", n=int(event.get("reporter") or 1))
    if kind != "message":
        return t(lang, f"hist_{kind}")
    text = str(event.get("text") or "")[:MAX_IN_HISTORY]
    position = int(event.get("reporter") or 1)
    if event.get("paused"):
        return t(lang, "hist_msg_paused", n=position)
    if event.get("purged") or (not text and not event.get("media") and not event.get("urls")):
        return t(lang, "hist_msg_purged")
    if event.get("dir") == "out":
        return t(lang, "hist_msg_out", text=text)
    if not text:
        return t(lang, "hist_msg_material", n=position)
    line = t(lang, "hist_msg_in", n=position, text=text)
    if event.get("media") or event.get("urls"):
        line += " · " + t(lang, "hist_msg_material", n=position)
    return line


def history_who(lang: str, event: dict[str, Any]) -> str | None:
    """Who a reporter's message is from in the history (a role, never a name); None for staff messages."""
    if event.get("type") == "message" and event.get("dir") == "in":
        return role_label(lang, event.get("role"))
    return None
