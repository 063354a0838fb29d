"""Oversight rules without I/O: periods, scopes, statistics and the small-count rule, the SLA ladder's choices,
the chart and the spreadsheet read back with their own libraries, and the tick's once-a-minute guard."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from functions.domain.events import ReportOverdue
from functions.domain.jobs import DeliveryJob
from functions.domain.sla import (
    Thresholds,
    digest_recipients,
    escalation_recipients,
    overdue_reason,
    queue_order,
    reminder_recipients,
)
from functions.domain.statistics import CaseFacts, Request, compute, facts_of, parse_request, scope_regions
from functions.domain.workflow import Role, StaffMember
from functions.services.fanout import FanOut
from functions.services.texts import chunks, duration_text
from functions.services.timed import TimedOversight as Sla

NOW = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)  # 09:05 in Kazakhstan


def staff(user_id: int, role: str, regions: tuple[str, ...] = (), *, on_duty: bool = False, **kw: Any) -> StaffMember:
    return StaffMember(user_id=user_id, role=Role(role), regions=regions, on_duty=on_duty, lang="ru", **kw)


def fact(n: int, region: str = "71", category: str = "bullying", status: str = "new", **kw: Any) -> CaseFacts:
    return CaseFacts(
        code=f"R{n}",
        status=status,
        category=category,
        severity=kw.pop("severity", "normal"),
        region=region,
        created_at=kw.pop("created_at", NOW - timedelta(days=1)),
        **kw,
    )


class TestRequests:
    @pytest.mark.parametrize(
        ("arg", "expected"),
        [
            ("", Request(days=30)),
            ("7d", Request(days=7)),
            ("90", Request(days=90)),
            ("71 7d", Request(days=7, region="71")),
            ("30d 75 pii", Request(days=30, region="75", personal=True)),
        ],
    )
    def test_parse(self, arg: str, expected: Request) -> None:
        assert parse_request(arg) == expected

    @pytest.mark.parametrize("arg", ["12d", "99", "astana", "7d 71 drop"])
    def test_bad(self, arg: str) -> None:
        assert parse_request(arg).bad

    def test_scope(self) -> None:
        regional = staff(1, "regional", ("71", "75"))
        assert scope_regions(regional, None) == ("71", "75")
        assert scope_regions(regional, "75") == ("75",)
        assert scope_regions(regional, "79") == ()
        for role in ("specialist", "admin", "child_safety"):
            assert scope_regions(staff(2, role), None) is None
            assert scope_regions(staff(2, role), "79") == ("79",)


class TestStatistics:
    def test_counts_medians_and_days(self) -> None:
        facts = [
            fact(1, taken_at=NOW - timedelta(days=1) + timedelta(minutes=10)),
            fact(2, taken_at=NOW - timedelta(days=1) + timedelta(minutes=30), status="in_progress"),
            fact(3, status="resolved", closed_at=NOW, taken_at=NOW - timedelta(hours=20), region="75"),
            fact(4, status="rejected", closed_at=NOW, region="79", category="other"),
            fact(5, created_at=NOW - timedelta(days=40)),  # outside the period
        ]
        stats = compute(facts, NOW - timedelta(days=30), NOW, None)
        assert stats.total == 4 and not stats.narrow
        assert stats.by_status == {"new": 1, "in_progress": 1, "resolved": 1, "rejected": 1}
        assert stats.by_category == {"bullying": 3, "other": 1}
        assert (stats.by_region["71"], stats.by_region["75"], stats.by_region["10"]) == (2, 1, 0)
        assert len(stats.by_region) == 20 and len(stats.per_day) == 31
        assert sum(r for _, r, _ in stats.per_day) == 4 and sum(c for _, _, c in stats.per_day) == 2
        assert stats.median_take_minutes == 30  # 10, 30 and 240 minutes
        assert stats.median_resolve_hours == 24  # the rejected case does not count as resolved

    def test_small_counts_hidden_only_below_region_level(self) -> None:
        one_region = compute([fact(1), fact(2, category="teacher")], NOW - timedelta(days=7), NOW, ("71",))
        assert one_region.narrow and one_region.shown(2) == "<5" and one_region.shown(0) == "0"
        assert one_region.shown(5) == "5"
        national = compute([fact(1), fact(2, region="75")], NOW - timedelta(days=7), NOW, None)
        assert not national.narrow and national.shown(1) == "1"
        # Every case of one region: a "national" count by category is that region's count.
        lonely = compute([fact(1), fact(2)], NOW - timedelta(days=7), NOW, None)
        assert lonely.narrow

    def test_facts_of_a_stored_case(self) -> None:
        doc = {"id": "R2", "status": "in_progress", "category": "violence", "region": "71", "created_at": NOW}
        found = facts_of(doc | {"closed_at": NOW})
        assert found is not None and found.closed_at is None  # a reopened case is not closed
        assert facts_of({"id": "R3"}) is None


class TestLadderChoices:
    limits = Thresholds(urgent_take=15, take=24 * 60, stale=7 * 24 * 60)

    @pytest.mark.parametrize(
        ("report", "reason"),
        [
            ({"status": "new", "severity": "urgent", "created_at": NOW - timedelta(minutes=16)}, "urgent"),
            ({"status": "new", "severity": "urgent", "created_at": NOW - timedelta(minutes=14)}, None),
            ({"status": "new", "severity": "high", "created_at": NOW - timedelta(hours=23)}, None),
            ({"status": "new", "severity": "high", "created_at": NOW - timedelta(hours=24)}, "untaken"),
            ({"status": "in_progress", "updated_at": NOW - timedelta(days=7)}, "stale"),
            ({"status": "escalated", "updated_at": NOW - timedelta(days=8)}, "stale"),
            ({"status": "in_progress", "updated_at": NOW - timedelta(days=6)}, None),
            ({"status": "resolved", "updated_at": NOW - timedelta(days=60)}, None),
        ],
    )
    def test_overdue(self, report: dict[str, Any], reason: str | None) -> None:
        assert overdue_reason(report, NOW, self.limits) == reason

    def test_queue_order_is_urgent_first_then_oldest(self) -> None:
        rows = [
            {"id": "a", "severity": "normal", "created_at": NOW - timedelta(days=3)},
            {"id": "b", "severity": "urgent", "created_at": NOW},
            {"id": "c", "severity": "high", "created_at": NOW - timedelta(days=1)},
            {"id": "d", "severity": "urgent", "created_at": NOW - timedelta(hours=1)},
        ]
        assert [r["id"] for r in sorted(rows, key=queue_order)] == ["d", "b", "a", "c"]

    def test_escalation_goes_to_duty_specialists_and_admins_who_may_see_it(self) -> None:
        people = [
            staff(1, "specialist", on_duty=True),
            staff(2, "specialist"),
            staff(3, "admin"),
            staff(4, "regional", ("71",)),
            staff(5, "child_safety", on_duty=True),
            staff(6, "admin", unreachable=True),
            staff(7, "specialist", on_duty=True, active=False),
        ]
        assert [p.user_id for p in escalation_recipients(people, "selfharm", "71")] == [1, 3, 5]
        assert [p.user_id for p in escalation_recipients(people, "sexual", "71")] == [3, 5]

    def test_reminders_go_to_owner_and_region_else_duty_else_admins(self) -> None:
        people = [staff(1, "regional", ("71",)), staff(2, "specialist", on_duty=True), staff(3, "admin")]
        assert [p.user_id for p in reminder_recipients(people, {"category": "other", "region": "71"})] == [1]
        owned = {"category": "other", "region": "71", "assignee": 2}
        assert [p.user_id for p in reminder_recipients(people, owned)] == [1, 2]
        assert [p.user_id for p in reminder_recipients(people, {"category": "other", "region": "10"})] == [2]
        assert [p.user_id for p in reminder_recipients(people[::2], {"category": "other", "region": "10"})] == [3]
        restricted = {"category": "sexual", "region": "71"}
        assert [p.user_id for p in reminder_recipients(people, restricted)] == [3]

    def test_digest_recipients(self) -> None:
        people = [staff(1, "regional", ("71",)), staff(2, "specialist"), staff(3, "admin"), staff(4, "child_safety")]
        assert [p.user_id for p in digest_recipients(people)] == [1, 2, 4]

    def test_texts(self) -> None:
        assert duration_text("ru", timedelta(minutes=90)) == "90 мин"
        assert duration_text("kk", timedelta(hours=30)) == "30 сағ"
        assert duration_text("ru", timedelta(days=8)) == "8 дн."
        parts = chunks(["x" * 3000, "y" * 3000, "z"])
        assert parts == ["x" * 3000, "y" * 3000 + "\nz"]
        assert all(len(p) <= 4096 for p in chunks(["a" * 5000]))


class TestFiles:
    def _stats(self, regions: tuple[str, ...] | None) -> Any:
        facts = [
            fact(i, region="71" if i < 7 else "75", category="bullying" if i < 3 else "violence") for i in range(9)
        ]
        in_scope = [f for f in facts if regions is None or f.region in regions]  # the store applies the scope
        return compute(in_scope, NOW - timedelta(days=7), NOW, regions)

    def test_chart_opens_and_carries_its_numbers_never_small_ones(self) -> None:
        from PIL import Image

        from functions.services import charts

        png = charts.render(self._stats(None), "kk", "барлық өңірлер")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size[0] >= 900
        data = json.loads(image.text["qorgau"])
        assert {r["code"]: r["count"] for r in data["regions"]}["71"] == 7 and len(data["regions"]) == 20
        assert data["regions"][0]["name"] == "Астана қаласы"
        assert sum(int(d["received"]) for d in data["per_day"]) == 9
        narrow = json.loads(Image.open(io.BytesIO(charts.render(self._stats(("75",)), "ru", "x"))).text["qorgau"])
        assert {d["received"] for d in narrow["per_day"]} <= {"0", "<5"}  # 2 cases on one day in one region

    def test_spreadsheet_opens_with_the_right_rows_and_no_personal_data_unless_given(self) -> None:
        from openpyxl import load_workbook

        from functions.services import export

        rows = [
            {"id": "R2", "status": "resolved", "category": "bullying", "severity": "normal", "region": "71",
             "created_at": NOW - timedelta(hours=5), "taken_at": NOW - timedelta(hours=4), "closed_at": NOW,
             "outcome": "child_helped", "reporter_count": 2, "source": "group"},
            {"id": "R3", "status": "new", "category": "sexual", "severity": "urgent", "region": "75",
             "created_at": NOW - timedelta(hours=1), "sla_escalated_at": NOW},
        ]  # fmt: skip
        stats = self._stats(None)
        plain = load_workbook(io.BytesIO(export.workbook(rows, stats, "ru", "все", None)), read_only=True)
        cases = [tuple(r) for r in plain.worksheets[0].iter_rows(values_only=True)]
        assert len(cases) == 3 and len(cases[0]) == len(export.COLUMNS)
        first = dict(zip(export.COLUMNS, cases[1], strict=True))
        assert first["code"] == "R2" and first["outcome"] == "ребёнку оказана помощь"
        assert first["created"] == datetime(2026, 3, 10, 4, 5) and first["minutes_to_take"] == 60
        assert first["hours_to_close"] == 5 and first["reporters"] == 2 and first["source"] == "группа"
        second = dict(zip(export.COLUMNS, cases[2], strict=True))
        assert second["sla_escalated"] == "да" and second["closed"] is None
        personal = export.workbook(rows, stats, "kk", "барлығы", {"R2": [7, 5]})
        sheet = load_workbook(io.BytesIO(personal), read_only=True).worksheets[0]
        table = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        assert table[0][-1] == "Хабарлағандардың id-лері" and table[1][-1] == "5, 7" and not table[2][-1]


# --- the tick's guard and the ladder's publishing, on fakes ----------------------------------------------------


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

    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[dict[str, Any]]:
        return [r for r in self.reports.values() if r["status"] in {"new", "in_progress", "escalated"}]

    def cases_created(self, since: datetime, until: datetime, regions: Any, fields: Any) -> list[dict[str, Any]]:
        return [r for r in self.reports.values() if since <= r["created_at"] < until]

    def urgent_untaken(self, created_before: datetime) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.reports.values()
            if r["status"] == "new" and r["severity"] == "urgent" and r["created_at"] < created_before
        ]

    def untaken_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return [dict(r) for r in self.reports.values() if r["status"] == "new" and start <= r["created_at"] < end]

    def stale_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return []

    def closed_between(self, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]:
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


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[str, BaseModel]] = []

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str:
        self.sent.append((topic, message))
        return "1"

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None:
        self.sent += [(topic, m) for m in messages]


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
        assert first == {"escalated": 1, "reminded": 1, "digests": 2, "purged": 0}
        sent = len(publisher.sent)
        assert make_sla(store, publisher, NOW + timedelta(seconds=50)).run() == dict.fromkeys(first, 0)
        assert len(publisher.sent) == sent
        later = make_sla(store, publisher, NOW + timedelta(minutes=1)).run()
        assert later == {"escalated": 0, "reminded": 0, "digests": 0, "purged": 0}
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


class FakeFanoutStore:
    def __init__(self, report: dict[str, Any], people: list[StaffMember], holders: list[int]) -> None:
        self.report, self.people, self.holders = report, people, holders
        self.done: set[str] = set()

    def get_report(self, code: str) -> tuple[dict[str, Any], Any] | None:
        return self.report, None

    def active_staff(self) -> list[StaffMember]:
        return self.people

    def card_holders(self, code: str) -> list[int]:
        return self.holders

    def reporters_of(self, code: str) -> list[dict[str, Any]]:
        return []

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
