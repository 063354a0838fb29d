"""Text as Telegram counts it (UTF-16) and reporter words shown as a quote that cannot pass for card fields."""

from __future__ import annotations

from functions.domain.text import MESSAGE_LIMIT, Quote, clean_quoted, compose, fit, utf16_cut, utf16_len


class TestUtf16:
    def test_emoji_outside_the_basic_plane_count_two(self) -> None:
        assert utf16_len("abc") == 3
        assert utf16_len("🔴") == 2
        assert utf16_len("Қорғау") == 6
        assert utf16_len("👨‍👩‍👧") == 8  # three emoji of two units and two joiners of one

    def test_a_cut_never_splits_a_character(self) -> None:
        assert utf16_cut("a🔴b", 2) == "a"
        assert utf16_cut("a🔴b", 3) == "a🔴"
        assert utf16_cut("a🔴b", 10) == "a🔴b"
        assert utf16_cut("abc", 0) == ""

    def test_fit_keeps_short_text_and_cuts_long_text_to_the_limit(self) -> None:
        assert fit("hello") == "hello"
        long = "🔴" * 3000  # 3000 characters, 6000 UTF-16 units: Python's len() would say it fits
        assert len(long) < MESSAGE_LIMIT and utf16_len(long) > MESSAGE_LIMIT
        cut = fit(long)
        assert utf16_len(cut) <= MESSAGE_LIMIT and cut.endswith("…")


class TestQuote:
    def test_control_and_direction_characters_go_and_blank_lines_collapse(self) -> None:
        text = "line one\u202e\x07\r\n\n\n\nline\u200b two\t\u2028"
        assert clean_quoted(text) == "line one\n\nline two"

    def test_many_lines_are_bounded(self) -> None:
        cleaned = clean_quoted("\n".join(f"l{i}" for i in range(40)))
        assert cleaned.count("\n") == 11 and cleaned.endswith("…")

    def test_the_quote_is_covered_by_one_blockquote_entity_in_utf16_units(self) -> None:
        text, entities = compose(["🔴 Case R1", "Status: new", Quote("real words\nStatus: resolved\n📞 102")])
        assert entities == [{"type": "blockquote", "offset": utf16_len("🔴 Case R1\nStatus: new\n"), "length": 34}]
        start, length = entities[0]["offset"], entities[0]["length"]
        as_utf16 = text.encode("utf-16-le")
        quoted = as_utf16[start * 2 : (start + length) * 2].decode("utf-16-le")
        assert quoted == "real words\nStatus: resolved\n📞 102"

    def test_an_empty_quote_leaves_no_entity(self) -> None:
        text, entities = compose(["a", Quote("\u200b\n"), "b"])
        assert text == "a\nb" and entities == []

    def test_a_text_too_long_is_cut_within_the_limit_and_the_quote_stays_quoted(self) -> None:
        text, entities = compose(["🔴" * 1000, Quote("слово 🙂 " * 400), "after"])
        assert utf16_len(text) <= MESSAGE_LIMIT and text.endswith("…") and "after" not in text
        (entity,) = entities
        assert entity["offset"] + entity["length"] == utf16_len(text)

    def test_a_long_plain_part_is_cut_too(self) -> None:
        text, entities = compose(["x" * 5000, Quote("never shown")])
        assert utf16_len(text) == MESSAGE_LIMIT and entities == []
