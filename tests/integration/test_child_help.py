"""The help-the-child track and phone sharing (issue 12) through the Bot API double on the emulators, kk and ru."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest

from devkit.botapi_double.builders import make_user
from functions import bootstrap
from functions.i18n import t
from tests.integration import test_privacy_logs as privacy_logs
from tests.integration.helpers import code_in
from tests.integration.test_conversations import (
    FIRST_NAME,
    USERNAME,
    post,
    press_data,
    relayed,
    report,
    take,
    texts_to,
    write,
)
from tests.integration.test_oversight import export_file, person, read_workbook, seed, sla_at, texts_jobs
from tests.integration.test_privacy_logs import Capture
from tests.integration.test_staff import add_staff, card
from tests.stack import ADMIN_ID, Stack, wait_for

pytestmark = pytest.mark.integration

OFFICER: Final = 7_140_071  # regional officer of Astana (71), named "Officer 7140071"
SPECIALIST: Final = 7_140_100
PHONE: Final = "+77015550142"
capture = privacy_logs.capture


def press(stack: Stack, user_id: int, ends_with: str, lang: str = "ru") -> None:
    """Press a button once it shows (an edit of the card may reach the chat a moment later, through deliver, when
    Telegram's per-chat limit deferred it)."""

    def showing() -> bool | None:
        for message in stack.double.messages(user_id):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                if any(str(key.get("callback_data", "")).endswith(ends_with) for key in row):
                    return True
        return None

    wait_for(showing, timeout=30)
    press_data(stack, user_id, ends_with, lang)


def last_alert(stack: Stack) -> str:
    return str(stack.double.calls("answerCallbackQuery")[-1]["params"].get("text", ""))


def card_text(stack: Stack, staff_id: int, code: str) -> str:
    return str(card(stack, staff_id, code)["text"])


def contact_update(user_id: int, owner: int, lang: str) -> dict[str, Any]:
    """The message Telegram sends when a user presses a request_contact button (or shares any contact)."""
    return {
        "message": {
            "from": make_user(user_id, FIRST_NAME, lang, username=USERNAME),
            "chat": {"id": user_id, "type": "private", "first_name": FIRST_NAME},
            "contact": {"phone_number": PHONE if owner == user_id else "+77779990000", "first_name": "X",
                        "user_id": owner},
        }
    }  # fmt: skip


def child_request(stack: Stack, child: int, lang: str) -> str:
    """A child's own request for an adult (profile: a pupil of Astana), as in test_conversations."""
    write(stack, child, "/start", lang)
    press_data(stack, child, f"lang:{lang}", lang)  # the language first (issue 14)
    press_data(stack, child, ":role:child", lang)
    press_data(stack, child, ":preg:71", lang)
    write(stack, child, "/report", lang)
    press_data(stack, child, ":child:contact", lang)
    return code_in(str(stack.last_bot_message(child)["text"]))


class TestTheTrack:
    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_need_referral_first_contact_outcome_and_both_tracks_close_the_case(self, stack: Stack, lang: str) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang=lang)
        reporter = 7_141_001
        code = report(stack, reporter, "https://www.tiktok.com/@help/video/7300000000000014141", lang)
        take(stack, OFFICER, code)
        wait_for(lambda: f"h:m:{code}:need" in str(card(stack, OFFICER, code)["reply_markup"]) or None)

        press(stack, OFFICER, f"h:m:{code}:need", lang)  # tap 1: the menu
        press(stack, OFFICER, f"h:need:{code}:needed", lang)  # tap 2: the choice
        need_line = t(lang, "ch_card_line", need=t(lang, "ch_need_needed"))
        wait_for(lambda: need_line in card_text(stack, OFFICER, code) or None)
        assert t(lang, "ch_card_contact_none") in card_text(stack, OFFICER, code)

        press(stack, OFFICER, f"s:menu:{code}:resolve", lang)  # Resolve asks for the child outcome first
        assert last_alert(stack) == t(lang, "ch_refuse_outcome_first")
        assert f"h:out:{code}:helped" in str(card(stack, OFFICER, code)["reply_markup"])
        press(stack, OFFICER, f"h:back:{code}", lang)

        press_data(stack, OFFICER, f"w:{code}", lang)
        write(stack, OFFICER, "Как зовут ребёнка и в каком он классе? fc-1414", lang)
        relayed(stack, reporter, code)
        stored = wait_for(
            lambda: (stack.doc(f"reports/{code}") or {}).get("first_contact_at") and stack.doc(f"reports/{code}")
        )
        assert stored["first_contact_by"] == OFFICER
        press(stack, OFFICER, f"h:m:{code}:ref", lang)
        press(stack, OFFICER, f"h:ref:{code}:school_psychologist", lang)
        press(stack, OFFICER, f"h:m:{code}:out", lang)
        press(stack, OFFICER, f"h:out:{code}:helped", lang)
        told = t(lang, "notice_child_outcome", code=code, outcome=t(lang, "ch_rep_out_helped"))
        wait_for(lambda: told in texts_to(stack, reporter) or None, timeout=45)
        stored = stack.doc(f"reports/{code}") or {}
        assert stored["status"] == "in_progress"  # the content track is still open
        assert stored["child_help"] == {
            "need": "needed",
            "referral": "school_psychologist",
            "outcome": "helped",
            "outcome_at": stored["child_help"]["outcome_at"],
        }

        press(stack, OFFICER, f"s:menu:{code}:resolve", lang)
        press(stack, OFFICER, f"s:res:{code}:content_removed", lang)
        wait_for(lambda: (stack.doc(f"reports/{code}") or {}).get("status") == "resolved" or None)
        resolved = t(lang, "notice_resolved", code=code, outcome=t(lang, "res_content_removed"))
        wait_for(lambda: resolved in texts_to(stack, reporter) or None, timeout=45)
        time.sleep(2)  # a late second notice would show now
        assert texts_to(stack, reporter).count(told) == 1

        write(stack, OFFICER, f"/case {code}", lang)
        history = "\n".join(texts_to(stack, OFFICER)[-4:])
        assert t(lang, "hist_child_help", what=t(lang, "ch_ref_school_psychologist")) in history
        assert t(lang, "hist_child_help", what=t(lang, "ch_out_helped")) in history
        to_reporter = [str(c["params"]) for c in stack.double.calls(chat_id=reporter)]
        for needle in (f"Officer {OFFICER}", str(OFFICER)):
            assert not any(needle in text for text in to_reporter), needle

        # /stats, from the roll-ups fan-out and the relay kept in step: help needed 1, given 1, one first contact
        def stats_of(user_id: int, speaks: str) -> str | None:
            write(stack, user_id, "/stats 7d", speaks)
            text = texts_to(stack, user_id)[-1]
            return text if t(speaks, "stats_ch_help", needed=1, given=1, share="100%") in text else None

        mine = wait_for(lambda: stats_of(OFFICER, lang), timeout=30)
        assert t(lang, "stats_ch_header") in mine and "p90" in mine
        national = wait_for(lambda: stats_of(ADMIN_ID, "ru"), timeout=30)  # the first admin reads Russian
        line = t("ru", "stats_ch_region", region=t("ru", "region_71"), needed=1, given=1, share="100%")
        assert line in national

    def test_a_childs_request_is_closed_by_its_child_outcome_told_in_the_informal_voice(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang="kk")
        child = 7_142_001
        code = child_request(stack, child, "kk")
        take(stack, OFFICER, code)
        wait_for(lambda: f"h:m:{code}:out" in str(card(stack, OFFICER, code)["reply_markup"]) or None)
        press(stack, OFFICER, f"s:menu:{code}:resolve", "kk")
        assert last_alert(stack) == t("kk", "ch_refuse_need_first")
        assert f"h:need:{code}:needed" in str(card(stack, OFFICER, code)["reply_markup"])  # the menu it needs
        press(stack, OFFICER, f"h:back:{code}", "kk")
        assert f"h:fc:{code}" not in str(card(stack, OFFICER, code)["reply_markup"])  # only the bot reaches the child
        press_data(stack, OFFICER, f"w:{code}", "kk")
        write(stack, OFFICER, "Сәлем! Мен комитет маманымын. Қазір қауіпсіз жердесің бе?", "kk")
        relayed(stack, child, code)
        wait_for(lambda: (stack.doc(f"reports/{code}") or {}).get("first_contact_by") == OFFICER or None)
        press(stack, OFFICER, f"h:m:{code}:out", "kk")
        press(stack, OFFICER, f"h:out:{code}:referred", "kk")
        assert last_alert(stack) == t("kk", "ch_resolved_both", code=code)
        stored = stack.doc(f"reports/{code}") or {}
        assert stored["status"] == "resolved" and stored["outcome"] == "child_helped"
        told = t("kk", "notice_child_outcome_child", code=code, outcome=t("kk", "ch_kid_out_referred"))
        wait_for(lambda: told in texts_to(stack, child) or None, timeout=45)
        time.sleep(2)
        assert texts_to(stack, child).count(told) == 1
        assert t("kk", "notice_resolved", code=code, outcome=t("kk", "res_child_helped")) not in texts_to(stack, child)

    def test_the_digest_lists_children_waiting_for_a_first_contact(self, stack: Stack) -> None:
        morning = datetime(2026, 4, 14, 4, 5, tzinfo=UTC)  # 09:05 in Kazakhstan
        add_staff(9801, "regional", ("71",))
        waiting = seed(stack, 31, created=morning - timedelta(hours=3), child_request=True, severity="urgent")
        seed(stack, 32, created=morning - timedelta(hours=2), child_request=True, first_contact_at=morning)
        needed = seed(stack, 33, created=morning - timedelta(hours=1), child_help={"need": "needed"})
        seed(stack, 34, created=morning - timedelta(hours=1), child_help={"need": "not_needed"})
        jobs = stack.pull_subscription("deliveries")
        assert sla_at(morning, digest=True).digest(morning) == 1
        [text] = texts_jobs(stack.pull(jobs, expect=1), 9801)
        assert t("ru", "digest_child_waiting", n=2) in text
        assert waiting in text and needed in text and text.index(waiting) < text.index(needed)


