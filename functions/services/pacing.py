"""Pacing of outgoing messages within Telegram's limits: per chat, per group, and overall."""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

SEND_DEADLINE_SECONDS: Final = 30.0  # one send keeps honouring short 429s this long
PACE_WAIT_SECONDS: Final = 20.0  # the longest wait for a chat's turn before the job goes back to Pub/Sub


def send_lease(telegram_timeout_seconds: float) -> timedelta:
    """How long one attempt may hold a card or a notice: its longest send (the deadline, then a last wait for the
    chat's turn and a last call) and a margin. Shorter, a slow send could be made twice; longer, a job whose
    sender died waits longer than it must."""
    return timedelta(seconds=SEND_DEADLINE_SECONDS + PACE_WAIT_SECONDS + telegram_timeout_seconds + 10.0)


@dataclass
class Pacer:
    """Reserves send slots: one message per second per chat, 20 per minute per group, `rate` per second overall.

    One instance per process; Terraform runs `deliver` as a single instance so the overall rate holds for
    the bot as a whole. Overall slots are kept `1/rate` apart but a slot booked far ahead for one busy chat
    does not hold back the others: the earliest free gap is taken. A 429's retry_after pauses the chat (and,
    for long waits, everything).
    """

    rate_per_second: float = 29.0
    chat_interval: float = 1.0
    group_interval: float = 3.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _booked: list[float] = field(default_factory=list)
    _paused_until: float = 0.0
    _next_chat: dict[int, float] = field(default_factory=dict)

    def _free_slot(self, earliest: float) -> float:
        """The earliest time ≥ earliest at least 1/rate away from every booked overall slot."""
        spacing = 1.0 / self.rate_per_second
        slot = earliest
        start = bisect.bisect_left(self._booked, earliest - spacing)
        for booked in self._booked[start:]:
            if booked >= slot + spacing:
                break
            if booked > slot - spacing:
                slot = booked + spacing
        return slot

    def reserve(self, chat_id: int, max_wait: float) -> float | None:
        """Reserve the earliest slot for this chat; the seconds to wait, or None when longer than max_wait."""
        with self._lock:
            now = self.clock()
            slot = self._free_slot(max(now, self._paused_until, self._next_chat.get(chat_id, 0.0)))
            if slot - now > max_wait:
                return None
            bisect.insort(self._booked, slot)
            del self._booked[: bisect.bisect_left(self._booked, now - 1.0)]
            self._next_chat[chat_id] = slot + (self.group_interval if chat_id < 0 else self.chat_interval)
            if len(self._next_chat) > 50_000:
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
            return slot - now

    def wait(self, chat_id: int, max_wait: float = PACE_WAIT_SECONDS) -> bool:
        """Sleep until this chat may be sent to; False when the wait would be longer than max_wait."""
        delay = self.reserve(chat_id, max_wait)
        if delay is None:
            return False
        if delay > 0:
            self.sleep(delay)
        return True

    def back_off(self, chat_id: int, retry_after: float, *, everyone: bool) -> None:
        """Honour a 429: nothing more to this chat (or to anyone) for retry_after seconds."""
        with self._lock:
            until = self.clock() + retry_after
            self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), until)
            if everyone:
                self._paused_until = max(self._paused_until, until)
