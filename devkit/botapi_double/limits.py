"""Telegram's flood limits as the double enforces them: per chat (a token bucket), per group, global."""

from __future__ import annotations

import collections
import math
import time
from dataclasses import dataclass


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


class FloodLimiter:
    """The counters behind the limits; the caller holds the double's lock around every method."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._chat_buckets: dict[int, tuple[float, float]] = {}
        self._group_windows: dict[int, collections.deque[float]] = {}
        self._global_window: collections.deque[float] = collections.deque()

    def clear(self) -> None:
        """Forget every counter (the limits stay)."""
        self._chat_buckets.clear()
        self._group_windows.clear()
        self._global_window.clear()

    def check(self, chat_id: int, now: float) -> int | None:
        """Seconds to wait before one more message in this chat (Telegram's retry_after), or None."""
        lim = self.limits
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

    def consume(self, chat_id: int) -> None:
        """Count one message sent or edited in this chat."""
        lim = self.limits
        if not lim.enforce:
            return
        now = time.monotonic()
        tokens, last = self._chat_buckets.get(chat_id, (float(lim.per_chat_burst), now))
        tokens = min(float(lim.per_chat_burst), tokens + (now - last) * lim.per_chat_per_s)
        self._chat_buckets[chat_id] = (tokens - 1.0, now)
        if chat_id < 0:
            self._group_windows.setdefault(chat_id, collections.deque()).append(now)
        self._global_window.append(now)