class TestExport:
    def test_the_child_tracks_columns(self, stack: Stack) -> None:
        now = datetime.now(UTC)
        created = now - timedelta(days=1)
        helped = seed(
            stack,
            41,
            created=created,
            child_help={"need": "needed", "referral": "guardianship", "outcome": "helped"},
            first_contact_at=created + timedelta(minutes=25),
        )
        seed(stack, 42, created=created)
        [header, *rows] = read_workbook(export_file(now, person(ADMIN_ID, "admin"), "7d"))["Обращения"]
        at = header.index(t("ru", "ch_col_need"))
        assert header[at : at + 5] == tuple(t("ru", k) for k in ("ch_col_need", "ch_col_referral",
                                                                   "ch_col_first_contact", "ch_col_minutes",
                                                                   "ch_col_outcome"))  # fmt: skip
        row = next(r for r in rows if r[0] == helped)
        assert row[at] == t("ru", "ch_need_needed") and row[at + 1] == t("ru", "ch_ref_guardianship")
        assert isinstance(row[at + 2], datetime) and row[at + 3] == 25 and row[at + 4] == t("ru", "ch_out_helped")
        other = next(r for r in rows if r[0] != helped)
        assert not other[at] and other[at + 3] is None


class TestPhoneSharing:
    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_own_number_only_to_the_owner_and_admins_and_purged(
        self, stack: Stack, lang: str, capture: Capture
    ) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang=lang)
        add_staff(SPECIALIST, "specialist", on_duty=True, lang=lang)
        reporter = 7_143_001
        code = report(stack, reporter, "https://instagram.com/p/Phone1414", lang)
        card(stack, SPECIALIST, code)
        take(stack, OFFICER, code)
        press_data(stack, OFFICER, f"w:{code}", lang)
        write(stack, OFFICER, "Можно вам позвонить?", lang)
        [message] = relayed(stack, reporter, code)
        assert t(lang, "btn_conv_phone") in str(message["reply_markup"])

        press_data(stack, reporter, f"a:{code}:phone", lang)
        prompt = stack.double.calls("sendMessage", chat_id=reporter)[-1]["params"]
        assert prompt["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        post(stack, contact_update(reporter, 4_242_4242, lang))  # someone else's contact card
        assert texts_to(stack, reporter)[-1] == t(lang, "phone_not_own")
        post(stack, contact_update(reporter, reporter, lang))
        assert texts_to(stack, reporter)[-1] == t(lang, "phone_saved", code=code)
        [event] = [
            e.to_dict() for e in stack.db.collection(f"reports/{code}/events").stream() if e.id.startswith("phone-")
        ]
        assert event["phone"] == PHONE and event["reporter"] == 1

        wait_for(lambda: any(PHONE in x for x in texts_to(stack, OFFICER)) or None, timeout=45)
        write(stack, SPECIALIST, f"/case {code}", lang)
        write(stack, ADMIN_ID, f"/case {code}", lang)
        time.sleep(2)
        assert not any(PHONE in str(c["params"]) for c in stack.double.calls(chat_id=SPECIALIST))
        assert any(t(lang, "hist_phone_hidden", n=1) in x for x in texts_to(stack, SPECIALIST))
        assert any(PHONE in x for x in texts_to(stack, ADMIN_ID))
        assert not [line for line in capture.logs.lines if PHONE in line or "7015550142" in line]

        press(stack, OFFICER, f"s:menu:{code}:resolve", lang)
        press(stack, OFFICER, f"s:res:{code}:resolved_other", lang)
        wait_for(lambda: (stack.doc(f"reports/{code}") or {}).get("status") == "resolved" or None)
        # fan-out may still be clearing the closing's outbox: the purge, like tick's, tries again after a change
        wait_for(lambda: bootstrap.oversight_store().purge_case(code), timeout=20)
        purged = stack.doc(f"reports/{code}/events/{event_id(stack, code)}") or {}
        assert purged.get("phone") is None and purged.get("purged") is True


def event_id(stack: Stack, code: str) -> str:
    return next(e.id for e in stack.db.collection(f"reports/{code}/events").stream() if e.id.startswith("phone-"))
