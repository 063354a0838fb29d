"""The 17 regions and 3 cities of republican significance, by KATO / ISO 3166-2:KZ code."""

from __future__ import annotations

from typing import Final

# Codes as in DESIGN.md (two-digit KATO numbers, after the 2022 reform). Names live in the i18n catalogs
# under "region_<code>".
REGION_CODES: Final[tuple[str, ...]] = (
    "10", "11", "15", "19", "23", "27", "31", "33", "35", "39",
    "43", "47", "55", "59", "61", "62", "63", "71", "75", "79",
)  # fmt: skip


def is_region(code: object) -> bool:
    """True when the value is one of the 20 region codes."""
    return isinstance(code, str) and code in REGION_CODES
