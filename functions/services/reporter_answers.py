"""A reporter answers a relayed message: the text goes to the case's owner, media become evidence of the case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.conversation import MAX_MESSAGE, answer_hearers, ordered, position_of, speaks_to_child
from functions.domain.crisis import mentions_crisis
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Media, Outcome, Session
from functions.domain.workflow import StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services.calls import answer, send
from functions.services.keyboards import cancel_button, markup
from functions.services.sessions import Context, Sessions

log = get_logger("conversation")


class AnswerStore(Protocol):
    """What reporters' answers need from storage (CaseStore implements it)."""

    def get_case(self, code: str) -> Case | None: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def add_evidence(self, code: str, urls: list[str], media: list[Media]) -> None: ...
    def mark_urgent(self, code: str, event_id: str) -> bool: ...
    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def active_staff(self) -> list[StaffMember]: ...


class JobSink(Protocol):
    """Publishes delivery jobs and waits for all of them."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


class ReporterAnswers:
    """Reporters' answers in a conversation: relayed to staff without a name, username or phone."""

    def __init__(self, store: AnswerStore, sessions: Sessions, jobs: JobSink, deliveries_topic: str) -> None:
        self.store = store
        self.sessions = sessions
        self.jobs = jobs
        self.deliveries_topic = deliveries_topic

    def press(self, press: IncomingCallback, ctx: Context, code: str, later: bool) -> Outcome:
        """The "answer" button under a relayed message (a child's "not now": staff are told, nothing is asked)."""
        lang = ctx.lang
        report = self.store.get_case(code)
        reporters = ordered(self.store.reporters_of(code)) if report is not None else []
        position = position_of(reporters, ctx.user_id)
        if report is None or position is None:
            return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
        if not report.is_open:
            closed = send(ctx.chat_id, t(lang, "conv_case_closed", code=code))
            return Outcome(direct=[closed], body=answer(press.callback_id))
        child = speaks_to_child(report)
        if later:
            event_id = f"later-{press.update_id}"
            role = ctx.profile.role if ctx.profile is not None else None
            paused = {"type": "message", "dir": "in", "by": None, "reporter": position, "role": role, "paused": True}
            self.store.add_event(code, event_id, paused | {"text": None})
            self._tell_staff(code, report, event_id, position, album=None)
            log.info("reporter paused the conversation", extra={"report_id": code, "reporter": position})
            said = send(ctx.chat_id, t(lang, "conv_not_now_child" if child else "conv_not_now"))
            return Outcome(direct=[said], body=answer(press.callback_id))
        session = self.sessions.new(ctx, "answer", "answer")
        session.report_code = code
        key = "conv_answer_prompt_child" if child else "conv_answer_prompt"
        prompt = send(ctx.chat_id, t(lang, key, code=code), markup([[cancel_button(lang, session.flow_id)]]))
        return self.sessions.save(ctx, session, Outcome(direct=[prompt], body=answer(press.callback_id)))

    def answer(self, message: IncomingMessage, ctx: Context, code: str, session: Session | None) -> Outcome | None:
        """A reporter's message in a conversation (after "answer", or a reply to a relayed message); None when
        the sender is not a reporter of the case (the message is handled as any other)."""
        lang = ctx.lang
        report = self.store.get_case(code)
        reporters = ordered(self.store.reporters_of(code)) if report is not None else []
        position = position_of(reporters, ctx.user_id)
        if report is None or position is None:
            return None
        if not report.is_open:
            return self._done(ctx, session, send(ctx.chat_id, t(lang, "conv_case_closed", code=code)))
        text = (message.text or message.caption or "").strip()
        evidence = message.evidence
        if not text and evidence is None:
            return Outcome(body=send(ctx.chat_id, t(lang, "conv_text_or_material")))
        if len(text) > MAX_MESSAGE:
            return Outcome(body=send(ctx.chat_id, t(lang, "text_too_long", length=len(text), max=MAX_MESSAGE)))
        urls = list(evidence.urls) if evidence is not None else []
        media = list(evidence.media) if evidence is not None else []
        if urls or media:
            self.store.add_evidence(code, urls, media)
        event_id = f"msg-{message.update_id}"
        event = {
            "type": "message",
            "dir": "in",
            "by": None,
            "reporter": position,
            "role": ctx.profile.role if ctx.profile is not None else None,
            "text": text or None,
            "media": len(media),
            "urls": len(urls),
        }
        self.store.add_event(code, event_id, event)
        child = speaks_to_child(report)
        if child and mentions_crisis(text) and self.store.mark_urgent(code, f"crisis-{message.update_id}"):
            log.warning("crisis words in a child's message: case made urgent", extra={"report_id": code})
        album = evidence.media_group_id if evidence is not None and not text else None
        heard = self._tell_staff(code, report, event_id, position, album=album)
        log.info("reporter answered", extra={"report_id": code, "reporter": position, "media": len(media)})
        if heard:
            said = send(ctx.chat_id, t(lang, "conv_answer_sent_child" if child else "conv_answer_sent"))
        else:  # kept on the case for whoever can read it next; the reporter is told so, kindly
            said = send(ctx.chat_id, t(lang, "conv_answer_kept_child" if child else "conv_answer_kept", code=code))
        if album is not None and session is not None:
            return Outcome(body=said)  # the rest of the album belongs to the same answer
        return self._done(ctx, session, said)

    def _done(self, ctx: Context, session: Session | None, said: Any) -> Outcome:
        if session is None:
            return Outcome(body=said)
        session.step = "done"
        return self.sessions.save(ctx, session, Outcome(body=said))

    def _tell_staff(self, code: str, report: Case, event_id: str, position: int, album: str | None) -> bool:
        """Jobs to the staff who hear the reporter now (the owner, else the last writer, else the case's routing);
        False when nobody at all can: the answer stays on the case, and its history says it reached no one."""
        people, routed = answer_hearers(report, self.store.get_staff, self.store.active_staff)
        if not people:
            entry = {"type": "undelivered", "dir": "in", "by": None, "reporter": position, "message": event_id}
            self.store.add_event(code, f"unheard-{event_id}"[:300], entry)
            log.error("reporter's answer with nobody to hear it; kept on the case", extra={"report_id": code})
            return False
        if routed:
            log.warning("reporter's answer routed: the owner cannot hear it", extra={"report_id": code})
        jobs = [
            DeliveryJob(
                job_id=(f"album-{code}-{album}:s{p.user_id}" if album else f"{event_id}:s{p.user_id}")[:300],
                kind="relay_in",
                report_id=code,
                recipient_id=p.user_id,
                event_id=event_id,
                argument="routed" if routed else None,
            )
            for p in people
        ]
        self.jobs.publish_many(self.deliveries_topic, jobs)
        return True
