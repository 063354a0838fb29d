"""What staff do to a case, on in-memory ports: take (the race), escalate, resolve, menus, scope, /merge."""

from __future__ import annotations

from typing import Any

import pytest

from functions.domain import callbacks
from functions.domain.workflow import Role, StaffMember
from functions.errors import TransientError
from functions.i18n import t
from tests.unit.fakes import ADMIN, Desk, buttons_of, text_of


def case(desk: Desk, code: str = "R222222", **fields: Any) -> str:
    desk.store.reports[code] = {
        "id": code,
        "status": "new",
        "category": "violence",
        "severity": "high",
        "region": "71",
        "urls": ["https://vk.com/wall-1_1"],
        "media": [],
        "created_at": desk.clock(),
    } | fields
    desk.store.reporters[code] = {8000: {"first": True}}
    return code


def person(desk: Desk, user_id: int, role: Role = Role.SPECIALIST, regions: tuple[str, ...] = ()) -> None:
    member = StaffMember(user_id=user_id, role=role, regions=regions, name=f"Officer {user_id}")
    desk.staff_store.put_staff(member, invited_by=ADMIN)


class TestTake:
    def test_take_assigns_edits_the_card_and_publishes_the_change(self) -> None:
        desk = Desk()
        code = case(desk)
        person(desk, 8001)
        answer = desk.press(8001, callbacks.case("take", code))
        report = desk.store.reports[code]
        assert report["status"] == "in_progress" and report["assignee"] == 8001 and report["version"] == 1
        status = t("ru", "status_in_progress")
        assert answer.body is not None and answer.body.params["text"] == t(
            "ru", "action_done", code=code, status=status
        )
        assert [c.method for c in answer.direct] == ["editMessageText"]
        [changed] = desk.events.of_type("report.changed")
        assert desk.events.sent[0][2]["notice"] == "taken" and changed.to_status == "in_progress"  # type: ignore[attr-defined]
        assert desk.staff_store.transitions[0][1]["action"] == "take"

    def test_the_second_to_press_take_is_told_who_has_it(self) -> None:
        desk = Desk()
        code = case(desk)
        person(desk, 8002)
        person(desk, 8003)
        desk.press(8002, callbacks.case("take", code))
        late = desk.press(8003, callbacks.case("take", code))
        assert text_of(late) == t("ru", "refuse_taken", name="Officer 8002")
        assert desk.store.reports[code]["assignee"] == 8002 and len(desk.events.sent) == 1

    def test_a_case_changed_since_it_was_read_is_read_again(self) -> None:
        desk = Desk()
        code = case(desk)
        person(desk, 8004)
        desk.staff_store.stale_reads = 2  # two others wrote in between
        desk.press(8004, callbacks.case("take", code))
        assert desk.store.reports[code]["assignee"] == 8004

    def test_a_case_that_keeps_changing_asks_for_a_retry(self) -> None:
        desk = Desk()
        code = case(desk)
        person(desk, 8005)
        desk.staff_store.stale_reads = 100
        with pytest.raises(TransientError):
            desk.press(8005, callbacks.case("take", code))


class TestOtherActions:
    def test_menus_then_resolve_with_an_outcome(self) -> None:
        desk = Desk()
        code = case(desk, status="in_progress", assignee=8010)
        person(desk, 8010)
        menu = desk.press(8010, callbacks.case("menu", code, "resolve"))
        options = buttons_of(menu)
        assert callbacks.case("back", code) in options and options[0].startswith(f"s:res:{code}:")
        outcome = options[0].split(":")[3]
        desk.press(8010, options[0])
        report = desk.store.reports[code]
        assert report["status"] == "resolved" and report["outcome"] == outcome and report["closed_at"] == desk.clock()

    def test_a_regional_officer_outside_their_region_is_refused(self) -> None:
        desk = Desk()
        code = case(desk)
        person(desk, 8011, Role.REGIONAL, ("75",))
        assert text_of(desk.press(8011, callbacks.case("take", code))) == t("ru", "refuse_out_of_scope")

    def test_strangers_unknown_cases_and_bad_data_are_refused(self) -> None:
        desk = Desk()
        code = case(desk)
        person(desk, 8012)
        assert text_of(desk.press(8099, callbacks.case("take", code))) == t("ru", "refuse_no_access")
        assert text_of(desk.press(8012, callbacks.case("take", "R999999"))) == t("ru", "case_not_found")
        assert text_of(desk.press(8012, "s:take")) == t("ru", "refuse_no_access")
        assert text_of(desk.press(8012, callbacks.case("fly", code))) == t("ru", "refuse_bad_argument")


class TestMerge:
    def test_the_duplicate_is_rejected_into_the_main_case_with_its_reporters(self) -> None:
        desk = Desk()
        main, duplicate = case(desk, "R222222"), case(desk, "R333333")
        desk.store.reporters[duplicate] = {8100: {}, 8101: {}}
        person(desk, 8020)
        answer = text_of(desk.message(8020, f"/merge {duplicate} {main}"))
        assert answer == t("ru", "merged", duplicate=duplicate, main=main, count=2)
        assert desk.store.reports[duplicate]["status"] == "rejected"
        assert desk.store.reports[duplicate]["merged_into"] == main
        assert set(desk.store.reporters[main]) == {8000, 8100, 8101}
        assert desk.events.sent[0][2] == {
            "type": "report.changed",
            "report_id": duplicate,
            "notice": "merged",
            "argument": main,
        }

    def test_bad_merges_are_refused(self) -> None:
        desk = Desk()
        main = case(desk, "R222222", status="resolved")
        person(desk, 8021)
        assert text_of(desk.message(8021, f"/merge {main}")) == t("ru", "merge_usage")
        assert text_of(desk.message(8021, f"/merge {main} {main}")) == t("ru", "merge_usage")
        assert text_of(desk.message(8021, f"/merge R333333 {main}")) == t("ru", "merge_main_closed", code=main)
        assert text_of(desk.message(8021, "/merge R333333 R444444")) == t("ru", "case_not_found")
