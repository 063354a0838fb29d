"""In-memory state, method handlers, limits, faults and recording of the Telegram Bot API double."""

from __future__ import annotations

import collections
import copy
import json
import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .builders import make_callback_update, make_text_update
from .formatting import PARSE_MODES, EntityParseError, format_text, utf16_len
from .markup import callback_data_of, decode_markup_param, inline_markup, validate_reply_markup
from .spec import ApiError, MethodSpec, ShapeError, Spec, UploadedFile, bad_request

log = logging.getLogger("botapi_double")

BOT_FIRST_NAME = "Qorgau (local)"
BOT_USERNAME = "qorgau_local_bot"
DEFAULT_TOKEN = "7000000001:local-double-token"  # noqa: S105 - a fake token for the local double
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
FAULT_KINDS = ("429", "500", "403", "timeout", "slow")
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
_FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAA", "video": "BAACAgIAAxkBAA", "document": "BQACAgIAAxkBAA",
    "animation": "CgACAgIAAxkBAA", "audio": "CQACAgIAAxkBAA", "voice": "AwACAgIAAxkBAA",
    "video_note": "DQACAgIAAxkBAA", "sticker": "CAACAgIAAxkBAA", "live_photo": "AgACAgIAAxkBAA",
}  # fmt: skip
_COMPATIBLE = {"document": {"document", "animation"}, "animation": {"animation", "document"}}
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
_EMPTY_MESSAGES = {
    "text": "message text is empty",
    "chat_id": "chat_id is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query_id is empty",
    "user_id": "user_id is empty",
}


def _now() -> float:
    return time.time()


def bot_id_of(token: str) -> int:
    """The bot's user id: the number before the colon of its token."""
    return int(token.split(":", 1)[0])


@dataclass
class Limits:
    """Flood limits (Telegram's documented values by default); windows are configurable for fast tests."""

    enforce: bool = True
    per_chat_per_s: float = 1.0
    per_chat_burst: int = 3
    group_per_min: int = 20
    group_window_s: float = 60.0
    global_per_s: int = 30
    global_window_s: float = 1.0


@dataclass
class FaultRule:
    """An injected failure for the next ``count`` matching calls."""

    kind: str
    method: str | None = None
    chat_id: str | None = None
    count: int = 1
    retry_after: int = 5
    delay: float | None = None
    execute: bool = False
    description: str | None = None

    def matches(self, method: str, chat_id: str | None) -> bool:
        if self.method is not None and self.method.lower() != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


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
    sent_at: float = field(default_factory=_now)
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


