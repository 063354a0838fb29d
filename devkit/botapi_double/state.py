"""The double's state: chats, users, members, the message store and the bot's identity."""

from __future__ import annotations

import collections
import copy
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .faults import FaultRule
from .limits import FloodLimiter, Limits
from .spec import ApiError, Spec, bad_request

log = logging.getLogger("botapi_double")

BOT_FIRST_NAME = "Qorgau (local)"
BOT_USERNAME = "qorgau_local_bot"
DEFAULT_TOKEN = "7000000001:local-double-token"  # noqa: S105 - a fake token for the local double
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
DELETE_WINDOW_S = 48 * 3600
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)
# Methods that send or edit a message: they count towards the flood limits.
COUNTED_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "sendvideo", "senddocument", "sendanimation", "sendaudio", "sendvoice",
        "sendvideonote", "sendmediagroup", "copymessage", "forwardmessage", "editmessagetext",
        "editmessagereplymarkup",
    }
)  # fmt: skip
MEDIA_METHODS = {
    "sendphoto": "photo", "sendvideo": "video", "senddocument": "document", "sendanimation": "animation",
    "sendaudio": "audio", "sendvoice": "voice", "sendvideonote": "video_note",
}  # fmt: skip
FILE_KINDS = (
    "photo",
    "video",
    "document",
    "animation",
    "audio",
    "voice",
    "video_note",
    "sticker",
    "live_photo",
)
FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAA", "video": "BAACAgIAAxkBAA", "document": "BQACAgIAAxkBAA",
    "animation": "CgACAgIAAxkBAA", "audio": "CQACAgIAAxkBAA", "voice": "AwACAgIAAxkBAA",
    "video_note": "DQACAgIAAxkBAA", "sticker": "CAACAgIAAxkBAA", "live_photo": "AgACAgIAAxkBAA",
}  # fmt: skip
COMPATIBLE_KINDS = {"document": {"document", "animation"}, "animation": {"animation", "document"}}
CONTENT_KEYS = (
    "text", "entities", "link_preview_options", "caption", "caption_entities", "show_caption_above_media",
    "has_media_spoiler", *FILE_KINDS, "contact", "location", "venue", "dice", "poll",
)  # fmt: skip
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}  # fmt: skip
MESSAGE_UPDATE_KEYS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_message",
    "edited_business_message",
)  # fmt: skip
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
EMPTY_MESSAGES = {
    "text": "message text is empty",
    "chat_id": "chat_id is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query_id is empty",
    "user_id": "user_id is empty",
}


def wall_clock() -> float:
    return time.time()


def bot_id_of(token: str) -> int:
    """The bot's user id: the number before the colon of its token."""
    return int(token.split(":", 1)[0])


@dataclass
class StoredMessage:
    """A message in a chat as the double knows it now (after edits and deletes)."""

    chat_id: int
    message_id: int
    message: dict[str, Any]
    from_bot: bool
    protect_content: bool = False
    reply_markup: Any = None
    deleted: bool = False
    sent_at: float = field(default_factory=wall_clock)
    edits: int = 0

    def describe(self) -> dict[str, Any]:
        media = next((k for k in FILE_KINDS if k in self.message), None)
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "date": self.message.get("date"),
            "from_bot": self.from_bot,
            "text": self.message.get("text"),
            "caption": self.message.get("caption"),
            "entities": self.message.get("entities") or self.message.get("caption_entities") or [],
            "media": media,
            "reply_markup": self.reply_markup,
            "protect_content": self.protect_content,
            "deleted": self.deleted,
            "edits": self.edits,
            "message": copy.deepcopy(self.message),
        }


@dataclass(frozen=True)
class Described:
    """A result with Telegram's optional success description (setWebhook, deleteWebhook)."""

    value: Any
    description: str


