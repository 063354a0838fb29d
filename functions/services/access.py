"""Who a staff member is: the stored record, the first admins' elevation, the private-chat rule of commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol, TypeVar

from functions.domain.case import Case
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import Outcome
from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.services.calls import answer, send

P = TypeVar("P")


class StaffDirectory(Protocol):
    """Reads staff records (CaseStore implements it)."""

    def get_staff(self, user_id: int) -> StaffMember | None: ...


def owner_name(get_staff: Callable[[int], StaffMember | None], case: Case) -> str | None:
    """The name shown for a case's owner (their id when they gave no name), or None when nobody owns it."""
    assignee = case.assignee
    if assignee is None:
        return None
    owner = get_staff(assignee)
    return owner.name if owner is not None and owner.name else str(assignee)


class Access:
    """Staff records as the rules see them."""

    def __init__(self, staff: StaffDirectory, admin_ids: frozenset[int]) -> None:
        self.staff = staff
        self.admin_ids = admin_ids

    def member(self, user_id: int) -> StaffMember | None:
        """The person's staff record; the first admins (ADMIN_TELEGRAM_IDS) are admins even before /start."""
        stored = self.staff.get_staff(user_id)
        if user_id in self.admin_ids:
            if stored is None:
                return StaffMember(user_id=user_id, role=Role.ADMIN, active=True)
            return replace(stored, role=Role.ADMIN, active=True)
        return stored if stored is not None and stored.active else None

    def is_admin(self, user_id: int) -> bool:
        """Whether this person is an active administrator."""
        person = self.member(user_id)
        return person is not None and person.role == Role.ADMIN

    def owner_name(self, case: Case) -> str | None:
        """The name shown for the case's owner."""
        return owner_name(self.staff.get_staff, case)

    def in_private(self, message: IncomingMessage, lang: str) -> StaffMember | Outcome:
        """The staff member sending a staff command, in their language; the refusal when it cannot be answered
        (staff commands name cases: private chats only)."""
        if not message.private:
            return Outcome(body=send(message.chat_id, t(lang, "private_only"), reply_to=message.message_id))
        person = self.member(message.sender.user_id)
        if person is None:
            return Outcome(body=send(message.chat_id, t(lang, "refuse_no_access")))
        return replace(person, lang=person.lang or lang)

    def pressing(self, user_id: int, lang: str) -> StaffMember | None:
        """The staff member pressing a staff button, in their language (None: no access)."""
        person = self.member(user_id)
        return replace(person, lang=person.lang or lang) if person is not None else None

    def pressing_in_private(self, press: IncomingCallback, lang: str) -> StaffMember | Outcome:
        """The staff member pressing a staff button in their own private chat with the bot; else the refusal.

        A staff button on any other message (a forged one on a bot message in a group) acts on nothing and
        posts nothing there: answers name cases, so they only ever go to the person's own chat.
        """
        person = self.pressing(press.sender.user_id, lang)
        if person is None:
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_no_access"), alert=True))
        if press.chat_type != "private" or press.chat_id != press.sender.user_id:
            return Outcome(body=answer(press.callback_id, t(person.lang, "staff_buttons_private_only"), alert=True))
        return person

    def on_press(
        self,
        press: IncomingCallback,
        lang: str,
        parse: Callable[[str], P | None],
        then: Callable[[IncomingCallback, StaffMember, P], Outcome],
        refusal: str = "refuse_no_access",
    ) -> Outcome:
        """A press on a staff button whose data `parse` reads: `then` acts on it for the person pressing (in their
        language, in their own private chat); else the refusal (`refusal` when the data does not parse)."""
        person = self.pressing_in_private(press, lang)
        if isinstance(person, Outcome):
            return person
        parsed = parse(press.data)
        if parsed is None:
            return Outcome(body=answer(press.callback_id, t(person.lang, refusal), alert=True))
        return then(press, person, parsed)

    def on_command(
        self,
        message: IncomingMessage,
        lang: str,
        arg: str,
        usage: str,
        fits: Callable[[list[str]], bool],
        then: Callable[[IncomingMessage, StaffMember, list[str]], Outcome],
    ) -> Outcome:
        """A staff command whose argument's words must fit a form: `then` acts on them for the person sending it
        (in their language, in private); else the refusal, or the command's `usage` text."""
        person = self.in_private(message, lang)
        if isinstance(person, Outcome):
            return person
        words = arg.split()
        if not fits(words):
            return Outcome(body=send(message.chat_id, t(person.lang, usage)))
        return then(message, person, words)
