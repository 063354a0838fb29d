"""A revoked person's open cases go back to the queue, on in-memory ports: the release itself, its pages (the
webhook's first, tick's rest), idempotence after a retry or a crash, and the fan-out of a released case."""

from __future__ import annotations

from typing import Any

import pytest

from functions.domain.case import Case
from functions.domain.events import ReportChanged
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Status
from functions.domain.rollups import facts_from_case
from functions.domain.workflow import Role, StaffMember
from functions.errors import TransientError
from functions.i18n import t
from functions.services import cards
from functions.services.fanout import FanOut
from functions.services.release import REVOKE_PAGE, told
from functions.services.ticker import Ticker
from tests.unit.builders import NOW, FakePublisher, staff
from tests.unit.fakes import ADMIN, Desk, text_of
from tests.unit.services.test_fanout import FakeFanoutStore

OFFICER = 8101


def desk_with_officer() -> Desk:
    desk = Desk()
    member = StaffMember(user_id=OFFICER, role=Role.REGIONAL, regions=("71",), name="Officer")
    desk.staff_store.put_staff(member, invited_by=ADMIN)
    return desk


def case(desk: Desk, code: str, status: str = "in_progress", assignee: int | None = OFFICER, **extra: Any) -> str:
    desk.store.reports[code] = {
        "id": code,
        "status": status,
        "category": "violence",
        "severity": "high",
        "region": "71",
        "urls": [],
        "media": [],
        "created_at": desk.clock(),
        "assignee": assignee,
        "taken_at": desk.clock() if assignee else None,
    } | extra
    desk.store.reporters[code] = {8000: {"first": True}}
    return code


def released_events(desk: Desk) -> list[tuple[str, dict[str, Any]]]:
    return [(code, event) for code, event in desk.staff_store.transitions if event["type"] == "released"]


class TestRevokeReleases:
    def test_open_cases_go_back_to_new_with_history_event_and_the_admin_hears_how_many(self) -> None:
        desk = desk_with_officer()
        taken = case(desk, "R100001")
        escalated = case(desk, "R100002", status="escalated", escalated_to="police", escalated_at=NOW)
        answer = text_of(desk.message(ADMIN, f"/revoke {OFFICER}"))
        assert t("ru", "revoked", user_id=OFFICER) in answer and told("ru", 2, OFFICER) in answer
        assert "2 открытых обращения" in answer
        for code in (taken, escalated):
            report = desk.store.reports[code]
            assert report["status"] == "new" and report["assignee"] is None and report["taken_at"] is None
        # An escalated case keeps where it was passed: the next owner follows up instead of passing it again.
        assert desk.store.reports[escalated]["escalated_to"] == "police"
        assert desk.store.reports[escalated]["escalated_at"] == NOW
        events = dict(released_events(desk))
        assert events[escalated] == {
            "type": "released",
            "by": ADMIN,
            "from": "escalated",
            "to": "new",
            "note": "owner_revoked",
            "owner": OFFICER,
        }
        assert events[taken]["from"] == "in_progress"
        changed = [(m, a) for _, m, a in desk.events.sent if isinstance(m, ReportChanged)]
        assert sorted(m.report_id for m, _ in changed) == [taken, escalated]
        assert {a["notice"] for _, a in changed} == {"released"} and {m.to_status for m, _ in changed} == {"new"}
        assert desk.staff_store.marks[OFFICER]["release_pending"] is False  # finished inside /revoke

    def test_only_their_open_cases_are_released(self) -> None:
        desk = desk_with_officer()
        other = case(desk, "R100011", assignee=8102)
        closed = case(desk, "R100012", status="resolved", outcome="content_removed")
        waiting = case(desk, "R100013", status="new", assignee=None)
        answer = text_of(desk.message(ADMIN, f"/revoke {OFFICER}"))
        assert answer == t("ru", "revoked", user_id=OFFICER)  # nothing released: nothing more said
        assert desk.store.reports[other]["status"] == "in_progress" and desk.store.reports[other]["assignee"] == 8102
        assert desk.store.reports[closed]["status"] == "resolved"
        assert desk.store.reports[waiting].get("version") is None and released_events(desk) == []

    def test_a_retried_revoke_releases_nothing_twice(self) -> None:
        desk = desk_with_officer()
        case(desk, "R100021")
        desk.message(ADMIN, f"/revoke {OFFICER}")
        again = text_of(desk.message(ADMIN, f"/revoke {OFFICER}"))
        assert len(released_events(desk)) == 1 and desk.store.reports["R100021"]["version"] == 1
        assert told("ru", 1, OFFICER) in again  # the same answer: one case was released

    def test_the_kazakh_admin_hears_it_in_kazakh(self) -> None:
        desk = desk_with_officer()
        desk.staff_store.put_staff(StaffMember(user_id=ADMIN, role=Role.ADMIN, lang="kk"), invited_by=None)
        case(desk, "R100031")
        answer = text_of(desk.message(ADMIN, f"/revoke {OFFICER}", lang="kk"))
        assert told("kk", 1, OFFICER) in answer and "1 ашық өтініші" in answer


