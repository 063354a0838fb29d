"""Staff re-categorise a case from its card (and so may restrict it): a precondition write, audited, and
fan-out re-routes it (new cards to the newly entitled, the access-changed stub for those no longer cleared)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from functions.domain.case import Case
from functions.domain.escalation import answers_of, may_recategorise, recategorised
from functions.domain.events import ReportChanged
from functions.domain.workflow import StaffMember
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services.submit import EventSink

log = get_logger("staff")

NOTICE: Final = "recategorised"  # fan-out re-routes on it; reporters are not told
ATTEMPTS: Final = 6


class RecategoriseStore(Protocol):
    """What re-categorising needs from storage (CaseStore implements it)."""

    def read_case(self, code: str) -> tuple[Case, Any] | None: ...
    def apply_transition(
        self,
        code: str,
        read_at: Any,
        version: int,
        changes: dict[str, Any],
        event: dict[str, Any],
        outbox: dict[str, Any] | None,
    ) -> bool: ...


class Recategorise:
    """Moves a case to another category for a person allowed to (domain.escalation.may_recategorise)."""

    def __init__(
        self, store: RecategoriseStore, events: EventSink, reports_topic: str, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.events = events
        self.reports_topic = reports_topic
        self.clock = clock

    def apply(self, update_id: int, person: StaffMember, code: str, category: str) -> Case | str:
        """The case after the change (unchanged when it already has that category), or why not (a text)."""
        lang = person.lang
        for _attempt in range(ATTEMPTS):
            found = self.store.read_case(code)
            if found is None:
                return t(lang, "case_not_found")
            case, read_at = found
            now = answers_of(case)
            if now.category == category:
                return case  # a re-sent press, or someone chose the same meanwhile
            status = case.status.value
            if not case.is_open or not may_recategorise(person, now.category, case.region, category):
                return t(lang, "recategorise_refused")
            after = recategorised(now, category)
            changes: dict[str, Any] = {"category": after.category, "severity": after.severity}
            version = case.version
            event = ReportChanged(
                event_id=f"changed-{code}-v{version + 1}",
                report_id=code,
                occurred_at=self.clock(),
                from_status=status,
                to_status=status,
            )
            outbox = event.model_dump(mode="json") | {"notice": NOTICE, "argument": category}
            audit = {
                "type": "recategorised",
                "by": person.user_id,
                "from": now.category,
                "to": after.category,
                "severity": after.severity,
                "update_id": update_id,
            }
            if self.store.apply_transition(code, read_at, version, changes, audit, outbox):
                log.info("case re-categorised", extra={"report_id": code, "by": person.user_id})
                self._publish(event)
                return case.model_copy(
                    update={"category": after.category, "severity": after.severity, "version": version + 1}
                )
        raise TransientError(f"case {code} kept changing")

    def _publish(self, event: ReportChanged) -> None:
        try:
            self.events.publish(
                self.reports_topic, event, type=event.type, report_id=event.report_id, notice=NOTICE, argument=""
            )
        except TransientError:
            log.warning("event not published; tick will retry", extra={"report_id": event.report_id})
