"""A child writing to the bot, on in-memory ports: never asked for details; a contact only when they want one."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.models import Profile
from functions.i18n import t
from tests.unit.fakes import Desk, text_of

URL = "https://vk.com/wall-1_2"


def child(desk: Desk, user_id: int) -> None:
    desk.store.save_profile(Profile(user_id=user_id, lang="ru", role="child", region="75"))


class TestChildFlow:
    def test_a_child_sending_a_link_gets_support_and_an_offer_not_questions(self) -> None:
        desk = Desk()
        child(desk, 3001)
        answer = text_of(desk.link(3001, URL))
        assert t("ru", "child_support") in answer and t("ru", "ask_category") not in answer
        flow = desk.flow_of(3001)
        assert flow.kind == "child" and flow.step == "child_offer"
        assert desk.store.reports == {}

    def test_what_the_child_sends_next_is_kept_and_acknowledged(self) -> None:
        desk = Desk()
        child(desk, 3002)
        desk.message(3002, "/report")
        assert text_of(desk.media(3002, "c-1")) == t("ru", "child_got_it")
        flow = desk.flow_of(3002)
        assert len(desk.store.list_items(flow.sid, flow.flow_id)) == 1

    def test_asking_for_a_contact_makes_an_urgent_child_request_not_indexed_by_content(self) -> None:
        desk = Desk()
        child(desk, 3003)
        desk.link(3003, URL)
        answer = text_of(desk.press(3003, callbacks.flow(desk.flow_of(3003).flow_id, "child", "contact")))
        [(code, case)] = desk.store.reports.items()
        assert t("ru", "child_contact_created", code=code) in answer
        assert case["severity"] == "urgent" and case["child_request"] is True and case["region"] == "75"
        assert desk.store.content == {}  # a child's request never joins nor becomes the case of its content

    def test_no_thanks_stores_nothing(self) -> None:
        desk = Desk()
        child(desk, 3004)
        desk.message(3004, "/report")
        answer = text_of(desk.press(3004, callbacks.flow(desk.flow_of(3004).flow_id, "child", "no")))
        assert answer.startswith(t("ru", "child_no_thanks")) and desk.store.reports == {}
        assert desk.flow_of(3004).step == "done"

    def test_an_unknown_answer_is_a_stale_button(self) -> None:
        desk = Desk()
        child(desk, 3005)
        desk.message(3005, "/report")
        answer = text_of(desk.press(3005, callbacks.flow(desk.flow_of(3005).flow_id, "child", "maybe")))
        assert answer == t("ru", "stale_button")
