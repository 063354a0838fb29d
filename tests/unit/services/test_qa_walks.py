"""Defects found by walking the bot as its users do (issues 14 and 17's QA pass): each test failed on the code
before its fix. The walks use the in-process router on the in-memory ports (tests/unit/fakes.py)."""

from __future__ import annotations

import re

import pytest

from functions.domain import callbacks
from functions.domain.incoming import BotRightsChange
from functions.domain.models import EvidenceItem, Profile
from functions.domain.workflow import Role, StaffMember
from functions.i18n import button_fits, t
from functions.services.commands import staff_command_names
from tests.unit.fakes import ADMIN, BOT, Desk, buttons_of, text_of

LANGS = ("kk", "ru")


def commands_in(text: str) -> set[str]:
    """The /commands a help text names."""
    return set(re.findall(r"(?<![\w/])/([a-z_]+)", text))


class TestStaffHelpPerRole:
    """/help lists exactly the commands the person may use: the same list as their chat's command menu."""

    @pytest.mark.parametrize("lang", LANGS)
    @pytest.mark.parametrize("role", list(Role))
    def test_help_names_exactly_the_menus_commands(self, role: Role, lang: str) -> None:
        desk = Desk()
        desk.staff_store.staff[7200] = StaffMember(user_id=7200, role=role, regions=("71",), active=True, lang=lang)
        text = text_of(desk.message(7200, "/help"))
        assert commands_in(text) == set(staff_command_names(role.value)) - {"help"}
        assert ("ответьте на карточку" if lang == "ru" else "карточкасына жауап") in text  # how notes are written

    def test_a_regional_officer_is_not_shown_what_they_cannot_use(self) -> None:
        desk = Desk()
        desk.staff_store.staff[7201] = StaffMember(user_id=7201, role=Role.REGIONAL, regions=("71",), active=True)
        text = text_of(desk.message(7201, "/help"))
        for refused in ("/duty", "/hold", "/invite", "/staff", "/revoke"):
            assert refused not in text
        for usable in ("/queue", "/case", "/mute", "/cleanup"):
            assert usable in text

    def test_an_admin_sees_every_command_they_may_use(self) -> None:
        text = text_of(Desk().message(ADMIN, "/help"))
        for command in ("/mute", "/unmute", "/invites", "/hold", "/invite", "/revoke", "/duty"):
            assert command in text
        assert t("ru", "cmd_mute") in text


def child(desk: Desk, user_id: int, lang: str = "ru") -> None:
    desk.store.save_profile(Profile(user_id=user_id, lang=lang, role="child", region="75"))


def items_of(desk: Desk, user_id: int) -> list[EvidenceItem]:
    flow = desk.flow_of(user_id)
    return desk.store.list_items(flow.sid, flow.flow_id)


def press_flow(desk: Desk, user_id: int, action: str, value: str = "") -> str:
    return text_of(desk.press(user_id, callbacks.flow(desk.flow_of(user_id).flow_id, action, value)))


class TestNothingIsLostWhenAFlowStartsAgain:
    """/report while a report is half-way (the menu's button, or the bot's own hint) keeps what was sent."""

    def test_an_adult_pressing_report_after_sending_photos_keeps_them(self) -> None:
        desk = Desk()
        desk.media(7300, "p-1", lang="ru")
        desk.media(7300, "p-2")
        answer = text_of(desk.message(7300, "/report"))
        assert t("ru", "flow_restarted_kept", count=2) in answer and t("ru", "ask_category") in answer
        assert [m.file_unique_id for item in items_of(desk, 7300) for m in item.media] == ["p-1", "p-2"]
        press_flow(desk, 7300, "cat", "other")
        press_flow(desk, 7300, "danger", "no")
        assert "Материалов: 2" in press_flow(desk, 7300, "region", "71")  # straight to the summary: nothing asked
        press_flow(desk, 7300, "confirm", "yes")
        [case] = desk.store.reports.values()
        assert len(case["media"]) == 2

    def test_a_child_told_to_press_report_keeps_the_link_they_sent(self) -> None:
        desk = Desk()
        child(desk, 7301)
        desk.message(7301, "/report")
        desk.link(7301, "https://vk.com/wall-1_7301")
        said = text_of(desk.message(7301, "мне страшно, мне пишут гадости"))
        assert "/report" not in said  # the offer is on screen: the child is pointed to its buttons
        assert t("ru", "btn_child_contact") in said
        assert callbacks.flow(desk.flow_of(7301).flow_id, "child", "contact") in buttons_of(
            desk.message(7301, None, unsupported=True)  # a sticker: the same kind pointer, with the buttons
        )
        desk.message(7301, "/report")
        assert len(items_of(desk, 7301)) == 1
        press_flow(desk, 7301, "child", "contact")
        [case] = desk.store.reports.values()
        assert case["urls"] == ["https://vk.com/wall-1_7301"] and case["child_request"] is True


