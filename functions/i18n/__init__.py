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


def lang_from_telegram(language_code: str | None) -> Lang:
    """Kazakh for kk, Russian for everything else (the committee's second working language)."""
    if language_code and language_code.lower().startswith("kk"):
        return "kk"
    return DEFAULT_LANG


def as_lang(value: object) -> Lang | None:
    """A supported language code from untrusted input, or None."""
    return value if value in LANGUAGES else None
