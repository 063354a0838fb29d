"""Reports posted in groups, on in-memory ports: enabled groups only, the author's region, albums."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.incoming import BotRightsChange
from functions.domain.models import Profile
from functions.i18n import t
from tests.unit.fakes import ADMIN, Desk, text_of

GROUP = -100500
URL = "https://instagram.com/p/abc"


def enabled(desk: Desk, **fields: object) -> None:
    desk.store.update_group(GROUP, enabled=True, **fields)


class TestGroupIntake:
    def test_a_disabled_group_is_never_read(self) -> None:
        desk = Desk()
        assert text_of(desk.link(4001, URL, chat_id=GROUP, chat_type="supergroup")) == ""
        assert desk.store.reports == {} and desk.store.sessions == {}

    def test_only_committee_admins_enable_a_group(self) -> None:
        desk = Desk()
        refused = desk.message(4002, "/enable_group", chat_id=GROUP, chat_type="group")
        assert text_of(refused) == t("ru", "admins_only") and GROUP not in desk.store.groups
        done = desk.message(ADMIN, f"/enable_group@{'qorgau_bot'}", chat_id=GROUP, chat_type="group")
        assert text_of(done) == t("ru", "group_enabled") and desk.store.groups[GROUP]["enabled"] is True

    def test_a_post_by_someone_with_a_region_becomes_a_case_at_once(self) -> None:
        desk = Desk()
        enabled(desk)
        desk.store.save_profile(Profile(user_id=4003, region="71"))
        answer = desk.link(4003, URL, chat_id=GROUP, chat_type="supergroup")
        [(code, case)] = desk.store.reports.items()
        assert case["source"] == "group" and case["region"] == "71" and case["category"] == "other"
        assert text_of(answer) == t("ru", "group_report_created", code=code)
        assert answer.body is not None and "reply_parameters" in answer.body.params

    def test_a_resent_post_replays_a_confirmation_that_must_arrive(self) -> None:
        desk = Desk()
        enabled(desk)
        desk.store.save_profile(Profile(user_id=4013, region="71"))
        first = desk.link(4013, URL, chat_id=GROUP, chat_type="supergroup")
        session = desk.flow_of(4013, GROUP)
        again = desk.link(4013, URL, chat_id=GROUP, chat_type="supergroup", update_id=session.last_update_id)
        assert len(desk.store.reports) == 1
        assert first.must_arrive and again.must_arrive
        assert text_of(again) == text_of(first)

    def test_without_a_region_the_author_is_asked_and_only_they_may_answer(self) -> None:
        desk = Desk()
        enabled(desk)
        asked = desk.link(4004, URL, chat_id=GROUP, chat_type="supergroup")
        assert text_of(asked) == t("ru", "group_ask_region") and desk.store.reports == {}
        flow = desk.flow_of(4004, GROUP).flow_id
        other = desk.press(4005, callbacks.flow(flow, "greg", "71"), chat_id=GROUP, chat_type="supergroup")
        assert text_of(other) == t("ru", "not_your_button") and desk.store.reports == {}
        mine = desk.press(4004, callbacks.flow(flow, "greg", "71"), chat_id=GROUP, chat_type="supergroup")
        [code] = desk.store.reports
        assert t("ru", "group_report_created", code=code) in text_of(mine)

    def test_words_of_self_harm_get_the_helplines_and_chatter_gets_nothing(self) -> None:
        desk = Desk()
        enabled(desk)
        assert text_of(desk.message(4006, "привет всем", chat_id=GROUP, chat_type="group")) == ""
        helped = desk.message(4006, "я хочу покончить с собой", chat_id=GROUP, chat_type="group")
        assert text_of(helped) == t("ru", "crisis_helplines_adult")  # «Вы» to the whole group

    def test_album_parts_after_the_first_join_its_case(self) -> None:
        desk = Desk()
        enabled(desk)
        desk.store.save_profile(Profile(user_id=4007, region="71"))
        desk.media(4007, "g-1", album="alb", chat_id=GROUP, chat_type="supergroup")
        desk.media(4007, "g-2", album="alb", chat_id=GROUP, chat_type="supergroup")
        [case] = desk.store.reports.values()
        assert [m["file_unique_id"] for m in case["media"]] == ["g-1", "g-2"]

    def test_the_bots_rights_in_a_group_are_remembered(self) -> None:
        desk = Desk()
        change = BotRightsChange(
            update_id=1, chat_id=GROUP, chat_type="supergroup", status="administrator", can_delete=True
        )
        desk.router.handle(change)
        assert desk.store.groups[GROUP] == {"bot_status": "administrator", "bot_can_delete": True}
        desk.router.handle(
            BotRightsChange(update_id=2, chat_id=5, chat_type="private", status="member", can_delete=False)
        )
        assert 5 not in desk.store.groups
