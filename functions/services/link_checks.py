"""The scheduled liveness checks of reported links (run by tick) and the tracking of a case's links.

Each run takes the records due (at most ``batch``), leases them (their next check moved ``LEASE`` ahead, so an
overlapping run does not check them twice), reads their cases in one read, checks the links over HTTP (the
probe: the link checker adapter, never called by the webhook), and writes each record once. A record whose
state changed refreshes the case's cards (an edit, no push); when every link of a case is confirmed removed
the cards say so and each reporter hears it once. A short link whose target is the content of another open
case makes one case of the two: the later is merged into the earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from functions.domain.case import Case
from functions.domain.events import ReportChanged
from functions.domain.liveness import Answer
from functions.domain.takedown import (
    Takedown,
    TakedownState,
    all_removed,
    case_changed,
    content_state,
    new_record,
    record_id,
    with_check,
)
from functions.domain.urls import content_key_for_url
from functions.errors import TransientError
from functions.log import get_logger
from functions.services.submit import EventSink

log = get_logger("link_checks")

LEASE: Final = timedelta(minutes=10)
DEFAULT_BATCH: Final = 40
CONTENT_REMOVED: Final = "content_removed"


class CheckOutcome(Protocol):
    """What the probe says about one link (the link checker's CheckResult)."""

    @property
    def canonical(self) -> str: ...
    @property
    def answer(self) -> Answer: ...
    @property
    def status(self) -> int | None: ...
    @property
    def resolved_from(self) -> str | None: ...


Probe = Callable[[list[str]], Sequence[CheckOutcome]]


class TakedownStorePort(Protocol):
    """What the checks need from storage (TakedownStore implements it)."""

    def track(self, records: Sequence[Takedown]) -> list[Takedown]: ...
    def save_link(self, record: Takedown) -> None: ...
    def due_links(self, now: datetime, limit: int) -> list[Takedown]: ...
    def links_of(self, code: str) -> list[Takedown]: ...
    def cases(self, codes: Iterable[str]) -> dict[str, Case]: ...
    def set_content_state(self, code: str, state: str | None) -> None: ...
    def case_of_content(self, key: str) -> str | None: ...
    def claim_content(self, key: str, code: str) -> bool: ...
    def audit(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


class Merger(Protocol):
    """Merges a duplicate case into a main one (its reporters move over and are told the main case's code)."""

    def __call__(self, duplicate: str, main: str) -> bool: ...


def records_for(case: Case) -> list[Takedown]:
    """The records a case's links need (one per link)."""
    intake = case.created_at or case.updated_at
    if intake is None:
        return []
    return [new_record(case.code, url, intake, case.region, case.category) for url in dict.fromkeys(case.urls)]


class LinkTracking:
    """Starts the takedown track of a case's links (called by fan-out when a case is created or joined)."""

    def __init__(self, store: TakedownStorePort) -> None:
        self.store = store

    def track(self, case: Case) -> int:
        """Create the records of the case's links that have none yet; how many were created."""
        if case.merged_into or not case.urls:
            return 0
        created = self.store.track(records_for(case))
        if created:
            log.info("links tracked", extra={"report_id": case.code, "links": len(created)})
        return len(created)


class LinkChecks:
    """One checker run: the records due, checked, written, and what people must see of it."""

    def __init__(
        self,
        store: TakedownStorePort,
        probe: Probe,
        merge: Merger,
        events: EventSink,
        reports_topic: str,
        clock: Callable[[], datetime],
        batch: int = DEFAULT_BATCH,
    ) -> None:
        self.store = store
        self.probe = probe
        self.merge = merge
        self.events = events
        self.reports_topic = reports_topic
        self.clock = clock
        self.batch = batch

    def run(self) -> dict[str, int]:
        """Check the links due now; counts of links checked, changed, removed and cases merged."""
        counts = {"links_checked": 0, "links_changed": 0, "links_removed": 0, "cases_merged": 0}
        try:
            self._run(counts)
        except TransientError as error:
            log.warning("link checks interrupted; the next tick goes on", extra={"error": str(error)})
        return counts

    def _run(self, counts: dict[str, int]) -> None:
        now = self.clock()
        due = self.store.due_links(now, self.batch)
        if not due:
            return
        for record in due:  # the lease: an overlapping run skips these
            self.store.save_link(record.model_copy(update={"next_check_at": now + LEASE}))
        cases = self.store.cases(record.case_code for record in due)
        for found in cases.values():
            LinkTracking(self.store).track(found)  # links added to a case later (album parts)
        checkable: list[tuple[Takedown, Case]] = []
        for record in due:
            owner = cases.get(record.case_code)
            if owner is None or owner.purged_at is not None:
                self.store.save_link(record.model_copy(update={"next_check_at": None, "case_open": False}))
                continue
            if owner.merged_into:
                self.store.save_link(
                    record.model_copy(update={"merged_into": owner.merged_into, "next_check_at": None})
                )
                continue
            checkable.append((case_changed(record, owner.is_open, owner.closed_at), owner))
        if not checkable:
            return
        results = self.probe([record.url for record, _ in checkable])
        changed: dict[str, Case] = {}
        for (record, case), result in zip(checkable, results, strict=True):
            counts["links_checked"] += 1
            updated = with_check(record, self.clock(), result.answer, result.status)
            if result.resolved_from is not None and result.canonical != record.url:
                updated = updated.model_copy(update={"resolved_url": result.canonical})
                if self._one_case(updated, case, cases):
                    counts["cases_merged"] += 1
            self.store.save_link(updated)
            if updated.state is not record.state:
                counts["links_changed"] += 1
                changed[case.code] = case
                if updated.state is TakedownState.REMOVED:
                    counts["links_removed"] += 1
                    self._audit_removed(updated)
        for case in changed.values():
            self._tell(case)

    def _one_case(self, record: Takedown, case: Case, cases: dict[str, Case]) -> bool:
        """A short link resolved: point its target at this case, or merge the later of the two cases."""
        target = record.resolved_url or ""
        key = content_key_for_url(target)
        other_code = self.store.case_of_content(key)
        if other_code is None:
            self.store.claim_content(key, case.code)
            return False
        if other_code == case.code:
            return False
        other = cases.get(other_code) or self.store.cases([other_code]).get(other_code)
        if other is None or not other.is_open or not case.is_open or other.merged_into:
            return False
        earlier, later = sorted((case, other), key=lambda c: (c.created_at or self.clock(), c.code))
        if not self.merge(later.code, earlier.code):
            return False
        log.info("short link merged two cases", extra={"report_id": later.code, "into": earlier.code})
        return True

    def _audit_removed(self, record: Takedown) -> None:
        self.store.audit(
            record.case_code,
            f"takedown-removed-{record_id(record.case_code, record.url)}",
            {"type": "takedown", "action": "removed", "by": None, "note": record.platform},
        )

    def _tell(self, case: Case) -> None:
        """Refresh the case's cards; when every link is removed, once, tell the reporters too."""
        links = self.store.links_of(case.code)
        now = self.clock()
        state = content_state(links)
        if state != case.content_state:
            self.store.set_content_state(case.code, state)
        if all_removed(links):
            event_id, notice = f"removed-{case.code}", CONTENT_REMOVED
        else:
            event_id, notice = f"links-{case.code}-{int(now.timestamp())}", ""
        event = ReportChanged(
            event_id=event_id,
            report_id=case.code,
            occurred_at=now,
            from_status=case.status.value,
            to_status=case.status.value,
        )
        try:
            self.events.publish(
                self.reports_topic, event, type=event.type, report_id=case.code, notice=notice, argument=""
            )
        except TransientError:
            log.warning("link change not published", extra={"report_id": case.code})
