"""A case's evidence in pages: a header with the links, then the media, at most EVIDENCE_PAGE media a page.

Built here, sent by deliver (paced, each message once): pressing «Evidence» on a case with many files never
sends them all from the webhook. The additions of reporters who joined (their links, media and descriptions,
kept on their own documents) are shown with the case's own; descriptions are quoted (blockquote entities).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from functions.domain.case import Case
from functions.domain.escalation import is_restricted
from functions.domain.models import BotCall, Media
from functions.domain.text import Part, Quote, compose
from functions.i18n import t

EVIDENCE_PAGE: Final = 10
MAX_LINKS_SHOWN: Final = 40
MAX_DESCRIPTION_SHOWN: Final = 500
MEDIA_METHODS: Final = {
    "photo": "sendPhoto",
    "video": "sendVideo",
    "animation": "sendAnimation",
    "document": "sendDocument",
    "video_note": "sendVideoNote",
    "voice": "sendVoice",
    "audio": "sendAudio",
}

Additions = Sequence[dict[str, Any]]  # the reporters' documents of those who joined and added something


def sendable_media(case: Case, added: Additions = ()) -> list[Media]:
    """The case's media and the joiners' that can be sent back (known kinds only)."""
    joined = [Media.model_validate(m) for row in added for m in row.get("added_media") or []]
    return [m for m in [*case.media, *joined] if m.kind in MEDIA_METHODS]


def page_count(case: Case, added: Additions = ()) -> int:
    """How many pages the case's evidence takes (at least one: the header with the links)."""
    return max(1, math.ceil(len(sendable_media(case, added)) / EVIDENCE_PAGE))


def header_parts(case: Case, lang: str, added: Additions) -> list[Part]:
    """The first page's links and descriptions (a restricted case's own description too: it is not on the card)."""
    urls = list(case.urls)
    urls += [str(url) for row in added for url in row.get("added_urls") or [] if str(url) not in urls]
    parts: list[Part] = list(urls[:MAX_LINKS_SHOWN])
    if len(urls) > MAX_LINKS_SHOWN:
        parts.append(t(lang, "card_more_links", n=len(urls) - MAX_LINKS_SHOWN))
    descriptions = [case.description] if is_restricted(case.category) and case.description else []
    descriptions += [str(row["description"]) for row in added if row.get("description")]
    if descriptions:
        parts.append("\n" + t(lang, "evidence_descriptions"))
        parts.extend(Quote(d[:MAX_DESCRIPTION_SHOWN]) for d in descriptions)
    return parts


def evidence_page(case: Case, chat_id: int, lang: str, page: int, added: Additions = ()) -> list[BotCall]:
    """The messages of one page (0-based), each protected from forwarding and marked as carrying the case."""
    code = case.code
    pages = page_count(case, added)
    if not 0 <= page < pages:
        return []
    if pages == 1:
        parts: list[Part] = [t(lang, "evidence_header", code=code)]
    else:
        parts = [t(lang, "evidence_page", code=code, page=page + 1, pages=pages)]
    if page == 0:
        parts += header_parts(case, lang, added)
    text, entities = compose(parts)
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "protect_content": True,
        "link_preview_options": {"is_disabled": True},
    }
    if entities:
        params["entities"] = entities
    calls = [BotCall(method="sendMessage", params=params, carries=code)]
    caption = t(lang, "evidence_caption", code=code)
    for media in sendable_media(case, added)[page * EVIDENCE_PAGE : (page + 1) * EVIDENCE_PAGE]:
        kind = media.kind
        calls.append(
            BotCall(
                method=MEDIA_METHODS[kind],
                params={"chat_id": chat_id, kind: media.file_id, "protect_content": True, "caption": caption},
                carries=code,
            )
        )
    return calls
