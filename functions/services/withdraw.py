"""A reporter withdraws their own report ("I made a mistake"): the case is closed as withdrawn, audited, and every
staff card of it is refreshed (fan_out refreshes cards on the event; no reporter notice: the reporter is told here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from functions.domain.case import Case
from functions.domain.events import ReportChanged
from functions.domain.models import Status
from functions.errors import TransientError
from functions.log import get_logger
from functions.services.submit import EventSink

log = get_logger("reporter")

WITHDRAWN: Final = "withdrawn"  # the outcome of a withdrawn case and the notice of its event (cards only)
ATTEMPTS: Final = 6
Withdrawal = Literal["withdrawn", "not_alone", "not_open", "child_request"]


class WithdrawStore(Protocol):
    """What a withdrawal needs from storage (CaseStore implements it)."""

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


class Withdrawals:
    """Closes a reporter's own case at their word; the caller has checked that the case is theirs."""

    def __init__(self, store: WithdrawStore, events: EventSink, topic: str, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.events = events
        self.topic = topic
        self.clock = clock

    def withdraw(self, code: str, update_id: int) -> Withdrawal:
        """Withdraw the case: only an open one, only when nobody else reported it, never a child's request."""
        for _attempt in range(ATTEMPTS):
            found = self.store.read_case(code)
            if found is None:
                return "not_open"
            case, read_at = found
            if case.child_request:  # a child's request for an adult stays with the staff (safeguarding)
                return "child_request"
            if not case.is_open:
                return "not_open"
            if case.reporter_count > 1:  # others reported it too: it stays open for them
                return "not_alone"
            now, version = self.clock(), case.version
            event = ReportChanged(
                event_id=f"changed-{code}-v{version + 1}",
                report_id=code,
                occurred_at=now,
                from_status=case.status.value,
                to_status=Status.REJECTED.value,
            )
            changes = {"status": Status.REJECTED.value, "outcome": WITHDRAWN, "closed_at": now}
            audit = {
                "type": WITHDRAWN,
                "by": "reporter",  # the reporter is on the case's reporters; staff never see who
                "from": case.status.value,
                "to": Status.REJECTED.value,
                "update_id": update_id,
            }
            outbox = event.model_dump(mode="json") | {"notice": WITHDRAWN, "argument": ""}
            if self.store.apply_transition(code, read_at, version, changes, audit, outbox):
                log.info("case withdrawn", extra={"report_id": code})
                try:
                    self.events.publish(self.topic, event, type=event.type, report_id=code, notice=WITHDRAWN)
                except TransientError:
                    log.warning("event not published; tick will retry", extra={"report_id": code})
                return "withdrawn"
        raise TransientError(f"case {code} kept changing")
