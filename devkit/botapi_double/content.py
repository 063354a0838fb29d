"""Message content as Telegram builds it: parsed text and captions, files, the bot's stored messages."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from typing import Any

from .formatting import EntityParseError, format_text, utf16_len
from .markup import inline_markup
from .spec import UploadedFile, bad_request
from .state import COMPATIBLE_KINDS, FILE_PREFIX, DoubleState, StoredMessage, wall_clock


class MessageContent(DoubleState):
    """Texts, captions, files and storing the bot's messages, shared by the sending and editing methods."""

    def _format(
        self, text: str, parse_mode: Any, entities: Any, limit: int, too_long: str
    ) -> tuple[str, list[dict[str, Any]]]:
        try:
            plain, found = format_text(text, parse_mode, entities)
        except EntityParseError as err:
            raise bad_request(f"can't parse entities: {err}") from None
        if utf16_len(plain) > limit:  # Telegram counts UTF-16 code units: an emoji outside the BMP is two
            raise bad_request(too_long)
        return plain, found

    def _text_content(self, params: dict[str, Any]) -> dict[str, Any]:
        plain, ents = self._format(
            str(params["text"]), params.get("parse_mode"), params.get("entities"), 4096, "message is too long"
        )
        if not plain:
            raise bad_request("message text is empty")
        content: dict[str, Any] = {"text": plain}
        if ents:
            content["entities"] = ents
        if "link_preview_options" in params:
            content["link_preview_options"] = params["link_preview_options"]
        return content

    def _caption_content(self, params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        caption = params.get(prefix + "caption")
        if caption is None:
            return {}
        plain, ents = self._format(
            str(caption),
            params.get(prefix + "parse_mode"),
            params.get(prefix + "caption_entities"),
            1024,
            "message caption is too long",
        )
        content: dict[str, Any] = {}
        if plain:
            content["caption"] = plain
        if ents:
            content["caption_entities"] = ents
        if params.get("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return content

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> StoredMessage | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            return None
        target_chat = self._resolve_chat(reply.get("chat_id", chat_id))
        stored = self._stored(target_chat, int(reply["message_id"]))
        if stored is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return stored

    def _store_bot_message(
        self,
        token: str,
        chat_id: int,
        content: dict[str, Any],
        params: dict[str, Any],
        *,
        reply_to: StoredMessage | None = None,
        extra: dict[str, Any] | None = None,
    ) -> StoredMessage:
        message_id = self._allocate_message_id(chat_id)
        user = self.bot_user(token)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": {k: user[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": self._chat_obj(chat_id),
            "date": int(wall_clock()),
        }
        if extra:
            message.update(extra)
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.message.items() if k != "reply_to_message"}
        message.update(content)
        protect = bool(params.get("protect_content"))
        if protect:
            message["has_protected_content"] = True
        markup = params.get("reply_markup")
        shown_markup = inline_markup(markup)
        if shown_markup is not None:
            message["reply_markup"] = shown_markup
        stored = StoredMessage(chat_id, message_id, message, True, protect, markup)
        self._messages.setdefault(chat_id, {})[message_id] = stored
        return stored

    def _new_file(self, kind: str, file_id: str | None = None, **attrs: Any) -> dict[str, Any]:
        token = uuid.uuid4().hex
        obj: dict[str, Any] = {
            "file_id": file_id or f"{FILE_PREFIX.get(kind, 'BQACAgIAAxkBAA')}{token}",
            "file_unique_id": attrs.pop("file_unique_id", None) or f"AgAD{token[:12]}",
        }
        defaults: dict[str, dict[str, Any]] = {
            "photo": {"width": 1280, "height": 720},
            "video": {"width": 1280, "height": 720, "duration": 10, "mime_type": "video/mp4"},
            "animation": {"width": 480, "height": 270, "duration": 3, "mime_type": "video/mp4"},
            "audio": {"duration": 60, "mime_type": "audio/mpeg"},
            "voice": {"duration": 5, "mime_type": "audio/ogg"},
            "video_note": {"length": 240, "duration": 5},
            "document": {"mime_type": "application/octet-stream"},
            "sticker": {
                "width": 512,
                "height": 512,
                "type": "regular",
                "is_animated": False,
                "is_video": False,
            },
        }
        obj.update(defaults.get(kind, {}))
        obj.update({k: v for k, v in attrs.items() if v is not None})
        self._files[obj["file_id"]] = {"kind": kind, "object": copy.deepcopy(obj)}
        return obj

    def _resolve_file(self, kind: str, value: Any, files: Mapping[str, UploadedFile]) -> dict[str, Any]:
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            value = upload
        if isinstance(value, UploadedFile):
            if value.size == 0:
                raise bad_request("file must be non-empty")
            attrs: dict[str, Any] = {"file_size": value.size}
            if kind in ("document", "audio", "animation", "video"):
                attrs["file_name"] = value.filename
            return self._new_file(kind, **attrs)
        if not isinstance(value, str) or not value.strip():
            raise bad_request("wrong file identifier/HTTP URL specified")
        if re.match(r"^https?://", value, re.IGNORECASE):
            return self._new_file(kind)
        known = self._files.get(value)
        if known is None:
            if self.strict_file_ids:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return self._new_file(kind, file_id=value)
        if known["kind"] != kind and known["kind"] not in COMPATIBLE_KINDS.get(kind, set()):
            raise bad_request("type of file mismatch")
        obj: dict[str, Any] = copy.deepcopy(known["object"])
        if known["kind"] != kind:
            obj = {k: obj[k] for k in ("file_id", "file_unique_id") if k in obj}
        return obj

    @staticmethod
    def _media_content(kind: str, file_obj: dict[str, Any]) -> dict[str, Any]:
        if kind in ("photo", "live_photo"):
            return {"photo": [file_obj]}
        return {kind: file_obj}
