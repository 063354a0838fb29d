"""The platform double's state and answers: configured items, short links, a record of requests.

It answers as each platform's public endpoint does (see functions/domain/liveness.py for the sources): the
oEmbed endpoints of YouTube, Vimeo, X and TikTok, the Telegram embed page, item pages elsewhere, and short links
that redirect. Requests arrive as ``/{host}{path}?{query}`` (the checker's PLATFORM_API_BASE_URL mapping).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final
from urllib.parse import parse_qsl

from functions.domain.urls import canonical_url


class ItemState(StrEnum):
    """How a configured item behaves."""

    LIVE = "live"
    REMOVED = "removed"
    PRIVATE = "private"
    GEO_BLOCKED = "geo_blocked"
    EMBEDDING_DISABLED = "embedding_disabled"
    FLAKY = "flaky"  # 429 (with Retry-After), 500, 502, 503 in turn
    SLOW = "slow"  # answers live after `delay_seconds`


FLAKY_STATUSES: Final = (429, 500, 502, 503)
_OEMBED_ENDPOINTS: Final = {
    ("www.youtube.com", "/oembed"): "youtube",
    ("youtube.com", "/oembed"): "youtube",
    ("vimeo.com", "/api/oembed.json"): "vimeo",
    ("publish.twitter.com", "/oembed"): "x",
    ("www.tiktok.com", "/oembed"): "tiktok",
}
# (status, body) per platform oEmbed endpoint and state; a missing state answers as live.
_OEMBED_ANSWERS: Final[dict[str, dict[ItemState, tuple[int, str]]]] = {
    "youtube": {
        ItemState.REMOVED: (404, "Not Found"),
        ItemState.PRIVATE: (403, "Forbidden"),
        ItemState.EMBEDDING_DISABLED: (401, "Unauthorized"),
    },
    "vimeo": {
        ItemState.REMOVED: (404, '{"domain_status_code":404,"video_id":0}'),
        ItemState.PRIVATE: (403, '{"domain_status_code":403,"video_id":0}'),
        ItemState.EMBEDDING_DISABLED: (403, '{"domain_status_code":403,"video_id":0}'),
    },
    "x": {
        ItemState.REMOVED: (404, '{"errors":[{"code":34,"message":"Sorry, that page does not exist"}]}'),
        ItemState.PRIVATE: (403, '{"errors":[{"code":179,"message":"Sorry, you are not authorized"}]}'),
    },
    "tiktok": {
        ItemState.REMOVED: (400, '{"code":400,"message":"Something went wrong"}'),
        ItemState.PRIVATE: (400, '{"code":400,"message":"Something went wrong"}'),
        ItemState.EMBEDDING_DISABLED: (403, '{"code":403,"message":"Embedding disabled"}'),
    },
}
_PAGE_ANSWERS: Final = {
    ItemState.REMOVED: 404,
    ItemState.PRIVATE: 403,
    ItemState.GEO_BLOCKED: 451,
}
_TELEGRAM_LIVE: Final = (
    '<div class="tgme_widget_message js-widget_message"><div class="tgme_widget_message_text">…</div></div>'
)
_TELEGRAM_GONE: Final = '<div class="tgme_widget_message_error">Post not found</div>'


@dataclass(slots=True)
class Item:
    """One configured item."""

    state: ItemState = ItemState.LIVE
    delay_seconds: float = 0.0
    answered: int = 0


@dataclass(slots=True)
class ShortLink:
    """One configured short link."""

    target: str
    head_refused: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """What the double sends back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the double received."""

    method: str
    host: str
    path: str
    query: str
    user_agent: str
    status: int


class PlatformDouble:
    """Thread-safe state of the double."""

    def __init__(self, default: ItemState | None = None) -> None:
        """``default``: how an item nobody configured answers (None: as one that never existed, 404)."""
        self._lock = threading.Lock()
        self._default = default
        self._items: dict[str, Item] = {}
        self._short: dict[str, ShortLink] = {}
        self._requests: list[RecordedRequest] = []

    def set_item(self, url: str, state: ItemState, delay_seconds: float = 0.0) -> str:
        """Configure an item by any of its links; returns its canonical form (the key)."""
        key = _key(url)
        with self._lock:
            self._items[key] = Item(state, delay_seconds)
        return key

    def set_short_link(self, url: str, target: str, *, head_refused: bool = False) -> str:
        """Make a short link redirect (301) to target; with head_refused it answers HEAD with 405."""
        key = _key(url)
        with self._lock:
            self._short[key] = ShortLink(target, head_refused)
        return key

    def reset(self) -> None:
        """Forget every item, short link and recorded request."""
        with self._lock:
            self._items.clear()
            self._short.clear()
            self._requests.clear()

    def items(self) -> dict[str, str]:
        """The configured items and their states, by canonical link."""
        with self._lock:
            return {key: item.state.value for key, item in self._items.items()}

    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def handle(self, method: str, host: str, path: str, query: str, user_agent: str) -> Answer:
        """Answer one request addressed to a platform host."""
        with self._lock:
            answer = self._answer(method, host.lower(), path or "/", query)
            self._requests.append(RecordedRequest(method, host, path, query, user_agent, answer.status))
        if method == "HEAD":
            return Answer(answer.status, b"", answer.headers, answer.delay_seconds)
        return answer

    def _answer(self, method: str, host: str, path: str, query: str) -> Answer:
        params = dict(parse_qsl(query, keep_blank_values=True))
        platform = _OEMBED_ENDPOINTS.get((host, path))
        if platform is not None:
            return self._oembed(platform, params.get("url", ""))
        link = f"https://{host}{path}" + (f"?{query}" if query else "")
        key = canonical_url(link) or link
        short = self._short.get(key)
        if short is not None:
            if method == "HEAD" and short.head_refused:
                return Answer(405, b"Method Not Allowed")
            return Answer(301, b"", {"Location": short.target})
        if host == "t.me" and "embed" in params:
            return self._telegram(key)
        return self._page(key)

    def _item(self, key: str) -> Item | None:
        item = self._items.get(key)
        if item is None and self._default is not None:
            item = self._items[key] = Item(self._default)
        if item is not None:
            item.answered += 1
        return item

    def _transient(self, item: Item) -> Answer | None:
        if item.state is ItemState.FLAKY:
            status = FLAKY_STATUSES[(item.answered - 1) % len(FLAKY_STATUSES)]
            headers = {"Retry-After": "30"} if status == 429 else {}
            return Answer(status, b"Too Many Requests" if status == 429 else b"Server Error", headers)
        return None

    def _oembed(self, platform: str, url: str) -> Answer:
        item = self._item(_key(url))
        if item is None:
            return _json(404, '{"error":"not found"}') if platform != "youtube" else Answer(404, b"Not Found")
        transient = self._transient(item)
        if transient is not None:
            return transient
        status, body = _OEMBED_ANSWERS[platform].get(item.state, (200, ""))
        if status == 200:
            body = json.dumps({"version": "1.0", "type": "video", "title": "item", "provider_name": platform})
        return _json(status, body, item.delay_seconds)

    def _telegram(self, key: str) -> Answer:
        item = self._item(key)
        if item is not None:
            transient = self._transient(item)
            if transient is not None:
                return transient
        live = item is not None and item.state not in (ItemState.REMOVED, ItemState.PRIVATE)
        body = _TELEGRAM_LIVE if live else _TELEGRAM_GONE
        delay = item.delay_seconds if item is not None else 0.0
        return Answer(200, _html(body), {"Content-Type": "text/html; charset=utf-8"}, delay)

    def _page(self, key: str) -> Answer:
        item = self._item(key)
        if item is None:
            return Answer(404, _html("<h1>Not Found</h1>"), {"Content-Type": "text/html"})
        transient = self._transient(item)
        if transient is not None:
            return transient
        status = _PAGE_ANSWERS.get(item.state, 200)
        return Answer(status, _html(f"<h1>{status}</h1>"), {"Content-Type": "text/html"}, item.delay_seconds)


def _key(url: str) -> str:
    return canonical_url(url) or url


def _json(status: int, body: str, delay: float = 0.0) -> Answer:
    content_type = "application/json" if body.startswith("{") else "text/plain"
    return Answer(status, body.encode(), {"Content-Type": content_type}, delay)


def _html(body: str) -> bytes:
    return f"<!DOCTYPE html><html><body>{body}</body></html>".encode()
