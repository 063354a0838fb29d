"""The staff member's experience through the deployed path (issue 14): normal cards come silently, urgent ones
ring; the first line of the card is what staff decide on; a reopened case tells its reporter it is reopened."""

from __future__ import annotations

from typing import Any

from tests.integration.helpers import code_in, report_link
from tests.integration.test_staff import add_staff, card, press_card
from tests.stack import Stack, wait_for


def card_send(stack: Stack, chat_id: int, code: str) -> dict[str, Any]:
    """The sendMessage call that delivered the case's card to this chat."""
    card(stack, chat_id, code)
    return next(c for c in stack.double.calls("sendMessage", chat_id) if code in str(c["params"].get("text")))


class TestCardDelivery:
    def test_normal_cards_are_silent_and_urgent_ones_ring(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(6601, "specialist", on_duty=True)
        quiet = code_in(report_link(stack, 6610, "https://youtu.be/quiet000001", category="Другое"))
        loud = code_in(report_link(stack, 6611, "https://youtu.be/loud0000001", danger="Да, прямо сейчас"))
        quiet_call, loud_call = card_send(stack, 6601, quiet), card_send(stack, 6601, loud)
        assert str(quiet_call["params"].get("disable_notification")).lower() == "true"
        assert str(loud_call["params"].get("disable_notification", "false")).lower() == "false"
        first_line = str(loud_call["params"]["text"]).split("\n")[0]
        assert "СРОЧНО" in first_line and "Астана" in first_line and loud not in first_line

    def test_a_reopened_case_tells_the_reporter_it_is_reopened(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(6620, "specialist", on_duty=True)
        code = code_in(report_link(stack, 6621, "https://youtu.be/reopen00001", category="Другое"))
        press_card(stack, 6620, card(stack, 6620, code), "Взять в работу")
        wait_for(lambda: "взято в работу" in str(stack.last_bot_message(6621).get("text")), 20.0)
        press_card(stack, 6620, card(stack, 6620, code), "Отклонить…")
        current = card(stack, 6620, code)
        rejects = [b["text"] for row in current["reply_markup"]["inline_keyboard"] for b in row]
        press_card(stack, 6620, current, rejects[0])
        wait_for(lambda: stack.doc(f"reports/{code}")["status"] == "rejected", 20.0)  # type: ignore[index]
        closed = wait_for(
            lambda: next(
                (m for m in stack.double.messages(6620) if code in str(m.get("text")) and "Открыть снова" in str(m)),
                None,
            ),
            20.0,
        )
        press_card(stack, 6620, closed, "Открыть снова")
        wait_for(lambda: stack.doc(f"reports/{code}")["status"] == "in_progress", 20.0)  # type: ignore[index]
        texts = lambda: [str(m.get("text")) for m in stack.double.messages(6621)]  # noqa: E731
        wait_for(lambda: any("снова открыто" in text for text in texts()), 20.0)
        assert sum("взято в работу" in text for text in texts()) == 1


class TestLocalChat:
    def test_make_run_registers_the_officer_make_chat_plays(self, stack: Stack) -> None:
        from devkit.chat import OFFICER_ID
        from devkit.dev_stack import register_local_officer

        register_local_officer()
        officer = stack.doc(f"staff/{OFFICER_ID}")
        assert officer is not None and officer["role"] == "specialist" and officer["on_duty"] is True
