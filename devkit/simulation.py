"""Simulated Telegram users for a running local stack: reporters and staff, delivered with Telegram's re-sending.

Telegram re-sends an update until the webhook answers 2xx; `Telegram.deliver` does the same (same update_id,
same body), recording the latency and status of every attempt. `Reporter` plays whole conversations by pressing
the buttons the bot actually sent; `Consistency` checks a finished run: every report exactly once, cards once.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from devkit.botapi_double.builders import make_callback_update, make_text_update
from devkit.botapi_double.markup import callback_data_of
from devkit.catalog import category_label, danger_label, label, markers, region_name
from functions.domain.categories import Category

CODE_RE: Final = re.compile(r"R[2-9A-HJKMNP-Z]{6}")
# The bot's confirmations of a private report and of a group report (fixed fragments of their templates).
CONFIRMATIONS: Final = ("report_created", "report_joined", "report_already_yours")
GROUP_CONFIRMATIONS: Final = ("group_report_created", "group_report_joined")
ANY_LANGUAGE_CONFIRMATION: Final = markers(CONFIRMATIONS, "ru") + markers(CONFIRMATIONS, "kk")
OPEN: Final = frozenset({"new", "in_progress", "escalated"})
_UPDATE_IDS = itertools.count(500_000_001)
_IDS_LOCK = threading.Lock()


def next_update_id() -> int:
    """A fresh update id, unique in this process."""
    with _IDS_LOCK:
        return next(_UPDATE_IDS)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


@dataclass
class Stats:
    """What the webhook answered, attempt by attempt (thread-safe)."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    gave_up: int = 0
    by_tag: dict[str, list[float]] = field(default_factory=dict)
    stamped: list[tuple[float, str, float]] = field(default_factory=list)  # (answered at, tag, seconds)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, status: int | None, tag: str = "") -> None:
        with self._lock:
            self.latencies.append(seconds)
            self.statuses["no answer" if status is None else str(status)] += 1
            if tag:
                self.by_tag.setdefault(tag, []).append(seconds)
                self.stamped.append((time.monotonic(), tag, seconds))

    def during(self, tag: str) -> dict[str, float]:
        """p50 (ms) of the tag's requests and of every other tagged request answered while the tag's middle 80 %
        were (e.g. a burst): the same moment's load on both sides of the ratio."""
        with self._lock:
            mine = sorted(at for at, t, _ in self.stamped if t == tag)
            if len(mine) < 5:
                return {}
            start, end = mine[len(mine) // 10], mine[(len(mine) * 9) // 10]
            inside = [(t, s * 1000) for at, t, s in self.stamped if start <= at <= end]
        own = [ms for t, ms in inside if t == tag]
        others = [ms for t, ms in inside if t != tag]
        if not own or not others:
            return {}
        return {
            "window_s": round(end - start, 1),
            "n": len(own),
            "others_n": len(others),
            "p50": round(percentile(own, 50), 1),
            "others_p50": round(percentile(others, 50), 1),
            "ratio": round(percentile(own, 50) / max(percentile(others, 50), 0.001), 2),
        }

    def tagged(self) -> dict[str, dict[str, float]]:
        """Latency percentiles (ms) per tag of the requests."""
        shown = {}
        for tag, values in sorted(self.by_tag.items()):
            ms = [v * 1000 for v in values]
            shown[tag] = {
                "n": len(ms),
                "p50": round(percentile(ms, 50), 1),
                "p90": round(percentile(ms, 90), 1),
                "p99": round(percentile(ms, 99), 1),
            }
        return shown

    @property
    def accepted(self) -> int:
        return sum(n for s, n in self.statuses.items() if s.startswith("2"))

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s.startswith("5"))

    @property
    def unanswered(self) -> int:
        return self.statuses["no answer"]

    def summary(self) -> dict[str, Any]:
        lat = [x * 1000 for x in self.latencies]
        return {
            "attempts": len(lat),
            "accepted": self.accepted,
            "statuses": dict(sorted(self.statuses.items())),
            "gave_up": self.gave_up,
            "p50_ms": round(percentile(lat, 50), 1),
            "p90_ms": round(percentile(lat, 90), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            "max_ms": round(max(lat, default=0.0), 1),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else 0.0,
        }


class Telegram:
    """Posts updates through the double to the webhook and re-sends on a non-2xx answer, like Telegram."""

    def __init__(self, double: Any, stats: Stats | None = None, give_up_after: float = 180.0) -> None:
        self.double = double
        self.stats = stats or Stats()
        self.give_up_after = give_up_after

    def deliver(self, update: dict[str, Any], tag: str = "") -> dict[str, Any]:
        """Deliver one update until the webhook accepts it; the double's record of the accepted attempt."""
        update.setdefault("update_id", next_update_id())
        deadline = time.monotonic() + self.give_up_after
        pause = 0.2
        while True:
            started = time.monotonic()
            result: dict[str, Any] = self.double.post_update(update)
            status = result.get("status")
            self.stats.record(time.monotonic() - started, status, tag)
            if status is not None and 200 <= status < 300:
                return result
            if time.monotonic() > deadline:
                with self.stats._lock:
                    self.stats.gave_up += 1
                return result
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


@dataclass
class Reporter:
    """One simulated reporter in a private chat or a group."""

    tg: Telegram
    user_id: int
    lang: str = "ru"
    first_name: str = "Тест"
    outcome: str = ""
    code: str | None = None
    nudges: int = 0
    tag: str = ""  # what the webhook's latency is filed under (e.g. "viral")
    think: float = 0.0  # seconds a person takes to read and tap before each step after the first
    group_post: tuple[int, Any] | None = None  # (group, message id) of a report posted in a group
    _spoke: bool = False

    def _pause(self) -> None:
        if self._spoke and self.think > 0:
            time.sleep(self.think)
        self._spoke = True

    def say(self, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """Send text (a link is detected as Telegram's clients do); the delivery record plus its message_id."""
        self._pause()
        message_id = next_update_id() % 1_000_000_000
        update = make_text_update(
            self.user_id,
            text,
            chat_id,
            self.lang,
            first_name=self.first_name,
            message_id=message_id,
            update_id=next_update_id(),
        )
        return self.tg.deliver(update, self.tag) | {"message_id": message_id}

    def press(self, label: str, chat_id: int | None = None, nudges: int = 3) -> bool:
        """Press the button with this label on the bot's latest message that has one; False if there is none.

        When the question never came (Telegram may drop an answer carried in the webhook response, e.g. under
        flood control), the reporter does what people do: writes "?" and the bot asks its question again.
        """
        chat = self.user_id if chat_id is None else chat_id
        for _ in range(nudges + 1):
            if self._press_once(label, chat):
                return True
            self.nudges += 1
            time.sleep(1.0)
            self.say("?", chat_id)
        return False

    def _next_is(self, wanted: str, otherwise: str, nudges: int = 3) -> bool:
        """Whether the bot's next question offers `wanted` (True) or `otherwise` (False), waiting for it: the
        answer to the last press may be late (deferred through deliver) or lost (then "?" asks it again)."""
        for attempt in range(nudges + 1):
            for _ in range(10):
                markup = next(
                    (
                        m["reply_markup"]
                        for m in reversed(self.tg.double.messages(self.user_id))
                        if m.get("reply_markup")
                    ),
                    None,
                )
                if callback_data_of(markup, wanted) is not None:
                    return True
                if callback_data_of(markup, otherwise) is not None:
                    return False
                time.sleep(0.3)
            if attempt < nudges:
                self.nudges += 1
                self.say("?")
        return False

    def _press_once(self, label: str, chat: int) -> bool:
        self._pause()
        for message in reversed(self.tg.double.messages(chat)):
            data = callback_data_of(message.get("reply_markup"), label)
            if data is None:
                continue
            self._tap(message, data, chat)
            return True
        return False

    def report_private(
        self,
        text: str,
        *,
        category: Category = Category.OTHER,
        danger: bool = False,
        region: str = "71",
        description: str | None = None,
    ) -> str | None:
        """A whole private report (region by its code); the case code the bot confirmed, or None.

        A link opens the short flow (issue 14): category, danger now?, the region unless the profile has one,
        then the summary; a description is written through the summary's edit button.
        """
        self.say(text)
        steps = (category_label(category, self.lang), danger_label(danger, self.lang))
        for step in steps:
            if not self.press(step):
                self.outcome = f"no button {step!r}"
                return None
        name = region_name(region, self.lang)
        if self._next_is(name, label("btn_send", self.lang)) and not self.press(name):
            self.outcome = f"no button {name!r}"
            return None
        if description is not None:
            self.press(label("btn_edit_desc", self.lang))
            self.say(description)
        if not self.press(label("btn_send", self.lang)):
            self.outcome = "no send button"
            return None
        return self._confirmed(self.user_id, markers(CONFIRMATIONS, self.lang))

    def report_in_group(self, text: str, group_id: int, region: str = "71") -> str | None:
        """Post a link in a group; answer the region question (region by its code) if asked. The case code, or None."""
        posted = self.say(text, group_id)
        message_id = posted.get("message_id")
        self.group_post = (group_id, message_id)  # a confirmation that arrives later (through deliver) is found
        reply = self._reply_to(group_id, message_id)
        name = region_name(region, self.lang)
        if reply is not None and callback_data_of(reply.get("reply_markup"), name):
            self.press_on(reply, name, group_id)
            reply = self._reply_to(group_id, message_id)
        text_out = str((reply or {}).get("text") or "")
        found = CODE_RE.search(text_out)
        if found and any(marker in text_out for marker in markers(GROUP_CONFIRMATIONS, self.lang)):
            self.code, self.outcome = found.group(0), "confirmed"
            return self.code
        self.outcome = "no confirmation"
        return None

    def press_on(self, message: dict[str, Any], label: str, chat_id: int) -> None:
        """Press the button with this label on this message."""
        self._pause()
        data = callback_data_of(message.get("reply_markup"), label)
        assert data is not None
        self._tap(message, data, chat_id)

    def _tap(self, message: dict[str, Any], data: str, chat_id: int) -> None:
        """Deliver the press of a button (its callback data) on a message of the bot."""
        update = make_callback_update(
            self.user_id,
            message["message_id"],
            data,
            chat_id,
            self.lang,
            first_name=self.first_name,
            callback_id=str(next_update_id()),
            message=message["message"],
            update_id=next_update_id(),
        )
        self.tg.deliver(update, self.tag)

    def saw_confirmation(self) -> bool:
        """Whether a confirmation with a case code ever reached this reporter (checked after the drain)."""
        if self.outcome == "confirmed":
            return True
        post = self.group_post
        if post is None:
            return self._confirmed(self.user_id, markers(CONFIRMATIONS, self.lang)) is not None
        reply = self._reply_to(post[0], post[1])
        text = str((reply or {}).get("text") or "")
        return bool(CODE_RE.search(text)) and any(m in text for m in markers(GROUP_CONFIRMATIONS, self.lang))

    def _reply_to(self, chat_id: int, message_id: object) -> dict[str, Any] | None:
        """The bot's latest message in reply to one of this user's messages."""
        for message in reversed(self.tg.double.messages(chat_id)):
            replied = message["message"].get("reply_to_message") or {}
            if replied.get("message_id") == message_id:
                return dict(message)
        return None

    def _confirmed(self, chat: int, markers: Iterable[str]) -> str | None:
        for message in reversed(self.tg.double.messages(chat)):
            text = str(message.get("text") or "")
            if any(marker in text for marker in markers):
                found = CODE_RE.search(text)
                if found:
                    self.code = found.group(0)
                    self.outcome = "confirmed"
                    return self.code
        self.outcome = "no confirmation"
        return None


def confirmations(double: Any, chat_id: int) -> list[str]:
    """Texts of the bot's messages in a chat that confirm a report (with a case code)."""
    texts = [str(m.get("text") or "") for m in double.messages(chat_id) if not m.get("deleted")]
    return [t for t in texts if CODE_RE.search(t) and any(marker in t for marker in ANY_LANGUAGE_CONFIRMATION)]


def cards_of(double: Any, chat_id: int) -> Counter[str]:
    """How many card messages (with buttons) of each case a staff chat holds."""
    found: Counter[str] = Counter()
    for message in double.messages(chat_id):
        text = str(message.get("text") or "")
        match = CODE_RE.search(text)
        if match and message.get("reply_markup") and not message.get("deleted"):
            found[match.group(0)] += 1
    return found


@dataclass
class Consistency:
    """The end-of-run checks: reports exactly once, fan-out done, cards once or parked, one confirmation each."""

    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def check(
        self,
        double: Any,
        reports: list[dict[str, Any]],
        links: dict[str, set[int]],
        staff: list[Any],
        unreachable: set[int],
        parked_jobs: list[dict[str, Any]],
        reporter_chats: list[int],
    ) -> Consistency:
        """Run every check; `problems` lists what failed, `figures` what was counted.

        Args:
            double: the Bot API double of the run.
            reports: every case document (with "id").
            links: canonical link -> ids of the reporters who reported it.
            staff: the StaffMembers as configured at the start (who should get cards).
            unreachable: staff found unreachable (blocked the bot) after the run: their cards may be missing.
            parked_jobs: delivery jobs found on the deliveries dead-letter topic.
            reporter_chats: private chats of the reporters (one confirmation each at most).
        """
        from functions.domain.routing import usual_recipients

        by_link: dict[str, list[dict[str, Any]]] = {}
        for report in reports:
            for url in report.get("urls") or []:
                by_link.setdefault(str(url), []).append(report)
        missing = [link for link in links if not by_link.get(link)]
        # One incident, one case: at most one open case per link. (A link reported again after its case was
        # closed opens a new case, by design; the reporters then spread over the link's cases.)
        doubled = [link for link in links if sum(1 for r in by_link.get(link, []) if r.get("status") in OPEN) > 1]
        wrong_count = [
            (link, len(users), sum(int(r.get("reporter_count", 0)) for r in by_link[link]))
            for link, users in links.items()
            if by_link.get(link) and sum(int(r.get("reporter_count", 0)) for r in by_link[link]) != len(users)
        ]
        if missing:
            self.problems.append(f"{len(missing)} reported links have no case, e.g. {missing[:3]}")
        if doubled:
            self.problems.append(f"{len(doubled)} links have more than one open case, e.g. {doubled[:3]}")
        if wrong_count:
            self.problems.append(
                f"reporter_count differs from the reporters (link, reporters, count): {wrong_count[:3]}"
            )
        pending = [r["id"] for r in reports if r.get("fanout_pending")]
        if pending:
            self.problems.append(f"{len(pending)} cases still have fanout_pending, e.g. {pending[:5]}")
        parked = {(str(job.get("report_id")), int(job.get("recipient_id", 0))) for job in parked_jobs}
        cards = {person.user_id: cards_of(double, person.user_id) for person in staff}
        doubled_cards = [(p, c, n) for p, counted in cards.items() for c, n in counted.items() if n > 1]
        if doubled_cards:
            self.problems.append(f"cards delivered more than once (staff, case, n): {doubled_cards[:5]}")
        expected = [
            (report["id"], person.user_id)
            for report in reports
            for person in usual_recipients(
                staff, str(report.get("category")), str(report.get("region")), str(report.get("severity"))
            )
        ]
        delivered = [pair for pair in expected if cards[pair[1]].get(pair[0], 0) >= 1]
        undelivered = [
            pair
            for pair in expected
            if cards[pair[1]].get(pair[0], 0) == 0 and pair not in parked and pair[1] not in unreachable
        ]
        if undelivered:
            self.problems.append(f"{len(undelivered)} cards neither delivered nor parked, e.g. {undelivered[:5]}")
        twice = [chat for chat in reporter_chats if len(confirmations(double, chat)) > 1]
        if twice:
            self.problems.append(f"{len(twice)} reporters got more than one confirmation, e.g. {twice[:5]}")
        self.figures.update(
            {
                "cases": len(reports),
                "links": len(links),
                "cards_expected": len(expected),
                "cards_delivered": len(delivered),
                "cards_parked": len(parked & set(expected)),
                "cards_to_unreachable_staff": sum(1 for _, p in expected if p in unreachable),
                "reporters_confirmed_twice": len(twice),
            }
        )
        return self
