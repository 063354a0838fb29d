"""The region keyboard: the three cities first, then the regions in each language's alphabetical order, short labels."""

from __future__ import annotations

import pytest

from functions.domain.regions import CITY_CODES, REGION_CODES, keyboard_order
from functions.i18n import t
from functions.services import keyboards

# The Kazakh Cyrillic alphabet (1940s order, as in school dictionaries), and Russian with Kazakh letters read as their
# nearest Russian ones (Ұ, Ү as У; І as И; Қ as К; Ғ as Г; Ң as Н; Ө as О; Ә as А; Һ as Х), as Russian lists sort them.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
RUSSIAN_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
RUSSIAN_READING = str.maketrans("ұүіқғңөәһ", "ууикгноах")


def collation_key(lang: str, text: str) -> list[int]:
    text = text.lower()
    if lang == "kk":
        return [KAZAKH_ALPHABET.find(ch) if ch in KAZAKH_ALPHABET else -1 for ch in text]
    text = text.translate(RUSSIAN_READING)
    return [RUSSIAN_ALPHABET.find(ch) if ch in RUSSIAN_ALPHABET else -1 for ch in text]


@pytest.mark.parametrize("lang", ["kk", "ru"])
class TestRegionKeyboard:
    def test_every_code_once_cities_first(self, lang: str) -> None:
        order = keyboard_order(lang)
        assert sorted(order) == sorted(REGION_CODES) and len(order) == 20
        assert order[:3] == CITY_CODES == ("71", "75", "79")

    def test_regions_in_alphabetical_order(self, lang: str) -> None:
        regions = keyboard_order(lang)[3:]
        labels = [t(lang, f"region_btn_{code}") for code in regions]
        assert labels == sorted(labels, key=lambda label: collation_key(lang, label))

    def test_short_distinct_labels(self, lang: str) -> None:
        labels = [t(lang, f"region_btn_{code}") for code in REGION_CODES]
        assert len(set(labels)) == 20
        for code in REGION_CODES:
            label = t(lang, f"region_btn_{code}")
            if lang == "kk" and code == "19":
                # Almaty region and Almaty city share a name in Kazakh: only this label keeps "облысы".
                assert label == "Алматы облысы" and t(lang, "region_btn_75") == "Алматы қаласы"
                continue
            assert "облыс" not in label.lower() and "област" not in label.lower()

    def test_keyboard_follows_the_order(self, lang: str) -> None:
        rows = keyboards.regions(lang, "abcdef", "region", None, with_cancel=False)["inline_keyboard"]
        codes = [button["callback_data"].rsplit(":", 1)[1] for row in rows for button in row]
        assert tuple(codes) == keyboard_order(lang)
        city_rows = [row for row in rows if any(b["callback_data"].endswith(CITY_CODES) for b in row)]
        assert all(all(b["callback_data"].rsplit(":", 1)[1] in CITY_CODES for b in row) for row in city_rows)

    def test_own_region_first_and_ticked(self, lang: str) -> None:
        rows = keyboards.regions(lang, "abcdef", "region", "59")["inline_keyboard"]
        assert rows[0] == [{"text": "✓ " + t(lang, "region_btn_59"), "callback_data": "f:abcdef:region:59"}]
        codes = [button["callback_data"].rsplit(":", 1)[1] for row in rows[1:-1] for button in row]
        assert codes == [code for code in keyboard_order(lang) if code != "59"]


def test_official_russian_names_of_the_2022_regions() -> None:
    # The President's decree «О некоторых вопросах административно-территориального устройства Республики Казахстан»
    # (May 2022, in force from 8 June 2022) names them «область Абай», «область Жетісу», «область Ұлытау».
    assert t("ru", "region_10") == "область Абай"
    assert t("ru", "region_33") == "область Жетісу"
    assert t("ru", "region_62") == "область Ұлытау"
