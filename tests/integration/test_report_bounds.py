"""Issue 11 hole 10: a report holds a bounded number of items (told kindly), and evidence goes out in pages
through the paced delivery path, not from the webhook."""

from __future__ import annotations

import pytest

from tests.integration.helpers import code_in, press, say, send_media
from tests.integration.test_staff import add_staff, card, press_card
from tests.stack import Stack, wait_for

pytestmark = pytest.mark.integration

MAX_ITEMS = 20


def start_report(stack: Stack, user: int, first: str) -> None:
    say(stack, user, first)
    press(stack, user, "Драка, насилие между детьми")
    press(stack, user, "Нет")
    press(stack, user, "город Астана")


def finish_report(stack: Stack, user: int) -> str:
    press(stack, user, "Отправить")  # the flow started with evidence: the summary is on screen (issue 14)
    return code_in(stack.last_bot_message(user)["text"])


class TestBoundedItems:
    def test_a_report_takes_twenty_items_and_says_so_kindly(self, stack: Stack) -> None:
        user = 920_001
        start_report(stack, user, "https://vk.com/video-920_0")
        for i in range(1, MAX_ITEMS + 5):
            say(stack, user, f"https://vk.com/video-920_{i}")
        told = stack.last_bot_message(user)["text"]
        assert "20" in told and "отдельным обращением" in told and "Отправить" in told, told
        items = list(stack.db.collection(f"sessions/{user}:{user}/items").stream())
        assert len(items) == MAX_ITEMS
        code = finish_report(stack, user)
        report = stack.doc(f"reports/{code}")
        assert report is not None and len(report["urls"]) == MAX_ITEMS

    def test_the_limit_is_told_in_kazakh_too(self, stack: Stack) -> None:
        user = 920_002
        say(stack, user, "https://vk.com/video-921_0", lang="kk")
        press(stack, user, stack.last_bot_message(user)["reply_markup"]["inline_keyboard"][0][0]["text"], lang="kk")
        press(stack, user, "Жоқ", lang="kk")
        press(stack, user, "Астана қаласы", lang="kk")
        for i in range(1, MAX_ITEMS + 2):
            say(stack, user, f"https://vk.com/video-921_{i}", lang="kk")
        told = stack.last_bot_message(user)["text"]
        assert "20" in told and "бөлек өтінішпен" in told, told


class TestEvidenceInPages:
    def _case_with_photos(self, stack: Stack, user: int, photos: int) -> str:
        send_media(stack, user, "photo")
        press(stack, user, "Драка, насилие между детьми")
        press(stack, user, "Нет")
        press(stack, user, "город Астана")
        for _ in range(photos - 1):
            send_media(stack, user, "photo")
        return finish_report(stack, user)

    def test_evidence_is_not_sent_from_the_webhook(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(920_101, "regional", ("71",))
        code = self._case_with_photos(stack, 920_150, 3)
        mine = card(stack, 920_101, code)
        jobs = stack.pull_subscription("deliveries")
        press_card(stack, 920_101, mine, "Открыть материалы")
        press_card(stack, 920_101, stack.double.get_message(920_101, mine["message_id"]), "⚠️ Да, открыть")
        pulled = stack.pull(jobs, wait=10, expect=1)
        assert [m["data"]["kind"] for m in pulled] == ["evidence"]
        assert pulled[0]["data"]["recipient_id"] == 920_101 and pulled[0]["data"]["report_id"] == code

    def test_many_photos_arrive_in_pages_paced_with_protect_content(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(920_201, "regional", ("71",))
        code = self._case_with_photos(stack, 920_250, 14)
        mine = card(stack, 920_201, code)
        press_card(stack, 920_201, mine, "Открыть материалы")
        before = len(stack.double.calls())
        press_card(stack, 920_201, stack.double.get_message(920_201, mine["message_id"]), "⚠️ Да, открыть")

        def mine_sent() -> list[dict]:
            return [p for p in stack.double.calls("sendPhoto") if str(p["params"].get("chat_id")) == "920201"]

        photos = wait_for(lambda: len(mine_sent()) >= 14 and mine_sent(), timeout=90)
        assert len(photos) == 14
        assert all(p["params"]["protect_content"] in (True, "true") and p["status"] == 200 for p in photos)
        pages = [
            c
            for c in stack.double.calls()[before:]
            if c["method"] == "sendMessage" and str(c["params"].get("chat_id")) == "920201"
        ]
        assert any("1/2" in str(c["params"].get("text")) for c in pages), [c["params"].get("text") for c in pages]
