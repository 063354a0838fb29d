"""The bot's command menu per language (setMyCommands), from the catalogs."""

from __future__ import annotations

from typing import Final

from functions.domain.models import BotCall
from functions.i18n import LANGUAGES, t

REPORTER_COMMANDS: Final[tuple[str, ...]] = ("report", "my", "help", "lang", "cleanup", "cancel", "start")
STAFF_COMMANDS: Final[tuple[str, ...]] = (
    "queue",
    "case",
    "find",
    "stats",
    "export",
    "merge",
    "mute",
    "unmute",
    "cleanup",
    "help",
    "lang",
)
DUTY_COMMANDS: Final[tuple[str, ...]] = ("duty",)
ADMIN_COMMANDS: Final[tuple[str, ...]] = ("invite", "invites", "staff", "revoke", "hold")


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


def description_calls() -> list[BotCall]:
    """setMyDescription / setMyShortDescription per language, plus the default (Russian): the screen before Start."""
    calls = []
    for lang in (*LANGUAGES, None):
        for method, kind in (("setMyDescription", "description"), ("setMyShortDescription", "short_description")):
            params: dict[str, object] = {kind: t(lang or "ru", f"bot_{kind}")}
            if lang is not None:
                params["language_code"] = lang
            calls.append(BotCall(method=method, params=params))
    return calls


def reporter_help(lang: str) -> str:
    """/help for a reporter: the commands and helplines, then who sees a report, what happens next, how long."""
    return t(lang, "help") + "\n\n" + t(lang, "help_expectations")


def reporter_command_call(chat_id: int, lang: str) -> BotCall:
    """setMyCommands for one reporter's chat after /lang: the reporter's commands in the chosen language."""
    commands = [{"command": name, "description": t(lang, f"cmd_{name}")} for name in REPORTER_COMMANDS]
    return BotCall(method="setMyCommands", params={"commands": commands, "scope": {"type": "chat", "chat_id": chat_id}})


# What /help writes after a staff command (its argument), where the menu's description does not say it.
HELP_ARGUMENTS: Final[dict[str, str]] = {
    "case": " R7K3M9Q",
    "mute": " R7K3M9Q",
    "unmute": " R7K3M9Q",
    "hold": " R7K3M9Q on|off",
    "cleanup": " on|off",
}


def staff_command_names(role: str) -> list[str]:
    """The commands a staff role may use: its chat's command menu and its /help list the same ones."""
    names = list(STAFF_COMMANDS)
    if role in {"specialist", "child_safety", "admin"}:
        names += DUTY_COMMANDS
    if role == "admin":
        names += ADMIN_COMMANDS
    return names


def staff_command_call(chat_id: int, role: str, lang: str) -> BotCall:
    """setMyCommands for one staff member's chat: the commands their role may use, in their language."""
    commands = [{"command": name, "description": t(lang, f"cmd_{name}")} for name in staff_command_names(role)]
    return BotCall(method="setMyCommands", params={"commands": commands, "scope": {"type": "chat", "chat_id": chat_id}})


def staff_help(role: str, lang: str) -> str:
    """/help for staff: how the desk works and how notes are written, then exactly the commands of their menu."""
    lines = [
        f"/{name}{HELP_ARGUMENTS.get(name, '')} — {t(lang, f'cmd_{name}')}"
        for name in staff_command_names(role)
        if name != "help"
    ]
    return "\n\n".join((t(lang, "staff_help_intro"), "\n".join(lines), t(lang, "staff_help_outro")))
