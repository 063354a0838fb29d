"""Raising a case on a join, re-routing it, re-categorising from the card: the use cases on in-memory ports."""

from __future__ import annotations

import logging
from typing import Any

from functions.domain.case import Case, CaseWrite
from functions.domain.events import ReportChanged, ReportCreated, ReportJoined
from functions.domain.jobs import DeliveryJob
from functions.domain.workflow import StaffMember
from functions.services.fanout import FanOut
from functions.services.recategorise import Recategorise
from tests.unit.builders import NOW, FakePublisher, staff


class CaseDocs:
    """One case document with an update counter standing in for Firestore's update time."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = dict(report)
        self.version = 0
        self.events: dict[str, dict[str, Any]] = {}
        self.conflicts = 0  # how many precondition writes to refuse (someone else wrote meanwhile)

    def read_case(self, code: str) -> tuple[Case, Any] | None:
        return Case.from_document(code, self.report), self.version

    def get_case(self, code: str) -> Case | None:
        return Case.from_document(code, self.report)

    def _write(self, read_at: Any, changes: dict[str, Any]) -> bool:
        if self.conflicts:
            self.conflicts -= 1
            self.version += 1
            return False
        if read_at != self.version:
            return False
        self.report |= changes
        self.version += 1
        return True


class FanoutDocs(CaseDocs):
    def __init__(self, report: dict[str, Any], people: list[StaffMember], holders: list[int]) -> None:
        super().__init__(report)
        self.people, self.holders = people, holders
        self.reporters: dict[int, dict[str, Any]] = {}
        self.done: set[str] = set()

    def active_staff(self) -> list[StaffMember]:
        return self.people

    def card_holders(self, code: str) -> list[int]:
        return self.holders

    def reporters_of(self, code: str) -> list[dict[str, Any]]:
        return list(self.reporters.values())

    def reporter_of(self, code: str, user_id: int) -> dict[str, Any] | None:
        return self.reporters.get(user_id)

    def raise_case(
        self, code: str, read_at: Any, changes: dict[str, Any], audit_id: str, audit: dict[str, Any]
    ) -> bool:
        if not self._write(read_at, changes):
            return False
        self.events[audit_id] = audit
        return True

    def fanout_done(self, event_id: str) -> bool:
        return event_id in self.done

    def mark_fanout_done(self, event_id: str, jobs: int) -> None:
        self.done.add(event_id)

    def clear_outbox(self, code: str, event_id: str) -> None:
        return None

    def clear_join(self, code: str, user_id: int) -> None:
        return None

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        self.events.setdefault(event_id, event)
        return True

    def refresh_reporter_count(self, code: str, min_interval: Any) -> int | None:
        return None  # reporters are counted from their documents (issue 15): nothing to refresh here


class SyncedRollups:
    """The statistics roll-ups: which cases were brought in step with (and how they looked then)."""

    def __init__(self, docs: CaseDocs) -> None:
        self.docs = docs
        self.synced: list[tuple[str, str]] = []

    def sync(self, code: str) -> int:
        self.synced.append((code, str(self.docs.report["category"])))
        return 1


PEOPLE = [
    staff(1, "regional", ("71",)),
    staff(2, "specialist", on_duty=True),
    staff(3, "child_safety"),
    staff(4, "admin"),
]


def jobs_of(publisher: FakePublisher) -> list[tuple[int, str]]:
    return sorted((m.recipient_id, m.job_id) for _, m in publisher.sent if isinstance(m, DeliveryJob))


def joined(user_id: int) -> dict[str, Any]:
    event = ReportJoined(event_id=f"joined-R2-{user_id}", report_id="R2", occurred_at=NOW, reporter_user_id=user_id)
    return event.model_dump(mode="json")


class TestJoinRaisesTheCase:
    def store(self, **answers: Any) -> FanoutDocs:
        docs = FanoutDocs({"status": "new", "category": "violence", "severity": "high", "region": "71"}, PEOPLE, [1, 2])
        docs.reporters[50] = {"user_id": 50, "answers": {"category": "violence", "severity": "high"}}
        docs.reporters[51] = {"user_id": 51, "answers": answers}
        return docs

    def test_a_restricted_answer_restricts_and_reroutes(self) -> None:
        docs = self.store(category="sexual", severity="urgent", child_in_danger=False)
        docs.conflicts = 2  # two other joins incremented the case meanwhile: re-read, write again
        publisher = FakePublisher()
        FanOut(docs, publisher, "deliveries", lambda: NOW).handle(joined(51), {})  # type: ignore[arg-type]
        assert (docs.report["category"], docs.report["severity"]) == ("sexual", "urgent")
        assert docs.events["raised-51"]["from_category"] == "violence"
        # both holders re-rendered (delivery turns their cards into the stub), child_safety and the admin
        # get a card now
        assert [r for r, _ in jobs_of(publisher)] == [1, 2, 3, 4]

    def test_a_raised_case_is_counted_under_its_new_category(self) -> None:
        docs = self.store(category="sexual", severity="urgent", child_in_danger=False)
        rollups = SyncedRollups(docs)
        fanout = FanOut(docs, FakePublisher(), "deliveries", lambda: NOW, rollups)  # type: ignore[arg-type]
        fanout.handle(joined(51), {})
        assert rollups.synced == [("R2", "sexual")]

    def test_a_milder_answer_leaves_the_roll_ups(self) -> None:
        docs = self.store(category="bullying", severity="normal")
        rollups = SyncedRollups(docs)
        fanout = FanOut(docs, FakePublisher(), "deliveries", lambda: NOW, rollups)  # type: ignore[arg-type]
        fanout.handle(joined(51), {})
        assert rollups.synced == []

    def test_a_milder_answer_writes_nothing_and_refreshes_in_the_join_bucket(self) -> None:
        docs = self.store(category="bullying", severity="normal")
        publisher = FakePublisher()
        FanOut(docs, publisher, "deliveries", lambda: NOW).handle(joined(51), {})  # type: ignore[arg-type]
        assert docs.version == 0 and "raised-51" not in docs.events
        assert [r for r, _ in jobs_of(publisher)] == [1, 2]
        assert all(job_id.startswith("join-R2-") for _, job_id in jobs_of(publisher))

    def test_danger_now_makes_it_urgent_for_every_specialist_and_admin(self) -> None:
        docs = self.store(category="bullying", severity="urgent", child_in_danger=True)
        publisher = FakePublisher()
        FanOut(docs, publisher, "deliveries", lambda: NOW).handle(joined(51), {})  # type: ignore[arg-type]
        assert docs.report["severity"] == "urgent" and docs.report["child_in_danger"] is True
        assert docs.report["category"] == "violence"
        assert [r for r, _ in jobs_of(publisher)] == [1, 2, 3, 4]


class TestRouting:
    def test_a_case_nobody_can_receive_is_logged_once(self) -> None:
        docs = FanoutDocs({"status": "new", "category": "violence", "severity": "high", "region": "79"}, [], [])
        event = ReportCreated(
            event_id="created-R2", report_id="R2", occurred_at=NOW, severity="high", region="79", category="violence"
        )
        records: list[logging.LogRecord] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        handler = Keep()
        logging.getLogger("qorgau").addHandler(handler)
        try:
            fanout = FanOut(docs, FakePublisher(), "deliveries", lambda: NOW)  # type: ignore[arg-type]
            fanout.handle(event.model_dump(mode="json"), {})
        finally:
            logging.getLogger("qorgau").removeHandler(handler)
        unrouted = [r for r in records if getattr(r, "event", None) == "case_unrouted"]
        assert len(unrouted) == 1 and unrouted[0].levelno == logging.ERROR
        assert getattr(unrouted[0], "report_id", None) == "R2"

    def test_notices_never_carry_where_a_case_went(self) -> None:
        docs = FanoutDocs({"status": "escalated", "category": "violence", "region": "71"}, PEOPLE, [])
        docs.reporters[50] = {"user_id": 50, "chat_id": 50}
        event = ReportChanged(
            event_id="changed-R2-v2", report_id="R2", occurred_at=NOW, from_status="in_progress", to_status="escalated"
        )
        publisher = FakePublisher()
        fanout = FanOut(docs, publisher, "deliveries", lambda: NOW)  # type: ignore[arg-type]
        fanout.handle(event.model_dump(mode="json"), {"notice": "escalated", "argument": "police"})
        notices = [m for _, m in publisher.sent if isinstance(m, DeliveryJob) and m.kind == "notice"]
        assert len(notices) == 1 and notices[0].argument is None


class RecategoriseDocs(CaseDocs):
    def apply_transition(self, code: str, read_at: Any, write: CaseWrite) -> bool:
        version, changes, event, outbox = write.version, write.changes, write.event, write.outbox
        if not self._write(read_at, changes | {"version": version + 1, "outbox": outbox}):
            return False
        self.events[f"v{version + 1:06d}"] = event
        return True


class TestRecategorise:
    def service(self, category: str = "violence") -> tuple[RecategoriseDocs, Recategorise, FakePublisher]:
        docs = RecategoriseDocs({"status": "new", "category": category, "severity": "high", "region": "71"})
        publisher = FakePublisher()
        return docs, Recategorise(docs, publisher, "reports", lambda: NOW), publisher

    def test_an_officer_restricts_a_case_audited_and_published_for_rerouting(self) -> None:
        docs, service, publisher = self.service()
        docs.conflicts = 1
        done = service.apply(7, staff(1, "regional", ("71",)), "R2", "sexual")
        assert isinstance(done, Case) and (done.category, done.severity) == ("sexual", "urgent")
        assert docs.report["outbox"]["notice"] == "recategorised"
        audit = next(iter(docs.events.values()))
        assert (audit["type"], audit["by"], audit["from"], audit["to"]) == ("recategorised", 1, "violence", "sexual")
        assert [type(m).__name__ for _, m in publisher.sent] == ["ReportChanged"]

    def test_refusals_and_a_resent_press(self) -> None:
        docs, service, publisher = self.service(category="sexual")
        assert isinstance(service.apply(7, staff(4, "admin"), "R2", "bullying"), str)  # not cleared to lift it
        assert isinstance(service.apply(7, staff(1, "regional", ("75",)), "R2", "violence"), str)
        assert isinstance(service.apply(7, staff(3, "child_safety"), "R2", "hologram"), str)
        same = service.apply(7, staff(3, "child_safety"), "R2", "sexual")
        assert isinstance(same, Case) and docs.version == 0 and publisher.sent == []
        lifted = service.apply(8, staff(3, "child_safety"), "R2", "bullying")
        assert isinstance(lifted, Case) and lifted.category == "bullying" and lifted.severity == "high"
