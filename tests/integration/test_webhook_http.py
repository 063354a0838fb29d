"""The telegram_webhook target over HTTP: authentication, limits, bad input, idempotency, outages."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from devkit.botapi_double.builders import make_callback_update, make_text_update
from tests.integration.helpers import code_in, post_like_telegram, press, report_link, say
from tests.stack import SECRET, Stack, wait_for

REAL_UPDATES = Path(__file__).resolve().parents[2].parent / "shared" / "telegram" / "updates" / "real-updates.jsonl"


def post(
    stack: Stack,
    body: bytes | str,
    secret: str | None = SECRET,
    method: str = "POST",
    content_type: str = "application/json",
) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return httpx.request(method, f"{stack.functions.url}/telegram_webhook", content=body, headers=headers, timeout=30)


class TestAuthentication:
    def test_get_is_405(self, stack: Stack) -> None:
        response = post(stack, b"", method="GET")
        assert response.status_code == 405 and response.headers["Allow"] == "POST"

    def test_missing_secret_is_401(self, stack: Stack) -> None:
        assert post(stack, b"{}", secret=None).status_code == 401

    def test_wrong_secret_is_403_and_nothing_happens(self, stack: Stack) -> None:
        body = json.dumps(make_text_update(4001, "/start", update_id=1, message_id=1))
        assert post(stack, body, secret="wrong").status_code == 403
        assert stack.doc("sessions/4001:4001") is None


class TestBadInput:
    def test_oversize_body_is_413(self, stack: Stack) -> None:
        assert post(stack, b"{" + b" " * (1024 * 1024 + 10) + b"}").status_code == 413

    @pytest.mark.parametrize(
        "body",
        [
            b"not json",
            b"[1,2]",
            b'{"update_id": "7"}',
            b'{"message": {}}',
            b"\xff\xfe\xfa",
            b"[" * 100_000 + b"]" * 100_000,
        ],
    )
    def test_not_an_update_is_400_without_a_trace(self, stack: Stack, body: bytes) -> None:
        response = post(stack, body)
        assert response.status_code == 400
        assert "Traceback" not in response.text and "File " not in response.text

    @pytest.mark.parametrize(
        "update",
        [
            {"update_id": 11, "message": {"message_id": "x", "chat": 5}},
            {
                "update_id": 12,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 4002, "type": "private"},
                    "from": {"id": 4002, "is_bot": False, "first_name": "T"},
                    "text": "x" * 10_000,
                },
            },
            {"update_id": 13, "future_update_kind": {"anything": [1, 2, 3]}},
            {
                "update_id": 14,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 4003, "type": "private"},
                    "from": {"id": 4003, "is_bot": True, "first_name": "Bot"},
                    "text": "/start",
                },
            },
            {
                "update_id": 15,
                "callback_query": {
                    "id": "1",
                    "from": {"id": 4004, "is_bot": False, "first_name": "T"},
                    "chat_instance": "1",
                    "data": "s:take:RZZZZZZ",
                },
            },
        ],
    )
    def test_odd_updates_are_acknowledged(self, stack: Stack, update: dict[str, object]) -> None:
        response = post(stack, json.dumps(update))
        assert response.status_code == 200
        assert "Traceback" not in response.text

    def test_every_real_world_update_is_handled_without_a_5xx(self, stack: Stack) -> None:
        lines = REAL_UPDATES.read_text(encoding="utf-8").splitlines()  # ../shared sits beside the clone
        assert len(lines) >= 100
        statuses = []
        for line in lines:
            update = json.loads(line)["update"]
            response = post(stack, json.dumps(update))
            statuses.append(response.status_code)
            assert "Traceback" not in response.text
        assert all(status < 500 for status in statuses), statuses


class TestIdempotency:
    def test_the_same_update_twice_makes_one_report_and_one_reply(self, stack: Stack) -> None:
        say(stack, 4101, "https://vk.com/video-1_2")
        for label in ("Другое", "Нет", "город Астана"):
            press(stack, 4101, label)
        confirm = stack.last_bot_message(4101)
        update = make_callback_update(4101, confirm["message_id"], "", 4101)
        update["callback_query"]["data"] = confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        update["update_id"] = 990_001
        first = stack.double.post_update(update)
        second = stack.double.post_update(update)
        assert first["status"] == second["status"] == 200
        assert len(stack.reports()) == 1
        assert sum("Номер обращения" in text for text in stack.bot_texts(4101)) == 1

    def test_a_text_update_twice_replies_once_when_state_changed(self, stack: Stack) -> None:
        update = make_text_update(4102, "/start", update_id=990_002, message_id=5)
        stack.double.post_update(update)
        stack.double.post_update(update)  # the stored answer is replayed, the flow does not restart
        session = stack.doc("sessions/4102:4102")
        assert session is not None and session["last_update_id"] == 990_002


class TestOutages:
    def test_telegram_failing_on_a_direct_edit_hands_it_to_deliver_which_completes_it(self, stack: Stack) -> None:
        # one Telegram budget (issue 15): a refused answer is not retried by making Telegram re-send the update,
        # it goes through the paced, retried path
        stack.connect_chain()
        say(stack, 4201, "https://vk.com/video-1_3")
        message = stack.last_bot_message(4201)
        stack.double.add_fault(method="editMessageText", kind="500", count=1)
        update = make_callback_update(4201, message["message_id"], "", 4201)
        update["callback_query"]["data"] = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        update["update_id"] = 990_101
        assert stack.double.post_update(update)["status"] == 200
        wait_for(lambda: "опасность" in stack.last_bot_message(4201)["text"])
        assert stack.double.post_update(update)["status"] == 200  # a re-send changes nothing
        edits = [c for c in stack.double.calls("editMessageText", chat_id=4201) if c["status"] == 200]
        assert len(edits) == 1

    def test_firestore_down_answers_503_then_the_retry_stores_the_report(self, stack: Stack) -> None:
        stack.emulators.stop_firestore()
        try:
            update = make_text_update(4301, "/start", update_id=990_201, message_id=7)
            result = stack.double.post_update(update)
            assert result["status"] == 503
        finally:
            stack.emulators.restart_firestore()
        # Telegram re-sends until it gets a 2xx; the client may need a few seconds to reconnect
        result = post_like_telegram(stack, update, attempts=100)
        assert result["status"] == 200
        code = code_in(report_link(stack, 4302, "https://x.com/someone/status/1234567890"))
        assert stack.doc(f"reports/{code}") is not None
