"""Staff write to the reporters of a case: the card's "write to the reporter", the text, its relay jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.conversation import ALL, FIRST, MAX_MESSAGE, Reporter, WriteRefusal, chosen, ordered
from functions.domain.conversation import write_refusal as refusal_of
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.jobs import DeliveryJob, event_job
from functions.domain.models import OPEN_STATUSES, Outcome, Session, Status
from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services.access import Access
from functions.services.calls import answer, send
from functions.services.keyboards import button, cancel_button, markup
from functions.services.sessions import Context, Sessions

log = get_logger("conversation")


class WriteStore(Protocol):
    """What writing to reporters needs from storage (CaseStore implements it)."""

    def get_case(self, code: str) -> Case | None: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def card_holders(self, code: str) -> list[int]: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def claim_followup(self, code: str, staff_id: int, event_id: str) -> bool: ...
    def followup_used(self, code: str) -> bool: ...
    def set_last_writer(self, code: str, staff_id: int) -> None: ...


class JobSink(Protocol):
    """Publishes delivery jobs and waits for all of them."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


class StaffWrites:
    """A staff member's message to a case's reporters, relayed anonymously through the delivery path."""

    def __init__(
        self,
        store: WriteStore,
        access: Access,
        sessions: Sessions,
        jobs: JobSink,
        deliveries_topic: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.access = access
        self.sessions = sessions
        self.jobs = jobs
        self.deliveries_topic = deliveries_topic
        self.clock = clock

    # --- the card's button --------------------------------------------------------------------------------
    def press(self, press: IncomingCallback, ctx: Context, code: str, target: str | None) -> Outcome:
        """ "Write to the reporter": ask first or all when there are several, then ask for the text."""
        person = self.access.pressing_in_private(press, ctx.lang)  # never from a message in a group
        if isinstance(person, Outcome):
            return person
        lang = person.lang
        report = self.store.get_case(code)
        if report is None:
            return Outcome(body=answer(press.callback_id, t(lang, "case_not_found"), alert=True))
        refusal = self.refusal(person, report)
        if refusal is not None:
            return Outcome(body=answer(press.callback_id, t(lang, f"conv_refuse_{refusal.value}"), alert=True))
        reporters = ordered(self.store.reporters_of(code))
        if not reporters:
            return Outcome(body=answer(press.callback_id, t(lang, "conv_no_reporters", code=code), alert=True))
        if target is None and len(reporters) > 1:
            keyboard = markup(
                [
                    [button(t(lang, "btn_conv_first"), callbacks.write(code, FIRST))],
                    [button(t(lang, "btn_conv_all", count=len(reporters)), callbacks.write(code, ALL))],
                ]
            )
            ask = send(ctx.chat_id, t(lang, "conv_pick_target", code=code, count=len(reporters)), keyboard)
            return Outcome(direct=[ask], body=answer(press.callback_id))
        session = self.sessions.new(ctx, "compose", "compose")
        session.lang = lang
        session.report_code = code
        session.target = target or FIRST
        key = "conv_prompt_all" if session.target == ALL and len(reporters) > 1 else "conv_prompt"
        prompt = send(
            ctx.chat_id, t(lang, key, code=code, count=len(reporters)), markup([[cancel_button(lang, session.flow_id)]])
        )
        return self.sessions.save(ctx, session, Outcome(direct=[prompt], body=answer(press.callback_id)))

    def refusal(self, person: StaffMember, report: Case) -> WriteRefusal | None:
        """Why this person may not write to the case's reporters now (None: they may)."""
        code = report.code
        view = report.view()
        routed = view.status == Status.NEW and person.role != Role.ADMIN
        holds = routed and person.user_id in self.store.card_holders(code)
        closed = view.status not in OPEN_STATUSES
        used = closed and person.role == Role.ADMIN and self.store.followup_used(code)
        return refusal_of(person, view, holds_card=holds, followup_used=used)

    # --- the text -----------------------------------------------------------------------------------------
    def compose(self, message: IncomingMessage, ctx: Context, session: Session) -> Outcome:
        """The next message after "write to the reporter": relayed when it is text, else asked again."""
        code, target = session.report_code or "", session.target or FIRST
        person = self.access.member(message.sender.user_id)
        if person is None:
            session.step = "cancelled"
            return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, t(ctx.lang, "refuse_no_access"))))
        lang = person.lang or session.lang
        if not message.text:
            return Outcome(body=send(ctx.chat_id, t(lang, "conv_text_only")))
        outcome = self.relay(message, person, code, target)
        if outcome is None:  # too long: the session stays, the person may send a shorter text
            return Outcome(body=send(ctx.chat_id, t(lang, "text_too_long", length=len(message.text), max=MAX_MESSAGE)))
        session.step = "done"
        return self.sessions.save(ctx, session, outcome)

    def reply(self, message: IncomingMessage, ctx: Context, code: str, position: int) -> Outcome:
        """A staff member's reply to a reporter's relayed message goes back to that reporter."""
        person = self.access.member(message.sender.user_id)
        if person is None:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "refuse_no_access")))
        if not message.text:
            return Outcome(body=send(ctx.chat_id, t(person.lang or ctx.lang, "conv_text_only")))
        outcome = self.relay(message, person, code, f"n{position}")
        if outcome is None:
            too_long = t(person.lang or ctx.lang, "text_too_long", length=len(message.text), max=MAX_MESSAGE)
            return Outcome(body=send(ctx.chat_id, too_long))
        return outcome

    def relay(self, message: IncomingMessage, person: StaffMember, code: str, target: str) -> Outcome | None:
        """Store the message as an event of the case and publish one relay job per reporter it goes to; None when
        the text is too long. Idempotent on the update: the event and the jobs are keyed by it."""
        text = message.text or ""
        lang, chat_id = person.lang, message.chat_id
        if len(text) > MAX_MESSAGE:
            return None
        report = self.store.get_case(code)
        if report is None:
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))
        refusal = self.refusal(person, report)
        event_id = f"msg-{message.update_id}"
        closed = not report.is_open
        if refusal == WriteRefusal.FOLLOWUP_USED and self.store.claim_followup(code, person.user_id, event_id):
            refusal = None  # the same follow-up, re-sent by Telegram
        elif refusal is None and closed and not self.store.claim_followup(code, person.user_id, event_id):
            refusal = WriteRefusal.FOLLOWUP_USED
        if refusal is not None:
            return Outcome(body=send(chat_id, t(lang, f"conv_refuse_{refusal.value}")))
        reporters = chosen(ordered(self.store.reporters_of(code)), target)
        if not reporters:
            return Outcome(body=send(chat_id, t(lang, "conv_no_reporters", code=code)))
        event = {
            "type": "message",
            "dir": "out",
            "by": person.user_id,
            "to": [r.position for r in reporters],
            "text": text,
            "followup": closed,
        }
        self.store.add_event(code, event_id, event)
        self.jobs.publish_many(self.deliveries_topic, self._jobs(code, event_id, reporters))
        self.store.set_last_writer(code, person.user_id)
        log.info("message to reporters", extra={"report_id": code, "by": person.user_id, "recipients": len(reporters)})
        key = "conv_queued_all" if len(reporters) > 1 else "conv_queued"
        queued = t(lang, key, code=code, count=len(reporters))
        return Outcome(body=send(chat_id, queued, reply_to=message.message_id))

    @staticmethod
    def _jobs(code: str, event_id: str, reporters: list[Reporter]) -> list[DeliveryJob]:
        return [
            event_job(event_id, f"r{r.user_id}", "relay", code, r.chat_id, lang=r.lang, argument=str(r.position))
            for r in reporters
        ]