class TestTextWhereAButtonIsExpected:
    """Words typed instead of a press are kept as the description (never dropped) and the press asked for."""

    def test_text_at_the_category_question_becomes_the_description(self) -> None:
        desk = Desk()
        desk.link(7400, "https://youtu.be/abcdefghijk")
        answer = desk.message(7400, "это в школе №12, в 5 классе")
        assert t("ru", "note_kept") in text_of(answer) and t("ru", "choose_button") in text_of(answer)
        assert callbacks.flow(desk.flow_of(7400).flow_id, "cat", "violence") in buttons_of(answer)
        assert desk.flow_of(7400).description == "это в школе №12, в 5 классе"

    def test_more_text_is_added_to_the_description_not_lost(self) -> None:
        desk = Desk()
        desk.link(7401, "драка https://youtu.be/abcdefghijk")  # the words typed with the link: the description
        press_flow(desk, 7401, "cat", "violence")
        said = text_of(desk.message(7401, "в школе №12"))
        assert t("ru", "note_added") in said and t("ru", "ask_danger") in said
        press_flow(desk, 7401, "danger", "no")
        press_flow(desk, 7401, "region", "71")
        summary = text_of(desk.message(7401, "снимали на перемене"))  # typed at the summary: added, summary again
        assert "драка\nв школе №12\nснимали на перемене" in summary and desk.flow_of(7401).step == "confirm"

    @pytest.mark.parametrize("lang", LANGS)
    def test_a_too_long_addition_is_refused_kindly_and_nothing_changes(self, lang: str) -> None:
        desk = Desk()
        desk.link(7402, "https://youtu.be/abcdefghijk", lang=lang)
        said = text_of(desk.message(7402, "а" * 1001, lang=lang))
        assert said == t(lang, "text_too_long", length=1001, max=1000)
        assert desk.flow_of(7402).description is None

    def test_a_forwarded_text_is_not_taken_for_the_reporters_own_words(self) -> None:
        desk = Desk()
        desk.link(7403, "https://youtu.be/abcdefghijk")
        said = desk.message(7403, "ты пожалеешь, жди после уроков", forwarded=True)  # someone else's message
        assert desk.flow_of(7403).description is None and t("ru", "note_kept") not in text_of(said)
        assert t("ru", "choose_button") in text_of(said)
        assert callbacks.flow(desk.flow_of(7403).flow_id, "cat", "violence") in buttons_of(said)


FORMAL = {
    "ru": re.compile(r"\b([Вв]ы|[Вв]ас|[Вв]ам|[Вв]аш\w*|\w+(?:ите|йте))\b"),  # «Вы» and its imperatives
    "kk": re.compile(r"(\b[Сс]із\w*|\w+(?:ңыз|ңіз|ыңыз|іңіз|ңызшы|ңізші)\b)"),  # «Сіз» and its endings
}


def formal_words(lang: str, text: str) -> list[str]:
    return [m.group(0) for m in FORMAL[lang].finditer(text)]


