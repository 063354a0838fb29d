"""Words that mean someone may be at risk of suicide or self-harm: the helplines go out at once."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Patterns over word stems: Russian and Kazakh inflect heavily ("режу/режет себя", "не хочу/хочет жить").
# Matched on a normalised, lower-cased text; false positives only bring the helplines, which is harmless.
CRISIS_PATTERNS: Final[tuple[str, ...]] = (
    # Russian
    r"суицид",
    r"самоубий",
    r"поконч\w* с собой",
    r"уб(ить|ью|ьет|ьёт)\w* себя",
    r"не хоч\w* жить",
    r"жить не хоч",
    r"хоч\w* умереть",
    r"реж\w* себя",
    r"порез\w* себ",
    r"(вскры|резать|режу|режет)\w* вен",
    r"самоповрежд",
    r"селфхарм",
    r"пове(сить|шусь|сился|силась)",
    r"(спрыгн|прыгн|выпрыгн)\w* (с крыши|из окна)",
    # Kazakh
    r"өзін[- ]?өзі өлтір",
    r"өзімді өлтір",
    r"өз[- ]?өзіне қол сал",
    r"өзіне қол сал",
    r"өзіме қол сал",
    r"өмір сүргі\w* келмей",
    r"өлгі\w* келеді",
    r"өзі\w* зиян",
    r"асылып өл",
    r"суицид",
    # English and transliteration, common among teenagers
    r"suicid",
    r"kill (my|him|her|them)sel",
    r"self[- ]?harm",
    r"want to die",
    r"samoubiy",
)
_PATTERN: Final = re.compile("|".join(f"(?:{pattern})" for pattern in CRISIS_PATTERNS))
_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def mentions_crisis(text: str | None) -> bool:
    """True when the text speaks of suicide or self-harm (in Kazakh, Russian or English)."""
    if not text:
        return False
    normal = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).lower().replace("ё", "е")
    normal = re.sub(r"\s+", " ", normal)
    return _PATTERN.search(normal) is not None
