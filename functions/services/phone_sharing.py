"""A reporter chooses to share their phone number in a conversation (Telegram's contact-request keyboard).

Only their own contact is accepted (contact.user_id == from.id). The number is an event of the case (purged by
retention), relayed to the case's owner only; /case shows it to the owner and admins. Never logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.conversation import ordered, position_of
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Outcome, Session
from functions.i18n import t
from functions.log import get_logger
from functions.services.calls import Keyboard, answer, send
from functions.services.sessions import Context, Sessions

log = get_logger("conversation")

STEP: Final = "phone"
REMOVE_KEYBOARD: Final[Keyboard] = {"remove_keyboard": True}


class PhoneStore(Protocol):
    """What sharing a phone number needs from storage (CaseStore implements it)."""

    def get_case(self, code: str) -> Case | None: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


class JobSink(Protocol):
    """Publishes delivery jobs and waits for all of them."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


def contact_keyboard(lang: str) -> Keyboard:
    """The reply keyboard with Telegram's "share my contact" button, and Cancel."""
    return {
        "keyboard": [
            [{"text": t(lang, "btn_phone_send"), "request_contact": True}],
            [{"text": t(lang, "btn_cancel")}],
        ],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


@dataclass
class PhoneSharing:
    """The "share my phone" button under a relayed message, and the contact the reporter then sends."""

    store: PhoneStore
    sessions: Sessions
    jobs: JobSink
    deliveries_topic: str

    def press(self, press: IncomingCallback, ctx: Context, code: str) -> Outcome:
        """Offer the contact-request keyboard to a reporter of an open case."""
        lang = ctx.lang
        report = self.store.get_case(code)
        position = self._position(report, code, ctx.user_id)
        if report is None or position is None:
            return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
        if not report.is_open:
            closed = send(ctx.chat_id, t(lang, "conv_case_closed", code=code))
            return Outcome(direct=[closed], body=answer(press.callback_id))
        session = self.sessions.new(ctx, "answer", STEP)
        session.report_code = code
        prompt = send(ctx.chat_id, t(lang, "phone_prompt", code=code), contact_keyboard(lang))
        return self.sessions.save(ctx, session, Outcome(direct=[prompt], body=answer(press.callback_id)))

    def message(self, message: IncomingMessage, ctx: Context, session: Session) -> Outcome:
        """The reporter's next message: their own contact (recorded), Cancel, or a reminder of the button."""
        lang, code = ctx.lang, session.report_code or ""
        contact = message.contact
        if contact is None:
            if (message.text or "").strip() == t(lang, "btn_cancel"):
                return self._done(ctx, session, t(lang, "phone_cancelled"))
            return Outcome(body=send(ctx.chat_id, t(lang, "phone_use_button"), contact_keyboard(lang)))
        if contact.user_id != message.sender.user_id:  # someone else's card: never accepted
            return Outcome(body=send(ctx.chat_id, t(lang, "phone_not_own"), contact_keyboard(lang)))
        report = self.store.get_case(code)
        position = self._position(report, code, ctx.user_id)
        if report is None or position is None:
            return self._done(ctx, session, t(lang, "phone_cancelled"))
        if not report.is_open:
            return self._done(ctx, session, t(lang, "conv_case_closed", code=code))
        event_id = f"phone-{message.update_id}"
        role = ctx.profile.role if ctx.profile is not None else None
        event = {"type": "phone", "dir": "in", "by": None, "reporter": position, "role": role, "phone": contact.phone}
        self.store.add_event(code, event_id, event)
        if report.assignee is not None:  # the owner hears it; admins read it in /case
            job = DeliveryJob(
                job_id=f"{event_id}:s{report.assignee}",
                kind="relay_in",
                report_id=code,
                recipient_id=report.assignee,
                event_id=event_id,
            )
            self.jobs.publish_many(self.deliveries_topic, [job])
        log.info("reporter shared a phone number", extra={"report_id": code, "reporter": position})
        return self._done(ctx, session, t(lang, "phone_saved", code=code))

    def _position(self, report: Case | None, code: str, user_id: int) -> int | None:
        if report is None:
            return None
        return position_of(ordered(self.store.reporters_of(code)), user_id)

    def _done(self, ctx: Context, session: Session, text: str) -> Outcome:
        session.step = "done"
        return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, text, REMOVE_KEYBOARD)))
