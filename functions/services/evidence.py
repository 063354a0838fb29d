"""Evidence on request: a staff member asks to see a case's links and media (with a warning first); deliver
sends them in pages (functions.services.evidence_pages)."""

from __future__ import annotations

from typing import Any, Protocol

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.escalation import is_restricted
from functions.domain.incoming import IncomingCallback
from functions.domain.jobs import DeliveryJob
from functions.domain.models import BotCall, Outcome
from functions.domain.visibility import may_see_content
from functions.domain.workflow import StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards
from functions.services.calls import answer, edit_markup
from functions.services.evidence_pages import Additions, page_count
from functions.services.keyboards import button, markup
from functions.services.submit import EventSink

log = get_logger("staff")


class EvidenceStore(Protocol):
    """What evidence on request needs from storage (CaseStore implements it)."""

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def has_event(self, code: str, event_id: str) -> bool: ...
    def additions_of(self, code: str) -> list[dict[str, Any]]: ...


class Evidence:
    """Sends a case's evidence to the staff member who asked, protected from forwarding, once per press."""

    def __init__(self, store: EvidenceStore, jobs: EventSink, deliveries_topic: str) -> None:
        self.store = store
        self.jobs = jobs
        self.deliveries_topic = deliveries_topic

    def show(self, press: IncomingCallback, person: StaffMember, case: Case, lang: str, *, confirmed: bool) -> Outcome:
        """The evidence, or first the warning to confirm (graphic or restricted content)."""
        code = case.code
        restricted = is_restricted(case.category)
        if not may_see_content(person, case.category, case.region):
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_evidence_restricted"), alert=True))
        added = self.store.additions_of(code) if case.contributors else []
        graphic = bool(case.media) or any(row.get("added_media") for row in added)
        acknowledged = (not restricted) and self.store.has_event(code, f"ack-{person.user_id}")
        card_known = press.chat_id is not None
        if (restricted or graphic) and not confirmed and not acknowledged and card_known:
            warning = t(lang, "evidence_confirm_sexual" if restricted else "evidence_confirm_warning")
            keyboard = markup(
                [
                    [button(t(lang, "btn_evidence_confirm"), callbacks.case("evok", code))],
                    [button(t(lang, "btn_back"), callbacks.case("back", code))],
                ]
            )
            call = edit_markup(int(press.chat_id or 0), press.message_id, keyboard)
            return Outcome(direct=[call], body=answer(press.callback_id, warning, alert=True))
        if confirmed and not restricted:
            self.store.add_event(code, f"ack-{person.user_id}", {"type": "evidence_ack", "by": person.user_id})
        if self.store.has_event(code, f"view-{press.update_id}"):
            return Outcome(body=answer(press.callback_id))  # a re-sent press: the evidence went out already
        self._queue_pages(code, case, added, person, press.update_id, lang)  # before the view is recorded: a
        # failed publish makes Telegram re-send the press, and the pages' messages are sent once each
        first_time = self.store.add_event(
            code, f"view-{press.update_id}", {"type": "evidence_view", "by": person.user_id}
        )
        if not first_time:
            return Outcome(body=answer(press.callback_id))  # a re-sent press: the evidence went out already
        log.info("evidence viewed", extra={"report_id": code, "by": person.user_id})
        calls: list[BotCall] = []
        if confirmed and card_known:  # put the card's own buttons back
            calls.append(edit_markup(int(press.chat_id or 0), press.message_id, cards.card_keyboard(case, person)))
        return Outcome(direct=calls, body=answer(press.callback_id))

    def _queue_pages(
        self, code: str, case: Case, added: Additions, person: StaffMember, update_id: int, lang: str
    ) -> None:
        """One delivery job per page: deliver sends them paced, each message once (never from the webhook)."""
        for page in range(page_count(case, added)):
            job = DeliveryJob(
                job_id=f"ev-{code}-{update_id}-{page}",
                kind="evidence",
                report_id=code,
                recipient_id=person.user_id,
                event_id=f"ev-{code}-{update_id}",
                lang=lang,
                argument=str(page),
            )
            self.jobs.publish(self.deliveries_topic, job)
