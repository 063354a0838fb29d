"""Callback data: every kind built and parsed back, within Telegram's 64 bytes, odd data refused."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.incoming import bot_may_delete, command_of


class TestCallbacks:
    def test_flow_buttons_round_trip(self) -> None:
        data = callbacks.flow("abc123", "region", "71")
        assert data == "f:abc123:region:71" and callbacks.prefix_of(data) == "f"
        assert callbacks.parse_flow(data) == callbacks.FlowPress("abc123", "region", "71")
        assert callbacks.parse_flow(callbacks.flow("abc123", "cancel")) == callbacks.FlowPress("abc123", "cancel", "")

    def test_case_buttons_round_trip_with_and_without_an_argument(self) -> None:
        assert callbacks.parse_case(callbacks.case("take", "R7K3M9Q")) == callbacks.CasePress("take", "R7K3M9Q")
        with_arg = callbacks.case("esc", "R7K3M9Q", "police")
        assert with_arg == "s:esc:R7K3M9Q:police"
        assert callbacks.parse_case(with_arg) == callbacks.CasePress("esc", "R7K3M9Q", "police")

    def test_queue_and_language_buttons_round_trip(self) -> None:
        assert callbacks.parse_queue(callbacks.queue_page(3)) == callbacks.QueuePress(page=3)
        assert callbacks.parse_queue(callbacks.queue_case("R7K3M9Q")) == callbacks.QueuePress(code="R7K3M9Q")
        assert callbacks.parse_lang(callbacks.lang("kk")) == "kk"

    def test_odd_data_is_refused(self) -> None:
        assert callbacks.parse_flow("f:a:b") is None and callbacks.parse_flow("s:a:b:c") is None
        assert callbacks.parse_case("s:take") is None and callbacks.parse_case("s:a:b:c:d") is None
        assert callbacks.parse_queue("q:p:x") is None and callbacks.parse_queue("q:z:1") is None
        assert not callbacks.queue_shape_ok("q:p") and callbacks.parse_lang("language:kk") is None

    def test_the_64_byte_limit(self) -> None:
        assert callbacks.fits("x" * 64) and not callbacks.fits("x" * 65) and not callbacks.fits("")
        assert callbacks.fits(callbacks.case("menu", "R7K3M9Q", "escalate"))
        assert not callbacks.fits(callbacks.flow("abcdef", "region", "ы" * 30))


class TestIncomingRules:
    def test_commands_addressed_to_this_bot(self) -> None:
        assert command_of("/Start@Qorgau_Bot inv_x ", "qorgau_bot") == ("start", "inv_x")
        assert command_of("/start@other_bot", "qorgau_bot") is None
        assert command_of("hello /start", "qorgau_bot") is None and command_of(None, "b") is None

    def test_who_may_delete(self) -> None:
        assert bot_may_delete("creator", False) and bot_may_delete("administrator", True)
        assert not bot_may_delete("administrator", False) and not bot_may_delete("member", True)