class TestPages:
    def test_many_cases_the_webhook_releases_one_page_and_tick_finishes_and_tells_the_admin(self) -> None:
        desk = desk_with_officer()
        codes = [case(desk, f"R2{n:05d}") for n in range(REVOKE_PAGE + 7)]
        answer = text_of(desk.message(ADMIN, f"/revoke {OFFICER}"))
        assert t("ru", "release_later") in answer
        assert len(released_events(desk)) == REVOKE_PAGE and desk.staff_store.marks[OFFICER]["release_pending"]
        desk.events.sent.clear()
        assert desk.releases.run() == {"released": 7}
        assert all(desk.store.reports[c]["status"] == "new" for c in codes)
        [job] = [m for _, m, _ in desk.events.sent if isinstance(m, DeliveryJob)]
        assert job.kind == "text" and job.recipient_id == ADMIN and job.text == told("ru", REVOKE_PAGE + 7, OFFICER)
        assert desk.releases.run() == {"released": 0} and len(released_events(desk)) == REVOKE_PAGE + 7

    def test_a_crash_half_way_is_finished_by_tick_without_releasing_twice(self) -> None:
        desk = desk_with_officer()
        for n in range(5):
            case(desk, f"R3{n:05d}")
        writes = desk.staff_store.apply_transition
        calls = []

        def dying(code: str, read_at: Any, write: Any) -> bool:
            calls.append(code)
            if len(calls) == 3:
                raise TransientError("firestore down")
            return writes(code, read_at, write)

        desk.staff_store.apply_transition = dying  # type: ignore[method-assign]
        assert t("ru", "release_later") in text_of(desk.message(ADMIN, f"/revoke {OFFICER}"))
        assert len(released_events(desk)) == 2
        desk.staff_store.apply_transition = writes  # type: ignore[method-assign]
        assert desk.releases.run() == {"released": 3}
        assert sorted(code for code, _ in released_events(desk)) == [f"R3{n:05d}" for n in range(5)]
        [job] = [m for _, m, _ in desk.events.sent if isinstance(m, DeliveryJob)]
        assert job.text == told("ru", 5, OFFICER)

    def test_a_case_taken_over_or_closed_meanwhile_is_left_alone(self) -> None:
        desk = desk_with_officer()
        code = case(desk, "R400001")
        reads = desk.staff_store.read_case

        def changed_meanwhile(found: str) -> tuple[Case, Any] | None:
            desk.store.reports[found] |= {"status": "resolved", "outcome": "content_removed"}
            return reads(found)

        desk.staff_store.read_case = changed_meanwhile  # type: ignore[method-assign,assignment]
        assert desk.releases.page(OFFICER, ADMIN, 10) == (0, True)
        assert desk.store.reports[code]["status"] == "resolved" and released_events(desk) == []

    def test_tick_runs_the_release_step(self) -> None:
        class Step:
            def run(self) -> dict[str, int]:
                return {"released": 4}

        class Nothing:
            def pending_creations(self, older_than: Any, limit: int = 200) -> list[str]:
                return []

            def pending_joins(self, older_than: Any, limit: int = 200) -> list[tuple[str, int]]:
                return []

            def get_case(self, code: str) -> Case | None:
                return None

        class Oversight:
            def run(self) -> dict[str, int]:
                return {}

        ticker = Ticker(Nothing(), FakePublisher(), "reports", lambda: NOW, Oversight(), releases=Step())  # type: ignore[arg-type]
        assert ticker.run()["released"] == 4


