"""The staff member's own menu: /help for staff, the command menu following /lang, and removed on /revoke."""

from __future__ import annotations

from typing import Any, Protocol

from functions.domain.incoming import IncomingMessage
from functions.domain.models import BotCall, Outcome
from functions.services.access import Access
from functions.services.calls import send
from functions.services.commands import staff_command_call, staff_help


class StaffLangStore(Protocol):
    """What the staff menu needs from storage (CaseStore implements it)."""

    def update_staff(self, user_id: int, **fields: Any) -> bool: ...


def remove_menu(chat_id: int) -> BotCall:
    """deleteMyCommands for a chat: a revoked person's staff menu goes (the reporter's default menu shows again)."""
    return BotCall(method="deleteMyCommands", params={"scope": {"type": "chat", "chat_id": chat_id}})


class StaffMenu:
    """Staff help and language; each answered only to an active staff member (None: the reporter's path goes on)."""

    def __init__(self, store: StaffLangStore, access: Access) -> None:
        self.store = store
        self.access = access

    def help(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """/help from a staff member in a private chat: how the desk works, every staff command, how to write notes."""
        del name, arg
        if not message.private:
            return None
        person = self.access.member(message.sender.user_id)
        if person is None:
            return None
        return Outcome(body=send(message.chat_id, staff_help(person.role.value, person.lang or lang)))

    def set_lang(self, user_id: int, lang: str) -> list[BotCall]:
        """/lang chosen by a staff member: their stored language and their chat's command menu follow."""
        person = self.access.member(user_id)
        if person is None:
            return []
        self.store.update_staff(user_id, lang=lang)
        return [staff_command_call(user_id, person.role.value, lang)]
