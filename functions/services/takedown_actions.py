"""What staff do on the takedown track: "reported to <platform>" and "check now" on the card, /ref <code> <number>.

Each is authorised like every card button (the stored role and regions), audited in the case's history, and
refreshes the case's cards through the reports topic. Nothing here talks to a platform: "check now" only brings
the links' next check forward, the checker (tick) does it within a minute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.codes import normalise_case_code
from functions.domain.events import ReportChanged
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import Outcome
from functions.domain.takedown import Takedown, TakedownState, check_now, reported
from functions.domain.workflow import StaffMember, may_see
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services.access import Access
from functions.services.calls import answer, send
from functions.services.submit import EventSink
from functions.services.takedown_texts import platform_name

log = get_logger("takedown")

COMMANDS: Final = frozenset({"ref"})
_REFERENCE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9#._/-]{0,63}$")


class TakedownActionsStore(Protocol):
    """What the staff actions need from storage (TakedownStore implements it)."""

    def links_of(self, code: str) -> list[Takedown]: ...
    def save_link(self, record: Takedown) -> None: ...
    def cases(self, codes: Iterable[str]) -> dict[str, Case]: ...
    def audit(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


@dataclass
class TakedownActions:
    """The takedown buttons of a card (t:<verb>:<code>[:<platform>]) and /ref."""

    store: TakedownActionsStore
    access: Access
    events: EventSink
    reports_topic: str
    clock: Callable[[], datetime]

    def button(self, press: IncomingCallback, lang: str) -> Outcome:
        """A press on "reported to <platform>" or "check now" (never from a message in a group)."""
        return self.access.on_press(press, lang, callbacks.parse_takedown, self._pressed)

    def _pressed(self, press: IncomingCallback, person: StaffMember, parsed: callbacks.CasePress) -> Outcome:
        lang = person.lang
        found = self._case(person, parsed.code)
        if isinstance(found, str):
            return Outcome(body=answer(press.callback_id, found, alert=True))
        case, records = found
        if parsed.verb == "rep":
            if not self._mark_reported(person, case, records, press.update_id, parsed.arg or None, None):
                return Outcome(body=answer(press.callback_id, t(lang, "td_no_links"), alert=True))
            text = t(lang, "td_reported_done", platform=platform_name(parsed.arg or "other"), code=case.code)
            return Outcome(body=answer(press.callback_id, text, alert=True))
        if parsed.verb == "chk":
            now = self.clock()
            pending = [r for r in records if r.state is not TakedownState.REMOVED and not r.merged_into]
            for record in pending:
                self.store.save_link(check_now(record, now))
            if not pending:
                return Outcome(body=answer(press.callback_id, t(lang, "td_no_links"), alert=True))
            self.store.audit(
                case.code,
                f"takedown-check-{press.update_id}",
                {"type": "takedown", "action": "check_now", "by": person.user_id, "note": None},
            )
            return Outcome(body=answer(press.callback_id, t(lang, "td_check_queued")))
        return Outcome(body=answer(press.callback_id, t(lang, "refuse_bad_argument"), alert=True))

    def command(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """/ref <code> [platform] <reference>: the platform's reference number, marking the links reported."""
        return self.access.on_command(message, lang, arg, "td_ref_usage", _reference_fits, self._reference)

    def _reference(self, message: IncomingMessage, person: StaffMember, words: list[str]) -> Outcome:
        lang, chat_id = person.lang, message.chat_id
        found = self._case(person, words[0])
        if isinstance(found, str):
            return Outcome(body=send(chat_id, found))
        case, records = found
        platform = words[1].lower() if len(words) == 3 else None
        if not self._mark_reported(person, case, records, message.update_id, platform, words[-1]):
            return Outcome(body=send(chat_id, t(lang, "td_no_links")))
        return Outcome(body=send(chat_id, t(lang, "td_ref_done", code=case.code, reference=words[-1])))

    def _case(self, person: StaffMember, raw_code: str) -> tuple[Case, list[Takedown]] | str:
        code = normalise_case_code(raw_code)
        case = self.store.cases([code]).get(code) if code else None
        if case is None:
            return t(person.lang, "case_not_found")
        if not may_see(person, case.category, case.region):
            return t(person.lang, "refuse_out_of_scope")
        return case, self.store.links_of(case.code)

    def _mark_reported(
        self,
        person: StaffMember,
        case: Case,
        records: Sequence[Takedown],
        update_id: int,
        platform: str | None,
        reference: str | None,
    ) -> bool:
        chosen = [
            record
            for record in records
            if (platform is None or record.platform == platform)
            and record.state is not TakedownState.REMOVED
            and not record.merged_into
        ]
        if not chosen:
            return False
        now = self.clock()
        for record in chosen:
            self.store.save_link(reported(record, person.user_id, now, reference))
        self.store.audit(
            case.code,
            f"takedown-reported-{update_id}",
            {
                "type": "takedown",
                "action": "reported",
                "by": person.user_id,
                "note": ", ".join(sorted({r.platform for r in chosen})) + (f" #{reference}" if reference else ""),
            },
        )
        log.info("links reported to the platform", extra={"report_id": case.code, "by": person.user_id})
        self._refresh(case, update_id)
        return True

    def _refresh(self, case: Case, update_id: int) -> None:
        event = ReportChanged(
            event_id=f"takedown-{case.code}-{update_id}",
            report_id=case.code,
            occurred_at=self.clock(),
            from_status=case.status.value,
            to_status=case.status.value,
        )
        try:
            self.events.publish(self.reports_topic, event, type=event.type, report_id=case.code, notice="", argument="")
        except TransientError:
            log.warning("card refresh not published", extra={"report_id": case.code})


def _reference_fits(words: list[str]) -> bool:
    """/ref's words: a case code, perhaps a platform, and a reference of the allowed characters."""
    return len(words) in {2, 3} and _REFERENCE_RE.match(words[-1]) is not None
