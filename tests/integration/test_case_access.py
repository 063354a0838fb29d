"""Who may see a case (issue 11, holes 1, 2, 3, 5 and 7), end to end on the emulators and the Bot API double.

Each test was first run against the code before its fix and failed there (see the commit messages).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from devkit.botapi_double.builders import make_media_update
from functions.domain.time import utcnow
from functions.domain.urls import canonical_url, content_key_for_url
from functions.log import JsonFormatter
from tests.integration.helpers import code_in, press, press_until_answered, report_link, say, send_media, start
from tests.integration.test_oversight import seed
from tests.integration.test_staff import add_staff, buttons, card, press_card
from tests.stack import ADMIN_ID, Stack, wait_for

SEXUAL = "Сексуальное насилие, совращение"
VIOLENCE = "Драка, насилие между детьми"
BULLYING = "Травля, в том числе в интернете"
DANGER_NOW = "Да, прямо сейчас"
GROUP = -100_911


def evidence_message(stack: Stack, chat_id: int) -> dict[str, Any] | None:
    """The evidence header deliver sent to this person (None while it is still on its way)."""
    sent = [c for c in stack.double.calls("sendMessage", chat_id=chat_id) if c["status"] == 200]
    return next((c for c in reversed(sent) if str(c["params"].get("text", "")).startswith("Материалы")), None)


def settled(stack: Stack, code: str) -> None:
    """Wait until every event of the case was fanned out and every card sent."""

    def done() -> bool:
        report = stack.doc(f"reports/{code}") or {}
        reporters = [s.to_dict() or {} for s in stack.db.collection(f"reports/{code}/reporters").stream()]
        cards = [s.to_dict() or {} for s in stack.db.collection("cards").stream()]
        return (
            report.get("fanout_pending") is False
            and not any(r.get("event_pending") for r in reporters)
            and all(c.get("lease_until") is None for c in cards)
        )

    wait_for(done, timeout=40, interval=0.3)


def current(stack: Stack, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
    """The message as it is now in the chat (after edits)."""
    return next(m for m in stack.double.messages(chat_id) if m["message_id"] == message["message_id"])


def all_text(stack: Stack, chat_id: int) -> str:
    return "\n".join(stack.bot_texts(chat_id))


def flow_to_confirm(
    stack: Stack,
    user_id: int,
    url: str,
    category: str,
    *,
    danger: str = "Нет",
    extra: list[str] | None = None,
    description: str | None = None,
    photo: bool = False,
) -> None:
    """A private report up to the last button (not pressed)."""
    say(stack, user_id, url)
    press(stack, user_id, category)
    press(stack, user_id, danger)
    press(stack, user_id, "город Астана")
    for more in extra or []:
        say(stack, user_id, more)
    if photo:
        send_media(stack, user_id, "photo")
    if description is not None:  # the summary is on screen: started with a link (issue 14)
        press(stack, user_id, "✏️ Описание")
        say(stack, user_id, description)


@pytest.fixture
def app_log() -> Iterator[list[dict[str, Any]]]:
    """Every record of the application's loggers, as the JSON objects the formatter writes."""
    lines: list[dict[str, Any]] = []
    formatter = JsonFormatter()

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(formatter.format(record)))

    handler = Recorder(logging.DEBUG)
    logger = logging.getLogger("qorgau")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


# --- hole 1: a join raises the case; access changes re-route it -------------------------------------------------