class TestTheChildsVoiceEverywhere:
    """After the child's role (or a child's poster), nothing reaches the child in the adult «Вы/Сіз» voice."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_the_markers_catch_the_adult_texts(self, lang: str) -> None:
        assert formal_words(lang, t(lang, "lang_choose"))
        assert formal_words(lang, t(lang, "ask_later_description", code="R"))

    @pytest.mark.parametrize("lang", LANGS)
    def test_a_child_poster_asks_the_language_in_the_childs_voice(self, lang: str) -> None:
        first = text_of(Desk().message(7500, "/start child", lang=lang))
        assert "Привет" in first and "Сәлем" in first and formal_words("ru", first) == []

    @pytest.mark.parametrize("lang", LANGS)
    def test_lang_cleanup_and_my_speak_to_a_child_as_a_child(self, lang: str) -> None:
        desk = Desk()
        child(desk, 7501, lang)
        desk.link(7501, "https://vk.com/wall-1_7501", lang=lang)
        desk.press(7501, callbacks.flow(desk.flow_of(7501).flow_id, "child", "contact"), lang=lang)
        [code] = desk.store.reports
        shown = [
            text_of(desk.message(7501, "/lang", lang=lang)),
            text_of(desk.message(7501, "/cleanup on", lang=lang)),
            text_of(desk.message(7501, "/cleanup off", lang=lang)),
            text_of(desk.press(7501, callbacks.my_case(code), lang=lang)),
            text_of(desk.press(7501, callbacks.my_case(code, "d"), lang=lang)),
        ]
        for status in ("in_progress", "escalated", "resolved", "rejected"):
            desk.store.reports[code]["status"] = status
            shown.append(text_of(desk.press(7501, callbacks.my_case(code), lang=lang)))
        assert [w for text in shown for w in formal_words(lang, text)] == []
        assert all(shown)


class TestTheBotAddedToAGroup:
    """The bot added to a group (by anyone) says what it does there and how it is switched on; a change of its
    rights later says nothing again."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_a_new_group_is_told_how_the_bot_is_switched_on(self, lang: str) -> None:
        desk = Desk()
        added = BotRightsChange(
            update_id=1,
            chat_id=-100500,
            chat_type="supergroup",
            status="member",
            can_delete=False,
            joined=True,
            language_code=lang,
        )
        said = text_of(desk.router.handle(added))
        assert said == t(lang, "group_hello", bot=BOT) and "/enable_group" in said
        assert desk.store.groups[-100500]["bot_status"] == "member"
        promoted = BotRightsChange(
            update_id=2, chat_id=-100500, chat_type="supergroup", status="administrator", can_delete=True
        )
        assert text_of(desk.router.handle(promoted)) == ""

    def test_an_enabled_group_the_bot_comes_back_to_is_told_it_works(self) -> None:
        desk = Desk()
        desk.store.update_group(-100501, enabled=True)
        back = BotRightsChange(
            update_id=3, chat_id=-100501, chat_type="group", status="member", can_delete=False, joined=True
        )
        assert text_of(desk.router.handle(back)) == t("ru", "group_enabled")

    def test_a_private_chat_or_channel_gets_nothing(self) -> None:
        desk = Desk()
        for chat_type in ("private", "channel"):
            change = BotRightsChange(
                update_id=4, chat_id=-100502, chat_type=chat_type, status="member", can_delete=False, joined=True
            )
            assert desk.router.handle(change).body is None


class TestAnEditedMessage:
    """Telegram sends an edit as its own update: the person hears that edits are not read, and how to correct."""

    def test_the_webhook_subscribes_to_edits(self) -> None:
        from functions.webhook_updates import ALLOWED_UPDATES

        assert "edited_message" in ALLOWED_UPDATES

    @pytest.mark.parametrize("lang", LANGS)
    def test_an_edit_in_a_private_chat_is_answered_and_changes_nothing(self, lang: str) -> None:
        desk = Desk()
        desk.link(7600, "https://youtu.be/abcdefghijk", lang=lang)
        before = desk.flow_of(7600)
        said = desk.message(7600, "https://youtu.be/zyxwvutsrqp", lang=lang, edited=True)
        assert text_of(said) == t(lang, "edit_not_seen")
        assert desk.flow_of(7600) == before and len(items_of(desk, 7600)) == 1

    def test_a_child_hears_it_in_the_childs_voice(self) -> None:
        desk = Desk()
        child(desk, 7601)
        assert text_of(desk.message(7601, "исправила", edited=True)) == t("ru", "edit_not_seen_child")

    def test_an_edit_in_a_group_gets_nothing(self) -> None:
        desk = Desk()
        desk.store.update_group(-100600, enabled=True)
        edit = desk.message(7602, "https://youtu.be/abcdefghijk", chat_id=-100600, chat_type="group", edited=True)
        assert edit.body is None and not edit.direct and desk.store.reports == {}


