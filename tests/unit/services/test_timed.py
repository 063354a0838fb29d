"""The tick's once-a-minute guard and the ladder's publishing, on an in-memory store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.events import ReportOverdue
from functions.domain.sla import (
    Thresholds,
)
from functions.domain.workflow import StaffMember
from functions.services.timed import TimedOversight as Sla
from tests.unit.builders import NOW, FakePublisher, staff


def as_row(document: dict[str, Any]) -> CaseRow:
    """A stored document as the store's queries return it."""
    return CaseRow.from_document(str(document["id"]), document)


class FakeStore:
    """An in-memory SlaStore."""

    def __init__(self, reports: list[dict[str, Any]], people: list[StaffMember]) -> None:
        self.reports = {r["id"]: r for r in reports}
        self.people = people
        self.markers: set[str] = set()
        self.state: dict[str, Any] = {}
        self.events: list[tuple[str, str]] = []

    def all_staff(self) -> list[StaffMember]:
        return self.people

    def card_holders(self, code: str) -> list[int]:
        return []

    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[CaseRow]:
        return [as_row(r) for r in self.reports.values() if r["status"] in {"new", "in_progress", "escalated"}]

    def cases_created(self, since: datetime, until: datetime, regions: Any, fields: Any) -> list[CaseRow]:
        return [as_row(r) for r in self.reports.values() if since <= r["created_at"] < until]

    def urgent_untaken(self, created_before: datetime) -> list[CaseRow]:
        return [
            as_row(r)
            for r in self.reports.values()
            if r["status"] == "new" and r["severity"] == "urgent" and r["created_at"] < created_before
        ]

    def untaken_between(self, start: datetime, end: datetime) -> list[CaseRow]:
        return [as_row(r) for r in self.reports.values() if r["status"] == "new" and start <= r["created_at"] < end]

    def stale_between(self, start: datetime, end: datetime) -> list[CaseRow]:
        return []

    def child_requests_since(self, since: datetime) -> list[Case]:
        rows = [r for r in self.reports.values() if r.get("child_request") and r["created_at"] >= since]
        return [Case.from_document(str(r["id"]), r) for r in rows]

    def closed_between(self, start: datetime, end: datetime, limit: int) -> list[CaseRow]:
        return []

    def claim_marker(self, name: str, ttl: timedelta) -> bool:
        if name in self.markers:
            return False
        self.markers.add(name)
        return True

    def has_marker(self, name: str) -> bool:
        return name in self.markers

    def get_state(self, name: str) -> tuple[dict[str, Any], Any]:
        return dict(self.state), None

    def set_state(self, name: str, fields: dict[str, Any], read_at: Any) -> bool:
        self.state.update(fields)
        return True

    def mark_reports(self, changes: dict[str, dict[str, Any]]) -> None:
        for code, fields in changes.items():
            self.reports[code].update(fields)

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        if (code, event_id) in self.events:
            return False
        self.events.append((code, event_id))
        return True

    def purge_case(self, code: str) -> bool:
        return False


def make_sla(store: FakeStore, publisher: FakePublisher, clock: datetime) -> Sla:
    return Sla(store, publisher, "reports", "deliveries", Thresholds(), 9, timedelta(days=365), lambda: clock)


class TestTickGuard:
    def test_twice_in_the_same_minute_does_nothing_twice(self) -> None:
        reports = [
            {"id": "R2", "status": "new", "severity": "urgent", "category": "selfharm", "region": "71",
             "created_at": NOW - timedelta(minutes=20)},
            {"id": "R3", "status": "new", "severity": "normal", "category": "other", "region": "71",
             "created_at": NOW - timedelta(hours=30)},
        ]  # fmt: skip
        store = FakeStore(reports, [staff(1, "regional", ("71",)), staff(2, "specialist", on_duty=True)])
        publisher = FakePublisher()
        first = make_sla(store, publisher, NOW).run()
        assert first == {"escalated": 1, "reminded": 1, "first_contact": 0, "digests": 2, "purged": 0}
        sent = len(publisher.sent)
        assert make_sla(store, publisher, NOW + timedelta(seconds=50)).run() == dict.fromkeys(first, 0)
        assert len(publisher.sent) == sent
        later = make_sla(store, publisher, NOW + timedelta(minutes=1)).run()
        assert later == {"escalated": 0, "reminded": 0, "first_contact": 0, "digests": 0, "purged": 0}
        overdue = [m for _, m in publisher.sent if isinstance(m, ReportOverdue)]
        assert [(o.report_id, o.minutes) for o in overdue] == [("R2", 20)]
        assert store.reports["R2"]["sla_pending"] is False and store.reports["R3"]["sla_take_reminded_at"] == NOW

    def test_an_unpublished_escalation_is_tried_again(self) -> None:
        from functions.errors import TransientError

        report = {"id": "R2", "status": "new", "severity": "urgent", "category": "selfharm", "region": "71",
                  "created_at": NOW - timedelta(minutes=20)}  # fmt: skip
        store = FakeStore([report], [])

        class Failing(FakePublisher):
            def publish(self, topic: str, message: BaseModel, **attributes: str) -> str:
                raise TransientError("pubsub down")

        assert make_sla(store, Failing(), NOW).escalate(NOW) == 0
        assert store.reports["R2"]["sla_pending"] is True and store.reports["R2"]["sla_escalated_at"] == NOW
        publisher = FakePublisher()
        assert make_sla(store, publisher, NOW + timedelta(minutes=1)).escalate(NOW + timedelta(minutes=1)) == 1
        assert store.reports["R2"]["sla_escalated_at"] == NOW  # the first time it was escalated is kept
