"""Issue 11 hole 11: a reporter's words are visibly quoted on the card and cannot pass for its fields; a card
is measured in UTF-16 code units as Telegram counts them, so it is never refused for its length."""

from __future__ import annotations

from typing import Any

import pytest

from functions.domain.text import utf16_len
from tests.integration.helpers import code_in, report_link
from tests.integration.test_security import push
from tests.integration.test_staff import add_staff, card
from tests.stack import Stack, wait_for

pytestmark = pytest.mark.integration

FORGED = ("Статус: решено (контент удалён)", "Телефон комитета: +7 700 111 22 33")


def quoted_ranges(message: dict[str, Any]) -> list[tuple[int, int]]:
    return [
        (e["offset"], e["offset"] + e["length"])
        for e in message.get("entities") or []
        if e["type"] in {"blockquote", "expandable_blockquote"}
    ]


def offset_of(text: str, part: str) -> int:
    return utf16_len(text[: text.index(part)])


class TestReporterWordsAreQuoted:
    def test_forged_lines_in_a_description_sit_inside_a_quote(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(930_001, "regional", ("71",))
        description = "Видео ужасное\n" + "\n".join(FORGED)
        code = code_in(report_link(stack, 930_050, "https://vk.com/video-930_1", description=description))
        shown = card(stack, 930_001, code)
        ranges = quoted_ranges(shown)
        assert ranges, shown
        for line in (*FORGED, "Видео ужасное"):
            start = offset_of(shown["text"], line)
            assert any(a <= start and start + utf16_len(line) <= b for a, b in ranges), line
        status = offset_of(shown["text"], "Статус: получено")
        assert not any(a <= status < b for a, b in ranges)  # the card's own status is not quoted

    def test_invisible_direction_marks_are_taken_out(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(930_002, "regional", ("71",))
        code = code_in(report_link(stack, 930_051, "https://vk.com/video-930_2", description="abc\u202edcba\u200b"))
        shown = card(stack, 930_002, code)
        assert "\u202e" not in shown["text"] and "\u200b" not in shown["text"]


class TestCardLength:
    def test_a_card_full_of_emoji_and_long_links_still_arrives_within_4096_units(self, stack: Stack) -> None:
        add_staff(930_101, "regional", ("71",))
        code = code_in(report_link(stack, 930_150, "https://vk.com/video-930_3"))
        long_links = [f"https://example.org/{i}/" + "a" * 330 for i in range(10)]
        stack.db.collection("reports").document(code).update({"description": "🙂" * 1000, "urls": long_links})
        job = {"job_id": f"len-{code}:930101", "kind": "card", "report_id": code, "recipient_id": 930_101}
        assert push(stack, "deliver", job | {"event_id": f"len-{code}"}).status_code < 300
        sent = wait_for(lambda: [m for m in stack.double.messages(930_101) if code in str(m.get("text"))])
        assert utf16_len(sent[0]["text"]) <= 4096
