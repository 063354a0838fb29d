"""The reporter's flow walked through the Bot API double on the emulators (issue 14): language first, the child's
path, the shortened report (taps counted), sexual exploitation.

A "tap" is what the user does: a button pressed or a message sent. Telegram's Start button (the /start that opens
the bot) is not counted: every conversation begins with it.
"""

from __future__ import annotations

from typing import Any

from devkit.catalog import marker
from functions.i18n import t
from tests.integration.helpers import code_in, press, say, send_media, start
from tests.stack import Stack


class Taps:
    """Plays one Russian-speaking user and counts what they do."""

    def __init__(self, stack: Stack, user_id: int) -> None:
        self.stack, self.user_id, self.count = stack, user_id, 0

    def say(self, text: str) -> None:
        say(self.stack, self.user_id, text)
        self.count += 1

    def press(self, label: str) -> None:
        press(self.stack, self.user_id, label)
        self.count += 1

    @property
    def last(self) -> str:
        return str(self.stack.last_bot_message(self.user_id).get("text"))


def shown(stack: Stack, chat_id: int) -> list[str]:
    """Every text the bot showed in the chat, each sent message and each edit (not only what is left)."""
    return [
        str(call["params"].get("text") or call["params"].get("caption") or "")
        for call in stack.double.calls(None, chat_id)
        if call["method"] in {"sendMessage", "editMessageText", "sendPhoto", "sendVideo"}
    ]


def chat_menus(stack: Stack, chat_id: int) -> list[dict[str, Any]]:
    """The setMyCommands calls scoped to this chat."""
    return [
        call["params"]
        for call in stack.double.calls("setMyCommands")
        if str((call["params"].get("scope") or {}).get("chat_id")) == str(chat_id)
    ]


