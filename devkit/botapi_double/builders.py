"""Builders of realistic fake Update objects, so tests and a terminal client can play Telegram users."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from .text_builder import utf16_len

DEFAULT_FIRST_NAME = "Test User"
DEFAULT_GROUP_TITLE = "Test Group"
DEFAULT_CHANNEL_ID = -1001000000001
DEFAULT_CHANNEL_TITLE = "Test Channel"
_URL_RE = re.compile(
    r"(?:(?:https?|tg)://[^\s<>\"']+|\b(?:[a-z0-9][a-z0-9-]*\.)+[a-z]{2,}(?:/[^\s<>\"']*)?)", re.IGNORECASE
)
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAAIB",
    "video": "BAACAgIAAxkBAAIB",
    "document": "BQACAgIAAxkBAAIB",
    "animation": "CgACAgIAAxkBAAIB",
    "audio": "CQACAgIAAxkBAAIB",
    "voice": "AwACAgIAAxkBAAIB",
    "video_note": "DQACAgIAAxkBAAIB",
    "sticker": "CAACAgIAAxkBAAIB",
}


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients add on their own: a leading bot_command and URLs (UTF-16 offsets)."""
    entities: list[dict[str, Any]] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
    for match in _URL_RE.finditer(text):
        if command and match.start() < command.end():
            continue
        url = match.group(0).rstrip(".,;:!?)»\"'")
        entities.append({"type": "url", "offset": utf16_len(text[: match.start()]), "length": utf16_len(url)})
    return entities


def fake_file_id(kind: str) -> str:
    """A new file_id shaped like Telegram's for that kind of file."""
    return f"{_FILE_PREFIX.get(kind, 'BQACAgIAAxkBAAIB')}{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}"


def make_user(
    user_id: int,
    first_name: str = DEFAULT_FIRST_NAME,
    language_code: str | None = "ru",
    *,
    last_name: str | None = None,
    username: str | None = None,
) -> dict[str, Any]:
    """A fake (non-bot) Telegram User."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def make_chat(chat_id: int, user: dict[str, Any] | None = None, *, title: str | None = None) -> dict[str, Any]:
    """A Chat: private (from the user) for positive ids, a supergroup for negative ones."""
    if chat_id > 0:
        chat: dict[str, Any] = {"id": chat_id, "type": "private"}
        source = user or make_user(chat_id)
        for key in ("first_name", "last_name", "username"):
            if key in source:
                chat[key] = source[key]
        return chat
    return {"id": chat_id, "type": "supergroup", "title": title or DEFAULT_GROUP_TITLE}


def _message(
    user_id: int,
    chat_id: int | None,
    language_code: str | None,
    first_name: str,
    message_id: int | None,
    chat_title: str | None,
) -> dict[str, Any]:
    user = make_user(user_id, first_name, language_code)
    message: dict[str, Any] = {
        "from": user,
        "chat": make_chat(chat_id if chat_id is not None else user_id, user, title=chat_title),
        "date": int(time.time()),
    }
    if message_id is not None:
        message["message_id"] = message_id
    return message


def _update(key: str, payload: dict[str, Any], update_id: int | None) -> dict[str, Any]:
    update: dict[str, Any] = {key: payload}
    if update_id is not None:
        update = {"update_id": update_id, key: payload}
    return update


def make_text_update(
    user_id: int,
    text: str,
    chat_id: int | None = None,
    language_code: str | None = "ru",
    *,
    first_name: str = DEFAULT_FIRST_NAME,
    message_id: int | None = None,
    update_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to_message: dict[str, Any] | None = None,
    chat_title: str | None = None,
) -> dict[str, Any]:
    """A user's text message; commands and links get entities. Ids left out are assigned by the double."""
    message = _message(user_id, chat_id, language_code, first_name, message_id, chat_title)
    message["text"] = text
    found = detect_entities(text) if entities is None else entities
    if found:
        message["entities"] = found
    if reply_to_message is not None:
        message["reply_to_message"] = reply_to_message
    return _update("message", message, update_id)


def make_command_update(
    user_id: int, command: str, args: str = "", chat_id: int | None = None, **kwargs: Any
) -> dict[str, Any]:
    """A /command (with optional arguments, e.g. a /start deep-link payload)."""
    text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
    return make_text_update(user_id, text, chat_id, **kwargs)


def make_edited_text_update(
    user_id: int,
    message_id: int,
    text: str,
    chat_id: int | None = None,
    language_code: str | None = "ru",
    *,
    first_name: str = DEFAULT_FIRST_NAME,
    update_id: int | None = None,
) -> dict[str, Any]:
    """The user edited an earlier text message."""
    message = _message(user_id, chat_id, language_code, first_name, message_id, None)
    message["edit_date"] = message["date"]
    message["text"] = text
    found = detect_entities(text)
    if found:
        message["entities"] = found
    return _update("edited_message", message, update_id)


