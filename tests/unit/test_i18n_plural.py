"""Counted texts: Russian has three plural forms (one / few / many); a Kazakh noun stays singular after a numeral."""

from __future__ import annotations

import re

import pytest

from functions.i18n import PLURAL_FORMS, catalog, plural, plural_form
from functions.services.report_flow import MAX_DESCRIPTION

# Placeholders that hold a number.
NUMERIC = {"count", "n", "rows", "days", "minutes", "total", "length", "max", "page", "pages"}
# Words that read right after any number: abbreviations and prepositions.
INVARIANT_AFTER_NUMBER = {"мин", "ч", "дн", "из"}


def counted_keys() -> set[str]:
    ru = catalog("ru")
    return {key.rsplit("_", 1)[0] for key in ru if key.endswith("_one")}


class TestRussianPluralRule:
    @pytest.mark.parametrize(
        ("n", "form"),
        [
            (0, "many"), (1, "one"), (2, "few"), (4, "few"), (5, "many"), (11, "many"), (12, "many"),
            (14, "many"), (20, "many"), (21, "one"), (22, "few"), (25, "many"), (101, "one"), (111, "many"),
            (112, "many"), (122, "few"), (1000, "many"), (1001, "one"),
        ],
    )  # fmt: skip
    def test_cldr_forms(self, n: int, form: str) -> None:
        assert plural_form(n) == form


class TestCountedTexts:
    def test_there_are_counted_texts_with_all_three_forms(self) -> None:
        ru, kk = catalog("ru"), catalog("kk")
        assert "export_caption" in counted_keys()
        for key in counted_keys():
            assert all(f"{key}_{form}" in ru for form in PLURAL_FORMS)
            assert key in kk and key not in ru
            assert not any(f"{key}_{form}" in kk for form in PLURAL_FORMS)

    @pytest.mark.parametrize(
        ("n", "word"),
        [(1, "обращение"), (2, "обращения"), (5, "обращений"), (11, "обращений"), (21, "обращение"), (24, "обращения")],
    )
    def test_export_caption_agrees_in_russian(self, n: int, word: str) -> None:
        text = plural("ru", "export_caption", n, rows=n, days=7, scope="все регионы")
        assert f"Выгрузка: {n} {word} за 7 дн." in text

    @pytest.mark.parametrize("n", [1, 2, 5, 21])
    def test_kazakh_keeps_one_form(self, n: int) -> None:
        assert f"{n} өтініш," in plural("kk", "export_caption", n, rows=n, days=7, scope="барлық өңірлер")

    def test_no_number_before_an_agreeing_word_outside_counted_texts(self) -> None:
        """A Russian text that puts a number before a noun must be a counted text (or read the same for any n)."""
        counted = {f"{key}_{form}" for key in counted_keys() for form in PLURAL_FORMS}
        offenders = []
        for key, text in catalog("ru").items():
            if key in counted:
                continue
            for name, word in re.findall(r"\{(\w+)\}\s+([а-яё]+)", text):
                if name in NUMERIC and word not in INVARIANT_AFTER_NUMBER and key != "ask_description":
                    offenders.append(f"{key}: {{{name}}} {word}")
        assert offenders == []

    def test_the_one_fixed_count(self) -> None:
        # ask_description says «до {max} символов»: max is the constant MAX_DESCRIPTION, a "many" number.
        assert "до {max} символов" in catalog("ru")["ask_description"]
        assert MAX_DESCRIPTION % 10 != 1 or MAX_DESCRIPTION % 100 == 11
