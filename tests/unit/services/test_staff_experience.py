"""The staff member's experience (issue 14): the card's preview line, silent normal cards, the time of day,
the reopened notice, the staff /help, the menu following /lang and removed on /revoke, /cleanup in the menus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.services.calls import send
from functions.services.cards import card_message, received_text
from functions.services.commands import (
    REPORTER_COMMANDS,
    STAFF_COMMANDS,
    command_calls,
    description_calls,
    reporter_help,
    staff_command_call,
    staff_help,
)
from functions.services.delivery import notice_text
from tests.unit.fakes import ADMIN, Desk, text_of

NOW = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)  # 09:05 in Kazakhstan
OFFICER = StaffMember(user_id=7100, role=Role.SPECIALIST, active=True, lang="ru")


def case(**kw: object) -> Case:
    fields: dict[str, object] = {"code": "R7K3M9Q", "category": "bullying", "region": "71", "created_at": NOW}
    fields.update(kw)
    return Case.model_validate(fields)


class TestCard:
    def test_the_first_line_is_severity_category_region_and_the_code_comes_after(self) -> None:
        text, _, _ = card_message(case(severity="urgent", child_in_danger=True), OFFICER, NOW, None)
        lines = text.split("\n")
        assert lines[0] == "🔴 " + " · ".join(
            [t("ru", "severity_urgent"), t("ru", "cat_bullying"), t("ru", "region_71")]
        )
        assert lines[1] == t("ru", "card_danger_now")
        assert lines[2] == t("ru", "card_code", code="R7K3M9Q")
        assert "R7K3M9Q" not in lines[0]

    def test_the_child_request_is_on_the_second_line_and_an_unknown_region_is_named(self) -> None:
        text, _, _ = card_message(case(child_request=True, region=""), OFFICER, NOW, None)
        lines = text.split("\n")
        assert lines[0].endswith(t("ru", "card_region_unknown"))
        assert lines[1] == t("ru", "card_child_request")

    def test_the_card_shows_the_time_of_day_in_kazakhstan_not_a_frozen_age(self) -> None:
        text, _, _ = card_message(case(created_at=NOW - timedelta(minutes=5)), OFFICER, NOW, None)
        assert t("ru", "card_received_at", time="09:00") in text
        assert "назад" not in text
        assert received_text(NOW - timedelta(days=1), NOW) == "09.03 09:05"
        assert received_text(None, NOW) == "—"

    def test_normal_cards_are_silent_and_urgent_ones_ring(self) -> None:
        assert send(1, "x", silent=True).params["disable_notification"] is True
        assert "disable_notification" not in send(1, "x").params


class TestNotices:
    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_a_reopened_case_sends_the_reopened_notice(self, lang: str) -> None:
        assert notice_text(lang, "R1", "reopened", None) == t(lang, "notice_reopened", code="R1")
        assert notice_text(lang, "R1", "taken", None) == t(lang, "notice_taken", code="R1")


class TestMenus:
    def test_cleanup_is_in_both_menus_with_its_own_description(self) -> None:
        assert "cleanup" in REPORTER_COMMANDS and "cleanup" in STAFF_COMMANDS
        for call in command_calls():
            lang = str(call.params.get("language_code", "ru"))
            entries = {c["command"]: c["description"] for c in call.params["commands"]}  # type: ignore[union-attr]
            assert entries["cleanup"] == t(lang, "cmd_cleanup")
        staff = staff_command_call(5, "regional", "kk").params["commands"]
        assert {"command": "cleanup", "description": t("kk", "cmd_cleanup")} in staff  # type: ignore[operator]

    def test_staff_help_for_staff_and_the_reporters_help_for_everyone_else(self) -> None:
        desk = Desk()
        assert text_of(desk.message(ADMIN, "/help")) == staff_help("admin", "ru")
        assert text_of(desk.message(4242, "/help")) == reporter_help("ru")

    def test_lang_changes_a_staff_members_language_and_their_menu(self) -> None:
        desk = Desk()
        desk.staff_store.staff[7100] = OFFICER
        answer = desk.press(7100, callbacks.lang("kk"))
        assert desk.staff_store.staff[7100].lang == "kk"
        menus = [c for c in answer.direct if c.method == "setMyCommands"]
        assert len(menus) == 1 and menus[0].params["scope"] == {"type": "chat", "chat_id": 7100}
        assert {"command": "help", "description": t("kk", "cmd_help")} in menus[0].params["commands"]  # type: ignore[operator]
        assert text_of(desk.message(7100, "/help")) == staff_help("specialist", "kk")

    def test_a_reporter_choosing_a_language_gets_no_staff_menu(self) -> None:
        answer = Desk().press(4242, callbacks.lang("kk"))
        menus = [c for c in answer.direct if c.method == "setMyCommands"]  # the reporter's menu, in Kazakh
        assert len(menus) == 1 and menus[0].params["scope"] == {"type": "chat", "chat_id": 4242}
        names = {c["command"] for c in menus[0].params["commands"]}  # type: ignore[attr-defined]
        assert names == set(REPORTER_COMMANDS) and "queue" not in names
        assert {"command": "my", "description": t("kk", "cmd_my")} in menus[0].params["commands"]  # type: ignore[operator]

    def test_revoke_removes_the_staff_menu_of_that_chat(self) -> None:
        desk = Desk()
        desk.staff_store.staff[7100] = OFFICER
        revoked = desk.message(ADMIN, "/revoke 7100")
        removal = [c for c in revoked.direct if c.method == "deleteMyCommands"]
        assert [c.params for c in removal] == [{"scope": {"type": "chat", "chat_id": 7100}}]
        assert text_of(desk.message(7100, "/help")) == reporter_help("ru")


class TestExpectations:
    def test_descriptions_per_language_from_the_catalogs(self) -> None:
        calls = {(c.method, c.params.get("language_code")): c.params for c in description_calls()}
        for lang in ("kk", "ru"):
            assert calls[("setMyDescription", lang)]["description"] == t(lang, "bot_description")
            assert calls[("setMyShortDescription", lang)]["short_description"] == t(lang, "bot_short_description")
        assert calls[("setMyDescription", None)]["description"] == t("ru", "bot_description")

    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_help_says_who_sees_the_report_what_next_and_how_long(self, lang: str) -> None:
        assert t(lang, "help_expectations") in reporter_help(lang)
        assert reporter_help(lang).startswith(t(lang, "help"))

    def test_the_confirmation_says_it_too(self) -> None:
        from functions.domain.models import SubmitResult
        from functions.services.report_flow import result_text

        created = result_text("ru", SubmitResult(outcome="created", code="R1", severity="normal"))
        who, _next, how_long, button = t("ru", "help_expectations").split("\n")
        assert who in created and how_long in created and button in created and "R1" in created
        assert "полици" not in created
