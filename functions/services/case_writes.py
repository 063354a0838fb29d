"""One write of a case: read it, decide, write it only if it did not change since it was read (re-read and
decided again when it did), then publish its event. Staff transitions, re-categorising and a reporter's own
changes are all this write; of two people acting at once exactly one succeeds, the other is decided again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Final, Protocol, TypeVar

from functions.domain.case import Case, CaseWrite
from functions.domain.events import ReportChanged
from functions.errors import TransientError
from functions.services.submit import EventSink

ATTEMPTS: Final = 6
R = TypeVar("R")


class Again(Enum):
    """An attempt lost the race: the case changed since it was read (read again and decide again)."""

    AGAIN = "again"


AGAIN: Final = Again.AGAIN


class CaseReads(Protocol):
    """Reading a case with what a precondition write needs (its update time)."""

    def read_case(self, code: str) -> tuple[Case, Any] | None: ...


class CaseWrites(CaseReads, Protocol):
    """Reading a case and writing it on a precondition (CaseStore implements it)."""

    def apply_transition(self, code: str, read_at: Any, write: CaseWrite) -> bool: ...


def retried(
    store: CaseReads, code: str, attempt: Callable[[Case, Any], R | Again], missing: R, attempts: int = ATTEMPTS
) -> R:
    """Read the case and attempt a precondition write on it, again while it changed meanwhile.

    Args:
        store: where the case is read (with its update time).
        code: the case.
        attempt: given the case and its update time: the outcome, or AGAIN when the write lost the race.
        missing: the outcome when there is no such case.
        attempts: how many reads at most.

    Raises:
        TransientError: the case kept changing (every attempt lost the race).
    """
    for _attempt in range(attempts):
        found = store.read_case(code)
        if found is None:
            return missing
        outcome = attempt(*found)
        if not isinstance(outcome, Again):
            return outcome
    raise TransientError(f"case {code} kept changing")


@dataclass(frozen=True)
class Change:
    """What one write does to the case as read: its fields, its audit event, what fan-out is told."""

    changes: dict[str, Any]
    audit: dict[str, Any]
    notice: str
    argument: str | None = None  # None: the event carries no argument attribute (the outbox an empty one)
    to_status: str | None = None  # None: the status stays
    logged: str = "case changed"
    log_extra: dict[str, Any] = field(default_factory=dict)


class CaseWriter:
    """Writes a case by a decision taken on the case as read, retried while others change it meanwhile."""

    def __init__(
        self, store: CaseWrites, events: EventSink, topic: str, clock: Callable[[], datetime], log: logging.Logger
    ) -> None:
        self.store = store
        self.events = events
        self.topic = topic
        self.clock = clock
        self.log = log

    def write(self, code: str, decide: Callable[[Case], Change | R], missing: R) -> Case | R:
        """The case after the write; or what `decide` answered instead of a change; or `missing` (no such case).

        Raises:
            TransientError: the case kept changing (every attempt lost the race).
        """

        def attempt(case: Case, read_at: Any) -> Case | R | Again:
            decided = decide(case)
            if not isinstance(decided, Change):
                return decided
            version = case.version
            event = ReportChanged(
                event_id=f"changed-{code}-v{version + 1}",
                report_id=code,
                occurred_at=self.clock(),
                from_status=case.status.value,
                to_status=decided.to_status or case.status.value,
            )
            outbox = event.model_dump(mode="json") | {"notice": decided.notice, "argument": decided.argument or ""}
            write = CaseWrite(version, decided.changes, decided.audit, outbox)
            if not self.store.apply_transition(code, read_at, write):
                return AGAIN
            self.log.info(decided.logged, extra={"report_id": code} | decided.log_extra)
            self._publish(event, decided)
            return case.model_copy(update=decided.changes | {"version": version + 1})

        nothing: Case | R = missing
        return retried(self.store, code, attempt, nothing)

    def _publish(self, event: ReportChanged, change: Change) -> None:
        argument = {"argument": change.argument} if change.argument is not None else {}
        try:
            self.events.publish(
                self.topic, event, type=event.type, report_id=event.report_id, notice=change.notice, **argument
            )
        except TransientError:
            self.log.warning("event not published; tick will retry", extra={"report_id": event.report_id})
