"""The conversation desk of the webhook: conversation buttons and messages go to staff writes or reporter answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol

from functions.domain import callbacks
from functions.domain.codes import normalise_case_code
from functions.domain.conversation import target_value
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import Outcome
from functions.i18n import t
from functions.services.calls import answer
from functions.services.phone_sharing import STEP as PHONE_STEP
from functions.services.phone_sharing import PhoneSharing
from functions.services.reporter_answers import ReporterAnswers
from functions.services.sessions import Context
from functions.services.staff_writes import StaffWrites

PREFIXES: Final = frozenset({callbacks.WRITE, callbacks.ANSWER})


class RelayRefs(Protocol):
    """Which case a relayed bot message belongs to (CaseStore implements it)."""

    def relay_ref(self, chat_id: int, message_id: int) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class ConversationDesk:
    """Routes what belongs to a conversation; everything else is left to the other use cases (None)."""

    refs: RelayRefs
    staff: StaffWrites
    reporters: ReporterAnswers
    phones: PhoneSharing | None = None

    def button(self, press: IncomingCallback, ctx: Context) -> Outcome:
        """A press on "write to the reporter", a write target, "answer" or "not now"."""
        pressed = callbacks.parse_talk(press.data)
        code = normalise_case_code(pressed.code) if pressed is not None else None
        if pressed is None or code is None:
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        if pressed.kind == callbacks.ANSWER and pressed.arg == callbacks.PHONE and self.phones is not None:
            return self.phones.press(press, ctx, code)
        if pressed.kind == callbacks.ANSWER:
            return self.reporters.press(press, ctx, code, later=pressed.arg == callbacks.LATER)
        target = target_value(pressed.arg) if pressed.arg else None
        if pressed.arg and target is None:
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        return self.staff.press(press, ctx, code, target)

    def message(self, message: IncomingMessage, ctx: Context) -> Outcome | None:
        """A private message that continues a conversation, or None when it does not."""
        session = ctx.session
        if session is not None and session.report_code:
            if session.kind == "compose" and session.step == "compose":
                return self.staff.compose(message, ctx, session)
            if session.kind == "answer" and session.step == PHONE_STEP and self.phones is not None:
                return self.phones.message(message, ctx, session)
            if session.kind == "answer" and session.step == "answer":
                answered = self.reporters.answer(message, ctx, session.report_code, session)
                if answered is not None:
                    return answered
        if message.reply_to_message_id is None:
            return None
        ref = self.refs.relay_ref(message.chat_id, message.reply_to_message_id)
        if ref is None:
            return None
        code = str(ref.get("report_id") or "")
        if ref.get("side") == "staff":
            return self.staff.reply(message, ctx, code, int(ref.get("reporter") or 1))
        return self.reporters.answer(message, ctx, code, None)
