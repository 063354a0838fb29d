"""Staff mute a reporter who floods them, through one of the reporter's cases: /mute, /unmute, or the card.

Staff never see who the reporter is: the case's first reporter is looked up here and only the case code is
ever shown. A muted reporter's posts are still stored (nothing is lost), but their new cases are not pushed
to anyone: no cards, no overdue re-pushes. Every mute and unmute is an audit event of the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from functions.domain.case import Case
from functions.domain.codes import normalise_case_code
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import Outcome
from functions.domain.workflow import StaffMember, may_see
from functions.i18n import t
from functions.log import get_logger
from functions.services.access import Access
from functions.services.calls import answer, send

log = get_logger("staff")

COMMANDS: Final[tuple[str, ...]] = ("mute", "unmute")


class MuteCases(Protocol):
    """The case side (CaseStore implements it)."""

    def get_case(self, code: str) -> Case | None: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def mark_muted(self, code: str, muted: bool) -> None: ...


class MuteProfiles(Protocol):
    """The reporter side (FirestoreStore implements it)."""

    def set_muted(self, user_id: int, muted: bool) -> None: ...


class ReporterMute:
    """Mutes and unmutes the reporter of a case, for staff who may see that case."""

    def __init__(self, cases: MuteCases, profiles: MuteProfiles, access: Access, clock: Callable[[], datetime]) -> None:
        self.cases = cases
        self.profiles = profiles
        self.access = access
        self.clock = clock

    def command(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """/mute <code> and /unmute <code>, in the staff member's private chat."""
        person = self.access.in_private(message, lang)
        if isinstance(person, Outcome):
            return person
        code = normalise_case_code(arg.strip()) if arg.strip() else None
        if code is None:
            return Outcome(body=send(message.chat_id, t(person.lang, "mute_usage")))
        text = self.apply(person, code, muted=name == "mute", update_id=message.update_id)
        return Outcome(body=send(message.chat_id, text))

    def from_card(self, press: IncomingCallback, person: StaffMember, code: str) -> Outcome:
        """The card's mute button (in the reject menu)."""
        text = self.apply(person, code, muted=True, update_id=press.update_id)
        return Outcome(body=answer(press.callback_id, text, alert=True))

    def apply(self, person: StaffMember, code: str, *, muted: bool, update_id: int) -> str:
        """Mute or unmute the case's reporter; the answer, in the person's language (never the reporter's id)."""
        lang = person.lang
        report = self.cases.get_case(code)
        if report is None or not may_see(person, report.category, report.region):
            return t(lang, "case_not_found")  # the same answer for "not yours" and "not there"
        reporter = first_reporter(self.cases.reporters_of(code))
        if reporter is None:
            return t(lang, "mute_no_reporter", code=code)
        self.profiles.set_muted(reporter, muted)
        self.cases.mark_muted(code, muted)
        kind = "mute" if muted else "unmute"
        self.cases.add_event(code, f"{kind}-{update_id}", {"type": kind, "by": person.user_id})
        log.info("reporter muted" if muted else "reporter unmuted", extra={"report_id": code, "by": person.user_id})
        return t(lang, "muted" if muted else "unmuted", code=code)


def first_reporter(reporters: list[dict[str, Any]]) -> int | None:
    """The reporter who made the case (else the earliest one still on it)."""
    people = [r for r in reporters if isinstance(r.get("user_id"), int)]
    if not people:
        return None
    first = [r for r in people if r.get("first")]
    chosen = first[0] if first else min(people, key=lambda r: str(r.get("created_at") or ""))
    return int(chosen["user_id"])
