"""A case's evidence in pages: a header with the links, then the media, at most EVIDENCE_PAGE media a page.

Built here, sent by deliver (paced, each message once): pressing «Evidence» on a case with many files never
sends them all from the webhook.
"""

from __future__ import annotations

import math
from typing import Final

from functions.domain.case import Case
from functions.domain.models import BotCall, Media
from functions.domain.text import MESSAGE_LIMIT, fit
from functions.i18n import t

EVIDENCE_PAGE: Final = 10
MAX_LINKS_SHOWN: Final = 20
MEDIA_METHODS: Final = {
    "photo": "sendPhoto",
    "video": "sendVideo",
    "animation": "sendAnimation",
    "document": "sendDocument",
    "video_note": "sendVideoNote",
    "voice": "sendVoice",
    "audio": "sendAudio",
}


def sendable_media(case: Case) -> list[Media]:
    """The case's media that can be sent back (known kinds only)."""
    return [m for m in case.media if m.kind in MEDIA_METHODS]


def page_count(case: Case) -> int:
    """How many pages the case's evidence takes (at least one: the header with the links)."""
    return max(1, math.ceil(len(sendable_media(case)) / EVIDENCE_PAGE))


def evidence_page(case: Case, chat_id: int, lang: str, page: int) -> list[BotCall]:
    """The messages of one page (0-based), each protected from forwarding and marked as carrying the case."""
    code = case.code
    pages = page_count(case)
    if not 0 <= page < pages:
        return []
    if pages == 1:
        header = t(lang, "evidence_header", code=code)
    else:
        header = t(lang, "evidence_page", code=code, page=page + 1, pages=pages)
    urls = case.urls
    if page == 0 and urls:
        header += "\n" + "\n".join(urls[:MAX_LINKS_SHOWN])
    calls = [
        BotCall(
            method="sendMessage",
            params={
                "chat_id": chat_id,
                "text": fit(header, MESSAGE_LIMIT),
                "protect_content": True,
                "link_preview_options": {"is_disabled": True},
            },
            carries=code,
        )
    ]
    caption = t(lang, "evidence_caption", code=code)
    for media in sendable_media(case)[page * EVIDENCE_PAGE : (page + 1) * EVIDENCE_PAGE]:
        kind = media.kind
        calls.append(
            BotCall(
                method=MEDIA_METHODS[kind],
                params={"chat_id": chat_id, kind: media.file_id, "protect_content": True, "caption": caption},
                carries=code,
            )
        )
    return calls
