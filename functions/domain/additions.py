"""What a reporter who joins a case adds to it: their links and media the case did not have, their description.

Pure rules, no I/O. The additions are kept on the joining reporter's own document (bounded lists), and the case
only counts them (tallied from the reporter documents by one aggregation query when a card is rendered and at
fan-out's periodic refresh), so a viral case's document neither grows nor is written once per join; the card
says how many reporters added what, the evidence shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from functions.domain.models import ReportDraft
from functions.domain.urls import content_key_for_media, content_key_for_url

MAX_ADDED_LINKS: Final = 20
MAX_ADDED_MEDIA: Final = 20
MAX_ADDED_DESCRIPTION: Final = 2000
MAX_SHOWN_CONTRIBUTORS: Final = 20  # the evidence lists the additions of at most this many reporters


@dataclass(frozen=True)
class Additions:
    """One joining reporter's additions."""

    urls: list[str] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    description: str | None = None
    keys: list[str] = field(default_factory=list)

    def any(self) -> bool:
        """Whether this reporter added anything."""
        return bool(self.urls or self.media or self.description)

    def reporter_fields(self) -> dict[str, Any]:
        """The fields kept on the reporter's document."""
        return {
            "added_urls": self.urls,
            "added_media": self.media,
            "description": self.description,
            "added_keys": self.keys,
            "has_additions": self.any(),
            # Numbers the case's counters are tallied from (one aggregation, never a write of the case).
            "contributed": 1 if self.any() else 0,
            "added_link_count": len(self.urls),
            "added_media_count": len(self.media),
            "added_description_count": 1 if self.description else 0,
        }

    def counts(self) -> dict[str, int]:
        """How much to add to the case's counters (only the non-zero ones)."""
        counts = {
            "contributors": 1 if self.any() else 0,
            "added_links": len(self.urls),
            "added_media": len(self.media),
            "added_descriptions": 1 if self.description else 0,
        }
        return {name: n for name, n in counts.items() if n}


def additions(draft: ReportDraft, new_keys: list[str]) -> Additions:
    """The draft's links and media whose content keys the case does not have yet, and its description."""
    wanted = set(new_keys)
    urls = [url for url in draft.urls if content_key_for_url(url) in wanted][:MAX_ADDED_LINKS]
    media = [m.model_dump() for m in draft.media if content_key_for_media(m.file_unique_id) in wanted]
    description = (draft.description or "").strip()[:MAX_ADDED_DESCRIPTION] or None
    keys = [content_key_for_url(url) for url in urls]
    keys += [content_key_for_media(str(m["file_unique_id"])) for m in media[:MAX_ADDED_MEDIA]]
    return Additions(urls=urls, media=media[:MAX_ADDED_MEDIA], description=description, keys=keys)
