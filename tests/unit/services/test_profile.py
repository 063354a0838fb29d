"""The reporter's profile, language, cleanup setting and /my, on in-memory ports."""

from __future__ import annotations

from functions.domain import callbacks
from functions.i18n import t
from tests.unit.fakes import Desk, buttons_of, text_of


class TestProfile:
    def test_start_asks_role_then_region_once_and_stores_them(self) -> None:
        desk = Desk()
        first = desk.message(1001, "/start")  # the language before anything else (issue 14)
        assert text_of(first) == t("ru", "lang_first_prompt") and callbacks.lang("ru") in buttons_of(first)
        assert t("ru", "ask_role") in text_of(desk.press(1001, callbacks.lang("ru")))
        flow = desk.flow_of(1001).flow_id
        asked = desk.press(1001, callbacks.flow(flow, "role", "parent"))
        assert t("ru", "ask_profile_region") in text_of(asked)
        assert callbacks.flow(flow, "preg", "79") in buttons_of(asked)
        assert callbacks.flow(flow, "preg", "none") in buttons_of(asked)  # "don't know"
        assert t("ru", "profile_saved") in text_of(desk.press(1001, callbacks.flow(flow, "preg", "79")))
        profile = desk.store.get_profile(1001)
        assert profile is not None and (profile.role, profile.region) == ("parent", "79")
        assert t("ru", "ask_role") not in text_of(desk.message(1001, "/start"))

    def test_an_unknown_role_or_region_is_a_stale_button(self) -> None:
        desk = Desk()
        desk.message(1002, "/start")
        desk.press(1002, callbacks.lang("ru"))
        flow = desk.flow_of(1002).flow_id
        assert text_of(desk.press(1002, callbacks.flow(flow, "role", "king"))) == t("ru", "stale_button")
        desk.press(1002, callbacks.flow(flow, "role", "teacher"))
        assert text_of(desk.press(1002, callbacks.flow(flow, "preg", "99"))) == t("ru", "stale_button")
        profile = desk.store.get_profile(1002)
        assert profile is not None and profile.role is None and profile.region is None

    def test_the_language_is_chosen_first_then_changed_by_lang(self) -> None:
        desk = Desk()
        desk.message(1003, "/start", lang="kk")
        assert t("kk", "ask_role") in text_of(desk.press(1003, callbacks.lang("kk"), lang="kk"))
        picker = desk.message(1003, "/lang", lang="kk")
        assert callbacks.lang("ru") in buttons_of(picker)
        switched = text_of(desk.press(1003, callbacks.lang("ru"), lang="kk"))
        assert switched.startswith(t("ru", "lang_set")) and t("ru", "ask_role") in switched  # the question again
        profile = desk.store.get_profile(1003)
        assert profile is not None and profile.lang == "ru" and desk.flow_of(1003).lang == "ru"
        assert text_of(desk.press(1003, callbacks.lang("en"))) == t("ru", "stale_button")

    def test_cleanup_is_on_by_default_and_can_be_turned_off(self) -> None:
        desk = Desk()
        assert text_of(desk.message(1004, "/cleanup")) == t("ru", "cleanup_usage")
        assert text_of(desk.message(1004, "/cleanup off")) == t("ru", "cleanup_off")
        profile = desk.store.get_profile(1004)
        assert profile is not None and profile.cleanup is False

    def test_my_lists_the_reporters_cases_with_their_status(self) -> None:
        desk = Desk()
        assert text_of(desk.message(1005, "/my")) == t("ru", "my_empty")
        desk.store.reports["R222222"] = {"status": "in_progress", "created_at": desk.clock()}
        desk.store.reporters["R222222"] = {1005: {}}
        listed = text_of(desk.message(1005, "/my"))
        assert "R222222" in listed and t("ru", "status_in_progress") in listed
