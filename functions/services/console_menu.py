"""The bot's side of the staff console: the menu button of a staff chat (set on onboarding, reset on revoke)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from functions.config import get_settings
from functions.domain.models import BotCall
from functions.i18n import t


def card_button(code: str, lang: str) -> dict[str, Any] | None:
    """The card's "open in console" button (a web_app button: cards go to private staff chats only)."""
    url = get_settings().console_url  # CONSOLE_URL, read once per instance
    if not url.startswith("https://"):
        return None  # Telegram opens Mini Apps over https only (a local run has none)
    return {"text": t(lang, "console_open_case"), "web_app": {"url": case_link(url, code)}}


def open_console(chat_id: int, console_url: str, lang: str) -> BotCall | None:
    """setChatMenuButton: the chat's menu button opens the console (None when no console URL is configured)."""
    if not console_url.startswith("https://"):
        return None  # Telegram opens Mini Apps over https only (a local run has none)
    button = {"type": "web_app", "text": t(lang, "console_menu_button"), "web_app": {"url": console_url}}
    return BotCall(method="setChatMenuButton", params={"chat_id": chat_id, "menu_button": button})


def close_console(chat_id: int) -> BotCall:
    """setChatMenuButton back to the default: a revoked person's chat no longer opens the console."""
    return BotCall(method="setChatMenuButton", params={"chat_id": chat_id, "menu_button": {"type": "default"}})


def case_link(console_url: str, code: str) -> str:
    """The console opened on one case (the app reads ?case=)."""
    return f"{console_url.rstrip('/')}/?{urllib.parse.urlencode({'case': code})}"
