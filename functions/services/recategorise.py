"""Staff re-categorise a case from its card (and so may restrict it): a precondition write, audited, and
fan-out re-routes it (new cards to the newly entitled, the access-changed stub for those no longer cleared)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from functions.domain.case import Case
from functions.domain.escalation import answers_of, may_recategorise, recategorised
from functions.domain.workflow import StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services.case_writes import CaseWriter, CaseWrites, Change
from functions.services.submit import EventSink

log = get_logger("staff")

NOTICE: Final = "recategorised"  # fan-out re-routes on it; reporters are not told


class Recategorise:
    """Moves a case to another category for a person allowed to (domain.escalation.may_recategorise)."""

    def __init__(self, store: CaseWrites, events: EventSink, reports_topic: str, clock: Callable[[], datetime]) -> None:
        self.writes = CaseWriter(store, events, reports_topic, clock, log)

    def apply(self, update_id: int, person: StaffMember, code: str, category: str) -> Case | str:
        """The case after the change (unchanged when it already has that category), or why not (a text)."""
        lang = person.lang

        def decide(case: Case) -> Change | Case | str:
            now = answers_of(case)
            if now.category == category:
                return case  # a re-sent press, or someone chose the same meanwhile
            if not case.is_open or not may_recategorise(person, now.category, case.region, category):
                return t(lang, "recategorise_refused")
            after = recategorised(now, category)
            audit = {
                "type": "recategorised",
                "by": person.user_id,
                "from": now.category,
                "to": after.category,
                "severity": after.severity,
                "update_id": update_id,
            }
            changes = {"category": after.category, "severity": after.severity}
            logged, by = "case re-categorised", {"by": person.user_id}
            return Change(changes, audit, NOTICE, argument="", logged=logged, log_extra=by)

        return self.writes.write(code, decide, t(lang, "case_not_found"))
