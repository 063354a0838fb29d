"""Anonymous conversations (issue 12): staff write to reporters through the bot, reporters answer, in kk and ru."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from typing import Any, Final

import pytest

from devkit.botapi_double.builders import make_media_update, make_text_update, make_user
from functions import bootstrap
from functions.domain.time import utcnow
from functions.i18n import t
from tests.integration import test_privacy_logs as privacy_logs
from tests.integration.helpers import code_in
from tests.integration.test_privacy_logs import Capture
from tests.integration.test_staff import add_staff, card
from tests.stack import ADMIN_ID, Stack, wait_for

pytestmark = pytest.mark.integration

OFFICER: Final = 7_120_071  # regional officer of Astana (71), named "Officer 7120071" by add_staff
SPECIALIST: Final = 7_120_100
FIRST_NAME: Final = "Saule-Conv-5521"
USERNAME: Final = "saule_conv_5521"
IDS: Final = itertools.count(712_000_001)
capture = privacy_logs.capture  # every log line of the targets, rendered as the app writes it


# --- playing people -----------------------------------------------------------------------------------------
def post(stack: Stack, update: dict[str, Any]) -> dict[str, Any]:
    update.setdefault("update_id", next(IDS))
    result = stack.double.post_update(update)
    assert result["status"] == 200, result
    return result


def user(user_id: int, lang: str) -> dict[str, Any]:
    return make_user(user_id, FIRST_NAME, lang, username=USERNAME)


def write(stack: Stack, user_id: int, text: str, lang: str = "ru", reply_to: dict[str, Any] | None = None) -> None:
    update = make_text_update(user_id, text, language_code=lang, first_name=FIRST_NAME)
    update["message"]["from"] = user(user_id, lang)
    update["message"]["chat"]["first_name"] = FIRST_NAME
    if reply_to is not None:  # a person replies seconds later: the bot has noted which case the message is of
        wait_for(lambda: stack.doc(f"relay_refs/{user_id}_{reply_to['message_id']}"))
        update["message"]["reply_to_message"] = stack.double.get_message(user_id, reply_to["message_id"])
    post(stack, update)


def press_data(stack: Stack, user_id: int, ends_with: str, lang: str = "ru") -> None:
    """Press the newest button in the chat whose callback data ends with this."""
    for message in reversed(stack.double.messages(user_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for key in row:
                if str(key.get("callback_data", "")).endswith(ends_with):
                    result = stack.double.press_button(
                        user_id, user_id, message["message_id"], data=key["callback_data"], language_code=lang
                    )
                    assert result["status"] == 200, result
                    return
    raise AssertionError(f"no button ending {ends_with!r} in chat {user_id}")


def press_label(stack: Stack, user_id: int, label: str, lang: str = "ru") -> None:
    for message in reversed(stack.double.messages(user_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for key in row:
                if key.get("text") == label:
                    result = stack.double.press_button(
                        user_id, user_id, message["message_id"], data=key["callback_data"], language_code=lang
                    )
                    assert result["status"] == 200, result
                    return
    raise AssertionError(f"no button {label!r} in chat {user_id}")


def report(stack: Stack, user_id: int, url: str, lang: str = "ru") -> str:
    """A whole private-chat report of one link (fights, no danger, Astana), in the reporter's language."""
    write(stack, user_id, url, lang)
    press_data(stack, user_id, ":cat:violence", lang)
    press_data(stack, user_id, ":danger:no", lang)
    press_data(stack, user_id, ":region:71", lang)  # a link opens the short flow: the summary next (issue 14)
    press_data(stack, user_id, ":confirm:yes", lang)
    return code_in(str(stack.last_bot_message(user_id)["text"]))


def relayed(stack: Stack, chat_id: int, code: str, count: int = 1, timeout: float = 45.0) -> list[dict[str, Any]]:
    """The conversation messages about this case the bot sent into a chat, once `count` arrived."""

    def found() -> list[dict[str, Any]] | None:
        messages = [
            m
            for m in stack.double.messages(chat_id)
            if code in str(m.get("text")) and "💬" in str(m.get("text")) and not m.get("deleted")
        ]
        return messages if len(messages) >= count else None

    return wait_for(found, timeout)


def texts_to(stack: Stack, chat_id: int) -> list[str]:
    return [str(c["params"].get("text") or "") for c in stack.double.calls(chat_id=chat_id) if c["status"] == 200]


def take(stack: Stack, staff_id: int, code: str) -> None:
    message = card(stack, staff_id, code)
    stack.double.press_button(staff_id, staff_id, message["message_id"], data=f"s:take:{code}")


