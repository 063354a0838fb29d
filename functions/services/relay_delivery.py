"""Delivering conversation messages: a staff text to a reporter (framed, anonymous), a reporter's answer to staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.conversation import may_hear, ordered, speaks_to_child
from functions.domain.events import ReportChanged
from functions.domain.jobs import DeliveryJob
from functions.domain.models import BotCall
from functions.domain.workflow import Role, StaffMember, may_see
from functions.errors import BotRefused, TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services.calls import Keyboard
from functions.services.conversation_texts import staff_text
from functions.services.keyboards import button, markup

log = get_logger("deliver")

Verdict = Literal["done", "retry"]
RELAY_KINDS: Final = frozenset({"relay", "relay_in"})


class RelayStore(Protocol):
    """What relaying needs from storage (CaseStore implements it)."""

    def get_case(self, code: str) -> Case | None: ...
    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def update_staff(self, user_id: int, **fields: Any) -> bool: ...
    def is_reporter(self, code: str, chat_id: int) -> bool: ...
    def get_event(self, code: str, event_id: str) -> dict[str, Any] | None: ...
    def update_event(self, code: str, event_id: str, fields: dict[str, Any]) -> None: ...
    def set_relay_ref(self, chat_id: int, message_id: int, ref: dict[str, Any]) -> None: ...
    def claim_notice(self, notice_id: str) -> bool: ...
    def finish_notice(self, notice_id: str, sent: bool) -> None: ...
    def release_notice(self, notice_id: str) -> None: ...
    def mark_first_contact(self, code: str, by: int | None, at: datetime) -> bool: ...
    def sync_rollups(self, code: str) -> int: ...
    def count_reporters(self, code: str) -> int: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


class EventSink(Protocol):
    """Publishes one case event (fan-out refreshes the case's cards from it)."""

    def publish(self, topic: str, message: Any, **attributes: str) -> str: ...


def failure_job(job: DeliveryJob) -> DeliveryJob:
    """The job that tells the writer of a relayed message that delivery gave up on it (the message was parked):
    sent through the same paced, retried path, after the parked job's last attempt."""
    return job.model_copy(update={"job_id": f"{job.job_id}:parked"[:300], "kind": "relay_failed", "notice": job.kind})


@dataclass
class RelayDelivery:
    """Sends one conversation message once (claimed like a notice); a refusal, or the message parked after its
    last attempt, is told to the writer once and recorded in the case's history."""

    store: RelayStore
    send: Callable[[int, BotCall], Any]  # the paced, 429-aware call of the delivery
    clock: Callable[[], datetime]
    events: EventSink | None = None  # the first contact refreshes the case's cards through fan-out
    reports_topic: str = ""

    def handle(self, job: DeliveryJob) -> Verdict:
        """Deliver a relay job: 'done' (acknowledge) or 'retry'."""
        report = self.store.get_case(job.report_id)
        event = self.store.get_event(job.report_id, job.event_id) if report is not None else None
        if report is None or event is None:
            log.warning("relay of an unknown message dropped", extra={"job_id": job.job_id})
            return "done"
        if job.kind == "relay_failed":
            return self._gave_up(job, report, event)
        if job.kind == "relay":
            return self._to_reporter(job, report, event)
        return self._to_staff(job, report, event)

    # --- staff -> reporter --------------------------------------------------------------------------------
    def _to_reporter(self, job: DeliveryJob, report: Case, event: dict[str, Any]) -> Verdict:
        code, chat_id = job.report_id, job.recipient_id
        text = event.get("text")
        if not text or event.get("dir") != "out":
            return "done"  # purged by retention meanwhile, or not a message to reporters
        if not self.store.is_reporter(code, chat_id):
            log.warning("relay for someone who is not a reporter of the case dropped", extra={"job_id": job.job_id})
            return "done"
        lang, child = job.lang or "ru", speaks_to_child(report)
        frame = t(lang, "conv_to_child" if child else "conv_to_reporter", code=code, text=text)
        rows = [[button(t(lang, "btn_conv_answer"), callbacks.answer(code))]]
        if child:
            rows.append([button(t(lang, "btn_conv_not_now"), callbacks.answer(code, later=True))])
        else:  # an adult may choose to leave a phone number (a child is not asked for one)
            rows.append([button(t(lang, "btn_conv_phone"), callbacks.share_phone(code))])
        notice_id = "relay_" + job.job_id.replace("/", "_")
        if not self.store.claim_notice(notice_id):
            return "done"
        try:
            result = self.send(chat_id, _message(chat_id, frame, markup(rows), protect=False))
        except BotRefused as error:
            log.warning("relay refused", extra={"job_id": job.job_id, "kind": error.kind})
            return self._undelivered(job, event, notice_id)
        except TransientError:
            self.store.release_notice(notice_id)
            return "retry"
        self.store.finish_notice(notice_id, sent=True)
        now, position = self.clock(), job.argument or "1"
        self._remember(chat_id, result, {"report_id": code, "side": "reporter"})
        self._best_effort(lambda: self.store.update_event(code, job.event_id, {f"delivered_{position}": now}))
        by = event.get("by") if isinstance(event.get("by"), int) else None
        if report.first_contact_at is None and self.store.mark_first_contact(code, by, now):
            log.info("first contact", extra={"report_id": code, "by": by})  # the child track's, for any case
            self._best_effort(lambda: self._sync(code))  # time to first contact in /stats (else the next event)
            self._refresh_cards(report)  # every card shows the contact now, not at its next re-render
        log.info("relayed to reporter", extra={"report_id": code, "job_id": job.job_id})
        return "done"

    def _undelivered(
        self, job: DeliveryJob, event: dict[str, Any], notice_id: str, key: str = "conv_undelivered"
    ) -> Verdict:
        """The reporter blocked the bot (or the chat is gone, or every attempt failed): the writer hears it once,
        then the job is done."""
        code, position = job.report_id, job.argument or "1"
        writer = event.get("by")
        person = self.store.get_staff(writer) if isinstance(writer, int) else None
        if person is not None and person.active and not person.unreachable:
            told_id = "relayfail_" + _base(job)
            if self.store.claim_notice(told_id):
                text = t(person.lang, key, code=code, n=position)
                try:
                    self.send(person.user_id, _message(person.user_id, text, None, protect=False))
                except BotRefused:
                    self.store.finish_notice(told_id, sent=False)
                except TransientError:
                    self.store.release_notice(told_id)
                    self.store.release_notice(notice_id)
                    return "retry"
                else:
                    self.store.finish_notice(told_id, sent=True)
        self.store.finish_notice(notice_id, sent=False)
        self._record_undelivered(job, "out", int(position) if position.isdigit() else 1)
        return "done"

    def _gave_up(self, job: DeliveryJob, report: Case, event: dict[str, Any]) -> Verdict:
        """A relayed message was parked after its last attempt: its writer hears it once (whichever way it failed)
        and the case's history says so; nothing of the other side is named. The parked message's own claim is
        taken first: if it was sent after all, nobody is told; else it is marked given up, so that it can never
        arrive after its writer heard it did not."""
        prefix = "relay_" if job.notice == "relay" else "relayin_"
        notice_id = prefix + _base(job)
        if not self.store.claim_notice(notice_id):
            return "done"
        if job.notice == "relay":
            return self._undelivered(job, event, notice_id, "conv_undelivered_parked")
        return self._unheard(job, report, event, notice_id, claimed=True)

    def _tell_reporter(self, job: DeliveryJob, report: Case, event: dict[str, Any]) -> Verdict:
        """The reporter whose answer did not reach staff hears it, in their language (a child in the child's voice),
        once; never who it was meant for."""
        code, position = job.report_id, int(event.get("reporter") or 1)
        reporter = next((r for r in ordered(self.store.reporters_of(code)) if r.position == position), None)
        if reporter is None:
            return "done"
        told_id = "relayinfail_" + _base(job)
        if not self.store.claim_notice(told_id):
            return "done"
        key = "conv_answer_undelivered_child" if speaks_to_child(report) else "conv_answer_undelivered"
        text = t(reporter.lang, key, code=code)
        try:
            self.send(reporter.chat_id, _message(reporter.chat_id, text, None, protect=False))
        except BotRefused:
            self.store.finish_notice(told_id, sent=False)
            return "done"
        except TransientError:
            self.store.release_notice(told_id)
            return "retry"
        self.store.finish_notice(told_id, sent=True)
        log.info("reporter told the answer was not delivered", extra={"report_id": code, "job_id": job.job_id})
        return "done"

    def _record_undelivered(self, job: DeliveryJob, side: str, position: int) -> None:
        """The case's history: this message did not reach (and, for a staff message, to which reporter)."""
        code, base = job.report_id, _base(job)
        event_id = "undelivered-" + base.replace(":", "-")[:200]
        entry = {"type": "undelivered", "dir": side, "by": None, "reporter": position, "message": job.event_id}
        self._best_effort(lambda: self._add(code, event_id, entry))
        if side == "out":
            self._best_effort(lambda: self.store.update_event(code, job.event_id, {f"undelivered_{position}": True}))
        log.warning("relayed message not delivered", extra={"report_id": code, "job_id": base, "side": side})

    def _add(self, code: str, event_id: str, entry: dict[str, Any]) -> None:
        self.store.add_event(code, event_id, entry)

    def _refresh_cards(self, report: Case) -> None:
        """A card refresh event for fan-out (the usual re-render path: one paced job per card holder)."""
        if self.events is None:
            return
        code = report.code
        status = report.status.value
        event = ReportChanged(
            event_id=f"firstcontact-{code}",
            report_id=code,
            occurred_at=self.clock(),
            from_status=status,
            to_status=status,
        )
        try:
            self.events.publish(self.reports_topic, event, type=event.type, report_id=code, notice="", argument="")
        except TransientError:
            log.warning("card refresh not published", extra={"report_id": code})

    # --- reporter -> staff --------------------------------------------------------------------------------
    def _to_staff(self, job: DeliveryJob, report: Case, event: dict[str, Any]) -> Verdict:
        code = job.report_id
        person = self.store.get_staff(job.recipient_id)
        if event.get("dir") != "in":
            return "done"
        if event.get("type") == "phone":  # a shared phone number: only the case's owner (and admins, in /case)
            if person is None or not may_hear(person, report):
                return "done"
            if not (person.role == Role.ADMIN or report.assignee == person.user_id):
                return "done"
        elif (
            person is None
            or not person.active
            or person.unreachable
            or not may_see(person, report.category, report.region)
        ):  # revoked or unreachable since the answer was queued: the reporter hears it did not reach (never silent)
            log.warning("answer's recipient cannot receive it now", extra={"job_id": job.job_id})
            return self._unheard(job, report, event, "relayin_" + job.job_id.replace("/", "_"))
        if report.purged_at is None:  # "reporter 3 of 3": the exact count (the stored one lags by up to 30 s)
            report = report.model_copy(update={"reporter_count": self.store.count_reporters(code) or 1})
        text = staff_text(person.lang, code, report, event)
        position = int(event.get("reporter") or 1)
        keyboard = markup([[button(t(person.lang, "btn_conv_reply"), callbacks.write(code, f"n{position}"))]])
        notice_id = "relayin_" + job.job_id.replace("/", "_")
        if not self.store.claim_notice(notice_id):
            return "done"
        try:
            result = self.send(person.user_id, _message(person.user_id, text, keyboard, protect=True))
        except BotRefused as error:
            if error.kind == "forbidden":
                self.store.update_staff(person.user_id, unreachable=True)
            log.warning("answer to staff refused", extra={"job_id": job.job_id, "kind": error.kind})
            return self._unheard(job, report, event, notice_id, claimed=True)
        except TransientError:
            self.store.release_notice(notice_id)
            return "retry"
        self.store.finish_notice(notice_id, sent=True)
        self._remember(person.user_id, result, {"report_id": code, "side": "staff", "reporter": position})
        log.info("relayed to staff", extra={"report_id": code, "job_id": job.job_id})
        return "done"

    def _unheard(
        self, job: DeliveryJob, report: Case, event: dict[str, Any], notice_id: str, *, claimed: bool = False
    ) -> Verdict:
        """A reporter's answer did not reach the one staff member it was for: the reporter hears it once and the
        history says so. One of a case's routed recipients missing it is only logged: the others have it."""
        if job.argument == "routed":
            if claimed:
                self.store.finish_notice(notice_id, sent=False)
            return "done"
        if not claimed and not self.store.claim_notice(notice_id):
            return "done"
        if self._tell_reporter(job, report, event) == "retry":
            self.store.release_notice(notice_id)
            return "retry"
        self.store.finish_notice(notice_id, sent=False)
        self._record_undelivered(job, "in", int(event.get("reporter") or 1))
        return "done"

    def _remember(self, chat_id: int, result: Any, ref: dict[str, Any]) -> None:
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if isinstance(message_id, int):
            self._best_effort(lambda: self.store.set_relay_ref(chat_id, message_id, ref))

    def _sync(self, code: str) -> None:
        self.store.sync_rollups(code)

    @staticmethod
    def _best_effort(write: Callable[[], None]) -> None:
        """A record after the message went out: losing it must not send the message again."""
        try:
            write()
        except TransientError:
            log.warning("relay record not written")


def _base(job: DeliveryJob) -> str:
    """The relayed message's own job id (a failure job's without its suffix), as a document id."""
    return job.job_id.removesuffix(":parked").replace("/", "_")


def _message(chat_id: int, text: str, keyboard: Keyboard | None, *, protect: bool) -> BotCall:
    params: dict[str, Any] = {"chat_id": chat_id, "text": text[:4096], "link_preview_options": {"is_disabled": True}}
    if keyboard is not None:
        params["reply_markup"] = keyboard
    if protect:
        params["protect_content"] = True
    return BotCall(method="sendMessage", params=params)
