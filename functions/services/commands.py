"""The bot's command menu per language (setMyCommands), from the catalogs."""

from __future__ import annotations

from typing import Final

from functions.domain.models import BotCall
from functions.i18n import LANGUAGES, t

REPORTER_COMMANDS: Final[tuple[str, ...]] = ("report", "my", "help", "lang", "cancel", "start")


def command_calls() -> list[BotCall]:
    """setMyCommands calls: one per language, plus the default (Russian) for every other language."""
    calls = []
    for lang in (*LANGUAGES, None):
        commands = [{"command": name, "description": t(lang or "ru", f"cmd_{name}")} for name in REPORTER_COMMANDS]
        params: dict[str, object] = {"commands": commands, "scope": {"type": "all_private_chats"}}
        if lang is not None:
            params["language_code"] = lang
        calls.append(BotCall(method="setMyCommands", params=params))
    return calls
