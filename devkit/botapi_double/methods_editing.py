"""Bot API methods that change sent messages: edits and deletes."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .content import MessageContent
from .markup import inline_markup
from .spec import UploadedFile, bad_request
from .state import DELETE_WINDOW_S, NOT_MODIFIED, StoredMessage, wall_clock


class EditingMethods(MessageContent):
    """Bot API methods that change sent messages."""

    def _edit_target(self, params: dict[str, Any], counted: bool) -> StoredMessage:
        if "inline_message_id" in params and "chat_id" not in params:
            raise bad_request("MESSAGE_ID_INVALID")
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat_id = self._resolve_chat(params["chat_id"])
        self._guard_chat(chat_id, counted=counted)
        stored = self._stored(chat_id, int(params["message_id"]))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _m_editmessagetext(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        if "text" not in params:
            raise bad_request("message text is empty")
        content = self._text_content(params)
        stored = self._edit_target(params, counted=True)
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        markup = params.get("reply_markup")
        same_text = content["text"] == stored.message.get("text")
        same_entities = content.get("entities", []) == stored.message.get("entities", [])
        if same_text and same_entities and inline_markup(markup) == stored.message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        stored.message.pop("entities", None)
        stored.message.update(content)
        self._apply_markup(stored, markup)
        self._rate_consume(stored.chat_id)
        return copy.deepcopy(stored.message)

    def _m_editmessagereplymarkup(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        stored = self._edit_target(params, counted=True)
        markup = params.get("reply_markup")
        if inline_markup(markup) == stored.message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        self._apply_markup(stored, markup)
        self._rate_consume(stored.chat_id)
        return copy.deepcopy(stored.message)

    @staticmethod
    def _apply_markup(stored: StoredMessage, markup: Any) -> None:
        shown = inline_markup(markup)
        if shown is None:
            stored.message.pop("reply_markup", None)
        else:
            stored.message["reply_markup"] = shown
        stored.reply_markup = markup
        stored.message["edit_date"] = int(wall_clock())
        stored.edits += 1

    def _can_delete(self, stored: StoredMessage) -> str | None:
        """None if the bot may delete the message, else Telegram's reason."""
        if wall_clock() - float(stored.message.get("date", stored.sent_at)) > DELETE_WINDOW_S:
            return "message can't be deleted for everyone"
        if stored.from_bot or stored.chat_id > 0:
            return None
        status = self._bot_status(stored.chat_id)
        if status.get("status") == "creator":
            return None
        if status.get("status") == "administrator" and status.get("can_delete_messages"):
            return None
        return "message can't be deleted"

    def _m_deletemessage(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        stored = self._stored(chat_id, int(params["message_id"]))
        if stored is None:
            raise bad_request("message to delete not found")
        reason = self._can_delete(stored)
        if reason is not None:
            raise bad_request(reason)
        stored.deleted = True
        return True

    def _m_deletemessages(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        ids = params["message_ids"]
        if not ids:
            raise bad_request("message_ids is empty")
        if len(ids) > 100:
            raise bad_request("too many message identifiers specified")
        for message_id in ids:
            stored = self._stored(chat_id, int(message_id))
            if stored is not None and self._can_delete(stored) is None:
                stored.deleted = True
        return True