def make_media_update(
    kind: str,
    user_id: int,
    chat_id: int | None = None,
    caption: str | None = None,
    language_code: str | None = "ru",
    *,
    first_name: str = DEFAULT_FIRST_NAME,
    file_id: str | None = None,
    file_unique_id: str | None = None,
    media_group_id: str | None = None,
    file_name: str | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
    chat_title: str | None = None,
) -> dict[str, Any]:
    """A user's photo / video / document / animation / voice / audio / video_note / sticker message."""
    message = _message(user_id, chat_id, language_code, first_name, message_id, chat_title)
    file_obj: dict[str, Any] = {
        "file_id": file_id or fake_file_id(kind),
        "file_unique_id": file_unique_id or f"AQAD{uuid.uuid4().hex[:12]}",
        "file_size": 123_456,
    }
    if kind == "photo":
        small = {
            "file_id": fake_file_id("photo"),
            "file_unique_id": f"AQAD{uuid.uuid4().hex[:12]}",
            "width": 90,
            "height": 51,
            "file_size": 1_234,
        }
        message["photo"] = [small, {**file_obj, "width": 1280, "height": 720}]
    elif kind in ("video", "animation"):
        message[kind] = {**file_obj, "width": 1280, "height": 720, "duration": 12, "mime_type": "video/mp4"}
        if kind == "animation":
            message["document"] = {k: v for k, v in message[kind].items() if k not in ("width", "height")}
    elif kind == "document":
        message[kind] = {**file_obj, "file_name": file_name or "document.pdf", "mime_type": "application/pdf"}
    elif kind in ("voice", "audio"):
        message[kind] = {
            **file_obj,
            "duration": 7,
            "mime_type": "audio/ogg" if kind == "voice" else "audio/mpeg",
        }
    elif kind == "video_note":
        message[kind] = {**file_obj, "length": 240, "duration": 7}
    elif kind == "sticker":
        sticker = {"width": 512, "height": 512, "type": "regular", "is_animated": False, "is_video": False}
        message[kind] = {**file_obj, **sticker}
    else:
        raise ValueError(f"unsupported media kind {kind!r}")
    if caption:
        message["caption"] = caption
        found = detect_entities(caption)
        if found:
            message["caption_entities"] = found
    if media_group_id:
        message["media_group_id"] = media_group_id
    return _update("message", message, update_id)


def make_photo_update(
    user_id: int, chat_id: int | None = None, caption: str | None = None, **kw: Any
) -> dict[str, Any]:
    """A user's photo message."""
    return make_media_update("photo", user_id, chat_id, caption, **kw)


def make_video_update(
    user_id: int, chat_id: int | None = None, caption: str | None = None, **kw: Any
) -> dict[str, Any]:
    """A user's video message."""
    return make_media_update("video", user_id, chat_id, caption, **kw)


def make_document_update(
    user_id: int, chat_id: int | None = None, caption: str | None = None, **kw: Any
) -> dict[str, Any]:
    """A user's document (file) message."""
    return make_media_update("document", user_id, chat_id, caption, **kw)


def make_album_updates(
    user_id: int,
    kinds: tuple[str, ...] = ("photo", "video"),
    chat_id: int | None = None,
    caption: str | None = None,
    **kw: Any,
) -> list[dict[str, Any]]:
    """An album as Telegram sends it: an update per item, one media_group_id, the caption on the first."""
    group_id = str(uuid.uuid4().int)[:18]
    return [
        make_media_update(kind, user_id, chat_id, caption if index == 0 else None, media_group_id=group_id, **kw)
        for index, kind in enumerate(kinds)
    ]


def make_forward_update(
    user_id: int,
    text: str | None = None,
    chat_id: int | None = None,
    language_code: str | None = "ru",
    *,
    media_kind: str | None = None,
    caption: str | None = None,
    origin_chat_id: int = DEFAULT_CHANNEL_ID,
    origin_title: str = DEFAULT_CHANNEL_TITLE,
    origin_message_id: int = 42,
    origin_user: dict[str, Any] | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A post forwarded to the bot: from a channel by default, from a user if origin_user is given."""
    if media_kind:
        update = make_media_update(media_kind, user_id, chat_id, caption, language_code, first_name=first_name)
    else:
        update = make_text_update(user_id, text or "", chat_id, language_code, first_name=first_name)
    message = update["message"]
    date = int(time.time()) - 3600
    if origin_user is not None:
        message["forward_origin"] = {"type": "user", "sender_user": origin_user, "date": date}
    else:
        message["forward_origin"] = {
            "type": "channel",
            "chat": {"id": origin_chat_id, "title": origin_title, "type": "channel"},
            "message_id": origin_message_id,
            "date": date,
        }
    if update_id is not None:
        update["update_id"] = update_id
    return update


def make_callback_update(
    user_id: int,
    message_id: int,
    data: str,
    chat_id: int | None = None,
    language_code: str | None = "ru",
    *,
    first_name: str = DEFAULT_FIRST_NAME,
    callback_id: str | None = None,
    message: dict[str, Any] | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A press of a button on a bot message; without ``message`` the double fills in the stored one."""
    target_chat = chat_id if chat_id is not None else user_id
    query: dict[str, Any] = {
        "id": callback_id or str(uuid.uuid4().int)[:19],
        "from": make_user(user_id, first_name, language_code),
        "message": message
        if message is not None
        else {"message_id": message_id, "chat": {"id": target_chat, "type": make_chat(target_chat)["type"]}},
        "chat_instance": str(abs(target_chat) * 7919 % 10**18 + 10**18),
        "data": data,
    }
    return _update("callback_query", query, update_id)


def make_my_chat_member_update(
    chat_id: int,
    bot_id: int,
    new_status: str = "administrator",
    old_status: str = "left",
    *,
    from_user_id: int = 1_000_000_001,
    chat_title: str | None = None,
    can_delete_messages: bool = True,
    update_id: int | None = None,
) -> dict[str, Any]:
    """The bot was added to / promoted in / removed from a group by a (fake) admin."""
    bot = {"id": bot_id, "is_bot": True, "first_name": "Qorgau (local)", "username": "qorgau_local_bot"}
    new_member: dict[str, Any] = {"status": new_status, "user": bot}
    if new_status == "administrator":
        new_member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": can_delete_messages,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
        )
    change = {
        "chat": make_chat(chat_id, title=chat_title),
        "from": make_user(from_user_id, "Test Admin"),
        "date": int(time.time()),
        "old_chat_member": {"status": old_status, "user": bot},
        "new_chat_member": new_member,
    }
    return _update("my_chat_member", change, update_id)
