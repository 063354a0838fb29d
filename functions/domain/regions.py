"""The 17 regions and 3 cities of republican significance, by KATO / ISO 3166-2:KZ code."""

from __future__ import annotations

from typing import Final

# Codes as in DESIGN.md (two-digit KATO numbers, after the 2022 reform). Names live in the i18n catalogs:
# "region_<code>" is the official name (cards, statistics, exports), "region_btn_<code>" the short button label.
REGION_CODES: Final[tuple[str, ...]] = (
    "10", "11", "15", "19", "23", "27", "31", "33", "35", "39",
    "43", "47", "55", "59", "61", "62", "63", "71", "75", "79",
)  # fmt: skip

# The cities of republican significance, first on the keyboard: Astana, Almaty, Shymkent (the official order).
CITY_CODES: Final[tuple[str, ...]] = ("71", "75", "79")

# The regions in the alphabetical order of their button labels in each language (Kazakh alphabet order for kk,
# Russian for ru, with Ұ read as У and і as и); tests/unit/test_i18n_regions.py checks them against the catalogs.
_REGIONS_BY_NAME: Final[dict[str, tuple[str, ...]]] = {
    "kk": ("10", "11", "15", "19", "23", "27", "31", "33", "35", "39", "43", "47", "55", "59", "61", "62", "63"),
    "ru": ("10", "11", "15", "19", "23", "63", "31", "33", "27", "35", "39", "43", "47", "55", "59", "61", "62"),
}


def is_region(code: object) -> bool:
    """True when the value is one of the 20 region codes."""
    return isinstance(code, str) and code in REGION_CODES


def keyboard_order(lang: str) -> tuple[str, ...]:
    """All 20 codes as the region keyboard shows them: the three cities, then the regions alphabetically."""
    return CITY_CODES + _REGIONS_BY_NAME["kk" if lang == "kk" else "ru"]
