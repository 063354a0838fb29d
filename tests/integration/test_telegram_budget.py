"""One Telegram budget on the emulators and the double: a confirmation or an edit Telegram refuses with 429 in the
webhook is not lost and does not make Telegram re-send the update; deliver sends it, paced, once."""

from __future__ import annotations

import base64
import json
import time

import httpx

from functions import bootstrap
from functions.domain.jobs import DeliveryJob
from functions.services.calls import edit
from tests.integration.helpers import code_in, press, say, start
from tests.stack import ADMIN_ID, Stack, wait_for

GROUP = -100_900


def with_profile(stack: Stack, user: int) -> None:
    start(stack, user)  # the language first (issue 14)
    press(stack, user, "Педагог")
    press(stack, user, "город Астана")


def push_reply(stack: Stack, reply_id: str, chat_id: int) -> None:
    """A deliver push of the reply job the webhook would publish."""
    job = DeliveryJob(job_id=reply_id, kind="reply", report_id="reply", recipient_id=chat_id, event_id="update-x")
    push = {
        "message": {"data": base64.b64encode(job.model_dump_json().encode()).decode(), "messageId": reply_id},
        "subscription": "projects/p/subscriptions/deliveries",
    }
    response = httpx.post(f"{stack.functions.url}/deliver", json=push, timeout=30)
    assert response.status_code == 200


def texts_with(stack: Stack, chat_id: int, needle: str) -> list[str]:
    return [text for text in stack.bot_texts(chat_id) if needle in text]


class TestConfirmationsArrive:
    def test_a_group_confirmation_refused_with_429_is_sent_by_deliver_once(self, stack: Stack) -> None:
        stack.connect_chain()
        say(stack, ADMIN_ID, "/enable_group", chat_id=GROUP)
        with_profile(stack, 9901)
        stack.double.add_fault("429", method="sendMessage", chat_id=GROUP, count=1, retry_after=1)
        result = say(stack, 9901, "https://vk.com/clip-77_123", chat_id=GROUP)
        assert result["status"] == 200
        code = code_in(str(stack.reports()[0]["id"]))
        wait_for(lambda: texts_with(stack, GROUP, code), timeout=30)
        time.sleep(2)  # a second copy would show up now
        assert len(texts_with(stack, GROUP, code)) == 1
        refused = [c for c in stack.double.calls("sendMessage", chat_id=GROUP) if c["status"] == 429]
        assert len(refused) == 1

    def test_a_private_confirmation_edit_refused_with_429_needs_no_resent_update(self, stack: Stack) -> None:
        stack.connect_chain()
        user = 9902
        say(stack, user, "https://t.me/budgetchan/5")
        for label in ("Драка, насилие между детьми", "Нет", "город Астана"):  # the summary next (issue 14)
            press(stack, user, label)
        stack.double.add_fault("429", method="editMessageText", chat_id=user, count=1, retry_after=1)
        message = stack.last_bot_message(user)
        result = stack.double.press_button(user, user, message["message_id"], text="Отправить")
        assert result["status"] == 200  # no 503: nothing for Telegram to re-send
        code = str(stack.reports()[0]["id"])
        wait_for(lambda: code in str(stack.last_bot_message(user)["text"]), timeout=30)
        assert len(stack.reports()) == 1

    def test_an_edit_with_a_keyboard_that_failed_arrives_through_deliver_with_its_buttons(self, stack: Stack) -> None:
        stack.connect_chain()
        user = 9903
        say(stack, user, "https://t.me/budgetchan/6")
        stack.double.add_fault("500", method="editMessageText", chat_id=user, count=1)
        result = press(stack, user, "Драка, насилие между детьми")
        assert result["status"] == 200  # stored for deliver (the keyboard too), nothing for Telegram to re-send

        def buttons() -> list[str]:
            markup = stack.last_bot_message(user).get("reply_markup") or {}
            return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]

        wait_for(lambda: "Нет" in buttons(), timeout=30)
        failed = [c for c in stack.double.calls("editMessageText", chat_id=user) if c["status"] != 200]
        assert len(failed) == 1

    def test_a_late_older_edit_never_turns_the_message_back(self, stack: Stack) -> None:
        user = 9904
        say(stack, user, "/start")
        message_id = stack.last_bot_message(user)["message_id"]
        replies = bootstrap.store()
        keyboard = {"inline_keyboard": [[{"text": "Да", "callback_data": "x"}]]}
        newer = edit(user, message_id, "the newer answer", keyboard).model_dump(mode="json")
        older = edit(user, message_id, "the older answer").model_dump(mode="json")
        replies.put_reply("reply-501-0", user, newer, 501)
        replies.put_reply("reply-500-0", user, older, 500)  # stored later (a re-sent update), older
        push_reply(stack, "reply-501-0", user)
        push_reply(stack, "reply-500-0", user)
        assert stack.last_bot_message(user)["text"] == "the newer answer"
        assert len(stack.double.calls("editMessageText", chat_id=user)) == 1

    def test_a_forged_reply_job_sends_nothing(self, stack: Stack) -> None:
        job = DeliveryJob(job_id="reply-1-0", kind="reply", report_id="reply", recipient_id=4242, event_id="update-1")
        push = {
            "message": {"data": base64.b64encode(job.model_dump_json().encode()).decode(), "messageId": "m1"},
            "subscription": "projects/p/subscriptions/deliveries",
        }
        before = len(stack.double.calls("sendMessage"))
        response = httpx.post(f"{stack.functions.url}/deliver", json=push, timeout=30)
        assert response.status_code == 200 and json.loads(response.text)["ok"] is True
        assert len(stack.double.calls("sendMessage")) == before
