"""Taking a purged case's content back out of staff chats: every recorded message that carried it outside the
cards (evidence, /case copies) is edited to a stub or deleted; cards are Delivery's (re-rendered, or a stub).
Telegram lets a bot edit its own messages at any age; deleting is allowed within 48 hours only, so media that
cannot be deleted any more lose their caption."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from functions.domain.jobs import DeliveryJob
from functions.domain.models import BotCall
from functions.errors import BotRefused
from functions.i18n import t
from functions.log import get_logger

log = get_logger("deliver")

Send = Callable[[int, BotCall], Any]
EMPTY_KEYBOARD: dict[str, Any] = {"inline_keyboard": []}


class TakebackStore(Protocol):
    """What taking content back needs from storage."""

    def forget_message(self, chat_id: int, message_id: int) -> None: ...


def scrub(send: Send, store: TakebackStore, job: DeliveryJob, lang: str) -> None:
    """Take a purged case's content out of one recorded message (evidence, a /case copy or history)."""
    chat_id, message_id = job.recipient_id, job.message_id
    if message_id is None:
        return
    stub = t(lang, "card_purged_stub", code=job.report_id)
    if job.argument == "media":
        try:
            send(chat_id, BotCall(method="deleteMessage", params={"chat_id": chat_id, "message_id": message_id}))
        except BotRefused:  # older than 48 hours: what can still change is its caption
            caption = BotCall(
                method="editMessageCaption", params={"chat_id": chat_id, "message_id": message_id, "caption": stub}
            )
            try:
                send(chat_id, caption)
            except BotRefused as error:
                log.warning("evidence message kept", extra={"report_id": job.report_id, "kind": error.kind})
    else:
        edit = BotCall(
            method="editMessageText",
            params={"chat_id": chat_id, "message_id": message_id, "text": stub, "reply_markup": EMPTY_KEYBOARD},
        )
        try:
            send(chat_id, edit)
        except BotRefused as error:
            if not error.not_modified:
                log.warning("copy not edited", extra={"report_id": job.report_id, "kind": error.kind})
    store.forget_message(chat_id, message_id)
