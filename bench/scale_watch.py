"""What load_day measures for issue 15: the viral case document's writes per minute (polled), and Telegram's
budget as the double saw it (429s, the busiest second, deliver's share of it)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

SENDS: frozenset[str] = frozenset(
    {"sendmessage", "editmessagetext", "editmessagereplymarkup", "sendphoto", "senddocument", "deletemessage"}
)


class CaseWrites:
    """Polls one case document (the one a link's content key points at) and counts its distinct update times."""

    def __init__(self, db: Any, content_key: str, interval: float = 0.05) -> None:
        self.db = db
        self.content_key = content_key
        self.interval = interval
        self.code: str | None = None
        self.updates: set[Any] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="case-writes", daemon=True)

    def start(self) -> CaseWrites:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.code is None:
                    snap = self.db.collection("content").document(self.content_key).get()
                    self.code = str(snap.get("report_id")) if snap.exists else None
                if self.code is not None:
                    snap = self.db.collection("reports").document(self.code).get()
                    if snap.exists:
                        self.updates.add(snap.update_time)
            except Exception:  # noqa: S110  (the emulator is busy: poll again)
                pass
            time.sleep(self.interval)

    def stop(self) -> dict[str, Any]:
        """Stop polling; the writes seen, in all and in the busiest minute."""
        self._stop.set()
        self._thread.join(timeout=5)
        minutes = Counter(int(moment.timestamp() // 60) for moment in self.updates)
        return {"case": self.code, "writes": len(self.updates), "max_per_minute": max(minutes.values(), default=0)}


def budget(calls: list[dict[str, Any]], staff_ids: set[int]) -> dict[str, Any]:
    """429s by method, and the sends per second: the busiest second overall and deliver's (staff chats) part."""
    refused = Counter(c["method"] for c in calls if c["status"] == 429)
    seconds: Counter[int] = Counter()
    to_staff: Counter[int] = Counter()
    for call in calls:
        if str(call["method"]).lower() not in SENDS or call["status"] != 200:
            continue
        second = int(float(call["ts"]))
        seconds[second] += 1
        chat = str(call["params"].get("chat_id"))
        if chat.lstrip("-").isdigit() and int(chat) in staff_ids:
            to_staff[second] += 1
    busiest = max(seconds, key=lambda s: seconds[s], default=None)
    span = (max(seconds) - min(seconds) + 1) if seconds else 1
    return {
        "telegram_429": sum(refused.values()),
        "telegram_429_by_method": dict(refused),
        "sends_per_second_mean": round(sum(seconds.values()) / span, 1),
        "busiest_second": seconds[busiest] if busiest is not None else 0,
        "busiest_second_to_staff": to_staff[busiest] if busiest is not None else 0,
        "busiest_second_staff_only": max(to_staff.values(), default=0),
        "via_webhook_answer": sum(1 for c in calls if c.get("via_webhook_response") and c["status"] == 200),
    }
