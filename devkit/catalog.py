"""What the bot shows, taken from its catalogs (functions.i18n) — for drivers that play users and read answers.

Drivers speak in codes (a region code, a category, a catalog key) and press the label the bot really shows in
the player's language, so that a change of wording in the catalogs never breaks a simulation or a benchmark.
"""

from __future__ import annotations

import re
from typing import Final

from functions.domain.categories import Category
from functions.domain.regions import REGION_CODES
from functions.i18n import catalog, t

PLACEHOLDER: Final = re.compile(r"\{[^{}]*\}")


def catalog_of(lang: str = "ru") -> dict[str, str]:
    """Every text of one language by key."""
    return catalog("kk" if lang == "kk" else "ru")


def label(key: str, lang: str = "ru") -> str:
    """A button label or any text without placeholders, as the bot shows it in lang."""
    return t(lang, key)


def region_name(code: str, lang: str = "ru") -> str:
    """A region's name as its button shows it."""
    return t(lang, f"region_btn_{code}")


def region_names(lang: str = "ru") -> dict[str, str]:
    """Every region's name by its code."""
    return {code: region_name(code, lang) for code in REGION_CODES}


def category_label(category: Category | str, lang: str = "ru") -> str:
    """A category's button label."""
    return t(lang, f"cat_{Category(category).value}")


def danger_label(danger: bool, lang: str = "ru") -> str:
    """The answer to "is a child in danger right now?"."""
    return t(lang, "danger_yes" if danger else "danger_no")


def marker(key: str, lang: str = "ru") -> str:
    """A fixed fragment of a message template (text between its placeholders), so that a message made from the
    template contains it whatever the placeholders were filled with: the longest one that no other text of the
    catalog contains, else the longest."""
    fragments = sorted((part.strip() for part in PLACEHOLDER.split(t(lang, key))), key=len, reverse=True)
    others = [text for other, text in catalog_of(lang).items() if other != key]
    unique = [part for part in fragments if len(part) >= 10 and not any(part in text for text in others)]
    return (unique or fragments)[0]


def markers(keys: tuple[str, ...], lang: str = "ru") -> tuple[str, ...]:
    """The markers of several templates."""
    return tuple(marker(key, lang) for key in keys)