class DoubleState:
    """The state every part of the double works on (the parts are mixed into BotApiDouble)."""

    def __init__(
        self,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        enforce_limits: bool = True,
        token: str | None = None,
        *,
        limits: Limits | None = None,
        strict_file_ids: bool = True,
        strict_callback_queries: bool = True,
        webhook_timeout: float = 30.0,
        spec: Spec | None = None,
    ) -> None:
        if token is not None and not TOKEN_RE.match(token):
            raise ValueError("token must look like 123456:ABC-def")
        self.spec = spec or Spec.load()
        self.token = token
        self.strict_file_ids = strict_file_ids
        self.strict_callback_queries = strict_callback_queries
        self.webhook_timeout = webhook_timeout
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._interrupt = threading.Event()
        self._closed = False
        self._flood = FloodLimiter(copy.copy(limits) if limits is not None else Limits(enforce=enforce_limits))
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._webhook_allowed: list[str] = []
        self._webhook_max_connections = 40
        self._webhook_last_error: tuple[int, str] | None = None
        self._last_token: str | None = None
        self._next_update_id = 100_000_001
        self._next_message_id: dict[int, int] = {}
        self._seq = 0
        self._http = httpx.Client()
        self._clear()

    def _clear(self) -> None:
        self._calls: list[dict[str, Any]] = []
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._faults: list[FaultRule] = []
        self._blocked: set[int] = set()
        self._members: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._callbacks: dict[str, bool] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat id (None: the default) -> MenuButton
        self._descriptions: dict[tuple[str, str], str] = {}  # (kind, language_code) -> setMyDescription text
        self._pending_updates: collections.deque[dict[str, Any]] = collections.deque()
        self._flood.clear()

    @property
    def bot_id(self) -> int:
        """The bot's id: from the configured token, else the last token used, else the default token."""
        return bot_id_of(self.token or self._last_token or DEFAULT_TOKEN)

    def bot_user(self, token: str | None = None) -> dict[str, Any]:
        """The bot's User object as getMe returns it."""
        bot_id = bot_id_of(token) if token else self.bot_id
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _resolve_chat(self, value: Any) -> int:
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.match(r"^-?\d+$", value):
            return int(value)
        raise bad_request("chat not found")

    def _chat_type(self, chat_id: int) -> str:
        known = self._chats.get(chat_id)
        if known and isinstance(known.get("type"), str):
            return str(known["type"])
        return "private" if chat_id > 0 else "supergroup"

    def _chat_obj(self, chat_id: int) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": self._chat_type(chat_id)}
        known = self._chats.get(chat_id, {})
        for key in ("title", "username", "first_name", "last_name", "is_forum"):
            if key in known:
                chat[key] = known[key]
        if chat["type"] == "private":
            chat.setdefault("first_name", self._user_obj(chat_id).get("first_name", "Test User"))
        else:
            chat.setdefault("title", "Test Group")
        return chat

    def _user_obj(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            bot = self.bot_user()
            return {k: bot[k] for k in ("id", "is_bot", "first_name", "username")}
        known = self._users.get(user_id)
        if known:
            return copy.deepcopy(known)
        return {"id": user_id, "is_bot": False, "first_name": "Test User"}

    def _complete_member(self, member: dict[str, Any], user_id: int) -> dict[str, Any]:
        status = member.get("status")
        if status not in MEMBER_STATUSES:
            raise ValueError(f"member.status must be one of {', '.join(MEMBER_STATUSES)}")
        member.setdefault("user", self._user_obj(user_id))
        union = self.spec.types["ChatMember"]
        for sub in union.subtypes:
            sub_spec = self.spec.types[sub]
            if sub_spec.discriminator != status:
                continue
            for f in sub_spec.fields:
                if f.required and f.name not in member:
                    if f.types[0] in ("Boolean", "True"):
                        member[f.name] = f.name == "is_member"
                    elif f.types[0] == "Integer":
                        member[f.name] = 0
        return member

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        known = self._members.get((chat_id, user_id))
        if known is not None:
            return copy.deepcopy(known)
        return {"status": "member", "user": self._user_obj(user_id)}

    def _bot_status(self, chat_id: int) -> dict[str, Any]:
        return self._member(chat_id, self.bot_id)

    def _guard_chat(self, chat_id: int, counted: bool) -> None:
        """Checks before acting in a chat: blocked user, bot not a member, flood limits."""
        if chat_id > 0 and chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id < 0:
            status = self._bot_status(chat_id).get("status")
            kind = {"supergroup": "supergroup chat", "group": "group chat", "channel": "channel chat"}.get(
                self._chat_type(chat_id), "supergroup chat"
            )
            if status == "left":
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
            if status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if counted:
            retry = self._flood.check(chat_id, time.monotonic())
            if retry is not None:
                raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _rate_consume(self, chat_id: int) -> None:
        self._flood.consume(chat_id)

    def _stored(self, chat_id: int, message_id: int) -> StoredMessage | None:
        stored = self._messages.get(chat_id, {}).get(message_id)
        return None if stored is None or stored.deleted else stored

    def _allocate_message_id(self, chat_id: int) -> int:
        next_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = next_id + 1
        return next_id

    def _note_message_id(self, chat_id: int, message_id: int) -> None:
        if self._next_message_id.get(chat_id, 1) <= message_id:
            self._next_message_id[chat_id] = message_id + 1
