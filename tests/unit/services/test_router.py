"""The router on in-memory ports: who is ignored, what has no answer, the helplines, the staff side first."""

from __future__ import annotations

from functions.domain.incoming import IncomingCallback, IncomingMessage, Sender
from functions.i18n import t
from tests.unit.fakes import ADMIN, Desk, text_of


class TestRouting:
    def test_bots_and_channels_get_no_answer(self) -> None:
        desk = Desk()
        bot = IncomingMessage(
            update_id=1,
            chat_id=6001,
            chat_type="private",
            message_id=1,
            sender=Sender(6001, is_bot=True),
            text="/start",
        )
        channel = IncomingMessage(
            update_id=2, chat_id=-1, chat_type="channel", message_id=1, sender=Sender(6002), text="/start"
        )
        assert desk.router.handle(bot).body is None and desk.router.handle(channel).body is None
        assert desk.router.handle(None).body is None and desk.store.sessions == {}

    def test_unknown_commands_and_stray_text_get_the_hint(self) -> None:
        desk = Desk()
        assert text_of(desk.message(6003, "/whatever")) == t("ru", "fallback_hint")
        assert text_of(desk.message(6003, "hello")) == t("ru", "fallback_hint")
        assert text_of(desk.message(6003, "/help")) == t("ru", "help") + "\n\n" + t("ru", "help_expectations")

    def test_a_command_to_another_bot_is_not_a_command(self) -> None:
        desk = Desk()
        assert text_of(desk.message(6004, "/start@other_bot")) == t("ru", "fallback_hint")

    def test_stickers_and_forwards_without_links_are_unsupported(self) -> None:
        desk = Desk()
        assert text_of(desk.message(6005, None, unsupported=True)) == t("ru", "unsupported_content")
        assert text_of(desk.message(6005, None, forwarded=True)) == t("ru", "unsupported_content")
        assert desk.message(6005, None).body is None  # a service message: nothing to say

    def test_words_of_self_harm_add_the_helplines_to_whatever_is_answered(self) -> None:
        desk = Desk()
        answer = text_of(desk.message(6006, "мне плохо, хочу умереть"))
        assert answer.startswith(t("ru", "crisis_helplines")) and t("ru", "fallback_hint") in answer

    def test_a_button_whose_message_is_gone_is_stale(self) -> None:
        desk = Desk()
        press = IncomingCallback(update_id=9, callback_id="c", sender=Sender(6007, "kk"), data="f:x:cat:other")
        assert text_of(desk.router.handle(press)) == t("kk", "stale_button")

    def test_staff_start_comes_before_the_reporters(self) -> None:
        desk = Desk()
        answer = desk.message(ADMIN, "/start")
        assert t("ru", "staff_welcome", role=t("ru", "staffrole_admin")) in text_of(answer)
        assert [c.method for c in answer.direct] == ["setMyCommands"]
        assert desk.staff_store.staff[ADMIN].role.value == "admin"
