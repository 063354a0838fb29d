"""Safeguarding: quarantine in groups, clean-up in private chats, the child path, crisis words, evidence care."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from devkit.botapi_double.builders import make_text_update
from tests.integration.helpers import code_in, press, say, send_media, start
from tests.integration.test_staff import add_staff, buttons, card, last_answer, press_card
from tests.stack import ADMIN_ID, Stack, wait_for

GROUP = -100_777


def make_bot_admin(stack: Stack, can_delete: bool) -> None:
    stack.double.set_chat_member(
        GROUP, stack.double.bot_id, {"status": "administrator", "can_delete_messages": can_delete}
    )


def user_messages(stack: Stack, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in stack.double.messages(chat_id, include_user=True) if not m.get("from_bot")]


class TestGroupQuarantine:
    def test_with_delete_rights_the_post_is_stored_deleted_and_replaced_by_a_notice(self, stack: Stack) -> None:
        stack.connect_chain()
        make_bot_admin(stack, can_delete=True)
        say(stack, ADMIN_ID, "/quarantine on", chat_id=GROUP)
        assert "Карантин включён" in stack.last_bot_message(GROUP)["text"]
        group = stack.doc(f"groups/{GROUP}")
        assert group is not None and group["quarantine"] is True and group["bot_can_delete"] is True
        say(stack, 9301, "смотрите https://www.tiktok.com/@k/video/7333333333333333333", chat_id=GROUP)
        reports = stack.reports()
        assert len(reports) == 1 and reports[0]["source"] == "group"
        posted = user_messages(stack, GROUP)[-1]
        assert posted["deleted"] is True
        notice = wait_for(
            lambda: next((m for m in stack.double.messages(GROUP) if reports[0]["id"] in str(m.get("text"))), None),
            timeout=20,
        )
        assert "не публикуйте" in notice["text"] and "жарияламаңыз" in notice["text"]

    def test_without_delete_rights_admins_are_told_once_and_nothing_is_deleted(self, stack: Stack) -> None:
        make_bot_admin(stack, can_delete=False)
        say(stack, ADMIN_ID, "/quarantine on", chat_id=GROUP)
        assert "Удаление сообщений" in stack.last_bot_message(GROUP)["text"]
        say(stack, 9302, "https://vk.com/wall-77_1", chat_id=GROUP)
        say(stack, 9303, "https://vk.com/wall-77_2", chat_id=GROUP)
        assert len(stack.reports()) == 2
        assert all(not m.get("deleted") for m in user_messages(stack, GROUP))
        warnings = [m for m in stack.double.messages(GROUP) if "Удаление сообщений" in str(m.get("text"))]
        assert len(warnings) == 1

    def test_only_committee_admins_switch_quarantine(self, stack: Stack) -> None:
        say(stack, 9304, "/quarantine on", chat_id=GROUP)
        assert "только для администраторов" in stack.last_bot_message(GROUP)["text"]
        assert stack.doc(f"groups/{GROUP}") is None

    def test_a_burst_of_fifty_posts_gives_coalesced_notices_within_the_group_limit(self, stack: Stack) -> None:
        make_bot_admin(stack, can_delete=True)
        say(stack, ADMIN_ID, "/quarantine on", chat_id=GROUP)
        stack.double.set_limits(enforce=True)
        stack.connect_chain()
        updates = [
            make_text_update(
                9400 + i, f"https://t.me/somechan/{1000 + i}", GROUP, update_id=880_000 + i, message_id=5000 + i
            )
            for i in range(50)
        ]
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(stack.double.post_update, updates))
        assert all(r["status"] == 200 for r in results), [r["status"] for r in results]
        codes = {r["id"] for r in stack.reports()}
        assert len(codes) == 50
        wait_for(
            lambda: all(any(code in str(m.get("text")) for m in stack.double.messages(GROUP)) for code in codes),
            timeout=40,
            interval=0.5,
        )
        notices = [
            c
            for c in stack.double.calls("sendMessage", chat_id=GROUP)
            if c["status"] == 200 and "не публикуйте" in str(c["params"].get("text"))
        ]
        assert 1 <= len(notices) <= 20
        assert [c for c in stack.double.calls("sendMessage", chat_id=GROUP) if c["status"] == 429] == []
        assert all(m["deleted"] for m in user_messages(stack, GROUP) if "t.me/somechan" in str(m.get("text")))


class TestPrivateCleanup:
    def _report_video(self, stack: Stack, user: int) -> str:
        send_media(stack, user, "video")
        for label in ("Драка, насилие между детьми", "Нет", "город Астана", "Отправить"):
            press(stack, user, label)
        return str(stack.last_bot_message(user)["text"])

    def test_media_are_deleted_after_the_report_is_stored_and_the_reporter_is_told(self, stack: Stack) -> None:
        text = self._report_video(stack, 9501)
        assert "удалили" in text and stack.doc(f"reports/{code_in(text)}") is not None
        assert all(m["deleted"] for m in user_messages(stack, 9501) if m.get("media"))

    def test_the_reporter_can_turn_it_off(self, stack: Stack) -> None:
        say(stack, 9502, "/cleanup off")
        assert "больше не будут" in stack.last_bot_message(9502)["text"]
        text = self._report_video(stack, 9502)
        assert "удалили" not in text
        assert not any(m["deleted"] for m in user_messages(stack, 9502) if m.get("media"))


class TestChild:
    def _child(self, stack: Stack, user: int, lang: str = "ru") -> None:
        start(stack, user, lang=lang)
        press(stack, user, "Мне ещё нет 18 лет" if lang == "ru" else "Маған әлі 18 жас толған жоқ", lang=lang)
        press(stack, user, "город Астана" if lang == "ru" else "Астана қаласы", lang=lang)

    def test_the_whole_child_path(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9601, "regional", ("71",))
        add_staff(9602, "regional", ("75",))
        add_staff(9603, "specialist")
        self._child(stack, 9650)
        say(stack, 9650, "https://instagram.com/p/Child1")
        support = stack.last_bot_message(9650)
        assert "111" in support["text"] and "150" in support["text"] and "правильно" in support["text"]
        assert not any("О чём" in text or "Отправьте ссылку" in text for text in stack.bot_texts(9650))
        assert stack.reports() == []
        press(stack, 9650, "Пусть со мной свяжется взрослый")
        reports = stack.reports()
        assert len(reports) == 1
        case = reports[0]
        assert case["severity"] == "urgent" and case["child_request"] is True and case["region"] == "71"
        assert case["urls"] == ["https://instagram.com/p/Child1"] and case["description"] is None
        assert case["reporter_role"] == "child" and "content_keys" in case and case["content_keys"] == []
        assert "специалист" in stack.last_bot_message(9650)["text"]
        assert "Ребёнок просит" in card(stack, 9601, case["id"])["text"]
        card(stack, 9603, case["id"])
        wait_for(lambda: stack.doc(f"reports/{case['id']}")["fanout_pending"] is False)  # type: ignore[index]
        assert stack.double.messages(9602) == []

    def test_a_child_who_says_not_now_gets_kind_words_and_no_case(self, stack: Stack) -> None:
        self._child(stack, 9651, lang="kk")
        say(stack, 9651, "/report", lang="kk")
        assert "111" in stack.last_bot_message(9651)["text"]
        press(stack, 9651, "Қазір емес", lang="kk")
        assert "Ойың өзгерсе" in stack.last_bot_message(9651)["text"] and stack.reports() == []


class TestCrisisWords:
    def test_any_message_mentioning_self_harm_brings_the_helplines(self, stack: Stack) -> None:
        say(stack, 9701, "мне кажется, мой друг не хочет жить, он режет себя")
        assert "150" in stack.last_bot_message(9701)["text"] and "111" in stack.last_bot_message(9701)["text"]
        say(stack, 9702, "досым өзіне зиян келтіріп жүр", lang="kk")
        assert "сенім телефоны" in stack.last_bot_message(9702)["text"]

    def test_ordinary_messages_do_not(self, stack: Stack) -> None:
        say(stack, 9703, "привет, как отправить ссылку?")
        assert "111" not in stack.last_bot_message(9703)["text"]


class TestEvidenceCare:
    def _sexual_case(self, stack: Stack) -> str:
        stack.connect_chain()
        send_media(stack, 9850, "photo")
        for label in ("Сексуальное насилие, совращение", "Нет", "город Астана", "Отправить"):
            press(stack, 9850, label)
        return code_in(stack.last_bot_message(9850)["text"])

    def test_sexual_exploitation_evidence_only_to_child_safety_after_a_warning(self, stack: Stack) -> None:
        add_staff(9801, "child_safety")
        add_staff(9802, "admin")
        code = self._sexual_case(stack)
        admins_card = card(stack, 9802, code)
        assert "Открыть материалы" not in buttons(admins_card)  # no button; a forged press is refused
        stack.double.press_button(9802, 9802, admins_card["message_id"], data=f"s:ev:{code}")
        assert "только специалистам" in last_answer(stack)
        cs_card = card(stack, 9801, code)
        press_card(stack, 9801, cs_card, "Открыть материалы")
        assert "сексуальное насилие" in last_answer(stack) and stack.double.calls("sendPhoto") == []
        press_card(stack, 9801, stack.double.get_message(9801, cs_card["message_id"]), "⚠️ Да, открыть")
        photos = wait_for(lambda: stack.double.calls("sendPhoto"))  # sent by deliver (issue 11 hole 10)
        assert len(photos) == 1 and str(photos[0]["params"]["chat_id"]) == "9801"
        assert photos[0]["params"]["protect_content"] in (True, "true")
        time.sleep(0.2)
        assert "Открыть материалы" in buttons(stack.double.get_message(9801, cs_card["message_id"]) or {})

    def test_other_categories_ask_once_per_case(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9803, "regional", ("71",))
        send_media(stack, 9851, "video")
        for label in ("Драка, насилие между детьми", "Нет", "город Астана", "Отправить"):
            press(stack, 9851, label)
        code = code_in(stack.last_bot_message(9851)["text"])
        mine = card(stack, 9803, code)
        press_card(stack, 9803, mine, "Открыть материалы")
        press_card(stack, 9803, stack.double.get_message(9803, mine["message_id"]), "⚠️ Да, открыть")
        press_card(stack, 9803, stack.double.get_message(9803, mine["message_id"]), "Открыть материалы")
        wait_for(lambda: len([c for c in stack.double.calls("sendVideo") if c["status"] == 200]) >= 2)
        assert len([c for c in stack.double.calls("sendVideo") if c["status"] == 200]) == 2
        assert "Платформа" not in mine["text"]