class TestReleasedFanOut:
    def test_holders_re_rendered_routed_people_get_a_card_or_an_alert(self) -> None:
        report: dict[str, Any] = {"id": "R5", "status": "new", "category": "violence", "region": "71"}
        report["outbox"] = {"event_id": "changed-R5-v3", "notice": "released", "argument": ""}
        # 1: the revoked officer (inactive: not routed; their card is re-rendered, to the stub by delivery);
        # 2: the other officer of the region, holding a card; 3: a specialist on duty without one.
        people = [staff(2, "regional", ("71",)), staff(3, "specialist", on_duty=True)]
        store = FakeFanoutStore(report, people, holders=[1, 2])
        publisher = FakePublisher()
        event = ReportChanged(
            event_id="changed-R5-v3", report_id="R5", occurred_at=NOW, from_status="in_progress", to_status="new"
        )
        fanout = FanOut(store, publisher, "deliveries", lambda: NOW)  # type: ignore[arg-type]
        fanout.handle(event.model_dump(mode="json"), {"notice": "released"})
        jobs = [m for _, m in publisher.sent if isinstance(m, DeliveryJob)]
        assert sorted((j.recipient_id, j.kind) for j in jobs) == [(1, "card"), (2, "card"), (2, "text"), (3, "card")]
        [alert] = [j for j in jobs if j.kind == "text"]
        assert alert.text == t("ru", "release_alert", code="R5")

    def test_a_muted_reporters_case_is_re_rendered_but_pushed_to_nobody(self) -> None:
        report = {"id": "R6", "status": "new", "category": "violence", "region": "71", "muted": True}
        store = FakeFanoutStore(report, [staff(3, "specialist", on_duty=True)], holders=[1])
        publisher = FakePublisher()
        event = ReportChanged(event_id="e6", report_id="R6", occurred_at=NOW, from_status="escalated", to_status="new")
        FanOut(store, publisher, "deliveries", lambda: NOW).handle(  # type: ignore[arg-type]
            event.model_dump(mode="json"), {"notice": "released"}
        )
        assert [(m.recipient_id, m.kind) for _, m in publisher.sent if isinstance(m, DeliveryJob)] == [(1, "card")]


class TestWhatOthersSee:
    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_the_card_of_a_released_escalated_case_says_where_it_was_passed(self, lang: str) -> None:
        report = Case.from_document("R7", {"status": "new", "escalated_to": "police", "category": "violence"})
        line = cards.status_line(lang, report, None)
        assert t(lang, "status_new") in line and t(lang, "esc_police") in line
        plain = Case.from_document("R8", {"status": "new", "category": "violence"})
        assert cards.status_line(lang, plain, None) == t(lang, "status_new")

    def test_statistics_no_longer_count_a_take_for_a_released_case(self) -> None:
        desk = desk_with_officer()
        code = case(desk, "R900001")
        before = facts_from_case(code, desk.store.reports[code])
        desk.message(ADMIN, f"/revoke {OFFICER}")
        after = facts_from_case(code, desk.store.reports[code])
        assert before is not None and after is not None
        assert before.status == "in_progress" and "take" in dict(before.durations)
        assert after.status == Status.NEW.value and "take" not in dict(after.durations)
