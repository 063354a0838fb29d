"""Staff set the help-the-child track from the card: need, referral, outcome, first contact made (two taps each).

Each press is authorised from the stored role (the owner and admins, while the case is open), written with a
precondition on the case (a concurrent change re-reads), audited in the case's history and refreshes the case's
cards. The outcome is told to each reporter once, in their language, never with a staff name. A child's own
request without material has no content track: its child outcome resolves the case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.child_track import auto_resolution, changes_for, choices, refusal
from functions.domain.codes import normalise_case_code
from functions.domain.conversation import speaks_to_child
from functions.domain.events import ReportChanged
from functions.domain.incoming import IncomingCallback
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Outcome
from functions.domain.workflow import StaffMember, may_see
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards
from functions.services.access import Access
from functions.services.calls import answer, edit, edit_markup
from functions.services.child_help_texts import MENUS, menu_keyboard, value_label
from functions.services.submit import EventSink

log = get_logger("staff")

WRITE_ATTEMPTS: Final = 4
Resolve = Callable[[int, StaffMember, str, str], "Case | str"]  # update id, person, code, resolution


class ChildHelpStore(Protocol):
    """What the track needs from storage (CaseStore implements it)."""

    def read_case(self, code: str) -> tuple[Case, Any] | None: ...
    def set_child_help(
        self, code: str, read_at: Any, changes: dict[str, Any], event_id: str, audit: dict[str, Any]
    ) -> bool: ...
    def mark_first_contact(self, code: str, by: int | None, at: datetime) -> bool: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...


class JobSink(Protocol):
    """Publishes delivery jobs and waits for all of them."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


