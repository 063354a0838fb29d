"""Two gaps of the relay (issue 12), on the emulators and the Bot API double.

- A relayed message that delivery gives up on and parks (Telegram failing on every attempt) is told to its
  writer, in their own chat and language, with the case code, and becomes an event of the case's history; the
  notice names nobody on the other side.
- The first contact made by a relay refreshes the case's cards at once (through fan-out's card refresh), and the
  console's `contact_pending` is cleared in the same write as `first_contact_at`.

The stack allows 3 attempts (MAX_DELIVERY_ATTEMPTS in tests/stack.py), so a message whose every send fails with a
500 is parked after the third.
"""

from __future__ import annotations

from typing import Final

import pytest

from functions.i18n import t
from tests.integration import test_conversations as conversations
from tests.integration.test_conversations import (
    FIRST_NAME,
    USERNAME,
    press_data,
    press_label,
    relayed,
    report,
    take,
    texts_to,
    write,
)
from tests.integration.test_staff import add_staff, card
from tests.stack import Stack, wait_for

pytestmark = pytest.mark.integration

OFFICER: Final = 7_160_071  # regional officer of Astana (71), named "Officer 7160071" by add_staff
SPECIALIST: Final = 7_160_100


def history(stack: Stack, code: str) -> list[dict[str, object]]:
    return [(e.to_dict() or {}) | {"id": e.id} for e in stack.db.collection(f"reports/{code}/events").stream()]


class TestParkedRelayIsToldToTheWriter:
    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_staff_message_parked_the_staff_member_hears_it_once(self, stack: Stack, lang: str) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang=lang)
        reporter = 7_161_001 if lang == "ru" else 7_161_002
        code = report(stack, reporter, f"https://instagram.com/p/Parked{lang}5521", lang)
        take(stack, OFFICER, code)
        stack.double.add_fault("500", method="sendMessage", chat_id=reporter, count=50)  # every attempt fails
        press_data(stack, OFFICER, f"w:{code}", lang)
        write(stack, OFFICER, "Вы на связи? parked-5521", lang)
        told = t(lang, "conv_undelivered_parked", code=code, n=1)
        wait_for(lambda: told in texts_to(stack, OFFICER), timeout=60)
        wait_for(lambda: [e for e in history(stack, code) if e.get("type") == "undelivered"], timeout=10)
        [event] = [e for e in history(stack, code) if e.get("type") == "undelivered"]
        assert (event["dir"], event["reporter"]) == ("out", 1)
        [message] = [e for e in history(stack, code) if e.get("type") == "message"]
        assert message.get("undelivered_1") is True
        assert texts_to(stack, OFFICER).count(told) == 1
        assert not [x for x in texts_to(stack, reporter) if "parked-5521" in x]  # never reached, never re-sent
        to_staff = [str(c["params"]) for c in stack.double.calls(chat_id=OFFICER)]
        for needle in (FIRST_NAME, USERNAME, str(reporter)):
            assert not any(needle in text for text in to_staff), needle

        write(stack, OFFICER, f"/case {code}", lang)
        assert t(lang, "hist_undelivered_out", n=1) in "\n".join(texts_to(stack, OFFICER)[-3:])

    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_reporter_answer_parked_the_reporter_hears_it_once(self, stack: Stack, lang: str) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        reporter = 7_162_001 if lang == "ru" else 7_162_002
        code = report(stack, reporter, f"https://instagram.com/p/Answer{lang}5521", lang)
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "В какой школе это было?")
        relayed(stack, reporter, code)
        stack.double.add_fault("500", method="sendMessage", chat_id=OFFICER, count=50)  # the officer unreachable
        press_label(stack, reporter, t(lang, "btn_conv_answer"), lang)
        write(stack, reporter, "Школа 12 answer-5521", lang)
        told = t(lang, "conv_answer_undelivered", code=code)
        wait_for(lambda: told in texts_to(stack, reporter), timeout=60)
        assert texts_to(stack, reporter).count(told) == 1
        events = wait_for(lambda: [e for e in history(stack, code) if e.get("type") == "undelivered"], timeout=10)
        assert [(e["dir"], e["reporter"]) for e in events] == [("in", 1)]
        to_reporter = [str(c["params"]) for c in stack.double.calls(chat_id=reporter)]
        for needle in (f"Officer {OFFICER}", str(OFFICER)):
            assert not any(needle in text for text in to_reporter), needle

    def test_a_childs_answer_parked_the_child_hears_it_in_the_childs_voice(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        child = 7_163_001
        code = conversations.TestChild().child_request(stack, child, "ru")
        card(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Привет! Ты в безопасности?")
        [message] = relayed(stack, child, code)
        stack.double.add_fault("500", method="sendMessage", chat_id=OFFICER, count=50)
        write(stack, child, "да, спасибо child-5521", reply_to=message)
        told = t("ru", "conv_answer_undelivered_child", code=code)
        wait_for(lambda: told in texts_to(stack, child), timeout=60)


class TestFirstContactRefreshesTheCards:
    def test_the_relay_that_reaches_the_child_refreshes_every_card_at_once(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        add_staff(SPECIALIST, "specialist", on_duty=True)
        child = 7_164_001
        code = conversations.TestChild().child_request(stack, child, "ru")
        pending, made = t("ru", "ch_card_contact_none"), t("ru", "ch_card_contact", time="")
        for person in (OFFICER, SPECIALIST):
            assert pending in card(stack, person, code)["text"]
        stored = stack.doc(f"reports/{code}") or {}
        assert stored.get("contact_pending") is True and stored.get("first_contact_at") is None

        press_data(stack, OFFICER, f"w:{code}")
        write(stack, OFFICER, "Привет! Я специалист, я рядом.")
        relayed(stack, child, code)
        for person in (OFFICER, SPECIALIST):  # nothing else happens to the case: the first contact itself refreshes
            wait_for(lambda p=person: made in card(stack, p, code)["text"] or None, timeout=30)
            assert pending not in card(stack, person, code)["text"]
        stored = stack.doc(f"reports/{code}") or {}
        assert stored["first_contact_by"] == OFFICER and stored.get("contact_pending") is False
