"""The kk and ru catalogs: same keys, same placeholders, nothing empty; commands and buttons Telegram accepts."""

from __future__ import annotations

import re
import string

import pytest

from functions.domain.categories import Category
from functions.domain.regions import REGION_CODES
from functions.i18n import PLURAL_FORMS, catalog, lang_from_telegram, t
from functions.services import keyboards
from functions.services.commands import command_calls


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def russian_forms(key: str) -> list[str]:
    """The Russian texts standing for one Kazakh key: itself, or its three plural forms."""
    ru = catalog("ru")
    return [ru[key]] if key in ru else [ru[f"{key}_{form}"] for form in PLURAL_FORMS]


def counted_keys() -> set[str]:
    """Russian keys with all three plural forms (key_one, key_few, key_many), by their Kazakh key."""
    ru = catalog("ru")
    bases = {key.rsplit("_", 1)[0] for key in ru if key.rsplit("_", 1)[-1] in PLURAL_FORMS}
    return {base for base in bases if all(f"{base}_{form}" in ru for form in PLURAL_FORMS)}


class TestCatalogs:
    def test_same_keys(self) -> None:
        """The same keys, except that a counted Russian text has three forms where Kazakh has one."""
        counted = counted_keys()
        plain_ru = {key for key in catalog("ru") if key.rsplit("_", 1)[0] not in counted}
        assert set(catalog("kk")) == plain_ru | counted
        assert not {f"{key}_{form}" for key in counted for form in PLURAL_FORMS} & set(catalog("kk"))

    @pytest.mark.parametrize("key", sorted(catalog("kk")))
    def test_same_placeholders_and_not_empty(self, key: str) -> None:
        assert catalog("kk")[key].strip()
        for text in russian_forms(key):
            assert placeholders(catalog("kk")[key]) == placeholders(text)
            assert text.strip()

    def test_every_category_region_and_status_has_text(self) -> None:
        for lang in ("kk", "ru"):
            for category in Category:
                assert t(lang, f"cat_{category.value}")
            for code in REGION_CODES:
                assert t(lang, f"region_{code}")
            for status in ("new", "in_progress", "escalated", "resolved", "rejected"):
                assert t(lang, f"status_{status}")

    def test_kazakh_text_is_kazakh(self) -> None:
        assert any(letter in catalog("kk")["welcome"] for letter in "әғқңөұүһі")

    def test_language_choice(self) -> None:
        assert lang_from_telegram("kk") == "kk" and lang_from_telegram("ru") == "ru"
        assert lang_from_telegram("en") == "ru" and lang_from_telegram(None) == "ru"


class TestTelegramShapes:
    def test_commands(self) -> None:
        calls = command_calls()
        assert {c.params.get("language_code") for c in calls} == {"kk", "ru", None}
        for call in calls:
            for command in call.params["commands"]:  # type: ignore[attr-defined]
                assert re.fullmatch(r"[a-z0-9_]{1,32}", command["command"])
                assert 1 <= len(command["description"]) <= 256

    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_keyboards_fit_callback_data_limits(self, lang: str) -> None:
        for keyboard in (
            keyboards.categories(lang, "abcdef"),
            keyboards.regions(lang, "abcdef", "region", "71"),
            keyboards.danger(lang, "abcdef"),
            keyboards.roles(lang, "abcdef"),
            keyboards.languages(),
        ):
            for row in keyboard["inline_keyboard"]:
                for button in row:
                    assert 1 <= len(button["callback_data"].encode()) <= 64
                    assert button["text"]

    def test_oversized_callback_data_is_refused(self) -> None:
        with pytest.raises(ValueError):
            keyboards.button("x", "й" * 40)
