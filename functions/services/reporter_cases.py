"""What a reporter does to a case of their own after sending it: add more links or media, add a description
later, or withdraw it ("I made a mistake"). Each is audited on the case and refreshes every staff card (fan_out
refreshes cards on the event; reporters are not notified: the one who acted is answered here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from functions.domain.additions import MAX_ADDED_DESCRIPTION
from functions.domain.case import Case
from functions.domain.limits import MAX_ITEMS_PER_REPORT
from functions.domain.models import EvidenceItem, Status
from functions.log import get_logger
from functions.services.case_writes import CaseWriter, CaseWrites, Change
from functions.services.submit import EventSink

log = get_logger("reporter")

WITHDRAWN: Final = "withdrawn"  # the outcome of a withdrawn case and the notice of its event (cards only)
ADDED: Final = "reporter_added"  # the notices of additions (cards only)
DESCRIBED: Final = "reporter_described"
Withdrawal = Literal["withdrawn", "not_alone", "not_open", "child_request"]
Amended = Literal["done", "not_open", "full"]


class CasePort(CaseWrites, Protocol):
    """Reading and changing a case (CaseStore implements it)."""

    def count_reporters(self, code: str) -> int: ...


class EvidencePort(Protocol):
    """Adding evidence to a case and its content index (FirestoreStore implements it)."""

    def attach_evidence(self, code: str, item: EvidenceItem) -> None: ...


class ReporterCases:
    """A reporter's own cases; the caller has checked that the case is theirs (/my lists it)."""

    def __init__(
        self, cases: CasePort, evidence: EvidencePort, events: EventSink, topic: str, clock: Callable[[], datetime]
    ) -> None:
        self.cases = cases
        self.evidence = evidence
        self.clock = clock
        self.writes = CaseWriter(cases, events, topic, clock, log)

    def withdraw(self, code: str, update_id: int) -> Withdrawal:
        """Withdraw the case: only an open one, only when nobody else reported it, never a child's request."""

        def rule(case: Case) -> str | None:
            if case.child_request:  # a child's request for an adult stays with the staff (safeguarding)
                return "child_request"
            # others reported it too: it stays open (the stored count lags behind joins: counted exactly)
            return "not_alone" if max(case.reporter_count, self.cases.count_reporters(code)) > 1 else None

        changes = {"status": Status.REJECTED.value, "outcome": WITHDRAWN}
        result = self._amend(code, update_id, WITHDRAWN, lambda case: changes | {"closed_at": self.clock()}, rule)
        return "withdrawn" if result == "done" else result  # type: ignore[return-value]

    def add(self, code: str, items: list[EvidenceItem], update_id: int) -> Amended:
        """More links or media of the reporter's on their open case (indexed: later reporters join it)."""
        found = self.cases.read_case(code)
        if found is None or not found[0].is_open:
            return "not_open"
        room = MAX_ITEMS_PER_REPORT - len(found[0].urls) - len(found[0].media)  # the per-report bound
        kept = []
        for item in items:
            size = len(item.urls) + len(item.media)
            if size <= room:
                kept.append(item)
                room -= size
        if not kept:
            return "full"
        items = kept
        for item in items:
            self.evidence.attach_evidence(code, item)
        count = sum(len(item.urls) + len(item.media) for item in items)
        return self._amend(code, update_id, ADDED, lambda case: {}, extra={"count": count})  # type: ignore[return-value]

    def describe(self, code: str, text: str, update_id: int) -> Amended:
        """A description written later: added to the case's (bounded), as the reporter's words."""

        def changes(case: Case) -> dict[str, Any]:
            joined = f"{case.description}\n\n{text}" if case.description else text
            return {"description": joined[:MAX_ADDED_DESCRIPTION]}

        return self._amend(code, update_id, DESCRIBED, changes)  # type: ignore[return-value]

    def _amend(
        self,
        code: str,
        update_id: int,
        kind: str,
        changes_of: Callable[[Case], dict[str, Any]],
        rule: Callable[[Case], str | None] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """One precondition write of the case with its audit event and outbox (retried when it changed)."""

        def decide(case: Case) -> Change | str:
            if not case.is_open:
                return "not_open"
            refused = rule(case) if rule is not None else None
            if refused is not None:
                return refused
            changes = changes_of(case)
            to_status = str(changes.get("status", case.status.value))
            # the reporter is on the case's reporters; the audit never names them
            audit = {"type": kind, "by": "reporter", "from": case.status.value, "to": to_status}
            audit |= (extra or {}) | {"update_id": update_id}
            logged = "case changed by its reporter"
            return Change(changes, audit, kind, to_status=to_status, logged=logged, log_extra={"kind": kind})

        done = self.writes.write(code, decide, "not_open")
        return "done" if isinstance(done, Case) else done
