"""Issue 11 hole 4: one person cannot flood the staff. Per-reporter limits on new cases (kindly told, nothing
half-saved, helplines never limited, joins not counted) and staff muting a reporter through a case."""

from __future__ import annotations

import pytest

from functions.domain.urls import canonical_url, content_key_for_url
from functions.i18n import t
from tests.integration.helpers import code_in, press, report_link, say, start
from tests.integration.test_staff import add_staff, buttons, card, last_answer, press_card
from tests.stack import ADMIN_ID, Stack, wait_for

pytestmark = pytest.mark.integration

PER_HOUR = 10


def flood(stack: Stack, user: int, count: int, prefix: str) -> list[str]:
    return [code_in(report_link(stack, user, f"https://vk.com/video-{prefix}_{i}")) for i in range(count)]


def fanned_out(stack: Stack, code: str) -> None:
    wait_for(lambda: stack.doc(f"reports/{code}")["fanout_pending"] is False)  # type: ignore[index]


class TestLimits:
    def test_the_eleventh_new_case_in_an_hour_is_refused_kindly_and_nothing_is_saved(self, stack: Stack) -> None:
        user = 940_001
        flood(stack, user, PER_HOUR, "9401")
        reports = len(stack.reports())
        say(stack, user, "https://vk.com/video-9401_99")
        for label in ("Драка, насилие между детьми", "Нет", "город Астана", "Отправить"):  # the short flow
            press(stack, user, label)
        told = str(stack.last_bot_message(user)["text"])
        assert "Номер обращения" not in told and "мин" in told and "102" in told, told
        assert len(stack.reports()) == reports
        canonical = canonical_url("https://vk.com/video-9401_99")
        assert canonical and stack.doc(f"content/{content_key_for_url(canonical)}") is None
        session = stack.doc(f"sessions/{user}:{user}")
        assert session is not None and session["step"] == "confirm"  # the report is kept to send later

    def test_joining_an_existing_case_does_not_count_and_is_never_refused(self, stack: Stack) -> None:
        other = code_in(report_link(stack, 940_010, "https://vk.com/video-9402_0"))
        user = 940_011
        flood(stack, user, PER_HOUR, "9403")
        assert "присоедин" in report_link(stack, user, "https://vk.com/video-9402_0").lower() or stack.doc(
            f"reports/{other}/reporters/{user}"
        )
        refused = report_link(stack, user, "https://vk.com/video-9403_77")
        assert "мин" in refused and not any(r["urls"] == ["https://vk.com/video-9403_77"] for r in stack.reports())

    def test_a_flooding_child_is_limited_but_always_gets_the_helplines(self, stack: Stack) -> None:
        user = 940_020
        start(stack, user)
        press(stack, user, "Мне ещё нет 18 лет")
        press(stack, user, "город Астана")
        for _ in range(PER_HOUR):
            say(stack, user, "/report")
            press(stack, user, "Пусть со мной свяжется взрослый")
        assert len(stack.reports()) == PER_HOUR
        say(stack, user, "/report")
        assert "111" in stack.last_bot_message(user)["text"]
        press(stack, user, "Пусть со мной свяжется взрослый")
        told = str(stack.last_bot_message(user)["text"])
        assert "111" in told and "150" in told and len(stack.reports()) == PER_HOUR
        say(stack, user, "я не хочу жить")
        assert "150" in stack.last_bot_message(user)["text"]

    def test_the_refusal_speaks_kazakh_to_a_kazakh_speaker(self, stack: Stack) -> None:
        user = 940_030
        for i in range(PER_HOUR + 1):
            say(stack, user, f"https://vk.com/video-9404_{i}", lang="kk")
            # by its label: from the second report on, «Add to R…» comes first
            for label in (t("kk", "cat_violence"), "Жоқ", "Астана қаласы", "Жіберу"):
                press(stack, user, label, lang="kk")
        told = str(stack.last_bot_message(user)["text"])
        assert "мин" in told and "Өтініш нөмірі" not in told, told
        assert len(stack.reports()) == PER_HOUR


class TestMute:
    def test_mute_by_code_keeps_posts_but_sends_no_cards_until_unmuted(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(940_101, "regional", ("71",))
        flooder = 940_150
        first = code_in(report_link(stack, flooder, "https://vk.com/video-9405_0"))
        card(stack, 940_101, first)
        say(stack, 940_101, f"/mute {first}")
        answer = str(stack.last_bot_message(940_101)["text"])
        assert first in answer and str(flooder) not in answer
        muted = stack.doc(f"reports/{first}/events/mute-{first}") or next(
            (e.to_dict() for e in stack.db.collection(f"reports/{first}/events").stream() if e.get("type") == "mute"),
            None,
        )
        assert muted is not None and muted["by"] == 940_101
        second = code_in(report_link(stack, flooder, "https://vk.com/video-9405_1"))
        assert stack.doc(f"reports/{second}") is not None  # stored
        fanned_out(stack, second)
        assert not any(second in text for text in stack.bot_texts(940_101))  # but not pushed
        say(stack, 940_101, f"/unmute {first}")
        assert first in str(stack.last_bot_message(940_101)["text"])
        third = code_in(report_link(stack, flooder, "https://vk.com/video-9405_2"))
        card(stack, 940_101, third)

    def test_mute_from_the_card(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(940_201, "specialist", on_duty=True)
        code = code_in(report_link(stack, 940_250, "https://vk.com/video-9406_0"))
        mine = card(stack, 940_201, code)
        press_card(stack, 940_201, mine, "Отклонить…")  # a flood is rejected, and its sender muted, here
        menu = stack.double.get_message(940_201, mine["message_id"])
        label = next(b for b in buttons(menu) if "🔇" in b)
        press_card(stack, 940_201, menu, label)
        assert code in last_answer(stack) and "940250" not in last_answer(stack)
        later = code_in(report_link(stack, 940_250, "https://vk.com/video-9406_1"))
        fanned_out(stack, later)
        assert not any(later in text for text in stack.bot_texts(940_201))

    def test_only_staff_who_may_see_the_case_mute(self, stack: Stack) -> None:
        add_staff(940_301, "regional", ("75",))
        code = code_in(report_link(stack, 940_350, "https://vk.com/video-9407_0"))
        say(stack, 940_301, f"/mute {code}")
        assert "940350" not in str(stack.last_bot_message(940_301)["text"])
        say(stack, 940_399, f"/mute {code}")
        assert "Нет доступа" in stack.last_bot_message(940_399)["text"]
        say(stack, ADMIN_ID, f"/mute {code}")
        assert not [e for e in stack.db.collection(f"reports/{code}/events").stream() if e.get("type") == "unmute"]
