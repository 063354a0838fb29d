"""Delivery: send or edit one staff card, or send one notice to a reporter, within Telegram's limits."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from functions.domain.case import Case
from functions.domain.jobs import NOTICE_WINDOW_SECONDS, DeliveryJob
from functions.domain.models import BotCall
from functions.domain.takedown import Takedown
from functions.domain.visibility import may_see_content
from functions.domain.workflow import StaffMember, may_see
from functions.errors import BotRefused, BotRetryAfter, TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards, child_help_texts, takeback
from functions.services.access import owner_name
from functions.services.calls import edit, send
from functions.services.cards import text_hash_of
from functions.services.evidence_pages import evidence_page
from functions.services.pacing import PACE_WAIT_SECONDS, SEND_DEADLINE_SECONDS, Pacer
from functions.services.relay_delivery import EventSink, RelayDelivery, RelayStore

log = get_logger("deliver")

IN_PROCESS_RETRY_LIMIT: Final = 5.0
NOTICE_GRACE_SECONDS: Final = 1.5  # a post stored just before the window closed is still listed
Verdict = Literal["done", "retry", "busy"]  # busy: another attempt holds the lease (not a failure)


class DeliveryStore(Protocol):
    """What delivery needs from storage."""

    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def update_staff(self, user_id: int, **fields: Any) -> bool: ...
    def get_case(self, code: str) -> Case | None: ...
    def claim_card(self, code: str, recipient_id: int) -> tuple[str, dict[str, Any]]: ...
    def release_card(
        self, code: str, recipient_id: int, chat_id: int, message_id: int | None, digest: str | None
    ) -> None: ...
    def claim_notice(self, notice_id: str) -> bool: ...
    def finish_notice(self, notice_id: str, sent: bool) -> None: ...
    def release_notice(self, notice_id: str) -> None: ...
    def group_notice_codes(self, chat_id: int, bucket: int) -> list[str]: ...
    def is_reporter(self, code: str, chat_id: int) -> bool: ...
    def track_message(self, code: str, chat_id: int, message_id: int, kind: str) -> None: ...
    def forget_message(self, chat_id: int, message_id: int) -> None: ...
    def additions_of(self, code: str) -> list[dict[str, Any]]: ...
    def tally_reporters(self, code: str) -> dict[str, int]: ...
    def get_reply(self, reply_id: str) -> tuple[int, dict[str, Any]] | None: ...


class BotPort(Protocol):
    """Makes one Bot API call."""

    def call(self, call: BotCall) -> Any: ...


@dataclass
class Delivery:
    """Delivers one job; idempotent (one card per person per case, one notice per reporter per event)."""

    store: DeliveryStore
    bot: BotPort
    pacer: Pacer
    clock: Callable[[], datetime]
    sleep: Callable[[float], None] = time.sleep
    links: Callable[[str], Sequence[Takedown]] | None = None  # the takedown records a card shows
    relays: RelayStore | None = None  # conversation messages (relay, relay_in, relay_failed jobs)
    events: EventSink | None = None  # a relay's first contact refreshes the case's cards (through fan-out)
    reports_topic: str = ""

    def handle(self, job: DeliveryJob) -> Verdict:
        """Deliver the job: 'done' (acknowledge) or 'retry' (let Pub/Sub re-deliver with backoff)."""
        if job.kind == "card":
            return self._card(job)
        if job.kind == "text":
            return self._text(job)
        if job.kind == "group_notice":
            return self._group_notice(job)
        if job.kind == "evidence":
            return self._evidence(job)
        if job.kind == "scrub":
            return self._scrub(job)
        if job.kind == "reply":
            return self._reply(job)
        if job.kind in {"relay", "relay_in", "relay_failed"} and self.relays is not None:
            return RelayDelivery(self.relays, self._send, self.clock, self.events, self.reports_topic).handle(job)
        return self._notice(job)

    # --- the network call, paced ----------------------------------------------------------------------------
    def _send(self, chat_id: int, call: BotCall) -> Any:
        """Call Telegram within the pace; short 429 waits are honoured here, long ones go back to Pub/Sub."""
        deadline = time.monotonic() + SEND_DEADLINE_SECONDS
        while True:
            if not self.pacer.wait(chat_id, PACE_WAIT_SECONDS):
                raise TransientError("pacing: this chat's queue is full")
            try:
                return self.bot.call(call)
            except BotRetryAfter as error:
                self.pacer.back_off(chat_id, error.retry_after, everyone=error.retry_after > 1)
                log.warning("rate limited", extra={"chat_id": chat_id, "retry_after": error.retry_after})
                if error.retry_after > IN_PROCESS_RETRY_LIMIT or time.monotonic() + error.retry_after > deadline:
                    raise

    # --- cards --------------------------------------------------------------------------------------------
    def _card(self, job: DeliveryJob) -> Verdict:
        person = self.store.get_staff(job.recipient_id)
        if person is None or person.unreachable:
            return "done"
        report = self.store.get_case(job.report_id)
        if report is None:
            return "done"
        if not person.active or not may_see(person, report.category, report.region):
            return self._stub(job, person, report)  # revoked, moved or out of scope
        if report.purged_at is None:  # the exact counts (the stored ones are refreshed every 30 s; a purge keeps them)
            tally = self.store.tally_reporters(job.report_id)
            exact = {name: max(value, int(getattr(report, name) or 0)) for name, value in tally.items()}
            report = report.model_copy(update=exact | {"reporter_count": tally.get("reporter_count") or 1})
        state, card = self.store.claim_card(job.report_id, person.user_id)
        if state == "busy":
            return "busy"
        owner = owner_name(self.store.get_staff, report)
        records = self.links(job.report_id) if self.links is not None and report.urls else ()
        text, entities, keyboard = cards.card_message(report, person, self.clock(), owner, links=records)
        digest = text_hash_of(text, keyboard)
        message_id = card.get("message_id")
        try:
            if message_id and card.get("hash") == digest:
                self.store.release_card(job.report_id, person.user_id, person.user_id, int(message_id), digest)
                return "done"
            silent = report.severity == "normal"
            new_id = self._put_card(person.user_id, message_id, text, keyboard, entities, silent=silent)
        except BotRefused as error:
            self.store.release_card(job.report_id, person.user_id, person.user_id, None, None)
            if error.kind == "forbidden":
                self.store.update_staff(person.user_id, unreachable=True)
                log.warning("staff unreachable", extra={"user_id": person.user_id})
                return "done"
            log.error(
                "card refused by Telegram",
                extra={"report_id": job.report_id, "user_id": person.user_id, "kind": error.kind},
            )
            return "done"
        except TransientError:
            self.store.release_card(job.report_id, person.user_id, person.user_id, None, None)
            return "retry"
        self.store.release_card(job.report_id, person.user_id, person.user_id, new_id, digest)
        return "done"

    def _stub(self, job: DeliveryJob, person: StaffMember, report: Case) -> Verdict:
        """Someone who may no longer see the case (or after its purge, anyone who held a card of it that may
        no longer show it): the card they hold becomes a short stub without buttons (a bot may edit its own
        messages at any age); nobody is sent a stub they never had a card for."""
        state, card = self.store.claim_card(job.report_id, person.user_id)
        if state == "busy":
            return "busy"
        message_id = card.get("message_id")
        text, keyboard = cards.access_changed(job.report_id, person.lang, purged=report.purged_at is not None)
        digest = text_hash_of(text, keyboard)
        if not isinstance(message_id, int) or card.get("hash") == digest:
            held = message_id if isinstance(message_id, int) else None
            self.store.release_card(job.report_id, person.user_id, person.user_id, held, digest if held else None)
            return "done"
        call = BotCall(
            method="editMessageText",
            params={"chat_id": person.user_id, "message_id": message_id, "text": text, "reply_markup": keyboard},
        )
        try:
            self._send(person.user_id, call)
        except BotRefused as error:  # deleted by the person, or not modified: nothing of the case is left there
            log.warning(
                "stub refused", extra={"report_id": job.report_id, "user_id": person.user_id, "kind": error.kind}
            )
        except TransientError:
            self.store.release_card(job.report_id, person.user_id, person.user_id, None, None)
            return "retry"
        self.store.release_card(job.report_id, person.user_id, person.user_id, message_id, digest)
        log.info("card access changed", extra={"report_id": job.report_id, "user_id": person.user_id})
        return "done"

    def _put_card(
        self,
        chat_id: int,
        message_id: object,
        text: str,
        keyboard: dict[str, Any],
        entities: list[dict[str, Any]],
        *,
        silent: bool = False,
    ) -> int:
        """Edit the card in place, or send it when there is none (or it was deleted); normal cards come silently,
        urgent and high ones ring."""
        if isinstance(message_id, int):
            try:
                self._send(chat_id, edit(chat_id, message_id, text, keyboard, entities=entities or None))
                return message_id
            except BotRefused as error:
                if error.not_modified:
                    return message_id
                if "message to edit not found" not in error.description.lower():
                    raise
        call = send(chat_id, text, keyboard, protect=True, entities=entities or None, silent=silent)
        result = self._send(chat_id, call)
        return int(result["message_id"])

    # --- one text, sent once: reporter notices, group notices, texts to staff ------------------------------
    def _send_once(self, notice_id: str, chat_id: int, text: str, *, staff: bool = False) -> Verdict:
        """Send a text at most once per notice id (claimed first; released on a transient failure)."""
        if not self.store.claim_notice(notice_id):
            return "done"
        return self._send_claimed(notice_id, chat_id, text, staff=staff)

    def _send_claimed(
        self, notice_id: str, chat_id: int, text: str, *, staff: bool = False, call: BotCall | None = None
    ) -> Verdict:
        """Send a text (or the given call) whose notice id this delivery has claimed."""
        call = call or send(chat_id, text[:4096])
        try:
            result = self._send(chat_id, call)
        except BotRefused as error:
            if error.not_modified:  # a deferred edit that was made meanwhile
                self.store.finish_notice(notice_id, sent=True)
                return "done"
            if staff and error.kind == "forbidden":
                self.store.update_staff(chat_id, unreachable=True)
            log.warning("text refused", extra={"notice_id": notice_id, "kind": error.kind})
            self.store.finish_notice(notice_id, sent=False)
            return "done"
        except TransientError:
            self.store.release_notice(notice_id)
            return "retry"
        if call.carries and isinstance(result, dict) and isinstance(result.get("message_id"), int):
            # a deferred /case copy: recorded for the retention purge (a lost record only costs a stub)
            kind = "text" if call.method in {"sendMessage", "editMessageText"} else "media"
            try:
                self.store.track_message(call.carries, chat_id, int(result["message_id"]), kind)
            except TransientError:
                log.error("sent message not recorded", extra={"report_id": call.carries, "job_id": notice_id})
        self.store.finish_notice(notice_id, sent=True)
        return "done"

    def _reply(self, job: DeliveryJob) -> Verdict:
        """An answer the webhook could not deliver at once (stored by it: a job names it, carries nothing)."""
        stored = self.store.get_reply(job.job_id)
        if stored is None or stored[0] != job.recipient_id:  # none, or an edit a newer one supersedes
            log.info("reply job without its stored reply dropped", extra={"job_id": job.job_id})
            return "done"
        chat_id, call = stored
        if not self.store.claim_notice(job.job_id):
            return "done"
        return self._send_claimed(job.job_id, chat_id, "", call=BotCall.model_validate(call))

    def _notice(self, job: DeliveryJob) -> Verdict:
        """A reporter hears of their case, in their language — only a reporter of that case."""
        if not self.store.is_reporter(job.report_id, job.recipient_id):
            log.warning("notice for someone who is not a reporter of the case dropped", extra={"job_id": job.job_id})
            return "done"
        text = notice_text(job.lang or "ru", job.report_id, job.notice or "", job.argument)
        return self._send_once(job.job_id.replace("/", "_"), job.recipient_id, text)

    def _group_notice(self, job: DeliveryJob) -> Verdict:
        """One notice per group per window, listing every case quarantined in it (kk and ru together)."""
        bucket = int(job.argument or 0)
        notice_id = f"gn_{job.recipient_id}_{bucket}"
        if not self.store.claim_notice(notice_id):  # the window's first job sends it; the others are done
            return "done"
        wait = (bucket + 1) * NOTICE_WINDOW_SECONDS + NOTICE_GRACE_SECONDS - self.clock().timestamp()
        if wait > 0:  # let the window fill before listing it
            self.sleep(min(wait, NOTICE_WINDOW_SECONDS + NOTICE_GRACE_SECONDS))
        codes = ", ".join(self.store.group_notice_codes(job.recipient_id, bucket)) or job.report_id
        text = t("kk", "group_notice", codes=codes) + "\n\n" + t("ru", "group_notice", codes=codes)
        return self._send_claimed(notice_id, job.recipient_id, text)

    def _text(self, job: DeliveryJob) -> Verdict:
        """Send one rendered text (SLA reminder, digest, escalation alert) to an active staff member, once."""
        person = self.store.get_staff(job.recipient_id)
        if person is None or not person.active or person.unreachable or not job.text:
            return "done"
        return self._send_once(job.job_id.replace("/", "_"), job.recipient_id, job.text, staff=True)

    # --- evidence, one page per job ------------------------------------------------------------------------
    def _evidence(self, job: DeliveryJob) -> Verdict:
        """One page of a case's evidence to the staff member who asked, if they still may see it; each
        message sent once (claimed by the page and its place) and recorded for the retention purge."""
        person = self.store.get_staff(job.recipient_id)
        report = self.store.get_case(job.report_id)
        if person is None or not person.active or person.unreachable or report is None:
            return "done"
        if not may_see_content(person, report.category, report.region):
            return "done"  # restricted material: child safety only
        page = int(job.argument or 0) if (job.argument or "").isdigit() else 0
        added = self.store.additions_of(report.code) if report.contributors else []
        for index, call in enumerate(evidence_page(report, person.user_id, job.lang or person.lang, page, added)):
            notice_id = f"{job.event_id}_{page}_{index}"
            if not self.store.claim_notice(notice_id):
                continue
            try:
                result = self._send(person.user_id, call)
            except BotRefused as error:
                self.store.finish_notice(notice_id, sent=False)
                log.warning("evidence refused", extra={"report_id": job.report_id, "kind": error.kind})
                if error.kind == "forbidden":
                    self.store.update_staff(person.user_id, unreachable=True)
                    return "done"
                continue
            except TransientError:
                self.store.release_notice(notice_id)
                return "retry"
            if isinstance(result, dict) and isinstance(result.get("message_id"), int):
                kind = "text" if call.method == "sendMessage" else "media"
                self.store.track_message(job.report_id, person.user_id, int(result["message_id"]), kind)
            self.store.finish_notice(notice_id, sent=True)
        return "done"

    def _scrub(self, job: DeliveryJob) -> Verdict:
        """A purged case's content out of one recorded message, whoever holds it now."""
        person = self.store.get_staff(job.recipient_id)
        try:
            takeback.scrub(self._send, self.store, job, person.lang if person is not None else "ru")
        except TransientError:
            return "retry"
        return "done"


def notice_text(lang: str, code: str, notice: str, argument: str | None) -> str:
    """What a reporter hears: the new state of their case, never the staff member's name."""
    if notice == "escalated":  # never where it went: a poster of the content may have joined the case too
        return t(lang, "notice_escalated_generic", code=code)
    if notice == "resolved":
        return t(lang, "notice_resolved", code=code, outcome=t(lang, f"res_{argument or 'resolved_other'}"))
    if notice == "content_removed":
        return t(lang, "notice_content_removed", code=code)
    if notice == "merged":
        return t(lang, "notice_merged", code=code, main=argument or "")
    if notice == "reopened":
        return t(lang, "notice_reopened", code=code)
    if notice in {"child_outcome", "child_outcome_child"} and argument:  # the help-the-child track's outcome
        return child_help_texts.reporter_notice(lang, code, argument, child=notice == "child_outcome_child")
    if notice == "rejected":
        return t(lang, "notice_rejected", code=code, reason=t(lang, f"rej_{argument or 'not_relevant'}"))
    return t(lang, "notice_taken", code=code)
