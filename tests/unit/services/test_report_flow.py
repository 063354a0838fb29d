"""The private report flow on in-memory ports: questions, the stored case, its event, replays, albums."""

from __future__ import annotations

import pytest

from functions.domain import callbacks
from functions.errors import TransientError
from functions.i18n import t
from functions.services.report_flow import MAX_DESCRIPTION
from tests.unit.fakes import Desk, buttons_of, text_of

URL = "https://www.tiktok.com/@someone/video/7300000000000000001"


def flow_press(desk: Desk, user_id: int, action: str, value: str = "", **kw: object) -> str:
    flow = desk.flow_of(user_id).flow_id
    return text_of(desk.press(user_id, callbacks.flow(flow, action, value), **kw))  # type: ignore[arg-type]


def report(desk: Desk, user_id: int, *, category: str = "violence", danger: str = "no", url: str = URL) -> str:
    desk.link(user_id, url)
    flow_press(desk, user_id, "cat", category)
    flow_press(desk, user_id, "danger", danger)
    flow_press(desk, user_id, "region", "71")  # started with a link: the summary comes next
    return flow_press(desk, user_id, "confirm", "yes")


class TestSubmitReport:
    def test_a_link_asks_the_category_then_every_question_in_turn(self) -> None:
        desk = Desk()
        first = desk.link(2001, URL)
        flow = desk.flow_of(2001).flow_id
        assert t("ru", "ask_category") in text_of(first)
        assert callbacks.flow(flow, "cat", "violence") in buttons_of(first)
        assert t("ru", "ask_danger") in flow_press(desk, 2001, "cat", "violence")
        assert t("ru", "ask_region") in flow_press(desk, 2001, "danger", "no")
        summary = flow_press(desk, 2001, "region", "71")  # started with a link: no evidence step, the summary
        assert t("ru", "ask_evidence") not in summary and desk.flow_of(2001).step == "confirm"
        assert t("ru", "ask_description", max=MAX_DESCRIPTION) in flow_press(desk, 2001, "edit", "desc")
        summary = text_of(desk.message(2001, "Драка у школы"))
        assert "Драка у школы" in summary and desk.flow_of(2001).step == "confirm"

    def test_confirm_stores_one_case_publishes_its_event_and_gives_the_code(self) -> None:
        desk = Desk()
        answer = report(desk, 2002)
        [(code, case)] = desk.store.reports.items()
        assert case["category"] == "violence" and case["severity"] == "high" and case["region"] == "71"
        assert case["urls"] == ["https://tiktok.com/video/7300000000000000001"]
        assert t("ru", "report_created", code=code) in answer
        [event] = desk.events.of_type("report.created")
        assert event.report_id == code  # type: ignore[attr-defined]
        assert desk.flow_of(2002).step == "done"

    def test_danger_now_makes_it_urgent_with_the_helplines(self) -> None:
        desk = Desk()
        answer = report(desk, 2003, category="bullying", danger="yes")
        [case] = desk.store.reports.values()
        assert case["severity"] == "urgent"
        assert t("ru", "helplines_urgent") in answer

    def test_a_second_reporter_joins_and_the_first_is_told_it_is_theirs_already(self) -> None:
        desk = Desk()
        report(desk, 2004)
        [code] = desk.store.reports
        assert t("ru", "report_joined", code=code) in report(desk, 2005)
        assert t("ru", "report_already_yours", code=code) in report(desk, 2004)
        assert desk.store.reports[code]["reporter_count"] == 2
        assert len(desk.events.of_type("report.joined")) == 1

    def test_a_resent_update_replays_the_answer_and_stores_nothing_twice(self) -> None:
        desk = Desk()
        report(desk, 2006)
        flow = desk.flow_of(2006)
        again = desk.press(2006, callbacks.flow(flow.flow_id, "confirm", "yes"), update_id=flow.last_update_id)
        assert len(desk.store.reports) == 1 and len(desk.events.sent) == 1
        assert text_of(again).startswith(t("ru", "report_created", code=next(iter(desk.store.reports))))

    def test_a_resent_send_replays_a_confirmation_that_must_arrive(self) -> None:
        # The first answer must arrive (a direct call; a refusal goes to deliver). So must the replayed one:
        # riding in the webhook's answer, a 429 or a fault there would lose the reporter's only confirmation.
        desk = Desk()
        desk.link(2011, URL)
        for action, value in (("cat", "violence"), ("danger", "no"), ("region", "71")):
            flow_press(desk, 2011, action, value)
        flow = desk.flow_of(2011)
        first = desk.press(2011, callbacks.flow(flow.flow_id, "confirm", "yes"))
        flow = desk.flow_of(2011)
        again = desk.press(2011, callbacks.flow(flow.flow_id, "confirm", "yes"), update_id=flow.last_update_id)
        assert first.must_arrive and again.must_arrive
        assert text_of(again) == text_of(first)

    def test_when_pubsub_is_down_the_case_is_still_stored_and_answered(self) -> None:
        desk = Desk()
        desk.events.down = True
        answer = report(desk, 2007)
        [code] = desk.store.reports
        assert t("ru", "report_created", code=code) in answer and desk.events.sent == []

    def test_cancel_keeps_nothing(self) -> None:
        desk = Desk()
        desk.media(2008, "u-1")
        assert t("ru", "cancelled") in flow_press(desk, 2008, "cancel")
        assert desk.store.reports == {}
        assert t("ru", "nothing_to_cancel") in text_of(desk.message(2008, "/cancel"))

    def test_a_button_of_an_older_flow_is_stale(self) -> None:
        desk = Desk()
        desk.link(2009, URL)
        old = desk.flow_of(2009).flow_id
        desk.message(2009, "/report")
        assert t("ru", "stale_button") in text_of(desk.press(2009, callbacks.flow(old, "cat", "violence")))

    def test_a_description_over_the_limit_is_refused(self) -> None:
        desk = Desk()
        desk.link(2010, URL)
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71"), ("edit", "desc")):
            flow_press(desk, 2010, action, value)
        long = "а" * (MAX_DESCRIPTION + 1)
        refused = text_of(desk.message(2010, long))
        assert refused == t("ru", "text_too_long", length=len(long), max=MAX_DESCRIPTION)
        assert desk.flow_of(2010).step == "description"

    def test_done_without_evidence_is_refused(self) -> None:
        desk = Desk()
        desk.message(2011, "/report")
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71")):
            flow_press(desk, 2011, action, value)
        assert t("ru", "evidence_needed") in flow_press(desk, 2011, "ev", "done")

    def test_the_media_leave_the_chat_once_stored_unless_cleanup_is_off(self) -> None:
        desk = Desk()
        desk.media(2012, "u-2")
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71")):
            flow_press(desk, 2012, action, value)
        flow = desk.flow_of(2012).flow_id
        stored = desk.press(2012, callbacks.flow(flow, "confirm", "yes"))
        assert [c.method for c in stored.direct] == ["editMessageText", "deleteMessages"]
        desk.message(2013, "/cleanup off")
        desk.media(2013, "u-3")
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71")):
            flow_press(desk, 2013, action, value)
        kept = desk.press(2013, callbacks.flow(desk.flow_of(2013).flow_id, "confirm", "yes"))
        assert [c.method for c in kept.direct] == ["editMessageText"]


class TestAlbums:
    def test_an_album_is_asked_about_once_and_kept_whole(self) -> None:
        desk = Desk()
        first = desk.media(2020, "a-1", album="alb")
        later = desk.media(2020, "a-2", album="alb")
        assert t("ru", "ask_category") in text_of(first) and text_of(later) == ""
        flow = desk.flow_of(2020)
        assert len(desk.store.list_items(flow.sid, flow.flow_id)) == 2

    def test_a_later_part_before_its_flow_is_stored_asks_for_a_retry(self) -> None:
        desk = Desk()
        desk.store.claim_album("2021:2021", "alb", 999)  # the first part is still being handled
        with pytest.raises(TransientError):
            desk.media(2021, "a-3", album="alb")
