"""Walks through the Bot API double on the emulators that found defects (the QA pass of issues 14 and 17)."""

from __future__ import annotations

from typing import Any

import pytest

from functions.i18n import t
from tests.integration.helpers import code_in, press, say
from tests.integration.test_reporter_walks import shown
from tests.stack import BOT_USERNAME, Stack
from tests.unit.services.test_qa_walks import formal_words


def labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [str(b["text"]) for row in markup.get("inline_keyboard", []) for b in row]


class TestTheChildsVoice:
    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_a_child_from_the_poster_to_their_case_hears_no_adult_voice(self, stack: Stack, lang: str) -> None:
        child = 14001 if lang == "ru" else 14002
        say(stack, child, "/start child", lang=lang)
        press(stack, child, "Русский" if lang == "ru" else "Қазақша", lang=lang)
        press(stack, child, t(lang, "btn_region_unknown"), lang=lang)
        say(stack, child, "/report", lang=lang)
        say(stack, child, "https://www.instagram.com/p/ChildQA14001/", lang=lang)
        say(stack, child, "мне страшно" if lang == "ru" else "маған қорқынышты", lang=lang)
        say(stack, child, "/report", lang=lang)  # the menu's button again: what was sent is kept
        press(stack, child, t(lang, "btn_child_contact"), lang=lang)
        code = code_in(stack.last_bot_message(child)["text"])
        say(stack, child, "/my", lang=lang)
        mine = stack.last_bot_message(child)
        opened = next(label for label in labels(mine) if code in label)
        press(stack, child, opened, lang=lang)
        assert t(lang, "btn_withdraw") not in labels(stack.last_bot_message(child))  # a child's request stays
        press(stack, child, t(lang, "btn_describe_later"), lang=lang)
        say(stack, child, "/cancel", lang=lang)
        say(stack, child, "/lang", lang=lang)
        texts = shown(stack, child)[1:]  # after the language question (asked before anything is known)
        assert [w for text in texts for w in formal_words(lang, text)] == []
        [case] = stack.reports()
        assert case["urls"] == ["https://instagram.com/p/ChildQA14001"] and case["child_request"] is True


class TestTheBotAddedToAGroup:
    def test_a_teacher_adding_the_bot_to_a_class_group_is_told_how_it_works(self, stack: Stack) -> None:
        from devkit.botapi_double.builders import make_my_chat_member_update

        group = -100_777_001
        stack.double.post_update(make_my_chat_member_update(group, stack.double.bot_id, "member", "left"))
        [hello] = stack.double.messages(group)
        assert "/enable_group" in str(hello["text"]) and "@" + BOT_USERNAME in str(hello["text"])
        say(stack, 14010, "https://vk.com/clip-1_14010", chat_id=group)  # not switched on: nothing registered
        assert stack.reports() == [] and len(stack.double.messages(group)) == 1