class BotApiDouble:
    """The double's state and behaviour, independent of HTTP (the server module wraps it)."""

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
        self._limits = copy.copy(limits) if limits is not None else Limits(enforce=enforce_limits)
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
        self._pending_updates: collections.deque[dict[str, Any]] = collections.deque()
        self._chat_buckets: dict[int, tuple[float, float]] = {}
        self._group_windows: dict[int, collections.deque[float]] = {}
        self._global_window: collections.deque[float] = collections.deque()

    # ------------------------------------------------------------------ control API

    def reset(self) -> None:
        """Forget calls, messages, faults, blocked users, members, files, commands, updates, flood counters.

        Limits and the webhook stay; update ids, message ids and call seqs keep growing (never reused).
        """
        with self._lock:
            old = self._interrupt
            self._interrupt = threading.Event()
            old.set()
            self._clear()
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every sleeper and release the webhook HTTP client."""
        with self._lock:
            self._closed = True
            self._interrupt.set()
            self._cond.notify_all()
        self._http.close()

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

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Recorded calls, oldest first, optionally filtered by method (case-insensitive) and chat_id."""
        with self._lock:
            return [copy.deepcopy(c) for c in self._calls if _call_matches(c, method, chat_id)]

    def wait_events(self, after: int = 0, timeout: float = 0.0) -> list[dict[str, Any]]:
        """Recorded calls with seq > after; waits up to timeout seconds for the first one."""
        deadline = time.monotonic() + max(0.0, min(timeout, 300.0))
        with self._cond:
            while True:
                found = [copy.deepcopy(c) for c in self._calls if c["seq"] > after]
                remaining = deadline - time.monotonic()
                if found or remaining <= 0 or self._closed:
                    return found
                self._cond.wait(remaining)

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._seq

    def add_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        chat_id: int | str | None = None,
        count: int = 1,
        retry_after: int | None = None,
        delay: float | None = None,
        execute: bool = False,
        description: str | None = None,
    ) -> FaultRule:
        """Queue a fault: "429", "500", "403", "timeout" (sleep delay, default 30 s, then 504 unless execute)
        or "slow" (sleep delay, then answer normally) for the next ``count`` matching calls."""
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        if int(count) < 1:
            raise ValueError("count must be >= 1")
        rule = FaultRule(
            kind=kind,
            method=method.lower() if method else None,
            chat_id=None if chat_id is None else str(chat_id),
            count=int(count),
            retry_after=int(retry_after) if retry_after is not None else 5,
            delay=float(delay) if delay is not None else None,
            execute=bool(execute),
            description=description,
        )
        with self._lock:
            self._faults.append(rule)
        return copy.copy(rule)

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self._faults]

    def set_limits(
        self,
        *,
        enforce: bool | None = None,
        per_chat_per_s: float | None = None,
        per_chat_burst: int | None = None,
        group_per_min: int | None = None,
        group_window_s: float | None = None,
        global_per_s: int | None = None,
        global_window_s: float | None = None,
    ) -> Limits:
        """Change flood limits (None keeps a value); flood counters restart."""
        with self._lock:
            lim = self._limits
            if enforce is not None:
                lim.enforce = bool(enforce)
            if per_chat_per_s is not None:
                lim.per_chat_per_s = float(per_chat_per_s)
            if per_chat_burst is not None:
                lim.per_chat_burst = int(per_chat_burst)
            if group_per_min is not None:
                lim.group_per_min = int(group_per_min)
            if group_window_s is not None:
                lim.group_window_s = float(group_window_s)
            if global_per_s is not None:
                lim.global_per_s = int(global_per_s)
            if global_window_s is not None:
                lim.global_window_s = float(global_window_s)
            self._chat_buckets.clear()
            self._group_windows.clear()
            self._global_window.clear()
            return copy.copy(lim)

    @property
    def limits(self) -> Limits:
        with self._lock:
            return copy.copy(self._limits)

    def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """Make a user have blocked the bot (403 on sends) or unblock them."""
        with self._lock:
            if blocked:
                self._blocked.add(int(chat_id))
            else:
                self._blocked.discard(int(chat_id))

    def set_chat_member(self, chat_id: int, user_id: int, member: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """Set getChatMember's answer for (chat, user); missing required fields get defaults; None forgets."""
        with self._lock:
            key = (int(chat_id), int(user_id))
            if member is None:
                self._members.pop(key, None)
                return None
            full = self._complete_member(dict(member), int(user_id))
            self._members[key] = full
            return copy.deepcopy(full)

    def set_webhook(self, url: str | None, secret: str | None = None) -> None:
        """Point update delivery at a URL (None: updates queue for getUpdates)."""
        with self._lock:
            self._webhook_url = url or None
            self._webhook_secret = secret

    def configure(
        self,
        strict_file_ids: bool | None = None,
        strict_callback_queries: bool | None = None,
        webhook_timeout: float | None = None,
    ) -> None:
        """Switch strictness: unknown file_ids / callback_query ids rejected (default) or accepted."""
        with self._lock:
            if strict_file_ids is not None:
                self.strict_file_ids = bool(strict_file_ids)
            if strict_callback_queries is not None:
                self.strict_callback_queries = bool(strict_callback_queries)
            if webhook_timeout is not None:
                self.webhook_timeout = float(webhook_timeout)

    def messages(self, chat_id: int, include_user: bool = False) -> list[dict[str, Any]]:
        """The bot's messages in the chat as they are now (deleted ones flagged); user messages on request."""
        with self._lock:
            chat = self._messages.get(int(chat_id), {})
            return [m.describe() for _, m in sorted(chat.items()) if m.from_bot or include_user]

    def get_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current Message object of a stored message (None if unknown)."""
        with self._lock:
            stored = self._messages.get(int(chat_id), {}).get(int(message_id))
            return copy.deepcopy(stored.message) if stored else None

    def register_file(self, kind: str, file_id: str | None = None, **attrs: Any) -> dict[str, Any]:
        """Make a file_id known (as if a user had sent it); returns its file object."""
        with self._lock:
            return copy.deepcopy(self._new_file(kind, file_id=file_id, **attrs))

    # ------------------------------------------------------------------ Bot API calls

    def call(
        self,
        token: str,
        method: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        typed: bool = False,
        via_webhook: bool = False,
        http_method: str = "POST",
    ) -> tuple[int, dict[str, Any]]:
        """Handle one Bot API call; returns (HTTP status, JSON body). Every call is recorded."""
        files = files or {}
        lower = method.lower()
        mspec = self.spec.methods.get(lower)
        name = mspec.name if mspec else self.spec.all_methods.get(lower, method)
        shown = _shown_params(raw, files)

        def finish(error: ApiError, fault: str | None = None) -> tuple[int, dict[str, Any]]:
            record = _CallRecord(name, shown, via_webhook, http_method, fault)
            return self._finish(record, error.body(), error.code)

        if not TOKEN_RE.match(token) or (self.token is not None and token != self.token):
            return finish(ApiError(401, "Unauthorized"))
        if mspec is None:
            return finish(ApiError(404, "Not Found"))
        with self._lock:
            self._last_token = token
            rule = self._take_fault(lower, _chat_key(raw.get("chat_id")))
            interrupt = self._interrupt
        if rule is not None:
            if rule.kind in ("timeout", "slow"):
                default_delay = 30.0 if rule.kind == "timeout" else 1.0
                interrupt.wait(rule.delay if rule.delay is not None else default_delay)
            if rule.kind == "timeout" and not rule.execute:
                return finish(ApiError(504, "Gateway Timeout"), rule.kind)
            if rule.kind == "429":
                after = max(1, rule.retry_after)
                return finish(ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after}), "429")
            if rule.kind == "500":
                return finish(ApiError(500, rule.description or "Internal Server Error"), "500")
            if rule.kind == "403":
                return finish(ApiError(403, rule.description or "Forbidden: bot was blocked by the user"), "403")
        with self._lock:
            decoded: dict[str, Any] = {}
            try:
                result, description = self._execute(mspec, token, raw, files, typed=typed, decoded=decoded)
                body: dict[str, Any] = {"ok": True, "result": result}
                if description:
                    body["description"] = description
                status = 200
            except ApiError as err:
                body, status = err.body(), err.code
            shown.update(_shown_decoded(decoded))
            record = _CallRecord(name, shown, via_webhook, http_method, rule.kind if rule else None)
            return self._finish(record, body, status)

    def _finish(self, call: _CallRecord, body: dict[str, Any], status: int) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self._seq += 1
            record: dict[str, Any] = {
                "seq": self._seq,
                "ts": _now(),
                "method": call.method,
                "params": call.params,
                "status": status,
                "response": copy.deepcopy(body),
                "via_webhook_response": call.via_webhook,
                "http_method": call.http_method,
            }
            if call.fault:
                record["fault"] = call.fault
            self._calls.append(record)
            self._cond.notify_all()
        return status, body

    def _take_fault(self, method: str, chat_id: str | None) -> FaultRule | None:
        for rule in self._faults:
            if rule.matches(method, chat_id):
                rule.count -= 1
                if rule.count <= 0:
                    self._faults.remove(rule)
                return rule
        return None

    def _execute(
        self,
        mspec: MethodSpec,
        token: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile],
        *,
        typed: bool,
        decoded: dict[str, Any],
    ) -> tuple[Any, str | None]:
        skip = ("reply_markup", "media")
        params = self.spec.decode_params(mspec, raw, files, typed, skip=skip)
        decoded.update(params)
        required = sorted((f.name for f in mspec.fields if f.required), key=lambda n: n != "text")
        for name in required:
            if name not in params:
                kind = MEDIA_METHODS.get(mspec.name.lower())
                if kind is not None and name == kind:
                    raise bad_request(f"there is no {kind.replace('_', ' ')} in the request")
                raise bad_request(_EMPTY_MESSAGES.get(name, f"{name} is empty"))
        for key in ("parse_mode", "quote_parse_mode"):
            if key in params and str(params[key]).lower() not in PARSE_MODES:
                raise bad_request("unsupported parse_mode")
        if "reply_markup" in params:
            field_spec = mspec.field("reply_markup")
            allowed = field_spec.types if field_spec else ()
            markup = decode_markup_param(params["reply_markup"])
            decoded["reply_markup"] = markup
            params["reply_markup"] = validate_reply_markup(self.spec, markup, allowed)
        handler: Callable[[str, dict[str, Any], Mapping[str, UploadedFile]], Any] = getattr(
            self, "_m_" + mspec.name.lower()
        )
        result = handler(token, params, files)
        if isinstance(result, _Described):
            return result.value, result.description
        return result, None

    # ------------------------------------------------------------------ helpers

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
            retry = self._rate_check(chat_id, time.monotonic())
            if retry is not None:
                raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _rate_check(self, chat_id: int, now: float) -> int | None:
        lim = self._limits
        if not lim.enforce:
            return None
        waits: list[float] = []
        tokens, last = self._chat_buckets.get(chat_id, (float(lim.per_chat_burst), now))
        tokens = min(float(lim.per_chat_burst), tokens + (now - last) * lim.per_chat_per_s)
        if tokens < 1.0:
            waits.append((1.0 - tokens) / lim.per_chat_per_s if lim.per_chat_per_s > 0 else 60.0)
        if chat_id < 0:
            window = self._group_windows.setdefault(chat_id, collections.deque())
            while window and window[0] <= now - lim.group_window_s:
                window.popleft()
            if len(window) >= lim.group_per_min:
                waits.append(window[0] + lim.group_window_s - now)
        while self._global_window and self._global_window[0] <= now - lim.global_window_s:
            self._global_window.popleft()
        if len(self._global_window) >= lim.global_per_s:
            waits.append(self._global_window[0] + lim.global_window_s - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def _rate_consume(self, chat_id: int) -> None:
        lim = self._limits
        if not lim.enforce:
            return
        now = time.monotonic()
        tokens, last = self._chat_buckets.get(chat_id, (float(lim.per_chat_burst), now))
        tokens = min(float(lim.per_chat_burst), tokens + (now - last) * lim.per_chat_per_s)
        self._chat_buckets[chat_id] = (tokens - 1.0, now)
        if chat_id < 0:
            self._group_windows.setdefault(chat_id, collections.deque()).append(now)
        self._global_window.append(now)

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
            "date": int(_now()),
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
            "file_id": file_id or f"{_FILE_PREFIX.get(kind, 'BQACAgIAAxkBAA')}{token}",
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
        if known["kind"] != kind and known["kind"] not in _COMPATIBLE.get(kind, set()):
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

    # ------------------------------------------------------------------ method handlers

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
        return _Described(True, "Webhook is already set" if same else "Webhook was set")

    def _m_deletewebhook(self, token: str, params: dict[str, Any], files: Mapping[str, UploadedFile]) -> Any:
        had = self._webhook_url is not None
        self._webhook_url = None
        self._webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return _Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

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
            origin["date"] = source.message.get("date", int(_now()))
        self._guard_chat(chat_id, counted=True)
        stored = self._store_bot_message(token, chat_id, content, params, extra={"forward_origin": origin})
        self._rate_consume(chat_id)
        return copy.deepcopy(stored.message)

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
        stored.message["edit_date"] = int(_now())
        stored.edits += 1

    def _can_delete(self, stored: StoredMessage) -> str | None:
        """None if the bot may delete the message, else Telegram's reason."""
        if _now() - float(stored.message.get("date", stored.sent_at)) > DELETE_WINDOW_S:
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

    # ------------------------------------------------------------------ playing users

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
                self._webhook_last_error = (int(_now()), f"Connection failed: {type(err).__name__}")
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
                    int(_now()),
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
        message.setdefault("date", int(_now()))
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
            sent_at=float(message["date"]) if isinstance(message["date"], (int, float)) else _now(),
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


@dataclass(frozen=True)
class _CallRecord:
    """What the record of a call says besides its answer."""

    method: str
    params: dict[str, Any]
    via_webhook: bool
    http_method: str
    fault: str | None


@dataclass(frozen=True)
class _Described:
    """A result with Telegram's optional success description (setWebhook, deleteWebhook)."""

    value: Any
    description: str


def _chat_key(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return str(int(text)) if re.match(r"^-?\d+$", text) else text


def _call_matches(call: Mapping[str, Any], method: str | None, chat_id: int | str | None) -> bool:
    if method is not None and str(call["method"]).lower() != method.lower():
        return False
    if chat_id is None:
        return True
    return _chat_key(call["params"].get("chat_id")) == _chat_key(chat_id)


def _shown_params(raw: Mapping[str, Any], files: Mapping[str, UploadedFile]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                shown[key] = json.loads(value)
                continue
            except ValueError:
                pass
        shown[key] = copy.deepcopy(value)
    for key, upload in files.items():
        shown[key] = upload.describe()
    return shown


def _shown_decoded(decoded: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.describe() if isinstance(v, UploadedFile) else copy.deepcopy(v)) for k, v in decoded.items()}


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
