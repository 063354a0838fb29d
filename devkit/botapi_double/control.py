"""The double's control API: reset, recorded calls, faults, limits, blocked users, members, webhook."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from .content import MessageContent
from .faults import FaultRule, new_rule
from .limits import Limits
from .recording import call_matches


class ControlApi(MessageContent):
    """What tests and tools call on the double (in-process or over /_double/)."""

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

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Recorded calls, oldest first, optionally filtered by method (case-insensitive) and chat_id."""
        with self._lock:
            return [copy.deepcopy(c) for c in self._calls if call_matches(c, method, chat_id)]

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
        rule = new_rule(
            kind,
            method=method,
            chat_id=chat_id,
            count=count,
            retry_after=retry_after,
            delay=delay,
            execute=execute,
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
            lim = self._flood.limits
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
            self._flood.clear()
            return copy.copy(lim)

    @property
    def limits(self) -> Limits:
        with self._lock:
            return copy.copy(self._flood.limits)

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
