"""A python-telegram-bot Update read into our own Incoming types (the only place services' input meets PTB)."""

from __future__ import annotations

from typing import Final

from telegram import Message, MessageOriginChannel, Update, User

from functions.domain.incoming import (
    BotRightsChange,
    Incoming,
    IncomingCallback,
    IncomingMessage,
    Sender,
    SharedContact,
    bot_may_delete,
)
from functions.domain.models import EvidenceItem, Media
from functions.domain.urls import extract_urls

MAX_ITEMS_PER_MESSAGE: Final = 10
MEDIA_KINDS: Final = ("video", "animation", "document", "video_note", "voice", "audio")
OUTSIDE: Final = frozenset({"left", "kicked"})  # the bot's statuses outside a chat
UNSUPPORTED: Final = ("sticker", "poll", "location", "venue", "contact", "dice", "game", "story", "invoice")


def to_incoming(update: Update) -> Incoming | None:
    """What the update means, or None when it is nothing we handle (bots, channel posts, edits)."""
    query = update.callback_query
    if query is not None:
        message = query.message
        known = message is not None and getattr(message, "chat", None) is not None
        return IncomingCallback(
            update_id=update.update_id,
            callback_id=query.id,
            sender=_sender(query.from_user),
            data=query.data or "",
            chat_id=message.chat.id if known and message is not None else None,
            chat_type=message.chat.type if known and message is not None else "",
            message_id=message.message_id if known and message is not None else 0,
        )
    change = update.my_chat_member
    if change is not None:
        member = change.new_chat_member
        can_delete = bool(getattr(member, "can_delete_messages", False))
        return BotRightsChange(
            update_id=update.update_id,
            chat_id=change.chat.id,
            chat_type=change.chat.type,
            status=member.status,
            can_delete=bot_may_delete(member.status, can_delete),
            joined=change.old_chat_member.status in OUTSIDE and member.status not in OUTSIDE,
            language_code=change.from_user.language_code if change.from_user is not None else None,
        )
    message = update.message or update.edited_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    replied = message.reply_to_message
    return IncomingMessage(
        update_id=update.update_id,
        chat_id=message.chat.id,
        chat_type=message.chat.type,
        message_id=message.message_id,
        sender=_sender(message.from_user),
        text=message.text,
        caption=message.caption,
        reply_to_message_id=replied.message_id if replied is not None else None,
        evidence=evidence_of(message),
        forwarded=message.forward_origin is not None,
        unsupported=any(getattr(message, kind, None) for kind in UNSUPPORTED),
        contact=_contact(message),
        edited=update.message is None,
    )


def _contact(message: Message) -> SharedContact | None:
    contact = message.contact
    if contact is None or not contact.phone_number:
        return None
    return SharedContact(user_id=contact.user_id, phone=contact.phone_number[:32])


def _sender(user: User) -> Sender:
    return Sender(
        user_id=user.id, language_code=user.language_code, first_name=user.first_name or "", is_bot=user.is_bot
    )


def evidence_of(message: Message) -> EvidenceItem | None:
    """The links and media a message carries (by reference), or None when it carries neither."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    urls = extract_urls(text, [entity.to_dict() for entity in entities]) if text else []
    origin = message.forward_origin
    if isinstance(origin, MessageOriginChannel) and origin.chat.username:
        urls += extract_urls(f"https://t.me/{origin.chat.username}/{origin.message_id}", None)
    media: list[Media] = []
    if message.photo:
        largest = message.photo[-1]
        media.append(Media(kind="photo", file_id=largest.file_id, file_unique_id=largest.file_unique_id))
    for kind in MEDIA_KINDS:
        attachment = getattr(message, kind, None)
        if attachment is not None and getattr(attachment, "file_unique_id", None):
            media.append(Media(kind=kind, file_id=attachment.file_id, file_unique_id=attachment.file_unique_id))
    urls = list(dict.fromkeys(urls))[:MAX_ITEMS_PER_MESSAGE]
    if not urls and not media:
        return None
    return EvidenceItem(message_id=message.message_id, urls=urls, media=media, media_group_id=message.media_group_id)
