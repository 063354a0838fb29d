"""Notes: a staff member's reply to a case card is stored as a note on the case."""

from __future__ import annotations

from typing import Any, Final, Protocol

from functions.domain.case import Case
from functions.domain.incoming import IncomingMessage
from functions.domain.models import Outcome
from functions.domain.workflow import may_see
from functions.i18n import t
from functions.services.access import Access
from functions.services.calls import send

MAX_NOTE: Final = 2000


class NoteStore(Protocol):
    """What notes need from storage (CaseStore implements it)."""

    def card_of_message(self, chat_id: int, message_id: int) -> str | None: ...
    def get_case(self, code: str) -> Case | None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


class Notes:
    """Replies to cards become notes, for those who may see the case."""

    def __init__(self, store: NoteStore, access: Access) -> None:
        self.store = store
        self.access = access

    def reply(self, message: IncomingMessage, lang: str) -> Outcome | None:
        """A staff member's reply to a card is a note on the case; None when it is not a reply to a card."""
        replied = message.reply_to_message_id
        if replied is None or not message.text:
            return None
        code = self.store.card_of_message(message.chat_id, replied)
        if code is None:
            return None
        person = self.access.member(message.sender.user_id)
        case = self.store.get_case(code)
        if person is None or case is None:
            return Outcome(body=send(message.chat_id, t(lang, "refuse_no_access")))
        lang = person.lang or lang
        if not may_see(person, case.category, case.region):
            return Outcome(body=send(message.chat_id, t(lang, "refuse_out_of_scope")))
        if len(message.text) > MAX_NOTE:
            too_long = t(lang, "text_too_long", length=len(message.text), max=MAX_NOTE)
            return Outcome(body=send(message.chat_id, too_long))
        self.store.add_event(
            code, f"note-{message.update_id}", {"type": "note", "by": person.user_id, "text": message.text}
        )
        return Outcome(body=send(message.chat_id, t(lang, "note_saved", code=code), reply_to=message.message_id))