class TestEscalatingJoins:
    URL = "https://www.tiktok.com/@esc/video/7355555555555555501"

    def test_a_restricted_answer_restricts_the_case_and_stubs_cards_of_those_no_longer_cleared(
        self, stack: Stack
    ) -> None:
        stack.connect_chain()
        add_staff(11001, "regional", ("71",))
        add_staff(11002, "specialist", on_duty=True)
        add_staff(11003, "child_safety")
        code = code_in(report_link(stack, 11050, self.URL, category=VIOLENCE))
        officer = card(stack, 11001, code)
        specialist = card(stack, 11002, code)
        assert "tiktok.com" in officer["text"]
        settled(stack, code)
        assert stack.double.messages(11003) == []

        joined = report_link(stack, 11051, self.URL, category=SEXUAL)
        assert code_in(joined) == code
        settled(stack, code)
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["category"] == "sexual" and report["severity"] == "urgent"
        cleared = card(stack, 11003, code)  # the newly entitled get a card
        assert "tiktok.com" not in cleared["text"]  # links of a restricted case only behind the warning
        for chat, message in ((11001, officer), (11002, specialist)):
            now = wait_for(
                lambda c=chat, m=message: "tiktok" not in current(stack, c, m)["text"] and current(stack, c, m)
            )
            assert code in now["text"] and not (now.get("reply_markup") or {}).get("inline_keyboard")
            assert "Драка" not in now["text"]

    def test_severity_only_goes_up_and_danger_now_makes_it_urgent(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(11011, "regional", ("71",))
        add_staff(11012, "specialist")  # not on duty: only urgent cases reach them
        add_staff(11013, "admin")
        url = "https://vk.com/video-11_12"
        code = code_in(report_link(stack, 11060, url, category=VIOLENCE))
        card(stack, 11011, code)
        settled(stack, code)
        assert stack.double.messages(11012) == [] and stack.double.messages(11013) == []
        report_link(stack, 11061, url, category=BULLYING)  # a milder answer changes nothing
        settled(stack, code)
        assert stack.doc(f"reports/{code}")["severity"] == "high"  # type: ignore[index]
        assert stack.doc(f"reports/{code}")["category"] == "violence"  # type: ignore[index]
        report_link(stack, 11062, url, category=BULLYING, danger=DANGER_NOW)
        settled(stack, code)
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["severity"] == "urgent" and report["child_in_danger"] is True
        assert report["category"] == "violence"
        assert "СРОЧНО" in card(stack, 11012, code)["text"]
        card(stack, 11013, code)
        first = card(stack, 11011, code)
        # the officer's card is edited by deliver in its own time (after the new cards, on a busy machine later)
        wait_for(lambda: "СРОЧНО" in current(stack, 11011, first)["text"])

    def test_the_joining_reporters_links_media_and_description_are_kept(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(11021, "regional", ("71",))
        url = "https://youtu.be/JoinKeep001"
        extra = "https://youtu.be/JoinKeep002"
        code = code_in(report_link(stack, 11070, url, category=VIOLENCE))
        flow_to_confirm(stack, 11071, url, VIOLENCE, extra=[extra], description="Второе описание", photo=True)
        press(stack, 11071, "Отправить")
        assert code_in(stack.last_bot_message(11071)["text"]) == code
        settled(stack, code)
        first = card(stack, 11021, code)
        mine = wait_for(lambda: (m := current(stack, 11021, first)) and "Дополнили: 1" in m["text"] and m)
        assert "ссылок: 1, медиа: 1, описаний: 1" in mine["text"], mine["text"]
        press_card(stack, 11021, mine, "Открыть материалы")
        press_card(stack, 11021, current(stack, 11021, mine), "⚠️ Да, открыть")
        evidence = wait_for(lambda: evidence_message(stack, 11021))  # sent by deliver, in pages
        assert "watch?v=JoinKeep002" in evidence["params"]["text"]
        assert "Второе описание" in evidence["params"]["text"]
        assert evidence["params"]["entities"][0]["type"] == "blockquote"  # the joiner's words, quoted
        wait_for(lambda: [c for c in stack.double.calls("sendPhoto", chat_id=11021) if c["status"] == 200])
        assert len([c for c in stack.double.calls("sendPhoto", chat_id=11021) if c["status"] == 200]) == 1

    def test_many_reporters_at_once_with_escalating_answers_give_one_case_at_the_most_serious(
        self, stack: Stack
    ) -> None:
        stack.connect_chain()
        add_staff(11031, "child_safety")
        url = "https://t.me/viral_esc/4242"
        people = list(range(11100, 11112))
        answers = [SEXUAL if i == 5 else VIOLENCE for i in range(len(people))]
        dangers = [DANGER_NOW if i == 9 else "Нет" for i in range(len(people))]
        for person, category, danger in zip(people, answers, dangers, strict=True):
            flow_to_confirm(stack, person, url, category, danger=danger)
        with ThreadPoolExecutor(len(people)) as pool:
            list(pool.map(lambda p: press_until_answered(stack, p, "Отправить"), people))
        reports = stack.reports()
        assert len(reports) == 1
        code = reports[0]["id"]
        card(stack, 11031, code, timeout=40)
        report = wait_for(
            lambda: (r := stack.doc(f"reports/{code}")) and r["category"] == "sexual" and r["child_in_danger"] and r,
            timeout=40,
        )
        assert report["reporter_count"] == len(people) and report["severity"] == "urgent"
        reporters = list(stack.db.collection(f"reports/{code}/reporters").stream())
        assert len(reporters) == len(people)


class TestRecategorise:
    def test_staff_restrict_a_case_from_the_card_audited_and_rerouted(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(11201, "regional", ("71",))
        add_staff(11202, "child_safety")
        code = code_in(report_link(stack, 11250, "https://instagram.com/p/Recat1", category=VIOLENCE))
        mine = card(stack, 11201, code)
        press_card(stack, 11201, mine, "Категория…")
        press_card(stack, 11201, current(stack, 11201, mine), SEXUAL)
        settled(stack, code)
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["category"] == "sexual" and report["severity"] == "urgent"
        events = [s.to_dict() or {} for s in stack.db.collection(f"reports/{code}/events").stream()]
        audit = [e for e in events if e.get("type") == "recategorised"]
        assert len(audit) == 1 and audit[0]["by"] == 11201 and audit[0]["to"] == "sexual"
        assert audit[0]["from"] == "violence"
        card(stack, 11202, code)
        stub = wait_for(lambda: "instagram" not in current(stack, 11201, mine)["text"] and current(stack, 11201, mine))
        assert not (stub.get("reply_markup") or {}).get("inline_keyboard")

    def test_a_forged_recategorise_by_someone_out_of_scope_is_refused(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(11211, "regional", ("71",))
        add_staff(11212, "regional", ("75",))
        code = code_in(report_link(stack, 11260, "https://instagram.com/p/Recat2", category=VIOLENCE))
        mine = card(stack, 11211, code)
        menu = current(stack, 11211, mine)
        press_card(stack, 11211, menu, "Категория…")
        data = next(
            b["callback_data"]
            for row in current(stack, 11211, mine)["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == SEXUAL
        )
        stack.double.press_button(11212, 11211, mine["message_id"], data=data)
        assert stack.doc(f"reports/{code}")["category"] == "violence"  # type: ignore[index]


class TestUnclassifiedMedia:
    def test_a_quarantined_photo_is_restricted_until_someone_cleared_looks(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(11301, "regional", ("71",))
        add_staff(11302, "child_safety")
        stack.double.set_chat_member(
            GROUP, stack.double.bot_id, {"status": "administrator", "can_delete_messages": True}
        )
        say(stack, ADMIN_ID, "/enable_group", chat_id=GROUP)
        say(stack, ADMIN_ID, "/quarantine on", chat_id=GROUP)
        start(stack, 11350)
        result = stack.double.post_update(make_media_update("photo", 11350, GROUP))
        assert result["status"] == 200
        reports = wait_for(stack.reports)
        report = reports[0]
        assert report["category"] == "unreviewed" and report["severity"] in {"high", "urgent"}
        card(stack, 11302, report["id"])
        settled(stack, report["id"])
        assert not any(report["id"] in t for t in stack.bot_texts(11301))


# --- hole 2: restricted material only to child_safety; protect_content everywhere --------------------------------


class TestRestrictedMaterial:
    URL = "https://vk.com/wall-21_22"

    def test_restricted_cards_carry_no_links_for_anyone_and_the_evidence_only_for_child_safety(
        self, stack: Stack
    ) -> None:
        stack.connect_chain()
        add_staff(12001, "admin")
        add_staff(12002, "child_safety")
        code = code_in(report_link(stack, 12050, self.URL, category=SEXUAL, description="что там видно"))
        admins = card(stack, 12001, code)
        cleared = card(stack, 12002, code)
        for message in (admins, cleared):
            assert "vk.com" not in message["text"] and "что там видно" not in message["text"]
            assert message["protect_content"] is True
        assert "Открыть материалы" not in buttons(admins)
        press_card(stack, 12002, cleared, "Открыть материалы")
        press_card(stack, 12002, current(stack, 12002, cleared), "⚠️ Да, открыть")
        evidence = wait_for(lambda: evidence_message(stack, 12002))  # sent by deliver, in pages
        assert "vk.com/wall-21_22" in evidence["params"]["text"] and evidence["params"]["protect_content"] is True

    def test_case_and_history_go_out_protected_and_without_restricted_content(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(12011, "admin")
        add_staff(12012, "regional", ("71",))
        restricted = code_in(report_link(stack, 12060, self.URL, category=SEXUAL, description="подробности"))
        ordinary = code_in(report_link(stack, 12061, "https://vk.com/wall-21_23", category=VIOLENCE))
        settled(stack, restricted)
        settled(stack, ordinary)
        before = len(stack.double.calls("sendMessage", chat_id=ADMIN_ID))
        say(stack, ADMIN_ID, f"/case {restricted}")
        sent = stack.double.calls("sendMessage", chat_id=ADMIN_ID)[before:]
        assert sent and all(c["params"].get("protect_content") is True for c in sent)
        assert not any("vk.com" in str(c["params"].get("text")) for c in sent)
        assert not any("подробности" in str(c["params"].get("text")) for c in sent)
        assert any(restricted in str(c["params"].get("text")) for c in sent)
        before = len(stack.double.calls("sendMessage", chat_id=12012))
        say(stack, 12012, f"/case {ordinary}")
        sent = stack.double.calls("sendMessage", chat_id=12012)[before:]
        assert len(sent) >= 2 and all(c["params"].get("protect_content") is True for c in sent)


# --- hole 3: every case reaches someone who may act on it ---------------------------------------------------------


class TestNobodyLeftOut:
    def test_no_officer_and_nobody_on_duty_goes_to_every_specialist(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(13001, "regional", ("75",))
        add_staff(13002, "specialist")
        add_staff(13003, "specialist")
        add_staff(13004, "admin")
        code = code_in(report_link(stack, 13050, "https://youtu.be/Unrouted001"))
        card(stack, 13002, code)
        card(stack, 13003, code)
        settled(stack, code)
        assert stack.double.messages(13001) == [] and stack.double.messages(13004) == []

    def test_no_specialist_at_all_goes_to_the_admins(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(13011, "admin")
        code = code_in(report_link(stack, 13060, "https://youtu.be/Unrouted002", category=BULLYING))
        card(stack, 13011, code)

    def test_a_case_nobody_can_receive_is_logged_for_the_alert(
        self, stack: Stack, app_log: list[dict[str, Any]]
    ) -> None:
        stack.connect_chain()
        code = code_in(report_link(stack, 13070, "https://youtu.be/Unrouted003"))
        settled(stack, code)
        unrouted = [line for line in app_log if line.get("event") == "case_unrouted"]
        assert len(unrouted) == 1 and unrouted[0]["report_id"] == code
        assert unrouted[0]["severity"] in {"WARNING", "ERROR"}


# --- hole 5: the poster is no reporter; notices never say where a case went -----------------------------------------


class TestWhoHearsBack:
    def test_the_author_of_a_quarantined_post_is_not_a_reporter(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(15001, "regional", ("71",))
        stack.double.set_chat_member(
            GROUP, stack.double.bot_id, {"status": "administrator", "can_delete_messages": True}
        )
        say(stack, ADMIN_ID, "/quarantine on", chat_id=GROUP)
        start(stack, 15050)
        say(stack, 15050, "https://t.me/harm_chan/15", chat_id=GROUP)
        code = wait_for(stack.reports)[0]["id"]
        reporters = [s.to_dict() or {} for s in stack.db.collection(f"reports/{code}/reporters").stream()]
        assert [r for r in reporters if r.get("user_id") == 15050] == []
        say(stack, 15050, "/my")
        assert code not in stack.last_bot_message(15050)["text"]

    def test_an_escalation_notice_says_only_that_the_committee_acts_with_the_authorities(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(15011, "regional", ("71",))
        url = "https://instagram.com/p/Escal15"
        code = code_in(report_link(stack, 15060, url))
        report_link(stack, 15061, url)  # one who joined
        mine = card(stack, 15011, code)
        press_card(stack, 15011, mine, "Взять в работу")
        press_card(stack, 15011, current(stack, 15011, mine), "Передать…")
        press_card(stack, 15011, current(stack, 15011, mine), "Передать в полицию")
        for reporter in (15060, 15061):
            notice = wait_for(
                lambda r=reporter: next((t for t in stack.bot_texts(r) if "меры" in t and code in t), None), timeout=20
            )
            assert "полиц" not in notice.lower() and "компетентн" in notice


# --- hole 7: statistics and look-ups tell no more than the asker may know -------------------------------------------


class TestScopedAnswers:
    def test_stats_count_restricted_cases_only_for_those_who_may_see_them(self, stack: Stack) -> None:
        now = utcnow()
        seed(stack, 501, created=now - timedelta(days=2), category="violence")
        seed(stack, 502, created=now - timedelta(days=2), category="sexual", severity="urgent")
        add_staff(17001, "specialist")
        add_staff(17002, "child_safety")
        say(stack, 17001, "/stats 30d")
        assert "Всего обращений: 1" in stack.last_bot_message(17001)["text"]
        say(stack, 17002, "/stats 30d")
        assert "Всего обращений: 2" in stack.last_bot_message(17002)["text"]

    def test_not_yours_and_not_there_get_the_same_answer(self, stack: Stack) -> None:
        now = utcnow()
        theirs = seed(stack, 511, created=now - timedelta(days=1), region="75")
        restricted = seed(stack, 512, created=now - timedelta(days=1), category="sexual", severity="urgent")
        add_staff(17011, "regional", ("71",))
        add_staff(17012, "specialist")

        def answer(user: int, text: str) -> str:
            say(stack, user, text)
            return str(stack.last_bot_message(user)["text"])

        absent = answer(17011, "/case RZZZZZZ")
        assert answer(17011, f"/case {theirs}") == absent
        assert answer(17011, f"/find {theirs}") == answer(17011, "/find RZZZZZZ")
        assert answer(17012, f"/case {restricted}") == answer(17012, "/case RZZZZZZ")
        key = content_key_for_url(str(canonical_url("https://t.me/chan/512")))
        stack.db.collection("content").document(key).set({"report_id": restricted})
        no_link = answer(17012, "/find https://t.me/chan/999999")
        assert answer(17012, "/find https://t.me/chan/512") == no_link
        assert restricted in answer(ADMIN_ID, "/find https://t.me/chan/512")  # the index does point at it