class TestAButtonPressedTwice:
    """A second tap on Send (a slow phone, a double tap) says the report went, not that the button is broken."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_send_pressed_again_names_the_case(self, lang: str) -> None:
        desk = Desk()
        desk.link(7700, "https://youtu.be/abcdefghijk", lang=lang)
        flow = desk.flow_of(7700).flow_id
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71")):
            desk.press(7700, callbacks.flow(flow, action, value), lang=lang)
        desk.press(7700, callbacks.flow(flow, "confirm", "yes"), lang=lang)
        [code] = desk.store.reports
        again = desk.press(7700, callbacks.flow(flow, "confirm", "yes"), lang=lang)
        assert text_of(again) == t(lang, "already_sent", code=code) and len(desk.store.reports) == 1

    def test_a_childs_second_tap_on_contact_names_the_case_too(self) -> None:
        desk = Desk()
        child(desk, 7701)
        desk.link(7701, "https://vk.com/wall-1_7701")
        flow = desk.flow_of(7701).flow_id
        desk.press(7701, callbacks.flow(flow, "child", "contact"))
        [code] = desk.store.reports
        assert text_of(desk.press(7701, callbacks.flow(flow, "child", "contact"))) == t("ru", "already_sent", code=code)

    def test_a_cancelled_flows_button_is_still_stale(self) -> None:
        desk = Desk()
        desk.link(7702, "https://youtu.be/abcdefghijk")
        flow = desk.flow_of(7702).flow_id
        desk.message(7702, "/cancel")
        assert text_of(desk.press(7702, callbacks.flow(flow, "cat", "other"))) == t("ru", "stale_button")


class TestAnAlbumInTheMiddleOfAReport:
    """An album arrives as one update per photo: its first answer must not count only what has arrived so far."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_an_album_at_the_summary_is_acknowledged_whole(self, lang: str) -> None:
        desk = Desk()
        desk.link(7800, "https://youtu.be/abcdefghijk", lang=lang)
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71")):
            press_flow(desk, 7800, action, value)
        first = desk.media(7800, "a-1", album="alb-7800", lang=lang)
        assert text_of(first) == t(lang, "album_added")  # no "2 items" while three are on their way
        flow = desk.flow_of(7800).flow_id
        assert callbacks.flow(flow, "confirm", "yes") in buttons_of(first)  # Send stays at hand
        for part in ("a-2", "a-3"):
            assert desk.media(7800, part, album="alb-7800", lang=lang).body is None
        assert len(items_of(desk, 7800)) == 4
        assert t(lang, "evidence_count", count=4) in press_flow(desk, 7800, "edit", "more")  # every part kept


class TestInviteButtonsFitAPhone:
    """/invites: one cancel button per open invite, whole on a phone whatever the role's name."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_every_cancel_button_shows_whole(self, lang: str) -> None:
        desk = Desk()
        desk.staff_store.staff[ADMIN] = StaffMember(user_id=ADMIN, role=Role.ADMIN, active=True, lang=lang)
        for role in ("child_safety", "regional 71", "specialist"):
            desk.message(ADMIN, f"/invite {role}", lang=lang)
        listing = desk.message(ADMIN, "/invites", lang=lang)
        rows = [row for c in [listing.body] if c for row in (c.params.get("reply_markup") or {})["inline_keyboard"]]
        assert len(rows) == 3
        for row in rows:
            for b in row:
                assert button_fits(b["text"], len(row)), b["text"]
        numbers = [re.search(r"\d+", b["text"]).group(0) for row in rows for b in row]  # type: ignore[union-attr]
        assert numbers == ["1", "2", "3"]
        for n in numbers:  # each button names the line it cancels
            assert re.search(rf"(^|\n)№{n}\b", text_of(listing))


class TestMyNeverSaysWhereACaseWent:
    """/my is the reporter's (and maybe the poster's, who joined by sending the same link): an escalated case says
    the committee is acting, never "passed to the police" (issue 11), and its button shows whole."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_an_escalated_case_in_my(self, lang: str) -> None:
        desk = Desk()
        desk.link(7900, "https://youtu.be/abcdefghijk", lang=lang)
        for action, value in (("cat", "other"), ("danger", "no"), ("region", "71"), ("confirm", "yes")):
            press_flow(desk, 7900, action, value)
        [code] = desk.store.reports
        desk.store.reports[code]["status"] = "escalated"
        listing = desk.message(7900, "/my", lang=lang)
        opened = desk.press(7900, callbacks.my_case(code), lang=lang)
        shown = text_of(listing) + text_of(opened)
        assert "полиц" not in shown.lower()  # kk «полицияға», ru «в полицию»
        assert t(lang, "reporter_status_escalated") in shown
        rows = [row for row in (listing.body.params.get("reply_markup") or {})["inline_keyboard"]]  # type: ignore[union-attr]
        assert all(button_fits(b["text"], len(row)) for row in rows for b in row)


class TestAChildCancelling:
    @pytest.mark.parametrize("lang", LANGS)
    def test_cancel_at_the_offer_is_answered_like_not_now(self, lang: str) -> None:
        desk = Desk()
        child(desk, 7950, lang)
        desk.message(7950, "/report", lang=lang)
        desk.link(7950, "https://vk.com/wall-1_7950", lang=lang)  # "thank you, received"
        said = text_of(desk.message(7950, "/cancel", lang=lang))
        assert said == t(lang, "child_no_thanks")  # not the adult's "Cancelled. Nothing saved."
        assert desk.flow_of(7950).step == "cancelled" and desk.store.reports == {}