class TestLanguage:
    def test_after_lang_the_next_report_speaks_the_new_language(self, stack: Stack) -> None:
        """The bug: a finished session's language won over the profile's after /lang."""
        say(stack, 12001, "/report")
        press(stack, 12001, "Отменить")
        say(stack, 12001, "/lang")
        press(stack, 12001, "Қазақша")
        say(stack, 12001, "https://youtu.be/langbug0001")
        assert "Не туралы хабарлағыңыз келеді?" in stack.last_bot_message(12001)["text"]

    def test_the_first_start_offers_the_languages_before_anything_else(self, stack: Stack) -> None:
        say(stack, 12002, "/start")  # a Russian Telegram: language_code is almost never kk
        first = stack.double.messages(12002)
        assert len(first) == 1 and first[0]["text"] == t("ru", "lang_first_prompt")
        labels = [b["text"] for row in first[0]["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == ["Қазақша", "Русский"]
        press(stack, 12002, "Қазақша")
        assert t("kk", "ask_role") in stack.last_bot_message(12002)["text"]
        menu = chat_menus(stack, 12002)
        assert menu and {"command": "report", "description": t("kk", "cmd_report")} in menu[-1]["commands"]
        assert stack.doc("users/12002")["lang"] == "kk"  # type: ignore[index]

    def test_lang_re_renders_the_question_on_screen_and_the_flow_goes_on(self, stack: Stack) -> None:
        say(stack, 12003, "https://youtu.be/langswitch1")
        assert "О чём вы хотите сообщить?" in stack.last_bot_message(12003)["text"]
        say(stack, 12003, "/lang")
        press(stack, 12003, "Қазақша")
        on_screen = stack.last_bot_message(12003)
        assert t("kk", "lang_set") in on_screen["text"] and t("kk", "ask_category") in on_screen["text"]
        press(stack, 12003, t("kk", "cat_other"), lang="kk")
        assert t("kk", "ask_danger") in stack.last_bot_message(12003)["text"]
        assert chat_menus(stack, 12003)[-1]["commands"][0]["description"] == t("kk", "cmd_report")

    def test_lang_changes_a_staff_members_language_and_menu(self, stack: Stack) -> None:
        from tests.integration.test_staff import add_staff

        add_staff(12004, "specialist", on_duty=True)
        say(stack, 12004, "/lang")
        press(stack, 12004, "Қазақша")
        assert stack.doc("staff/12004")["lang"] == "kk"  # type: ignore[index]
        assert stack.last_bot_message(12004)["text"] == t("kk", "lang_set")  # staff are never asked who they are
        names = {c["command"] for c in chat_menus(stack, 12004)[-1]["commands"]}
        assert "queue" in names and "report" not in names


ADULT_KEYS = (
    "welcome",
    "welcome_start",
    "ask_role",
    "ask_profile_region",
    "profile_saved",
    "ask_category",
    "ask_danger",
    "ask_region",
    "ask_evidence",
    "fallback_hint",
    "unsupported_content",
    "help",
    "my_empty",
    "crisis_helplines_adult",
)


def adult_text_in(stack: Stack, chat_id: int) -> list[str]:
    """The adult keys whose fixed text appears in anything the bot showed in the chat."""
    texts = shown(stack, chat_id)
    found = [key for key in ADULT_KEYS if any(marker(key, "ru") in text for text in texts)]
    return found + [word for word in ("сексуальн", "фото или видео") if any(word in text for text in texts)]


class TestChild:
    def test_the_child_path_from_start_child_has_no_adult_text_on_the_way(self, stack: Stack) -> None:
        stack.connect_chain()
        start(stack, 12101, payload="child")  # the school poster's QR code: t.me/<bot>?start=child
        assert stack.last_bot_message(12101)["text"] == t("ru", "ask_child_region")
        press(stack, 12101, "город Астана")
        assert stack.last_bot_message(12101)["text"] == t("ru", "child_again")
        profile = stack.doc("users/12101")
        assert profile is not None and profile["role"] == "child" and profile["region"] == "71"
        for text in ("/help", "/my", "/nonsense", "мне страшно"):
            say(stack, 12101, text)
        assert t("ru", "child_help") in shown(stack, 12101) and t("ru", "my_empty_child") in shown(stack, 12101)
        assert "102" in t("ru", "child_free_text") and "102" in t("kk", "child_free_text")
        say(stack, 12101, "вот https://instagram.com/p/ChildPoster1")
        assert t("ru", "child_support") in stack.last_bot_message(12101)["text"]
        press(stack, 12101, "Пусть со мной свяжется взрослый")
        assert code_in(stack.last_bot_message(12101)["text"])
        case = stack.reports()[0]
        assert case["child_request"] is True and case["region"] == "71" and case["description"] is None
        assert adult_text_in(stack, 12101) == []

    def test_choosing_the_child_role_leaves_the_adult_path(self, stack: Stack) -> None:
        start(stack, 12102)
        press(stack, 12102, "Мне ещё нет 18 лет")
        press(stack, 12102, "Не знаю")
        say(stack, 12102, "/start")
        say(stack, 12102, "/report")
        assert t("ru", "child_support") in stack.last_bot_message(12102)["text"]
        welcome = [text for text in shown(stack, 12102) if "Кто вы?" in text]
        assert len(welcome) == 1 and "сексуальн" not in welcome[0]  # the role question: no adult welcome
        assert [k for k in adult_text_in(stack, 12102) if k not in {"welcome_start", "ask_role"}] == []

    def test_a_regional_poster_knows_the_region(self, stack: Stack) -> None:
        start(stack, 12103, payload="r75")
        press(stack, 12103, "Родитель")  # no region question: the poster's region is the profile's
        assert stack.doc("users/12103")["region"] == "75"  # type: ignore[index]
        say(stack, 12103, "https://youtu.be/poster75001")
        press(stack, 12103, "Другое")
        press(stack, 12103, "Нет")
        assert "Регион: город Алматы" in stack.last_bot_message(12103)["text"]
        press(stack, 12103, "Отправить")
        assert stack.reports()[0]["region"] == "75"


class TestShortFlow:
    def test_a_first_time_parent_reports_a_link_in_7_taps_and_a_returning_one_in_4(self, stack: Stack) -> None:
        me = Taps(stack, 12201)
        say(stack, 12201, "/start")  # Telegram's Start button
        me.press("Русский")
        me.press("Родитель")
        me.press("город Шымкент")
        me.say("https://www.tiktok.com/@x/video/7300000000000012201")
        assert me.last.startswith(t("ru", "received_ack"))  # acknowledged at once
        me.press("Драка, насилие между детьми")
        me.press("Нет")
        assert "Регион: город Шымкент" in me.last  # asked once, at /start: the profile's region
        me.press("Отправить")
        assert "Номер обращения" in me.last and me.count == 7
        again = Taps(stack, 12201)
        again.say("https://www.tiktok.com/@x/video/7300000000000012202")
        again.press("Другое")
        again.press("Нет")
        again.press("Отправить")
        assert "Номер обращения" in again.last and again.count == 4
        texts = shown(stack, 12201)
        assert not any(marker("ask_evidence", "ru") in x or marker("ask_region", "ru") in x for x in texts)
        assert {r["region"] for r in stack.reports()} == {"79"}

    def test_text_typed_with_the_link_or_as_a_caption_is_the_description(self, stack: Stack) -> None:
        say(stack, 12202, "драка у школы №5 https://youtu.be/typedtext01")
        assert t("ru", "note_kept") in stack.last_bot_message(12202)["text"]
        for label in ("Другое", "Нет", "город Астана"):
            press(stack, 12202, label)
        summary = stack.last_bot_message(12202)["text"]
        assert "Описание: драка у школы №5" in summary and "youtu" not in summary.split("Описание:")[1]
        press(stack, 12202, "✏️ Описание")  # offered to edit, not asked again
        say(stack, 12202, "драка у школы №7")
        press(stack, 12202, "Отправить")
        assert stack.reports()[0]["description"] == "драка у школы №7"
        send_media(stack, 12203, "photo", caption="это из чата класса")
        for label in ("Другое", "Нет", "город Астана", "Отправить"):
            press(stack, 12203, label)
        assert {r["description"] for r in stack.reports()} == {"драка у школы №7", "это из чата класса"}

    def test_back_region_and_add_more_on_the_summary(self, stack: Stack) -> None:
        say(stack, 12204, "https://youtu.be/summaryedt1")
        for label in ("Другое", "Нет", "город Астана", "◀ Назад"):
            press(stack, 12204, label)
        assert t("ru", "ask_danger") in stack.last_bot_message(12204)["text"]
        press(stack, 12204, "Да, прямо сейчас")
        summary = stack.last_bot_message(12204)["text"]
        assert "Опасность сейчас: Да, прямо сейчас" in summary and "102" in summary
        press(stack, 12204, "📍 Регион")
        press(stack, 12204, "Не знаю")
        assert "Регион: не знаю" in stack.last_bot_message(12204)["text"]
        press(stack, 12204, "➕ Ещё материалы")
        say(stack, 12204, "https://youtu.be/summaryedt2")
        press(stack, 12204, "Готово")
        assert "Материалов: 2" in stack.last_bot_message(12204)["text"]
        press(stack, 12204, "Отправить")
        case = stack.reports()[0]
        assert case["region"] == "" and len(case["urls"]) == 2 and case["severity"] == "urgent"

    def test_report_without_evidence_asks_for_it_once(self, stack: Stack) -> None:
        say(stack, 12205, "/report")
        for label in ("Другое", "Нет", "город Астана"):
            press(stack, 12205, label)
        assert t("ru", "ask_evidence") in stack.last_bot_message(12205)["text"]
        say(stack, 12205, "https://youtu.be/noevidenc01")
        press(stack, 12205, "Готово")
        press(stack, 12205, "Отправить")
        assert len(stack.reports()) == 1


class TestSexualExploitation:
    def test_only_the_link_is_asked_for_with_a_warning_and_media_are_kept_by_file_id(self, stack: Stack) -> None:
        say(stack, 12301, "https://t.me/badchannel/12301")
        press(stack, 12301, "Сексуальное насилие, совращение")
        assert t("ru", "sexual_link_only") in stack.last_bot_message(12301)["text"]
        press(stack, 12301, "Нет")
        press(stack, 12301, "город Астана")
        press(stack, 12301, "➕ Ещё ссылка")
        assert t("ru", "ask_link_only") in stack.last_bot_message(12301)["text"]
        send_media(stack, 12301, "photo")  # arrives anyway
        assert t("ru", "sexual_media_arrived") in stack.last_bot_message(12301)["text"]
        press(stack, 12301, "Готово")
        press(stack, 12301, "Отправить")
        case = stack.reports()[0]
        assert case["category"] == "sexual" and len(case["media"]) == 1
        assert set(case["media"][0]) == {"kind", "file_id", "file_unique_id"}  # a reference, never a copy
        texts = shown(stack, 12301)
        assert not any(marker("ask_evidence", "ru") in x or "фото или видео" in x for x in texts)

    def test_report_then_sexual_asks_for_the_link_only(self, stack: Stack) -> None:
        say(stack, 12302, "/report")
        for label in ("Сексуальное насилие, совращение", "Нет", "город Астана"):
            press(stack, 12302, label)
        assert t("ru", "ask_link_only") in stack.last_bot_message(12302)["text"]
        message = stack.last_bot_message(12302)
        stack.double.press_button(12302, 12302, message["message_id"], text="Готово")
        assert t("ru", "link_needed") in stack.double.calls("answerCallbackQuery")[-1]["params"].get("text", "")


class TestMyCases:
    def test_my_lists_cases_with_buttons_that_open_them_and_only_ones_own(self, stack: Stack) -> None:
        from tests.integration.helpers import report_link

        code = code_in(report_link(stack, 12401, "https://youtu.be/mycases001"))
        other = code_in(report_link(stack, 12402, "https://youtu.be/mycases002"))
        say(stack, 12401, "/my")
        listing = stack.last_bot_message(12401)
        press(stack, 12401, f"{code} · получено")
        opened = stack.double.get_message(12401, listing["message_id"]) or {}
        assert code in opened["text"] and t("ru", "my_status_new") in opened["text"]
        press(stack, 12401, "◀ Назад")
        assert t("ru", "my_header") in (stack.double.get_message(12401, listing["message_id"]) or {})["text"]
        stack.double.press_button(12401, 12401, listing["message_id"], data=f"my:{other}")  # someone else's
        assert stack.double.calls("answerCallbackQuery")[-1]["params"].get("text") == t("ru", "stale_button")
        assert other not in str((stack.double.get_message(12401, listing["message_id"]) or {}).get("text"))


class TestWithdraw:
    def test_i_made_a_mistake_closes_the_case_audited_and_the_staff_card_says_so(self, stack: Stack) -> None:
        from tests.integration.helpers import report_link
        from tests.integration.test_staff import add_staff, card
        from tests.stack import wait_for

        stack.connect_chain()
        add_staff(12501, "regional", ("71",))
        code = code_in(report_link(stack, 12502, "https://youtu.be/mistake0001"))
        card(stack, 12501, code)
        say(stack, 12502, "/my")
        press(stack, 12502, f"{code} · получено")
        press(stack, 12502, "↩️ Я ошибся — отозвать")
        assert t("ru", "withdraw_confirm", code=code) in stack.last_bot_message(12502)["text"]
        press(stack, 12502, "Да, отозвать")
        assert stack.last_bot_message(12502)["text"] == t("ru", "withdraw_withdrawn", code=code)
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["status"] == "rejected" and report["outcome"] == "withdrawn"
        events = [s.to_dict() or {} for s in stack.db.collection(f"reports/{code}/events").stream()]
        assert [e for e in events if e.get("type") == "withdrawn" and e.get("by") == "reporter"]
        wait_for(lambda: "отозвано заявителем" in str(card(stack, 12501, code).get("text")), 30.0)
        assert not [m for m in stack.double.messages(12502) if "взято в работу" in str(m.get("text"))]

    def test_a_case_others_reported_too_stays_open(self, stack: Stack) -> None:
        from tests.integration.helpers import report_link

        code = code_in(report_link(stack, 12503, "https://youtu.be/mistake0002"))
        report_link(stack, 12504, "https://youtu.be/mistake0002")
        say(stack, 12503, "/my")
        press(stack, 12503, f"{code} · получено")
        press(stack, 12503, "↩️ Я ошибся — отозвать")
        press(stack, 12503, "Да, отозвать")
        assert stack.last_bot_message(12503)["text"] == t("ru", "withdraw_not_alone", code=code)
        assert stack.doc(f"reports/{code}")["status"] == "new"  # type: ignore[index]


class TestDuplicate:
    def test_rejecting_as_a_duplicate_asks_for_the_main_case_and_offers_the_merge(self, stack: Stack) -> None:
        from tests.integration.helpers import report_link
        from tests.integration.test_staff import add_staff, card, press_card

        stack.connect_chain()
        add_staff(12601, "regional", ("71",))
        code = code_in(report_link(stack, 12602, "https://youtu.be/duplicate01"))
        press_card(stack, 12601, card(stack, 12601, code), "Отклонить…")
        press_card(stack, 12601, card(stack, 12601, code), "Отклонить: дубликат")
        assert stack.last_bot_message(12601)["text"] == t("ru", "duplicate_which", code=code)
        assert f"/merge {code}" in t("kk", "duplicate_which", code=code)
        assert stack.doc(f"reports/{code}")["status"] == "new"  # type: ignore[index]  # closed only by /merge


class TestMoreAboutOneThing:
    def test_a_new_link_while_a_case_is_open_can_be_added_to_it(self, stack: Stack) -> None:
        from tests.integration.helpers import report_link
        from tests.integration.test_staff import add_staff, card
        from tests.stack import wait_for

        stack.connect_chain()
        add_staff(12701, "regional", ("71",))
        code = code_in(report_link(stack, 12702, "https://youtu.be/sameissue1"))
        card(stack, 12701, code)
        say(stack, 12702, "и ещё https://youtu.be/sameissue2")
        offer = stack.last_bot_message(12702)
        assert t("ru", "add_or_new", code=code) in offer["text"]
        press(stack, 12702, f"➕ Добавить к {code}")
        assert stack.last_bot_message(12702)["text"] == t("ru", "added_to_case", code=code)
        report = stack.doc(f"reports/{code}")
        assert report is not None and len(report["urls"]) == 2 and len(stack.reports()) == 1
        events = [s.to_dict() or {} for s in stack.db.collection(f"reports/{code}/events").stream()]
        assert [e for e in events if e.get("type") == "reporter_added" and e.get("by") == "reporter"]
        assert stack.doc(f"content/{report['content_keys'][-1]}")["report_id"] == code  # type: ignore[index]
        wait_for(lambda: "sameissue2" in str(card(stack, 12701, code).get("text")), 30.0)  # the card refreshed

    def test_or_a_new_report_and_a_description_added_later_from_my(self, stack: Stack) -> None:
        from tests.integration.helpers import report_link

        code = code_in(report_link(stack, 12703, "https://youtu.be/otherissu1"))
        say(stack, 12703, "https://youtu.be/otherissu2")
        for label in ("Другое", "Нет", "город Астана", "Отправить"):
            press(stack, 12703, label)
        assert len(stack.reports()) == 2
        say(stack, 12703, "/my")
        press(stack, 12703, f"{code} · получено")
        press(stack, 12703, "✏️ Добавить описание")
        assert t("ru", "ask_later_description", code=code) in stack.last_bot_message(12703)["text"]
        say(stack, 12703, "это видео из чата 7Б")
        assert stack.last_bot_message(12703)["text"] == t("ru", "described_later", code=code)
        assert stack.doc(f"reports/{code}")["description"] == "это видео из чата 7Б"  # type: ignore[index]
        events = [s.to_dict() or {} for s in stack.db.collection(f"reports/{code}/events").stream()]
        assert [e for e in events if e.get("type") == "reporter_described"]
