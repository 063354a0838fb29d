"""Fan-out of an overdue case, on an in-memory store."""

from __future__ import annotations

from typing import Any

from functions.domain.case import Case
from functions.domain.events import ReportOverdue
from functions.domain.jobs import DeliveryJob
from functions.domain.workflow import StaffMember
from functions.services.fanout import FanOut
from tests.unit.builders import NOW, FakePublisher, staff


class FakeFanoutStore:
    def __init__(self, report: dict[str, Any], people: list[StaffMember], holders: list[int]) -> None:
        self.report, self.people, self.holders = report, people, holders
        self.done: set[str] = set()

    def get_case(self, code: str) -> Case | None:
        return Case.from_document(code, self.report)

    def active_staff(self) -> list[StaffMember]:
        return self.people

    def card_holders(self, code: str) -> list[int]:
        return self.holders

    def reporters_of(self, code: str) -> list[dict[str, Any]]:
        return []

    def reporter_of(self, code: str, user_id: int) -> dict[str, Any] | None:
        return None  # a group join: no answers of its own, the case is not raised

    def fanout_done(self, event_id: str) -> bool:
        return event_id in self.done

    def mark_fanout_done(self, event_id: str, jobs: int) -> None:
        self.done.add(event_id)

    def clear_outbox(self, code: str, event_id: str) -> None:
        return None

    def clear_join(self, code: str, user_id: int) -> None:
        return None

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        return True


class TestOverdueFanOut:
    def test_new_cards_for_those_without_alerts_for_those_with_refresh_for_all(self) -> None:
        report = {"id": "R2", "status": "new", "category": "selfharm", "region": "71"}
        people = [staff(1, "specialist", on_duty=True), staff(2, "admin"), staff(3, "regional", ("71",))]
        store = FakeFanoutStore(report, people, holders=[1, 3])
        publisher = FakePublisher()
        event = ReportOverdue(event_id="overdue-R2", report_id="R2", occurred_at=NOW, minutes=16)
        fanout = FanOut(store, publisher, "deliveries", lambda: NOW)  # type: ignore[arg-type]
        assert fanout.handle(event.model_dump(mode="json"), {}) == "4 jobs"
        jobs = [m for _, m in publisher.sent if isinstance(m, DeliveryJob)]
        # Cards refreshed for both holders, a new card for the admin who had none, an alert for the specialist
        # who had one; the region's officer is not an escalation recipient (their card is refreshed only).
        assert sorted((j.recipient_id, j.kind) for j in jobs) == [(1, "card"), (1, "text"), (2, "card"), (3, "card")]
        texts = [j for j in jobs if j.kind == "text"]
        assert [j.recipient_id for j in texts] == [1] and "16 мин" in str(texts[0].text)
        assert fanout.handle(event.model_dump(mode="json"), {}) == "duplicate"
        report["status"] = "in_progress"
        store.done.clear()
        publisher.sent.clear()
        fanout.handle(event.model_dump(mode="json"), {})
        assert sorted(m.kind for _, m in publisher.sent if isinstance(m, DeliveryJob)) == ["card", "card"]
