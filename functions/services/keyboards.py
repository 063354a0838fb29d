"""Inline keyboards of the reporter flows, built from the catalogs; callback data from domain.callbacks."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.categories import REPORTER_CATEGORIES
from functions.domain.models import REPORTER_ROLES
from functions.domain.regions import CITY_CODES, keyboard_order
from functions.i18n import button_fits, t
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
    """Two buttons a row while both labels fit half a row; a longer label gets a row of its own."""
    rows: list[list[dict[str, str]]] = []
    i = 0
    while i < len(buttons):
        pair = buttons[i : i + 2]
        if len(pair) == 2 and all(button_fits(b["text"], 2) for b in pair):
            rows.append(pair)
            i += 2
        else:
            rows.append(pair[:1])
            i += 1
    return rows


def categories(lang: str, flow_id: str, *, add_to: str | None = None) -> Keyboard:
    """One button per category (a new report), then Cancel; first "Add to R…" when the reporter has an open case."""
    rows = [
        [button(t(lang, f"cat_{cat.value}"), callbacks.flow(flow_id, "cat", cat.value))] for cat in REPORTER_CATEGORIES
    ]
    if add_to is not None:
        rows.insert(0, [button(t(lang, "btn_add_to_case", code=add_to), callbacks.flow(flow_id, "add", add_to))])
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


def regions(
    lang: str, flow_id: str, action: str, preferred: str | None, *, with_cancel: bool = True, unknown: str = ""
) -> Keyboard:
    """The reporter's own region first and ticked, then the three cities, then the regions alphabetically
    (then "don't know" when unknown names its value)."""
    codes = [code for code in keyboard_order(lang) if code != preferred]

    def region_button(code: str) -> dict[str, str]:
        tick = "✓ " if code == preferred else ""
        return button(tick + t(lang, f"region_btn_{code}"), callbacks.flow(flow_id, action, code))

    rows = [[region_button(preferred)]] if preferred is not None and preferred in keyboard_order(lang) else []
    rows += _pairs([region_button(code) for code in codes if code in CITY_CODES])
    rows += _pairs([region_button(code) for code in codes if code not in CITY_CODES])
    if unknown:
        rows.append([button(t(lang, "btn_region_unknown"), callbacks.flow(flow_id, action, unknown))])
    if with_cancel:
        rows.append([cancel_button(lang, flow_id)])
    return markup(rows)


def roles(lang: str, flow_id: str) -> Keyboard:
    """Who the reporter is: the child's option first, on a row of its own, then the adults' roles."""
    child = [[button(t(lang, "role_child"), callbacks.flow(flow_id, "role", "child"))]]
    others = [role for role in REPORTER_ROLES if role != "child"]
    adults = [button(t(lang, f"role_{role}"), callbacks.flow(flow_id, "role", role)) for role in others]
    return markup(child + _pairs(adults))


def evidence_done(lang: str, flow_id: str) -> Keyboard:
    """Done / Cancel under the evidence question."""
    return markup([[button(t(lang, "btn_done"), callbacks.flow(flow_id, "ev", "done")), cancel_button(lang, flow_id)]])


def skip_description(lang: str, flow_id: str) -> Keyboard:
    """Skip / Cancel under the description question."""
    return markup(
        [[button(t(lang, "btn_skip"), callbacks.flow(flow_id, "desc", "skip")), cancel_button(lang, flow_id)]]
    )


def confirm(lang: str, flow_id: str, *, sexual: bool = False) -> Keyboard:
    """Send; the description, more material (a link only for sexual exploitation), the region, back; Cancel."""

    def edit(key: str, value: str) -> dict[str, str]:
        return button(t(lang, key), callbacks.flow(flow_id, "edit", value))

    return markup(
        [
            [button(t(lang, "btn_send"), callbacks.flow(flow_id, "confirm", "yes"))],
            [edit("btn_edit_desc", "desc"), edit("btn_add_link" if sexual else "btn_add_more", "more")],
            [edit("btn_edit_region", "region"), edit("btn_flow_back", "back")],
            [cancel_button(lang, flow_id)],
        ]
    )


def languages(then: str = "") -> Keyboard:
    """Kazakh / Russian (then: the deep link of a first /start, carried on)."""
    kk, ru = callbacks.lang("kk", then), callbacks.lang("ru", then)
    return markup([[button(t("kk", "btn_lang_kk"), kk), button(t("ru", "btn_lang_ru"), ru)]])


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
