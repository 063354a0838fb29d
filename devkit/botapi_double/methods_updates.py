"""Bot API methods about the bot and its updates: getMe, getUpdates, webhooks, commands."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from .spec import ApiError, UploadedFile, bad_request
from .state import Described, DoubleState


class UpdateMethods(DoubleState):
    """Bot API methods about the bot and its updates."""

    def _m_getme(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self.bot_user(token)

    def _m_getupdates(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        offset = int(params.get("offset", 0))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = min(max(int(params.get("timeout", 0)), 0), 50)
        if offset:
            while self._pending_updates and self._pending_updates[0]["update_id"] < offset:
                self._pending_updates.popleft()
        deadline = time.monotonic() + timeout
        while not self._pending_updates and not self._closed and time.monotonic() < deadline:
            self._cond.wait(deadline - time.monotonic())
            if self._webhook_url:
                break
        return [copy.deepcopy(u) for u in list(self._pending_updates)[:limit]]

    def _m_setwebhook(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        url = str(params["url"])
        if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.match(r"^[A-Za-z0-9_-]{1,256}$", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        max_connections = int(params.get("max_connections", 40))
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        same = url == self._webhook_url and secret == self._webhook_secret
        self._webhook_url = url
        self._webhook_secret = None if secret is None else str(secret)
        self._webhook_max_connections = max_connections
        if "allowed_updates" in params:
            self._webhook_allowed = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        self._cond.notify_all()
        return Described(True, "Webhook is already set" if same else "Webhook was set")

    def _m_deletewebhook(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        had = self._webhook_url is not None
        self._webhook_url = None
        self._webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _m_getwebhookinfo(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            info["ip_address"] = "127.0.0.1"
            if self._webhook_allowed:
                info["allowed_updates"] = list(self._webhook_allowed)
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _scope_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        language = str(params.get("language_code", ""))
        if language and not re.match(r"^[a-z]{2}$", language):
            raise bad_request("invalid language code specified")
        if "chat_id" in scope:
            self._resolve_chat(scope["chat_id"])
        return json.dumps(scope, sort_keys=True), language

    def _m_setmycommands(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            text = str(command["command"]).lstrip("/")
            if not re.match(r"^[a-z0-9_]{1,32}$", text):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command["description"]).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params)
        self._commands[key] = [
            {"command": str(c["command"]).lstrip("/"), "description": str(c["description"])} for c in commands
        ]
        return True

    def _m_deletemycommands(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        self._commands.pop(self._scope_key(params), None)
        return True

    def _m_getmycommands(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    def _m_setchatmenubutton(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        """The menu button of one private chat (or the default); a web_app button must open an https URL."""
        chat = params.get("chat_id")
        if chat is not None:
            self._resolve_chat(chat)
        button = dict(params.get("menu_button") or {"type": "default"})
        if button.get("type") == "web_app":
            url = str((button.get("web_app") or {}).get("url", ""))
            if not url.startswith("https://"):
                raise bad_request("BUTTON_URL_INVALID")
            if not 1 <= len(str(button.get("text", ""))) <= 64:
                raise bad_request("BUTTON_TEXT_INVALID")
        key = int(chat) if chat is not None else None
        if button.get("type") == "default":
            self._menu_buttons.pop(key, None)
        else:
            self._menu_buttons[key] = button
        return True

    def _m_getchatmenubutton(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        chat = params.get("chat_id")
        key = int(chat) if chat is not None else None
        return copy.deepcopy(self._menu_buttons.get(key) or self._menu_buttons.get(None) or {"type": "commands"})

    def menu_button(self, chat_id: int) -> dict[str, Any] | None:
        """The menu button set for a chat (None: none set, the default shows)."""
        return copy.deepcopy(self._menu_buttons.get(chat_id))

    def _m_setmydescription(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._set_description("description", params, 512)

    def _m_setmyshortdescription(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        return self._set_description("short_description", params, 120)

    def _set_description(self, kind: str, params: dict[str, Any], limit: int) -> Any:
        """setMyDescription / setMyShortDescription: 0-limit characters per language (empty: removed)."""
        text = str(params.get(kind) or "")
        language = str(params.get("language_code") or "")
        if len(text) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")
        if language and not re.match(r"^[a-z]{2}$", language):
            raise bad_request("invalid language code specified")
        self._descriptions[(kind, language)] = text
        return True
