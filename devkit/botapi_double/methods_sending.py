"""Bot API methods that send messages: text, media, albums, copies and forwards."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from typing import Any

from .content import MessageContent
from .spec import ShapeError, UploadedFile, bad_request
from .state import CONTENT_KEYS, StoredMessage, wall_clock


class SendingMethods(MessageContent):
    """Bot API methods that send messages."""

    def _m_sendmessage(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        content = self._text_content(params)
        chat_id = self._resolve_chat(params["chat_id"])
        self._guard_chat(chat_id, counted=True)
        reply_to = self._reply_target(chat_id, params)
        stored = self._store_bot_message(token, chat_id, content, params, reply_to=reply_to)
        self._rate_consume(chat_id)
        return copy.deepcopy(stored.message)

    def _send_media(self, kind: str, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        content = self._caption_content(params)
        chat_id = self._resolve_chat(params["chat_id"])
        self._guard_chat(chat_id, counted=True)
        file_obj = self._resolve_file(kind, params[kind], files)
        content.update(self._media_content(kind, file_obj))
        if params.get("has_spoiler"):
            content["has_media_spoiler"] = True
        reply_to = self._reply_target(chat_id, params)
        stored = self._store_bot_message(token, chat_id, content, params, reply_to=reply_to)
        self._rate_consume(chat_id)
        return copy.deepcopy(stored.message)

    def _m_sendphoto(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("photo", token, params, files)

    def _m_sendvideo(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("video", token, params, files)

    def _m_senddocument(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("document", token, params, files)

    def _m_sendanimation(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("animation", token, params, files)

    def _m_sendaudio(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("audio", token, params, files)

    def _m_sendvoice(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("voice", token, params, files)

    def _m_sendvideonote(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._send_media("video_note", token, params, files)

    def _m_sendmediagroup(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        media = params["media"]
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                raise bad_request("can't parse media JSON object") from None
        if not isinstance(media, list):
            raise bad_request('can\'t parse media: Field "media" must be of type Array')
        union = self.spec.types["InputMedia"]
        items: list[dict[str, Any]] = []
        for item in media:
            if not isinstance(item, dict):
                raise bad_request("can't parse InputMedia: InputMedia must be an Object")
            try:
                items.append(self.spec.check_object(union, item))
            except ShapeError as err:
                raise bad_request(f"can't parse InputMedia: {err}") from None
        if len(items) > 10:
            raise bad_request("too many messages to send as an album")
        if len(items) < 2:
            raise bad_request("media must include 2-10 items")
        kinds = {str(i["type"]) for i in items}
        if "animation" in kinds or (len(kinds) > 1 and not kinds <= {"photo", "video", "live_photo"}):
            raise bad_request("can't use the media of the specified type in the album")
        contents: list[dict[str, Any]] = []
        for item in items:
            content = self._caption_content(item)
            kind = str(item["type"])
            content.update(self._media_content(kind, self._resolve_file(kind, item["media"], files)))
            if item.get("has_spoiler"):
                content["has_media_spoiler"] = True
            contents.append(content)
        chat_id = self._resolve_chat(params["chat_id"])
        self._guard_chat(chat_id, counted=True)
        reply_to = self._reply_target(chat_id, params)
        group_id = str(uuid.uuid4().int)[:18]
        out = []
        for content in contents:
            stored = self._store_bot_message(
                token, chat_id, content, params, reply_to=reply_to, extra={"media_group_id": group_id}
            )
            out.append(copy.deepcopy(stored.message))
        self._rate_consume(chat_id)
        return out

    def _source_message(self, params: dict[str, Any], what: str) -> StoredMessage:
        from_chat = self._resolve_chat(params["from_chat_id"])
        source = self._stored(from_chat, int(params["message_id"]))
        if source is None:
            raise bad_request(f"message to {what} not found")
        if source.protect_content or source.message.get("has_protected_content"):
            raise bad_request("message has protected content and can't be forwarded")
        if not any(key in source.message for key in CONTENT_KEYS):
            raise bad_request(f"message can't be {'copied' if what == 'copy' else 'forwarded'}")
        return source

    def _m_copymessage(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        source = self._source_message(params, "copy")
        content = {k: copy.deepcopy(v) for k, v in source.message.items() if k in CONTENT_KEYS}
        if "caption" in params:
            if "text" in content:
                raise bad_request("can't edit caption of a text message")
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_content(params))
        self._guard_chat(chat_id, counted=True)
        reply_to = self._reply_target(chat_id, params)
        stored = self._store_bot_message(token, chat_id, content, params, reply_to=reply_to)
        self._rate_consume(chat_id)
        return {"message_id": stored.message_id}

    def _m_forwardmessage(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        source = self._source_message(params, "forward")
        content = {k: copy.deepcopy(v) for k, v in source.message.items() if k in CONTENT_KEYS}
        origin = source.message.get("forward_origin")
        if origin is None:
            src_chat = source.message.get("chat", {})
            if src_chat.get("type") == "channel":
                origin = {"type": "channel", "chat": src_chat, "message_id": source.message_id}
            elif "sender_chat" in source.message:
                origin = {"type": "chat", "sender_chat": source.message["sender_chat"]}
            else:
                origin = {
                    "type": "user",
                    "sender_user": source.message.get("from", self._user_obj(source.chat_id)),
                }
            origin["date"] = source.message.get("date", int(wall_clock()))
        self._guard_chat(chat_id, counted=True)
        stored = self._store_bot_message(token, chat_id, content, params, extra={"forward_origin": origin})
        self._rate_consume(chat_id)
        return copy.deepcopy(stored.message)
