"""A reporter's own cases on in-memory ports: add to an open case, describe it later, withdraw it (issue 14)."""

from __future__ import annotations

from functions.domain import callbacks
from functions.i18n import t
from functions.services.reporter_cases import ReporterCases
from tests.unit.fakes import Desk, buttons_of, text_of
from tests.unit.services.test_report_flow import report


def desk_with_cases() -> tuple[Desk, ReporterCases]:
    desk = Desk()
    mine = ReporterCases(desk.staff_store, desk.store, desk.events, "reports", desk.clock)
    desk.router.reports.mine = mine
    desk.router.profiles.withdrawals = mine
    return desk, mine


def code_of(desk: Desk, user_id: int) -> str:
    return desk.store.my_reports(user_id)[0].code


class TestReporterCases:
    def test_withdraw_closes_an_open_case_once_and_audits_it(self) -> None:
        desk, mine = desk_with_cases()
        report(desk, 3001)
        code = code_of(desk, 3001)
        assert mine.withdraw(code, 1) == "withdrawn"
        stored = desk.store.reports[code]
        assert (stored["status"], stored["outcome"]) == ("rejected", "withdrawn")
        assert desk.staff_store.transitions[-1][1]["type"] == "withdrawn"
        assert desk.staff_store.transitions[-1][1]["by"] == "reporter"
        assert mine.withdraw(code, 2) == "not_open"

    def test_a_case_others_reported_or_a_childs_request_is_not_withdrawn(self) -> None:
        desk, mine = desk_with_cases()
        report(desk, 3002)
        code = code_of(desk, 3002)
        desk.store.reports[code]["reporter_count"] = 2
        assert mine.withdraw(code, 1) == "not_alone"
        desk.store.reports[code] |= {"reporter_count": 1, "child_request": True}
        assert mine.withdraw(code, 1) == "child_request" and desk.store.reports[code]["status"] == "new"

    def test_a_new_link_offers_the_open_case_and_adds_to_it(self) -> None:
        desk, _ = desk_with_cases()
        report(desk, 3003)
        code = code_of(desk, 3003)
        offer = desk.link(3003, "https://youtu.be/anotherone1")
        flow = desk.flow_of(3003).flow_id
        assert t("ru", "add_or_new", code=code) in text_of(offer)
        assert callbacks.flow(flow, "add", code) in buttons_of(offer)
        assert text_of(desk.press(3003, callbacks.flow(flow, "add", "R2222222"))) == t("ru", "stale_button")
        added = desk.press(3003, callbacks.flow(flow, "add", code))
        assert text_of(added).strip() == t("ru", "added_to_case", code=code)
        assert len(desk.store.reports[code]["urls"]) == 2 and len(desk.store.reports) == 1

    def test_my_opens_a_case_describes_it_later_and_withdraws_it_after_asking(self) -> None:
        desk, _ = desk_with_cases()
        report(desk, 3004)
        code = code_of(desk, 3004)
        listing = desk.message(3004, "/my")
        assert callbacks.my_case(code) in buttons_of(listing)
        opened = desk.press(3004, callbacks.my_case(code))
        assert t("ru", "my_status_new") in text_of(opened)
        assert callbacks.my_case(code, "w") in buttons_of(opened) and callbacks.my_case(code, "d") in buttons_of(opened)
        desk.press(3004, callbacks.my_case(code, "d"))
        assert text_of(desk.message(3004, "из чата 7Б")).strip() == t("ru", "described_later", code=code)
        assert desk.store.reports[code]["description"] == "из чата 7Б"
        assert t("ru", "withdraw_confirm", code=code) in text_of(desk.press(3004, callbacks.my_case(code, "w")))
        assert desk.store.reports[code]["status"] == "new"  # asked first
        desk.press(3004, callbacks.my_case(code, "wy"))
        assert desk.store.reports[code]["status"] == "rejected"
        assert text_of(desk.press(3005, callbacks.my_case(code))) == t("ru", "stale_button")  # not theirs