class ChildHelpActions:
    """The card's child-track buttons (h:<verb>:<code>[:<value>])."""

    def __init__(
        self,
        store: ChildHelpStore,
        access: Access,
        events: EventSink,
        jobs: JobSink,
        topics: tuple[str, str],  # reports, deliveries
        clock: Callable[[], datetime],
        resolve: Resolve | None = None,
    ) -> None:
        self.store = store
        self.access = access
        self.events = events
        self.jobs = jobs
        self.reports_topic, self.deliveries_topic = topics
        self.clock = clock
        self.resolve = resolve

    def button(self, press: IncomingCallback, lang: str) -> Outcome:
        """A press on one of the track's buttons (never from a message in a group)."""
        return self.access.on_press(press, lang, callbacks.parse_child, self._pressed, "ch_refuse_no_access")

    def _pressed(self, press: IncomingCallback, person: StaffMember, parsed: callbacks.CasePress) -> Outcome:
        lang = person.lang
        code = normalise_case_code(parsed.code)
        found = self.store.read_case(code) if code else None
        if found is None or code is None:
            return Outcome(body=answer(press.callback_id, t(lang, "case_not_found"), alert=True))
        case = found[0]
        chat_id = press.sender.user_id  # the press is in the person's own private chat (Access.on_press)
        if not may_see(person, case.category, case.region):
            return Outcome(body=answer(press.callback_id, t(lang, "ch_refuse_out_of_scope"), alert=True))
        if parsed.verb == "back":
            keyboard = cards.card_keyboard(case, person)
            return Outcome(direct=[edit_markup(chat_id, press.message_id, keyboard)], body=answer(press.callback_id))
        if parsed.verb == "m":
            field = MENUS.get(parsed.arg)
            why = refusal(person, case, field, choices(field)[0]) if field else None
            if field is None or why is not None:
                key = f"ch_refuse_{why.value}" if why is not None else "ch_refuse_bad_value"
                return Outcome(body=answer(press.callback_id, t(lang, key), alert=True))
            menu = edit_markup(chat_id, press.message_id, menu_keyboard(lang, code, parsed.arg))
            return Outcome(direct=[menu], body=answer(press.callback_id))
        if parsed.verb == "fc":
            return self._contact(press, person, case)
        return self._choose(press, person, code, MENUS.get(parsed.verb, ""), parsed.arg)

    def _choose(self, press: IncomingCallback, person: StaffMember, code: str, field: str, value: str) -> Outcome:
        lang, now = person.lang, self.clock()
        for _attempt in range(WRITE_ATTEMPTS):
            found = self.store.read_case(code)
            if found is None:
                return Outcome(body=answer(press.callback_id, t(lang, "case_not_found"), alert=True))
            case, read_at = found
            why = refusal(person, case, field, value)
            if why is not None:
                return Outcome(body=answer(press.callback_id, t(lang, f"ch_refuse_{why.value}"), alert=True))
            changes = changes_for(case, field, value, now)
            audit = {"type": "child_help", "action": field, "by": person.user_id, "note": value}
            if self.store.set_child_help(code, read_at, changes, f"child-{press.update_id}", audit):
                break
        else:
            raise TransientError(f"case {code} kept changing")
        log.info("child track set", extra={"report_id": code, "field": field, "by": person.user_id})
        done = self._reread(code, case)
        told = t(lang, "ch_done", code=code, what=value_label(lang, field, value))
        resolved: Case | str | None = None
        if field == "outcome":
            self._tell_reporters(done, value)
            resolution = auto_resolution(done)
            if resolution is not None and self.resolve is not None:
                resolved = self.resolve(press.update_id, person, code, resolution)
        if isinstance(resolved, Case):  # the transition refreshes the cards itself
            done, told = resolved, t(lang, "ch_resolved_both", code=code)
        else:
            self._refresh(code, press.update_id, done)
        return self._card(press, person, done, told)

    def _contact(self, press: IncomingCallback, person: StaffMember, case: Case) -> Outcome:
        """First contact made, recorded by hand (a phone call, a visit): once, audited."""
        lang, code = person.lang, case.code
        why = refusal(person, case, "contact", "")
        if why is not None:
            return Outcome(body=answer(press.callback_id, t(lang, f"ch_refuse_{why.value}"), alert=True))
        now = self.clock()
        if not self.store.mark_first_contact(code, person.user_id, now):
            return Outcome(body=answer(press.callback_id, t(lang, "ch_refuse_contact_known"), alert=True))
        audit = {"type": "child_help", "action": "contact", "by": person.user_id, "note": None}
        self.store.add_event(code, f"child-{press.update_id}", audit)
        log.info("first contact recorded by hand", extra={"report_id": code, "by": person.user_id})
        done = self._reread(code, case)
        self._refresh(code, press.update_id, done)
        return self._card(press, person, done, t(lang, "ch_contact_done", code=code))

    def _reread(self, code: str, before: Case) -> Case:
        found = self.store.read_case(code)
        return found[0] if found is not None else before

    def _card(self, press: IncomingCallback, person: StaffMember, case: Case, told: str) -> Outcome:
        text, entities, keyboard = cards.card_message(case, person, self.clock(), self.access.owner_name(case))
        call = edit(int(press.chat_id or 0), press.message_id, text, keyboard, entities=entities)
        return Outcome(direct=[call], body=answer(press.callback_id, told))

    def _tell_reporters(self, case: Case, outcome: str) -> None:
        """Each reporter hears the child outcome once (the notice id has no update in it: a changed outcome is
        not told again)."""
        child = speaks_to_child(case)
        jobs = [
            DeliveryJob(
                job_id=f"childout-{case.code}:r{int(reporter['user_id'])}",
                kind="notice",
                report_id=case.code,
                recipient_id=int(reporter.get("chat_id") or reporter["user_id"]),
                event_id=f"childout-{case.code}",
                lang=str(reporter.get("lang") or "ru"),
                notice="child_outcome_child" if child else "child_outcome",
                argument=outcome,
            )
            for reporter in self.store.reporters_of(case.code)
        ]
        if jobs:
            self.jobs.publish_many(self.deliveries_topic, jobs)

    def _refresh(self, code: str, update_id: int, case: Case) -> None:
        event = ReportChanged(
            event_id=f"child-{code}-{update_id}",
            report_id=code,
            occurred_at=self.clock(),
            from_status=case.status.value,
            to_status=case.status.value,
        )
        try:
            self.events.publish(self.reports_topic, event, type=event.type, report_id=code, notice="", argument="")
        except TransientError:
            log.warning("card refresh not published", extra={"report_id": code})
