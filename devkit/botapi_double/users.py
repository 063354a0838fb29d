"""Playing users: updates delivered like Telegram delivers them (webhook or queue), button presses."""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .builders import make_callback_update, make_text_update
from .calls import CallDispatch
from .markup import callback_data_of
from .state import DEFAULT_TOKEN, FILE_KINDS, MEMBER_STATUSES, MESSAGE_UPDATE_KEYS, StoredMessage, wall_clock

log = logging.getLogger("botapi_double")


class PlayingUsers(CallDispatch):
    """Users' side of the chats: their updates go to the bot's webhook; a method in its answer is executed."""

    def post_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Deliver an Update like Telegram: to the webhook (executing a method in its answer), else queue it.

        Missing update_id, message_id, date and chat are filled in; a callback_query whose ``message`` has no
        ``date`` is completed from the message store (ValueError if the double does not know that message).
        """
        data = copy.deepcopy(dict(update))
        with self._lock:
            self._ingest(data)
            url, secret = self._webhook_url, self._webhook_secret
            if not url:
                self._pending_updates.append(data)
                self._cond.notify_all()
                return {"update_id": data["update_id"], "status": None, "queued": True, "response_call": None}
            timeout = self.webhook_timeout
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            response = self._http.post(
                url, content=json.dumps(data, ensure_ascii=False).encode(), headers=headers, timeout=timeout
            )
        except httpx.HTTPError as err:
            with self._lock:
                self._webhook_last_error = (int(wall_clock()), f"Connection failed: {type(err).__name__}")
            return {
                "update_id": data["update_id"],
                "status": None,
                "error": f"{type(err).__name__}: {err}",
                "response_call": None,
            }
        result: dict[str, Any] = {
            "update_id": data["update_id"],
            "status": response.status_code,
            "response_call": None,
        }
        if not 200 <= response.status_code < 300:
            with self._lock:
                self._webhook_last_error = (
                    int(wall_clock()),
                    f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}",
                )
            return result
        reply = _webhook_reply(response)
        if reply is not None:
            params, typed = reply
            method = str(params.pop("method"))
            token = self.token or self._last_token or DEFAULT_TOKEN
            _, body = self.call(token, method, params, typed=typed, via_webhook=True)
            result["response_call"] = body
            result["response_method"] = method
        return result

    def post_text(self, user_id: int, text: str, chat_id: int | None = None, **kwargs: Any) -> dict[str, Any]:
        """A user writes text to the bot (see builders.make_text_update for the options)."""
        return self.post_update(make_text_update(user_id, text, chat_id, **kwargs))

    def press_button(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        *,
        text: str | None = None,
        data: str | None = None,
        language_code: str = "ru",
    ) -> dict[str, Any]:
        """A user presses an inline button of a bot message, chosen by its text (or given callback data)."""
        with self._lock:
            stored = self._stored(int(chat_id), int(message_id))
            if stored is None:
                raise ValueError(f"message {message_id} in chat {chat_id} is unknown or deleted")
            if data is None:
                if text is None:
                    raise ValueError("give the button's text or its callback data")
                data = callback_data_of(stored.message.get("reply_markup"), text)
                if data is None:
                    raise ValueError(f"message {message_id} has no callback button {text!r}")
        update = make_callback_update(user_id, int(message_id), data, int(chat_id), language_code)
        return self.post_update(update)

    def _ingest(self, data: dict[str, Any]) -> None:
        if "update_id" not in data:
            data["update_id"] = self._next_update_id
        if isinstance(data["update_id"], int) and data["update_id"] >= self._next_update_id:
            self._next_update_id = data["update_id"] + 1
        else:
            self._next_update_id += 1
        for key in MESSAGE_UPDATE_KEYS:
            message = data.get(key)
            if isinstance(message, dict):
                self._ingest_message(message, edited=key.startswith("edited_"))
        query = data.get("callback_query")
        if isinstance(query, dict):
            self._ingest_callback(query)
        for key in ("my_chat_member", "chat_member"):
            change = data.get(key)
            if isinstance(change, dict):
                self._ingest_member_change(change)
        self._register_files(data)

    def _remember_user(self, user: Any) -> None:
        if isinstance(user, dict) and isinstance(user.get("id"), int) and not user.get("is_bot"):
            self._users[user["id"]] = copy.deepcopy(user)

    def _remember_chat(self, chat: Any) -> None:
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            self._chats[chat["id"]] = copy.deepcopy(chat)

    def _ingest_message(self, message: dict[str, Any], edited: bool) -> None:
        sender = message.get("from")
        self._remember_user(sender)
        if "chat" not in message and isinstance(sender, dict) and isinstance(sender.get("id"), int):
            message["chat"] = {k: sender[k] for k in ("id", "first_name", "last_name", "username") if k in sender}
            message["chat"]["type"] = "private"
        chat = message.get("chat")
        if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
            return
        self._remember_chat(chat)
        chat_id = int(chat["id"])
        message.setdefault("date", int(wall_clock()))
        if "message_id" not in message:
            message["message_id"] = self._allocate_message_id(chat_id)
        if not isinstance(message["message_id"], int):
            return
        self._note_message_id(chat_id, message["message_id"])
        from_bot = isinstance(sender, dict) and sender.get("id") == self.bot_id
        existing = self._messages.get(chat_id, {}).get(message["message_id"])
        if edited and existing is not None:
            existing.message = copy.deepcopy(message)
            existing.edits += 1
            return
        if existing is not None and existing.from_bot and not from_bot:
            # Telegram never reuses a message id in a chat; keep the bot's message (what tests inspect).
            log.warning("update reuses the bot's message_id %s in chat %s", message["message_id"], chat_id)
            return
        stored = StoredMessage(
            chat_id,
            message["message_id"],
            copy.deepcopy(message),
            from_bot,
            bool(message.get("has_protected_content")),
            copy.deepcopy(message.get("reply_markup")),
            sent_at=float(message["date"]) if isinstance(message["date"], (int, float)) else wall_clock(),
        )
        self._messages.setdefault(chat_id, {})[stored.message_id] = stored

    def _ingest_callback(self, query: dict[str, Any]) -> None:
        query.setdefault("id", str(uuid.uuid4().int)[:19])
        query.setdefault("chat_instance", str(uuid.uuid4().int)[:19])
        self._remember_user(query.get("from"))
        message = query.get("message")
        if isinstance(message, dict) and "date" not in message:
            chat = message.get("chat") or {}
            chat_id = chat.get("id") if isinstance(chat, dict) else None
            message_id = message.get("message_id")
            if not isinstance(chat_id, int) or not isinstance(message_id, int):
                raise ValueError("callback_query.message needs chat.id and message_id")
            stored = self._stored(chat_id, message_id)
            if stored is None:
                raise ValueError(
                    f"callback_query refers to message {message_id} in chat {chat_id}, unknown to the double"
                )
            query["message"] = copy.deepcopy(stored.message)
        self._callbacks[str(query["id"])] = False

    def _ingest_member_change(self, change: dict[str, Any]) -> None:
        chat = change.get("chat")
        new = change.get("new_chat_member")
        self._remember_chat(chat)
        self._remember_user(change.get("from"))
        if isinstance(chat, dict) and isinstance(new, dict) and isinstance(new.get("user"), dict):
            user_id = new["user"].get("id")
            if isinstance(chat.get("id"), int) and isinstance(user_id, int) and new.get("status") in MEMBER_STATUSES:
                self._members[(chat["id"], user_id)] = copy.deepcopy(new)

    def _register_files(self, value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            if key in FILE_KINDS or key in ("thumbnail", "thumb"):
                file_id = value.get("file_id")
                if isinstance(file_id, str) and file_id not in self._files:
                    kind = "photo" if key in ("thumbnail", "thumb") else key
                    self._files[file_id] = {"kind": kind, "object": copy.deepcopy(value)}
            for sub_key, sub in value.items():
                self._register_files(sub, sub_key)
        elif isinstance(value, list):
            for item in value:
                self._register_files(item, key)


def _webhook_reply(response: httpx.Response) -> tuple[dict[str, Any], bool] | None:
    """The method call carried in a webhook answer (JSON or form-urlencoded), if any."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body = response.content
    if not body.strip():
        return None
    if content_type == "application/x-www-form-urlencoded":
        params: dict[str, Any] = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return (params, False) if "method" in params else None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if isinstance(parsed, dict) and isinstance(parsed.get("method"), str):
        return parsed, True
    return None
