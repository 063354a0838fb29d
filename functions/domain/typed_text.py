"""What a reporter typed around a link (or as a caption): kept as the report's description, links left out."""

from __future__ import annotations

import re
from typing import Final

_URLISH: Final = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*|[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)


def typed_note(text: str | None, limit: int) -> str | None:
    """The words of a message without its links (line breaks kept), at most limit characters; None when empty."""
    if not text:
        return None
    lines = (" ".join(w for w in line.split() if not _URLISH.fullmatch(w)) for line in text.splitlines())
    note = "\n".join(line for line in lines if line).strip()
    return note[:limit] or None
