"""Bot API methods about chats: button answers, chat info, members, actions, leaving."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .spec import UploadedFile, bad_request
from .state import CHAT_ACTIONS, DoubleState


class ChatMethods(DoubleState):
    """Bot API methods about chats."""

    def _m_answercallbackquery(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query_id = str(params["callback_query_id"])
        answered = self._callbacks.get(query_id)
        if self.strict_callback_queries and answered is not False:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._callbacks[query_id] = True
        return True

    def _m_getchat(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        info = self._chat_obj(chat_id)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _m_getchatmember(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        return self._member(chat_id, int(params["user_id"]))

    def _m_getchatadministrators(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        if self._chat_type(chat_id) == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            copy.deepcopy(m)
            for (c, _), m in sorted(self._members.items())
            if c == chat_id and m.get("status") in ("creator", "administrator")
        ]

    def _m_sendchataction(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        if str(params["action"]) not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._guard_chat(chat_id, counted=False)
        return True

    def _m_leavechat(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"])
        if self._chat_type(chat_id) == "private":
            raise bad_request("chat member status can't be changed in private chats")
        self._guard_chat(chat_id, counted=False)
        self._members[(chat_id, self.bot_id)] = {"status": "left", "user": self._user_obj(self.bot_id)}
        return True
