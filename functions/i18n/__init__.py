"""User-facing text as data: one catalog per language (kk, ru), stable snake_case keys."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Final, Literal

Lang = Literal["kk", "ru"]
LANGUAGES: Final[tuple[Lang, ...]] = ("kk", "ru")
DEFAULT_LANG: Final[Lang] = "ru"
_DIR: Final = Path(__file__).parent

PluralForm = Literal["one", "few", "many"]
PLURAL_FORMS: Final[tuple[PluralForm, ...]] = ("one", "few", "many")

# How many characters of a button label show without an ellipsis on a phone, by the number of buttons in its row
# (a 360 dp Android screen, Telegram's 15 dp medium font; the derivation is in tests/unit/test_i18n_buttons.py).
BUTTON_CHARS: Final[dict[int, int]] = {1: 34, 2: 16, 3: 10}


@cache
def catalog(lang: Lang) -> dict[str, str]:
    """The whole catalog of one language: `<lang>.json` plus any `<lang>.<feature>.json` beside it."""
    data: dict[str, str] = {}
    for path in sorted(_DIR.glob(f"{lang}.json")) + sorted(_DIR.glob(f"{lang}.*.json")):
        with path.open(encoding="utf-8") as handle:
            part: dict[str, str] = json.load(handle)
        clash = set(part) & set(data)
        if clash:
            raise ValueError(f"{path.name} repeats keys: {sorted(clash)[:5]}")
        data.update(part)
    return data


def t(lang: str, key: str, **params: object) -> str:
    """The text for key in lang (falling back to the default language), with its placeholders filled."""
    chosen: Lang = "kk" if lang == "kk" else "ru"
    text = catalog(chosen)[key]
    return text.format(**params) if params else text


def plural_form(n: int) -> PluralForm:
    """The Russian plural form for a whole number (CLDR): 1, 21, 101 one; 2-4, 22-24 few; 0, 5-20, 25-30 many."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def plural(lang: str, key: str, n: int, **params: object) -> str:
    """A counted text: Russian picks `key_one/_few/_many` by n; Kazakh nouns stay singular after a numeral (`key`)."""
    chosen: Lang = "kk" if lang == "kk" else "ru"
    text = catalog(chosen)[key if chosen == "kk" else f"{key}_{plural_form(n)}"]
    return text.format(**params) if params else text


def button_fits(text: str, per_row: int) -> bool:
    """True when a label shows whole on a phone in a row of per_row buttons (rows of more than 3 never fit)."""
    return len(text) <= BUTTON_CHARS.get(per_row, 0)


def lang_from_telegram(language_code: str | None) -> Lang:
    """Kazakh for kk, Russian for everything else (the committee's second working language)."""
    if language_code and language_code.lower().startswith("kk"):
        return "kk"
    return DEFAULT_LANG


def as_lang(value: object) -> Lang | None:
    """A supported language code from untrusted input, or None."""
    return value if value in LANGUAGES else None
