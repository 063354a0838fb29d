"""What staff do to a case: the card's buttons, the state machine's transitions (the take race), /merge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.child_track import ChildRefusal, offers_track, resolve_blocker
from functions.domain.codes import normalise_case_code
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import Outcome
from functions.domain.workflow import Action, Refusal, StaffMember, check, may_see, target_status
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards, child_help_texts
from functions.services.access import Access
from functions.services.calls import answer, edit, edit_markup, send
from functions.services.case_writes import CaseWriter, CaseWrites, Change
from functions.services.evidence import Evidence
from functions.services.recategorise import Recategorise
from functions.services.reporter_mute import ReporterMute
from functions.services.submit import EventSink

log = get_logger("staff")

NOTICES: Final = {
    Action.TAKE: "taken",
    Action.ESCALATE: "escalated",
    Action.RESOLVE: "resolved",
    Action.REJECT: "rejected",
    Action.REOPEN: "reopened",
}
VERB_ACTION: Final = {
    "take": Action.TAKE,
    "esc": Action.ESCALATE,
    "res": Action.RESOLVE,
    "rej": Action.REJECT,
    "reopen": Action.REOPEN,
}


class CaseStorePort(CaseWrites, Protocol):
    """What case actions need from storage (CaseStore implements it)."""

    def move_reporters(self, source: str, target: str) -> int: ...


class CaseActions:
    """Card buttons and /merge, each authorised from the stored role and regions."""

    def __init__(
        self,
        store: CaseStorePort,
        access: Access,
        evidence: Evidence,
        events: EventSink,
        reports_topic: str,
        clock: Callable[[], datetime],
        mute: ReporterMute | None = None,
    ) -> None:
        self.mute = mute
        self.store = store
        self.access = access
        self.evidence = evidence
        self.events = events
        self.reports_topic = reports_topic
        self.clock = clock
        self.recategorising = Recategorise(store, events, reports_topic, clock)
        self.writes = CaseWriter(store, events, reports_topic, clock, log)

    # --- buttons ------------------------------------------------------------------------------------------
    def button(self, press: IncomingCallback, lang: str) -> Outcome:
        """A press on a card button (see domain.callbacks: s:<verb>:<code>[:<arg>])."""
        parsed = callbacks.parse_case(press.data)
        person = self.access.pressing_in_private(press, lang)
        if isinstance(person, Outcome):
            return person
        lang = person.lang
        if parsed is None or press.chat_id is None:
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_no_access"), alert=True))
        verb, code, arg = parsed.verb, normalise_case_code(parsed.code), parsed.arg
        found = self.store.read_case(code) if code else None
        if found is None or code is None:
            return Outcome(body=answer(press.callback_id, t(lang, "case_not_found"), alert=True))
        case, _ = found
        if not may_see(person, case.category, case.region):
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_out_of_scope"), alert=True))
        if (verb == "res" or (verb == "menu" and arg == "resolve")) and resolve_blocker(case) is not None:
            return self._child_first(press, person, case, lang)
        if verb in {"menu", "back"}:
            keyboard = cards.card_keyboard(case, person, arg if verb == "menu" else None)
            call = edit_markup(press.chat_id, press.message_id, keyboard)
            return Outcome(direct=[call], body=answer(press.callback_id))
        if verb in {"ev", "evok"}:
            return self.evidence.show(press, person, case, lang, confirmed=verb == "evok")
        if verb == "mute" and self.mute is not None:
            return self.mute.from_card(press, person, code)
        if verb == "cat":
            return self._recategorise(press, person, code, arg, lang)
        action = VERB_ACTION.get(verb)
        if action is None:
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_bad_argument"), alert=True))
        if action == Action.REJECT and arg == "duplicate":  # a duplicate names its main case: /merge does
            text = t(lang, "duplicate_which", code=code)
            return Outcome(direct=[answer(press.callback_id)], body=send(int(press.chat_id), text))
        return self._pressed(press, person, code, action, arg, lang)

    @staticmethod
    def _child_first(press: IncomingCallback, person: StaffMember, case: Case, lang: str) -> Outcome:
        """Resolve waits for the child track: the card's buttons become the menu it needs (outcome, or need)."""
        blocker = resolve_blocker(case) or ChildRefusal.OUTCOME_FIRST
        told = answer(press.callback_id, t(lang, f"ch_refuse_{blocker.value}"), alert=True)
        if not offers_track(person, case):
            return Outcome(body=told)
        menu = "out" if blocker == ChildRefusal.OUTCOME_FIRST else "need"
        keyboard = child_help_texts.menu_keyboard(lang, case.code, menu)
        return Outcome(direct=[edit_markup(int(press.chat_id or 0), press.message_id, keyboard)], body=told)

    def _pressed(
        self, press: IncomingCallback, person: StaffMember, code: str, action: Action, arg: str, lang: str
    ) -> Outcome:
        done = self.transition(press.update_id, person, code, action, arg)
        if isinstance(done, str):
            return Outcome(body=answer(press.callback_id, done, alert=True))
        owner = person.name if action == Action.TAKE else self.access.owner_name(done)
        text, entities, keyboard = cards.card_message(done, person, self.clock(), owner)
        status = t(lang, f"status_{done.status.value}")
        return Outcome(
            direct=[edit(int(press.chat_id or 0), press.message_id, text, keyboard, entities=entities)],
            body=answer(press.callback_id, t(lang, "action_done", code=code, status=status)),
        )

    def _recategorise(
        self, press: IncomingCallback, person: StaffMember, code: str, category: str, lang: str
    ) -> Outcome:
        done = self.recategorising.apply(press.update_id, person, code, category)
        if isinstance(done, str):
            return Outcome(body=answer(press.callback_id, done, alert=True))
        chat_id = int(press.chat_id or 0)
        entities: list[dict[str, Any]] = []
        if may_see(person, done.category, done.region):
            text, entities, keyboard = cards.card_message(done, person, self.clock(), self.access.owner_name(done))
        else:  # they restricted it: they may no longer see it either
            text, keyboard = cards.access_changed(code, lang)
        told = t(lang, "recategorised", category=t(lang, f"cat_{done.category}"))
        call = edit(chat_id, press.message_id, text, keyboard, entities=entities or None)
        return Outcome(direct=[call], body=answer(press.callback_id, told))

    # --- the state machine --------------------------------------------------------------------------------
    def transition(
        self,
        update_id: int,
        person: StaffMember,
        code: str,
        action: Action,
        arg: str,
        extra: dict[str, Any] | None = None,
        notice: str | None = None,
    ) -> Case | str:
        """Move a case by the state machine: the updated case, or why not (a text in the person's language).

        The write is a precondition write (the case must not have changed since it was read), so of many
        people pressing at once exactly one succeeds; the others re-read and are told what happened.
        """
        lang, to_status = person.lang, target_status(action)

        def decide(case: Case) -> Change | str:
            view = case.view()
            refusal = check(person, view, action, arg)
            if refusal is not None:
                return self._refusal_text(lang, refusal, case)
            blocker = resolve_blocker(case) if action == Action.RESOLVE else None
            if blocker is not None:  # both tracks close a case: the child's outcome first
                return t(lang, f"ch_refuse_{blocker.value}")
            changes: dict[str, Any] = {"status": to_status.value}
            if action == Action.TAKE:
                changes["assignee"] = person.user_id
                changes["taken_at"] = self.clock()
            if action == Action.REOPEN:
                changes["assignee"] = case.assignee or person.user_id
                changes["outcome"] = None
            if action == Action.ESCALATE:
                changes["escalated_to"] = arg
                changes["escalated_at"] = self.clock()
            if action in {Action.RESOLVE, Action.REJECT}:
                changes["outcome"] = arg
                changes["closed_at"] = self.clock()
            changes |= extra or {}
            argument = str((extra or {}).get("merged_into") or arg)
            audit = {
                "type": "transition",
                "action": action.value,
                "by": person.user_id,
                "from": view.status.value,
                "to": to_status.value,
                "note": argument or None,
                "update_id": update_id,
            }
            ids = {"action": action.value, "by": person.user_id}
            told = notice or NOTICES[action]
            return Change(changes, audit, told, argument=argument, to_status=to_status.value, log_extra=ids)

        done = self.writes.write(code, decide, t(lang, "case_not_found"))
        return done.model_copy(update={"status": to_status}) if isinstance(done, Case) else done

    # --- /merge -------------------------------------------------------------------------------------------
    def merge(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """/merge <duplicate> <main>: the duplicate is rejected into the main case, its reporters move with it."""
        return self.access.on_command(message, lang, arg, "merge_usage", self._two_cases, self._merge)

    @staticmethod
    def _two_cases(words: list[str]) -> bool:
        """/merge's words: two different case codes."""
        codes = [normalise_case_code(word) for word in words]
        return len(codes) == 2 and None not in codes and codes[0] != codes[1]

    def _merge(self, message: IncomingMessage, person: StaffMember, words: list[str]) -> Outcome:
        lang, chat_id = person.lang, message.chat_id
        duplicate, main = (str(normalise_case_code(word)) for word in words)
        found = self.store.read_case(main)
        if found is None:
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))
        target, _ = found
        for code, shown in ((main, target), (duplicate, self._case_or_none(duplicate))):
            if shown is not None and shown.child_request and may_see(person, shown.category, shown.region):
                return Outcome(body=send(chat_id, t(lang, "merge_child_request", code=code)))
        if not may_see(person, target.category, target.region):
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))  # as if not there: tells nothing
        if not target.is_open:
            return Outcome(body=send(chat_id, t(lang, "merge_main_closed", code=main)))
        done = self.transition(
            message.update_id,
            person,
            duplicate,
            Action.REJECT,
            "duplicate",
            extra={"merged_into": main},
            notice="merged",
        )
        if isinstance(done, str):
            return Outcome(body=send(chat_id, done))
        moved = self.store.move_reporters(duplicate, main)
        log.info("cases merged", extra={"report_id": duplicate, "into": main, "reporters": moved})
        return Outcome(body=send(chat_id, t(lang, "merged", duplicate=duplicate, main=main, count=moved)))

    def _case_or_none(self, code: str) -> Case | None:
        found = self.store.read_case(code)
        return found[0] if found is not None else None

    def _refusal_text(self, lang: str, refusal: Refusal, case: Case) -> str:
        if refusal == Refusal.TAKEN:
            return t(lang, "refuse_taken", name=self.access.owner_name(case) or "—")
        if refusal == Refusal.ILLEGAL:
            return t(lang, "refuse_illegal", status=t(lang, f"status_{case.status.value}"))
        return t(lang, f"refuse_{refusal.value}")