# --- the tests ----------------------------------------------------------------------------------------------
class TestStaffToReporter:
    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_owner_writes_reporter_answers_and_case_shows_it(self, stack: Stack, lang: str) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang=lang)
        reporter = 7_121_001
        code = report(stack, reporter, "https://www.tiktok.com/@conv/video/7300000000000055210", lang)
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}", lang)
        assert t(lang, "conv_prompt", code=code, count=1) in texts_to(stack, OFFICER)
        write(stack, OFFICER, "Здравствуйте! В какой школе это было? q-5521", lang)
        [message] = relayed(stack, reporter, code)
        assert "q-5521" in message["text"] and t(lang, "btn_conv_answer") in str(message["reply_markup"])
        frame = t(lang, "conv_to_reporter", code=code, text="X").split("X")[0]
        assert message["text"].startswith(frame)

        press_label(stack, reporter, t(lang, "btn_conv_answer"), lang)
        write(stack, reporter, "Школа 12, 7Б класс a-5521", lang)
        [first] = relayed(stack, OFFICER, code)
        assert "a-5521" in first["text"] and first["protect_content"] is True
        assert t(lang, "conv_answer_sent") in texts_to(stack, reporter)

        write(stack, reporter, "И ещё: видео снимали на перемене b-5521", lang, reply_to=message)
        answers = relayed(stack, OFFICER, code, count=2)
        assert "b-5521" in answers[-1]["text"]
        write(stack, OFFICER, "Спасибо, передали психологу c-5521", lang, reply_to=answers[-1])
        relayed(stack, reporter, code, count=2)

        write(stack, OFFICER, f"/case {code}", lang)
        history = "\n".join(texts_to(stack, OFFICER)[-3:])
        for piece in ("q-5521", "a-5521", "b-5521", "c-5521"):
            assert piece in history
        events = [e.to_dict() for e in stack.db.collection(f"reports/{code}/events").stream()]
        messages = [e for e in events if e.get("type") == "message"]
        assert len(messages) == 4 and {e["dir"] for e in messages} == {"in", "out"}

    def test_all_three_reporters_and_the_first_only(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        url = "https://vk.com/video-5521_5521"
        people = [7_122_001, 7_122_002, 7_122_003]
        codes = {report(stack, person, url, lang) for person, lang in zip(people, ["ru", "kk", "ru"], strict=True)}
        [code] = codes
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        press_data(stack, OFFICER, f"w:{code}:all")
        write(stack, OFFICER, "Всем: кто снимал видео? all-5521")
        for person in people:
            [message] = relayed(stack, person, code)
            assert "all-5521" in message["text"]
        assert relayed(stack, people[1], code)[0]["text"].startswith(
            t("kk", "conv_to_reporter", code=code, text="")[:20]
        )
        press_data(stack, OFFICER, f"w:{code}")
        press_data(stack, OFFICER, f"w:{code}:first")
        write(stack, OFFICER, "Только первому first-5521")
        relayed(stack, people[0], code, count=2)
        press_label(stack, people[2], t("ru", "btn_conv_answer"))
        write(stack, people[2], "Я третий, видео снял мой сосед third-5521")
        [answer] = relayed(stack, OFFICER, code)
        assert t("ru", "conv_position", n=3, total=3) in answer["text"]
        assert all(len(relayed(stack, p, code)) == 1 for p in people[1:])

    def test_only_the_owner_or_an_admin_may_write_once_taken(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        add_staff(SPECIALIST, "specialist", on_duty=True)
        code = report(stack, 7_123_001, "https://t.me/conv_chan/5521")
        card(stack, SPECIALIST, code)
        take(stack, OFFICER, code)
        wait_for(lambda: "w:" not in str(card(stack, SPECIALIST, code)["reply_markup"]) or None)
        stack.double.press_button(SPECIALIST, SPECIALIST, card(stack, SPECIALIST, code)["message_id"], data=f"w:{code}")
        answer = stack.double.calls("answerCallbackQuery")[-1]["params"]
        assert answer["text"] == t("ru", "conv_refuse_not_owner")
        assert stack.doc(f"sessions/{SPECIALIST}:{SPECIALIST}") is None


class TestReporterMaterial:
    def test_media_become_evidence_and_are_not_forwarded(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_124_001
        code = report(stack, reporter, "https://youtu.be/conv5521")
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Пришлите, пожалуйста, ещё видео, если есть")
        relayed(stack, reporter, code)
        press_label(stack, reporter, t("ru", "btn_conv_answer"))
        update = make_media_update("video", reporter, caption="вот второе видео https://instagram.com/p/Conv5521")
        post(stack, update)
        [answer] = relayed(stack, OFFICER, code)
        assert t("ru", "conv_new_material") in answer["text"]
        stored = stack.doc(f"reports/{code}")
        assert stored is not None and len(stored["media"]) == 1
        assert any("Conv5521" in url for url in stored["urls"])
        media_calls = [
            c
            for c in stack.double.calls(chat_id=OFFICER)
            if c["method"] in {"sendVideo", "forwardMessage", "copyMessage"}
        ]
        assert media_calls == []


class TestDeliveryProblems:
    def test_blocked_reporter_makes_the_writer_hear_it(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_125_001
        code = report(stack, reporter, "https://instagram.com/p/Blocked5521")
        take(stack, OFFICER, code)
        stack.double.set_blocked(reporter, True)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Вы здесь?")
        undelivered = t("ru", "conv_undelivered", code=code, n=1)
        wait_for(lambda: undelivered in texts_to(stack, OFFICER), timeout=45)
        assert texts_to(stack, OFFICER).count(undelivered) == 1

    def test_relay_survives_429_500_and_timeouts_and_is_sent_once(self, stack: Stack) -> None:
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_126_001
        stack.connect_chain()
        code = report(stack, reporter, "https://instagram.com/p/Faults5521")
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        stack.double.add_fault("429", method="sendMessage", chat_id=reporter, count=2, retry_after=1)
        stack.double.add_fault("500", method="sendMessage", chat_id=reporter, count=1)  # 3 attempts in tests
        stack.double.add_fault("timeout", method="sendMessage", chat_id=reporter, count=1, delay=4)
        write(stack, OFFICER, "Проверка связи faults-5521")
        relayed(stack, reporter, code, timeout=60)
        time.sleep(3)  # a late re-delivery would show now
        sent = [
            c
            for c in stack.double.calls("sendMessage", chat_id=reporter)
            if c["status"] == 200 and "faults-5521" in str(c["params"].get("text"))
        ]
        assert len(sent) == 1


class TestClosedCase:
    def test_reporter_of_a_closed_case_and_the_admins_one_follow_up(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_127_001
        code = report(stack, reporter, "https://instagram.com/p/Closed5521")
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Первый вопрос")
        [message] = relayed(stack, reporter, code)
        press_data(stack, OFFICER, f"s:menu:{code}:resolve")
        press_data(stack, OFFICER, f"s:res:{code}:content_removed")
        wait_for(lambda: stack.doc(f"reports/{code}")["status"] == "resolved")  # type: ignore[index]
        write(stack, reporter, "А что в итоге?", reply_to=message)
        assert t("ru", "conv_case_closed", code=code) in texts_to(stack, reporter)
        assert not [m for m in stack.double.messages(OFFICER) if "💬" in str(m.get("text"))]

        assert "w:" not in str(card(stack, OFFICER, code)["reply_markup"])
        stack.double.press_button(OFFICER, OFFICER, card(stack, OFFICER, code)["message_id"], data=f"w:{code}")
        assert stack.double.calls("answerCallbackQuery")[-1]["params"]["text"] == t("ru", "conv_refuse_closed")
        write(stack, ADMIN_ID, f"/case {code}")
        press_data(stack, ADMIN_ID, f"w:{code}")
        write(stack, ADMIN_ID, "Спустя месяц: всё ли в порядке? followup-5521")
        relayed(stack, reporter, code, count=2)
        assert stack.doc(f"reports/{code}/events/followup")["by"] == ADMIN_ID  # type: ignore[index]
        press_data(stack, ADMIN_ID, f"w:{code}")
        assert stack.double.calls("answerCallbackQuery")[-1]["params"]["text"] == t("ru", "conv_refuse_followup_used")


class TestPrivacy:
    def test_no_staff_identity_reaches_reporters_and_no_reporter_name_reaches_staff(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_128_001
        code = report(stack, reporter, "https://instagram.com/p/Privacy5521")
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Вопрос от специалиста")
        [message] = relayed(stack, reporter, code)
        write(stack, reporter, "Ответ заявителя", reply_to=message)
        relayed(stack, OFFICER, code)
        to_reporter = [str(c["params"]) for c in stack.double.calls(chat_id=reporter)]
        for needle in (f"Officer {OFFICER}", str(OFFICER)):
            assert not any(needle in text for text in to_reporter), needle
        to_staff = [str(c["params"]) for c in stack.double.calls(chat_id=OFFICER)]
        for needle in (FIRST_NAME, USERNAME, str(reporter)):
            assert not any(needle in text for text in to_staff), needle


class TestChild:
    def child_request(self, stack: Stack, child: int, lang: str) -> str:
        write(stack, child, "/start", lang)
        press_data(stack, child, f"lang:{lang}", lang)  # the language first (issue 14)
        press_data(stack, child, ":role:child", lang)
        press_data(stack, child, ":preg:71", lang)
        write(stack, child, "/report", lang)
        press_data(stack, child, ":child:contact", lang)
        return code_in(str(stack.last_bot_message(child)["text"]))

    def test_deadline_met_not_now_and_crisis_words(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        child = 7_130_001
        code = self.child_request(stack, child, "ru")
        card(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Привет! Я специалист. Ты сейчас в безопасности? hi-5521")
        [message] = relayed(stack, child, code)
        hello = "Привет! Я специалист. Ты сейчас в безопасности? hi-5521"
        assert message["text"] == t("ru", "conv_to_child", code=code, text=hello)
        assert t("ru", "btn_conv_not_now") in str(message["reply_markup"])
        case = wait_for(
            lambda: (stack.doc(f"reports/{code}") or {}).get("first_contact_at") and stack.doc(f"reports/{code}")
        )
        assert case["first_contact_by"] == OFFICER
        later = bootstrap.timed(lambda: utcnow() + timedelta(minutes=61)).run()
        assert later["first_contact"] == 0

        press_label(stack, child, t("ru", "btn_conv_not_now"))
        assert t("ru", "conv_not_now_child") in texts_to(stack, child)
        paused = wait_for(lambda: [x for x in texts_to(stack, OFFICER) if x.startswith("⏸")])
        assert code in paused[0]

        write(stack, child, "мне плохо, я не хочу жить", reply_to=message)
        assert t("ru", "crisis_helplines") in "\n".join(texts_to(stack, child))
        [answer] = relayed(stack, OFFICER, code)
        assert t("ru", "conv_crisis") in answer["text"]
        assert stack.doc(f"reports/{code}")["severity"] == "urgent"  # type: ignore[index]
        assert any(e.id.startswith("crisis-") for e in stack.db.collection(f"reports/{code}/events").stream())

    def test_deadline_missed_reminds_then_escalates(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang="kk")
        add_staff(SPECIALIST, "specialist", on_duty=True, lang="kk")
        child = 7_131_001
        code = self.child_request(stack, child, "kk")
        card(stack, OFFICER, code)
        start = utcnow()
        half = bootstrap.timed(lambda: start + timedelta(minutes=31)).run()
        assert half["first_contact"] == 1
        reminder = wait_for(lambda: [x for x in texts_to(stack, OFFICER) if x.startswith("🧒 ") and code in x])
        assert reminder[0] == t("kk", "fc_reminder", code=code, minutes=31)
        missed = bootstrap.timed(lambda: start + timedelta(minutes=62)).run()
        assert missed["first_contact"] == 1
        for person in (OFFICER, SPECIALIST):
            wait_for(lambda p=person: [x for x in texts_to(stack, p) if x.startswith("🧒⏰") and code in x])
        again = bootstrap.timed(lambda: start + timedelta(minutes=63)).run()
        assert again["first_contact"] == 0
        assert stack.doc(f"reports/{code}/events/sla-first_contact_missed") is not None

    def test_free_text_from_a_child_gets_a_child_aware_answer(self, stack: Stack) -> None:
        child = 7_132_001
        write(stack, child, "/start", "kk")
        press_data(stack, child, "lang:kk", "kk")
        press_data(stack, child, ":role:child", "kk")
        press_data(stack, child, ":preg:71", "kk")
        write(stack, child, "сәлем, маған көмек керек", "kk")
        assert texts_to(stack, child)[-1] == t("kk", "child_free_text")


class TestLogs:
    def test_no_message_text_or_name_in_any_log_line(self, stack: Stack, capture: Capture) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_133_001
        code = report(stack, reporter, "https://instagram.com/p/Logs5521")
        take(stack, OFFICER, code)
        stack.double.set_blocked(reporter, True)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "staff-secret-5521 в какой школе?")
        wait_for(lambda: t("ru", "conv_undelivered", code=code, n=1) in texts_to(stack, OFFICER), timeout=45)
        stack.double.set_blocked(reporter, False)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "staff-secret-5521 ещё раз")
        [message] = relayed(stack, reporter, code)
        write(stack, reporter, "reporter-secret-5521 школа 12", reply_to=message)
        relayed(stack, OFFICER, code)
        lines = capture.logs.lines
        assert any(code in line for line in lines)  # the log speaks, by ids
        for needle in ("staff-secret-5521", "reporter-secret-5521", "школа 12", FIRST_NAME, USERNAME):
            assert not [line for line in lines if needle in line], needle
