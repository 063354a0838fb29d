"""From raw text to canonical links and content keys: the entry points and the per-host dispatch."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from functions.domain.urls.parts import _generic, _parse, _Parts
from functions.domain.urls.social import (
    _facebook,
    _google_redirect,
    _instagram,
    _telegram,
    _tiktok,
    _vk,
    _x,
    _youtube,
    _youtube_consent,
)
from functions.domain.urls.tables import (
    _BRACKETS,
    _DEFAULT_PORTS,
    _SCHEME_RE,
    _TIKTOK_SHORT_HOSTS,
    _TRAILING_PUNCTUATION,
    _URL_IN_TEXT_RE,
    _VK_HOSTS,
    _YOUTUBE_HOSTS,
    MAX_URL_LENGTH,
    MAX_URLS_PER_MESSAGE,
)
from functions.domain.urls.video import _dailymotion, _likee, _ok, _reddit, _rutube, _twitch, _vimeo, _yappy


def canonical_url(raw: str) -> str | None:
    """Return the canonical https form of a web link, or None if it is not an http(s) link."""
    return _canonical(raw, 0)


def content_key_for_url(canonical: str) -> str:
    """Firestore-safe document id for a canonical URL."""
    return "u_" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def content_key_for_media(file_unique_id: str) -> str:
    """Firestore-safe document id for a Telegram media file_unique_id."""
    return "m_" + hashlib.sha256(file_unique_id.encode("utf-8")).hexdigest()[:32]


def extract_urls(text: str, entities: Sequence[Mapping[str, object]] | None = None) -> list[str]:
    """Canonical URLs in a message, in order, de-duplicated, at most MAX_URLS_PER_MESSAGE.

    Telegram entities (UTF-16 offsets) are used when present; when there are none, or none of them
    is a link, a regex finds http(s) links and bare links to the common platforms.
    """
    candidates = _candidates_from_entities(text, entities) if entities else []
    if not candidates:
        candidates = [_trim_trailing(match.group(0)) for match in _URL_IN_TEXT_RE.finditer(text or "")]
    result: list[str] = []
    for candidate in candidates:
        canonical = canonical_url(candidate)
        if canonical is not None and canonical not in result:
            result.append(canonical)
            if len(result) >= MAX_URLS_PER_MESSAGE:
                break
    return result


# --- extraction helpers ---------------------------------------------------------------------------------


def _candidates_from_entities(text: str, entities: Sequence[Mapping[str, object]]) -> list[str]:
    encoded = (text or "").encode("utf-16-le", "surrogatepass")
    found: list[tuple[int, str]] = []
    for entity in entities:
        kind, offset, length = entity.get("type"), entity.get("offset"), entity.get("length")
        position = offset if isinstance(offset, int) and not isinstance(offset, bool) else None
        if kind == "text_link":
            url = entity.get("url")
            if isinstance(url, str):
                found.append((position or 0, url))
        elif kind == "url" and position is not None and isinstance(length, int) and not isinstance(length, bool):
            piece = _utf16_slice(encoded, position, length)
            if piece is not None:
                found.append((position, piece))
    found.sort(key=lambda item: item[0])
    return [url for _, url in found]


def _utf16_slice(encoded: bytes, offset: int, length: int) -> str | None:
    start, end = offset * 2, (offset + length) * 2
    if offset < 0 or length <= 0 or end > len(encoded):
        return None
    try:
        return encoded[start:end].decode("utf-16-le")
    except UnicodeDecodeError:
        return None


def _strip_invisible(text: str) -> str:
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]) == "Cf"):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]) == "Cf"):
        end -= 1
    return text[start:end]


def _trim_trailing(candidate: str) -> str:
    while candidate and candidate[-1] in _TRAILING_PUNCTUATION:
        last = candidate[-1]
        opener = _BRACKETS.get(last)
        if opener is not None and candidate.count(opener) >= candidate.count(last):
            break
        candidate = candidate[:-1]
    return candidate


# --- canonicalisation -----------------------------------------------------------------------------------


def _canonical(raw: str, depth: int) -> str | None:
    text = _strip_invisible(raw)
    if (
        not text
        or len(text) > MAX_URL_LENGTH
        or any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)
    ):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None
    scheme_match = _SCHEME_RE.match(text)
    bare = False
    if text.startswith("//"):
        text = "https:" + text
    elif scheme_match and ("." not in scheme_match.group(1) or text[scheme_match.end() :].startswith("//")):
        if scheme_match.group(1).lower() not in _DEFAULT_PORTS:
            return None
    else:
        text = "https://" + text
        bare = True
    parts = _parse(text, bare, depth, _canonical)
    if parts is None:
        return None
    result = _apply_platform_rules(parts)
    return result if len(result) <= MAX_URL_LENGTH else None


def _apply_platform_rules(parts: _Parts) -> str:
    host = parts.host
    handler: Callable[[_Parts], str | None] | None = None
    if host in _YOUTUBE_HOSTS:
        handler = _youtube
    elif host == "consent.youtube.com":
        handler = _youtube_consent
    elif host in ("instagram.com", "l.instagram.com"):
        handler = _instagram
    elif host == "tiktok.com" or host in _TIKTOK_SHORT_HOSTS:
        handler = _tiktok
    elif host == "t.me" or host.endswith(".t.me"):
        handler = _telegram
    elif host == "x.com":
        handler = _x
    elif host in _VK_HOSTS or host.endswith(".vkvideo.ru"):
        handler = _vk
    elif host == "ok.ru":
        handler = _ok
    elif host == "rutube.ru":
        handler = _rutube
    elif host in ("vimeo.com", "player.vimeo.com"):
        handler = _vimeo
    elif host in ("dailymotion.com", "geo.dailymotion.com", "dai.ly"):
        handler = _dailymotion
    elif host in ("twitch.tv", "clips.twitch.tv", "player.twitch.tv"):
        handler = _twitch
    elif host in ("reddit.com", "redd.it"):
        handler = _reddit
    elif host == "likee.video":
        handler = _likee
    elif host == "yappy.media":
        handler = _yappy
    elif host in ("facebook.com", "l.facebook.com", "lm.facebook.com", "fb.watch"):
        handler = _facebook
    elif (host.startswith("google.") or ".google." in host) and parts.segments == ("url",):
        handler = _google_redirect
    result = handler(parts) if handler is not None else None
    return result if result is not None else _generic(parts)
