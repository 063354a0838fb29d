"""Every catalog key rendered in both languages with sample values, as a user would see it: every placeholder
filled, nothing empty, no key names or stray English reaching a user."""

from __future__ import annotations

import re
import string

import pytest

from functions.i18n import PLURAL_FORMS, catalog, plural, t

LANGS = ("kk", "ru")
# Latin words a user may see: the product, commands' arguments, roles as typed in /invite, example case codes.
LATIN_ALLOWED = frozenset(
    {"Qorgau", "Telegram", "Excel", "ID", "id", "on", "off", "d", "p90", "pii", "admin", "specialist", "regional"}
    | {"child_safety", "ADMIN_TELEGRAM_IDS", "R7K3M9Q", "R2AB3CD"}
)
SAMPLE = "Ә7"  # a value no catalog text contains: where it shows, a placeholder was filled


def placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def counted(lang: str) -> set[str]:
    """Keys whose Russian text has three plural forms (rendered with plural())."""
    ru = catalog("ru")
    bases = {k.rsplit("_", 1)[0] for k in ru if k.rsplit("_", 1)[-1] in PLURAL_FORMS}
    return {b for b in bases if all(f"{b}_{f}" in ru for f in PLURAL_FORMS)}


def rendered(lang: str) -> dict[str, str]:
    """Every key of the language as shown: counted texts for 1, 3 and 5; the rest with every placeholder filled."""
    out: dict[str, str] = {}
    many = counted(lang)
    plural_keys = {f"{b}_{f}" for b in many for f in PLURAL_FORMS}
    for key, text in catalog(lang).items():
        if key in plural_keys:
            continue
        values = dict.fromkeys(placeholders(text), SAMPLE)
        if key in many:
            for n in (1, 3, 5):
                out[f"{key}#{n}"] = plural(lang, key, n, **values)
        else:
            out[key] = t(lang, key, **values)
    for base in many:
        if base not in out and lang == "ru":
            for n in (1, 3, 5):
                text = catalog("ru")[f"{base}_one"]
                out[f"{base}#{n}"] = plural("ru", base, n, **dict.fromkeys(placeholders(text), SAMPLE))
    return out


@pytest.mark.parametrize("lang", LANGS)
class TestEveryKeyRendered:
    def test_every_placeholder_is_filled_and_nothing_is_empty(self, lang: str) -> None:
        for key, text in rendered(lang).items():
            assert text.strip(), key
            assert "{" not in text and "}" not in text, (key, text)
            if placeholders(catalog(lang).get(key.split("#")[0], "")):
                assert SAMPLE in text, key

    def test_no_key_name_or_english_leaks(self, lang: str) -> None:
        keys = set(catalog(lang))
        for key, text in rendered(lang).items():
            visible = re.sub(r"https?://\S+|/[a-z_]+", "", text)  # links and /commands are meant to be Latin
            assert not {word for word in re.findall(r"[a-z]+(?:_[a-z]+)+", visible) if word in keys}, key
            latin = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", visible)) - LATIN_ALLOWED
            assert not latin, (key, latin)

    def test_no_none_and_no_doubled_spaces_inside_a_line(self, lang: str) -> None:
        for key, text in rendered(lang).items():
            assert "None" not in text, key
            assert not any("  " in line.strip() for line in text.split("\n")), (key, text)

    def test_both_languages_render_the_same_keys(self, lang: str) -> None:
        other = "ru" if lang == "kk" else "kk"
        assert set(rendered(lang)) == set(rendered(other))
