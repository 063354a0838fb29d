"""Inline keyboards of the reporter flows, built from the catalogs; callback data from domain.callbacks."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.categories import REPORTER_CATEGORIES
from functions.domain.models import REPORTER_ROLES
from functions.domain.regions import REGION_CODES
from functions.i18n import t
from functions.services.calls import Keyboard


def button(text: str, data: str) -> dict[str, str]:
    """One callback button; refuses data Telegram would reject (1-64 bytes)."""
    if not callbacks.fits(data):
        raise ValueError(f"callback_data of {len(data.encode())} bytes")
    return {"text": text, "callback_data": data}


def markup(rows: list[list[dict[str, str]]]) -> Keyboard:
    """An InlineKeyboardMarkup."""
    return {"inline_keyboard": rows}


def _pairs(buttons: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def categories(lang: str, flow_id: str) -> Keyboard:
    """One button per category, then Cancel."""
    rows = [
        [button(t(lang, f"cat_{cat.value}"), callbacks.flow(flow_id, "cat", cat.value))] for cat in REPORTER_CATEGORIES
    ]
    return markup([*rows, [cancel_button(lang, flow_id)]])


def danger(lang: str, flow_id: str) -> Keyboard:
    """Yes / No / Not sure."""
    return markup(
        [
            [button(t(lang, "danger_yes"), callbacks.flow(flow_id, "danger", "yes"))],
            [
                button(t(lang, "danger_no"), callbacks.flow(flow_id, "danger", "no")),
                button(t(lang, "danger_unsure"), callbacks.flow(flow_id, "danger", "unsure")),
            ],
            [cancel_button(lang, flow_id)],
        ]
    )


def regions(lang: str, flow_id: str, action: str, preferred: str | None, *, with_cancel: bool = True) -> Keyboard:
    """The 20 regions, two per row, the reporter's own region first and ticked."""
    codes = list(REGION_CODES)
    if preferred in codes:
        codes.remove(preferred)
        codes.insert(0, preferred)
    buttons = [
        button(("✓ " if code == preferred else "") + t(lang, f"region_{code}"), callbacks.flow(flow_id, action, code))
        for code in codes
    ]
    rows = _pairs(buttons)
    if with_cancel:
        rows.append([cancel_button(lang, flow_id)])
    return markup(rows)


def roles(lang: str, flow_id: str) -> Keyboard:
    """Who the reporter is."""
    buttons = [button(t(lang, f"role_{role}"), callbacks.flow(flow_id, "role", role)) for role in REPORTER_ROLES]
    return markup(_pairs(buttons))


def evidence_done(lang: str, flow_id: str) -> Keyboard:
    """Done / Cancel under the evidence question."""
    return markup([[button(t(lang, "btn_done"), callbacks.flow(flow_id, "ev", "done")), cancel_button(lang, flow_id)]])


def skip_description(lang: str, flow_id: str) -> Keyboard:
    """Skip / Cancel under the description question."""
    return markup(
        [[button(t(lang, "btn_skip"), callbacks.flow(flow_id, "desc", "skip")), cancel_button(lang, flow_id)]]
    )


def confirm(lang: str, flow_id: str) -> Keyboard:
    """Send / Cancel under the summary."""
    return markup(
        [[button(t(lang, "btn_send"), callbacks.flow(flow_id, "confirm", "yes")), cancel_button(lang, flow_id)]]
    )


def languages() -> Keyboard:
    """Kazakh / Russian."""
    return markup(
        [[button(t("kk", "btn_lang_kk"), callbacks.lang("kk")), button(t("ru", "btn_lang_ru"), callbacks.lang("ru"))]]
    )


def cancel_button(lang: str, flow_id: str) -> dict[str, str]:
    """The Cancel button of a flow."""
    return button(t(lang, "btn_cancel"), callbacks.flow(flow_id, "cancel"))


def child_offer(lang: str, flow_id: str) -> Keyboard:
    """A contact with an adult / No, thanks."""
    return markup(
        [
            [button(t(lang, "btn_child_contact"), callbacks.flow(flow_id, "child", "contact"))],
            [button(t(lang, "btn_child_no"), callbacks.flow(flow_id, "child", "no"))],
        ]
    )
