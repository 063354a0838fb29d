"""Builders of the Bot API calls the use cases answer with (plain data; the gateway makes them)."""

from __future__ import annotations

from typing import Any

from functions.domain.models import BotCall, FileUpload, Outcome
from functions.i18n import t

Keyboard = dict[str, Any]


def send(
    chat_id: int,
    text: str,
    keyboard: Keyboard | None = None,
    reply_to: int | None = None,
    *,
    entities: list[dict[str, Any]] | None = None,
    protect: bool = False,
    silent: bool = False,
) -> BotCall:
    """A sendMessage without link previews (a preview would spread the content); protected: not forwardable;
    silent: delivered without a sound (disable_notification)."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text, "link_preview_options": {"is_disabled": True}}
    if keyboard is not None:
        params["reply_markup"] = keyboard
    if entities:
        params["entities"] = entities
    if protect:
        params["protect_content"] = True
    if silent:
        params["disable_notification"] = True
    if reply_to is not None:
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return BotCall(method="sendMessage", params=params)


def edit(
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: Keyboard | None = None,
    *,
    entities: list[dict[str, Any]] | None = None,
) -> BotCall:
    """An editMessageText of the bot's own message (idempotent)."""
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "text": text,
        "link_preview_options": {"is_disabled": True},
    }
    if keyboard is not None:
        params["reply_markup"] = keyboard
    if entities:
        params["entities"] = entities
    return BotCall(method="editMessageText", params=params)


def edit_markup(chat_id: int, message_id: int, keyboard: Keyboard) -> BotCall:
    """An editMessageReplyMarkup: new buttons under the same text."""
    return BotCall(
        method="editMessageReplyMarkup",
        params={"chat_id": chat_id, "message_id": message_id, "reply_markup": keyboard},
    )


def delete_message(chat_id: int, message_id: int) -> BotCall:
    """A deleteMessage (allowed within 48 hours)."""
    return BotCall(method="deleteMessage", params={"chat_id": chat_id, "message_id": message_id})


def delete_messages(chat_id: int, message_ids: list[int]) -> BotCall:
    """A deleteMessages of up to 100 messages."""
    return BotCall(method="deleteMessages", params={"chat_id": chat_id, "message_ids": sorted(message_ids)[:100]})


def answer(callback_id: str, text: str | None = None, alert: bool = False) -> BotCall:
    """An answerCallbackQuery (stops the button's spinner)."""
    params: dict[str, Any] = {"callback_query_id": callback_id}
    if text:
        params["text"] = text[:200]
        params["show_alert"] = alert
    return BotCall(method="answerCallbackQuery", params=params)


def upload(method: str, field: str, chat_id: int, data: bytes, filename: str, caption: str) -> BotCall:
    """A sendPhoto / sendDocument uploading bytes (multipart), never forwardable."""
    return BotCall(
        method=method,
        params={
            "chat_id": chat_id,
            field: FileUpload(data=data, filename=filename),
            "caption": caption[:1024],
            "protect_content": True,
        },
    )


def with_helplines(outcome: Outcome, chat_id: int, lang: str, *, adult: bool = False) -> Outcome:
    """The same answer with the crisis helplines (in the child's «ты», or «Вы» to an adult): added to the message."""
    text = t(lang, "crisis_helplines_adult" if adult else "crisis_helplines")
    body = outcome.body
    if body is not None and body.method == "sendMessage" and text not in str(body.params.get("text")):
        params = dict(body.params)
        params["text"] = (text + "\n\n" + str(params["text"]))[:4096]
        return Outcome(direct=outcome.direct, body=BotCall(method="sendMessage", params=params))
    if body is None:
        return Outcome(direct=outcome.direct, body=send(chat_id, text))
    return Outcome(direct=[*outcome.direct, send(chat_id, text)], body=body)
