"""Canonicalise reported links so that one incident reported many times maps to one content key.

One item has one form: the shapes people share (embed, player, share, mobile and legacy hosts, slugs, tracking
parameters) collapse to the platform's plain item link. Short links and wrappers whose target is not in the link
itself (``vm.tiktok.com/…``, ``t.co/…``, ``bit.ly/…``, ``instagram.com/share/…``) keep their own form and are
flagged by :func:`needs_resolving`: the link checker follows them, the webhook never does. The corpus of real
shapes behind these rules is ``tests/data/urls/`` (sources named per line).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

MAX_URL_LENGTH: Final = 2048
MAX_URLS_PER_MESSAGE: Final = 10
_MAX_UNWRAP_DEPTH: Final = 3

_SCHEME_RE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_LABEL_RE: Final = re.compile(r"^[a-z0-9_-]{1,63}$")
_NUMERIC_LABEL_RE: Final = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE: Final = _UNRESERVED | frozenset("!$&'()*+,;=:@")
_QUERY_SAFE: Final = _UNRESERVED | frozenset("!$'()*,;:@/?")
_BLOCKED_TLDS: Final = frozenset({"localhost", "local", "internal", "invalid", "test", "home", "lan", "arpa"})

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

_TRACKING_PARAMS: Final = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
        "twclid", "ttclid", "igshid", "igsh", "si", "feature", "ref", "ref_src", "ref_url",
        "is_from_webapp", "sender_device", "sender_web_id", "_r", "_t", "mibextid", "share_app_id",
        "share_link_id", "share_item_id", "share_author_id", "tt_from", "u_code", "mc_cid", "mc_eid",
        "_gl", "_hsenc", "_hsmi", "rdid",
    }
)  # fmt: skip
_TRACKING_PREFIXES: Final = ("utm_",)
_TIKTOK_TRACKING: Final = frozenset(
    {
        "lang", "checksum", "sec_uid", "sec_user_id", "user_id", "timestamp", "social_sharing",
        "source", "enter_from", "is_copy_url", "web_id", "refer", "embed_source", "referer_url",
    }
)  # fmt: skip
_FACEBOOK_TRACKING: Final = frozenset(
    {
        "paipv", "eav", "sfnsn", "extid", "notif_id", "notif_t", "refsrc", "hc_ref", "hc_location",
        "fref", "acontext", "comment_tracking",
    }
)  # fmt: skip
_PLATFORM_TRACKING: Final[Mapping[str, frozenset[str]]] = {
    "x": frozenset({"s", "t", "cn", "cxt"}),
    "tiktok": _TIKTOK_TRACKING,
    "facebook": _FACEBOOK_TRACKING,
    "telegram": frozenset({"single", "embed", "userpic"}),
    "instagram": frozenset({"img_index", "hl"}),
    "youtube": frozenset({"pp", "ab_channel", "index", "app"}),
    "rutube": frozenset({"pl_id", "pl_type", "r", "t"}),
    "dailymotion": frozenset({"playlist"}),
    "vk": frozenset({"from"}),
}

# Host aliases applied after the www./m. prefixes are stripped.
_HOST_ALIASES: Final[Mapping[str, str]] = {
    "twitter.com": "x.com",
    "fxtwitter.com": "x.com",
    "vxtwitter.com": "x.com",
    "fixupx.com": "x.com",
    "fixvx.com": "x.com",
    "telegram.me": "t.me",
    "telegram.dog": "t.me",
    "instagr.am": "instagram.com",
    "fb.com": "facebook.com",
    "vk.ru": "vk.com",
    "youtube-nocookie.com": "youtube.com",
    "youtubekids.com": "youtube.com",
    "odnoklassniki.ru": "ok.ru",
    "redditmedia.com": "reddit.com",
    "tiktokv.com": "tiktok.com",
    "vimeopro.com": "vimeo.com",
}
_GENERIC_PREFIXES: Final = ("www.", "m.")
_FACEBOOK_PREFIXES: Final = ("mobile.", "mbasic.", "web.", "touch.")
_X_PREFIXES: Final = ("mobile.",)
# Platform-specific host prefixes, stripped when what remains is the platform's own domain.
_PLATFORM_PREFIXES: Final[Mapping[str, tuple[str, ...]]] = {
    "vk.com": ("new.",),
    "reddit.com": ("old.", "new.", "np.", "nm.", "i.", "amp."),
    "twitch.tv": ("go.",),
}
_FACEBOOK_HOSTS: Final = frozenset({"facebook.com", "fb.com"})
_X_HOSTS: Final = frozenset({"x.com", "twitter.com", "fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com"})

_PLATFORM_DOMAINS: Final[Mapping[str, str]] = {
    "tiktok.com": "tiktok",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "youtube-nocookie.com": "youtube",
    "vk.com": "vk",
    "vk.ru": "vk",
    "vkvideo.ru": "vk",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.watch": "facebook",
    "ok.ru": "ok",
    "odnoklassniki.ru": "ok",
    "rutube.ru": "rutube",
    "vimeo.com": "vimeo",
    "vimeopro.com": "vimeo",
    "dailymotion.com": "dailymotion",
    "dai.ly": "dailymotion",
    "twitch.tv": "twitch",
    "reddit.com": "reddit",
    "redd.it": "reddit",
    "redditmedia.com": "reddit",
    "likee.video": "likee",
    "yappy.media": "yappy",
    "tiktokv.com": "tiktok",
    "youtubekids.com": "youtube",
    "vk.cc": "vk",
}

# Short-link and wrapper hosts: every link on them stands for another one (resolved by the checker).
SHORT_LINK_HOSTS: Final = frozenset(
    {
        "vm.tiktok.com", "vt.tiktok.com", "t.co", "bit.ly", "bitly.com", "clck.ru", "goo.su", "goo.gl",
        "tinyurl.com", "vk.cc", "ow.ly", "is.gd", "cutt.ly", "rb.gy", "shorturl.at", "v.redd.it",
        "l.likee.video", "fb.watch", "tiny.cc", "u.to", "surl.li", "t.ly", "rebrand.ly", "buff.ly",
        "dlvr.it", "lnkd.in", "pin.it", "l.instagram.com", "l.facebook.com", "lm.facebook.com", "ok.me",
    }
)  # fmt: skip
# (host, first path segment) pairs that are share links on a platform's own domain.
_SHORT_LINK_PATHS: Final = frozenset(
    {
        ("tiktok.com", "t"), ("instagram.com", "share"), ("facebook.com", "share"), ("likee.video", "v"),
        ("youtube.com", "redirect"), ("vk.com", "away.php"), ("ok.ru", "dk"),
    }
)  # fmt: skip

_YOUTUBE_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH_KINDS: Final = frozenset({"shorts", "embed", "live", "v", "e", "watch"})
_YOUTUBE_HOSTS: Final = frozenset({"youtube.com", "music.youtube.com", "gaming.youtube.com", "youtu.be"})
# Eleven-character path words that are not video ids (/embed/videoseries?list=…, /embed/live_stream?channel=…).
_YOUTUBE_NOT_IDS: Final = frozenset({"videoseries", "live_stream"})
_YOUTUBE_CLIP_RE: Final = re.compile(r"^Ug[A-Za-z0-9_-]{20,40}$")
_INSTAGRAM_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{5,64}$")
# One shortcode is one item whichever page shows it: /p/, /reel/, /reels/ and /tv/ all become /p/.
_INSTAGRAM_KINDS: Final[Mapping[str, str]] = {"reel": "p", "reels": "p", "tv": "p", "p": "p"}
_INSTAGRAM_USER_RE: Final = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_INSTAGRAM_RESERVED: Final = frozenset({"explore", "accounts", "direct", "stories", "about", "developer", "legal"})
_TIKTOK_ID_RE: Final = re.compile(r"^[0-9]{6,25}$")
_TIKTOK_V_HTML_RE: Final = re.compile(r"^([0-9]{6,25})\.html$")
_TIKTOK_SHORT_HOSTS: Final = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
_TELEGRAM_USER_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
_TELEGRAM_RESERVED: Final = frozenset(
    {
        "joinchat", "addstickers", "addemoji", "addlist", "addtheme", "share", "proxy", "socks", "c", "s",
        "iv", "login", "setlanguage", "boost", "bg", "invoice", "confirmphone", "contact", "m", "nft",
    }
)  # fmt: skip
_TELEGRAM_MESSAGE_PARAMS: Final = frozenset({"comment", "thread"})
_X_STATUS_ID_RE: Final = re.compile(r"^[0-9]{1,25}$")
_X_USER_RE: Final = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_X_RESERVED: Final = frozenset(
    {"i", "home", "search", "explore", "hashtag", "settings", "intent", "share", "messages", "notifications"}
)
_VK_OBJECT_RE: Final = re.compile(r"^(?:wall|video|photo|clip|album|topic|doc|story|market)-?[0-9]+_[0-9]+")
_VK_USER_RE: Final = re.compile(r"^[A-Za-z0-9_.]{2,64}$")
_VK_HOSTS: Final = frozenset({"vk.com", "vkvideo.ru"})
_FACEBOOK_ID_RE: Final = re.compile(r"^[0-9]{5,25}$")
_FB_SHORT_RE: Final = re.compile(r"^[A-Za-z0-9_-]{3,64}$")
_OK_ID_RE: Final = re.compile(r"^[0-9]{4,25}(?:-[0-9]{1,3})?$")
_OK_KINDS: Final = frozenset({"video", "videoembed", "live"})
_RUTUBE_HEX_RE: Final = re.compile(r"^[0-9a-f]{32}$")
_RUTUBE_NUMERIC_RE: Final = re.compile(r"^[0-9]{1,12}$")
_VIMEO_ID_RE: Final = re.compile(r"^[0-9]{3,12}$")
_DAILYMOTION_ID_RE: Final = re.compile(r"^[A-Za-z0-9]{5,25}$")
_TWITCH_CLIP_RE: Final = re.compile(r"^[A-Za-z0-9_-]{6,100}$")
_TWITCH_VOD_RE: Final = re.compile(r"^v?([0-9]{4,15})$")
_REDDIT_ID_RE: Final = re.compile(r"^[a-z0-9]{4,12}$")
_LIKEE_ID_RE: Final = re.compile(r"^[0-9]{10,25}$")
_LIKEE_USER_RE: Final = re.compile(r"^@[A-Za-z0-9._-]{1,64}$")
_YAPPY_ID_RE: Final = re.compile(r"^[0-9a-f]{32}$")
_HTML_AMP_RE: Final = re.compile(r"^(?:amp;)+")

_BARE_DOMAINS: Final = (
    "tiktok.com", "instagram.com", "instagr.am", "youtube.com", "youtu.be", "t.me", "telegram.me",
    "vk.com", "vk.ru", "x.com", "twitter.com", "facebook.com", "fb.com", "fb.watch",
)  # fmt: skip
_URL_IN_TEXT_RE: Final = re.compile(
    r"https?://[^\s<>\"«»“”„\u200b-\u200f\u2060\ufeff]+"
    r"|(?<![\w.@/-])(?:[a-z0-9-]+\.)*(?:"
    + "|".join(re.escape(domain) for domain in _BARE_DOMAINS)
    + r")/[^\s<>\"«»“”„\u200b-\u200f\u2060\ufeff]*",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION: Final = ".,;:!?'\"…)]}>"
_BRACKETS: Final[Mapping[str, str]] = {")": "(", "]": "[", "}": "{", ">": "<"}


@dataclass(frozen=True, slots=True)
class _Parts:
    """A parsed link: canonical host, normalised path segments and query pairs."""

    host: str
    segments: tuple[str, ...]
    query: tuple[tuple[str, str | None], ...]
    fragment: str
    depth: int

    def param(self, name: str) -> str | None:
        """First decoded value of a query parameter, or None."""
        for key, value in self.query:
            if unquote(key) == name and value is not None:
                return unquote(value)
        return None


def canonical_url(raw: str) -> str | None:
    """Return the canonical https form of a web link, or None if it is not an http(s) link."""
    return _canonical(raw, 0)


def platform_of(canonical: str) -> str | None:
    """Name the platform of a (canonical) link, or None for other sites."""
    try:
        hostname = urlsplit(canonical if "://" in canonical else "https://" + canonical).hostname
    except ValueError:
        return None
    host = (hostname or "").rstrip(".")
    for suffix, platform in _PLATFORM_DOMAINS.items():
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


def needs_resolving(canonical: str) -> bool:
    """True when a (canonical) link is a short link or wrapper that only a request can resolve."""
    try:
        split = urlsplit(canonical if "://" in canonical else "https://" + canonical)
        hostname = split.hostname
    except ValueError:
        return False
    host = _strip_host_prefixes((hostname or "").rstrip("."))
    if host in SHORT_LINK_HOSTS:
        return True
    segments = [segment for segment in split.path.split("/") if segment]
    if not segments:
        return False
    if (host, segments[0]) in _SHORT_LINK_PATHS:
        return True
    return host == "reddit.com" and len(segments) >= 4 and segments[0] == "r" and segments[2] == "s"


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
    parts = _parse(text, bare, depth)
    if parts is None:
        return None
    result = _apply_platform_rules(parts)
    return result if len(result) <= MAX_URL_LENGTH else None


def _parse(text: str, bare: bool, depth: int) -> _Parts | None:
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=len(text))
    text = text[:cut].replace("\\", "/") + text[cut:]
    try:
        split = urlsplit(text)
    except ValueError:
        return None
    scheme = split.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not split.netloc:
        return None
    userinfo, _, hostport = split.netloc.rpartition("@")
    if bare and userinfo:
        return None  # "user@example.com" is an e-mail address, not a link
    host_and_port = _split_host_port(hostport)
    if host_and_port is None:
        return None
    raw_host, port = host_and_port
    host = _normalise_host(raw_host)
    if host is None:
        return None
    if port is not None and port not in (_DEFAULT_PORTS[scheme], _DEFAULT_PORTS["https"]):
        host = f"{host}:{port}"
    return _Parts(
        host=host,
        segments=_normalise_path(split.path),
        query=_normalise_query(split.query),
        fragment=split.fragment,
        depth=depth,
    )


def _split_host_port(hostport: str) -> tuple[str, int | None] | None:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:]
    else:
        host, _, port_text = hostport.partition(":")
    if not port_text:
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) <= 65535:
        return None
    return host, int(port_text)


def _normalise_host(raw_host: str) -> str | None:
    host = unquote(raw_host)
    if host.startswith("[") and host.endswith("]"):
        return _normalise_ip(host[1:-1], bracket=True)
    host = unicodedata.normalize("NFC", host).lower()
    host = host.removesuffix(".")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(labels) < 2 or len(ascii_host) > 253:
        return None
    if _NUMERIC_LABEL_RE.match(labels[-1]):
        return _normalise_ip(ascii_host, bracket=False)
    if not all(_HOST_LABEL_RE.match(label) for label in labels) or labels[-1] in _BLOCKED_TLDS:
        return None
    if not any(ch.isalpha() for ch in labels[-1]):
        return None
    try:
        unicode_host = ascii_host.encode("ascii").decode("idna").lower()
    except UnicodeError:
        return None
    return _strip_host_prefixes(unicode_host)


def _normalise_ip(text: str, *, bracket: bool) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if not address.is_global:
        return None
    if address.version == 6:
        return f"[{address.compressed}]" if bracket else None
    return str(address)


def _strip_host_prefixes(host: str) -> str:
    changed = True
    while changed:
        changed = False
        base = host.split(".", 1)[1] if "." in host else host
        prefixes: tuple[str, ...] = _GENERIC_PREFIXES
        if base in _FACEBOOK_HOSTS:
            prefixes += _FACEBOOK_PREFIXES
        if base in _X_HOSTS:
            prefixes += _X_PREFIXES
        prefixes += _PLATFORM_PREFIXES.get(base, ())
        for prefix in prefixes:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
                break
    return _HOST_ALIASES.get(host, host)


def _normalise_pct(text: str, safe: frozenset[str]) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%" and i + 2 < n and text[i + 1] in _HEX_DIGITS and text[i + 2] in _HEX_DIGITS:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{byte:02X}" for byte in ch.encode("utf-8"))
        i += 1
    return "".join(out)


def _normalise_path(path: str) -> tuple[str, ...]:
    segments: list[str] = []
    for raw_segment in path.split("/"):
        segment = _normalise_pct(raw_segment, _PATH_SAFE)
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return tuple(segments)


def _normalise_query(query: str) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, str | None]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, eq, value = item.replace("+", "%20").partition("=")
        norm_key = _HTML_AMP_RE.sub("", _normalise_pct(key, _QUERY_SAFE))  # "&amp;v=" pasted from HTML
        if not norm_key:
            continue
        pairs.append((norm_key, _normalise_pct(value, _QUERY_SAFE) if eq else None))
    return tuple(pairs)


def _is_tracking(key: str, platform: str | None) -> bool:
    name = unquote(key).lower()
    if name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
        return True
    if platform == "facebook" and name.startswith("__"):
        return True
    return platform is not None and name in _PLATFORM_TRACKING.get(platform, frozenset())


def _build(host: str, segments: Sequence[str], query: Sequence[tuple[str, str | None]] = ()) -> str:
    url = "https://" + host
    if segments:
        url += "/" + "/".join(segments)
    if query:
        url += "?" + "&".join(key if value is None else f"{key}={value}" for key, value in sorted(query, key=_qkey))
    return url


def _qkey(pair: tuple[str, str | None]) -> tuple[str, str]:
    return pair[0], "" if pair[1] is None else "=" + pair[1]


def _generic(parts: _Parts, segments: Sequence[str] | None = None) -> str:
    platform = platform_of("https://" + parts.host)
    query = [(k, v) for k, v in parts.query if not _is_tracking(k, platform)]
    return _build(parts.host, parts.segments if segments is None else segments, query)


def _unwrap(parts: _Parts, param: str) -> str | None:
    target = parts.param(param)
    if target is None or parts.depth >= _MAX_UNWRAP_DEPTH:
        return None
    return _canonical(target, parts.depth + 1)


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


# --- platform rules -------------------------------------------------------------------------------------


def _youtube(parts: _Parts) -> str | None:
    seg = parts.segments
    video_id: str | None = None
    if parts.host == "youtu.be":
        video_id = seg[0] if seg else None
    elif seg == ("watch",):
        video_id = parts.param("v")
    elif len(seg) >= 2 and seg[0] in _YOUTUBE_PATH_KINDS:
        video_id = seg[1]
    elif seg == ("watch_popup",):
        video_id = parts.param("v")
    elif seg == ("redirect",):
        return _unwrap(parts, "q")
    elif seg == ("attribution_link",):
        return _unwrap_relative(parts, "u", "https://youtube.com")
    elif len(seg) == 2 and seg[0] == "clip" and _YOUTUBE_CLIP_RE.match(seg[1]):
        return _build("youtube.com", seg)
    if video_id is not None and _YOUTUBE_ID_RE.match(video_id) and video_id not in _YOUTUBE_NOT_IDS:
        return _build("youtube.com", ["watch"], [("v", video_id)])
    return None


def _youtube_consent(parts: _Parts) -> str | None:
    return _unwrap(parts, "continue") if parts.segments == ("m",) else None


def _unwrap_relative(parts: _Parts, param: str, base: str) -> str | None:
    target = parts.param(param)
    if target is None or parts.depth >= _MAX_UNWRAP_DEPTH or not target.startswith("/"):
        return None
    return _canonical(base + target, parts.depth + 1)


def _instagram(parts: _Parts) -> str | None:
    seg = parts.segments
    if parts.host == "l.instagram.com":
        return _unwrap(parts, "u")
    if len(seg) >= 2 and seg[0] in _INSTAGRAM_KINDS and _INSTAGRAM_ID_RE.match(seg[1]):
        return _build("instagram.com", [_INSTAGRAM_KINDS[seg[0]], seg[1]])
    if (
        len(seg) >= 3
        and seg[0] not in _INSTAGRAM_KINDS
        and seg[0] != "share"
        and seg[1] in _INSTAGRAM_KINDS
        and _INSTAGRAM_ID_RE.match(seg[2])
    ):
        return _build("instagram.com", [_INSTAGRAM_KINDS[seg[1]], seg[2]])
    if len(seg) >= 3 and seg[0] == "stories" and _INSTAGRAM_USER_RE.match(seg[1]) and seg[2].isdigit():
        return _build("instagram.com", ["stories", seg[1].lower(), seg[2]])
    if len(seg) == 1 and _INSTAGRAM_USER_RE.match(seg[0]) and seg[0].lower() not in _INSTAGRAM_RESERVED:
        return _build("instagram.com", [seg[0].lower()])
    return None


def _tiktok(parts: _Parts) -> str | None:
    seg = parts.segments
    if parts.host in _TIKTOK_SHORT_HOSTS:
        return _build(parts.host, seg[:1]) if seg else None
    video_id: str | None = None
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] in ("video", "photo"):
        video_id = seg[2]
    elif len(seg) >= 2 and seg[0] in ("video", "photo", "embed"):
        video_id = seg[2] if seg[0] == "embed" and seg[1] == "v2" and len(seg) >= 3 else seg[1]
    elif len(seg) >= 3 and seg[0] == "share" and seg[1] in ("video", "photo"):
        video_id = seg[2]
    elif len(seg) == 2 and seg[0] == "v":
        match = _TIKTOK_V_HTML_RE.match(seg[1])
        video_id = match.group(1) if match else seg[1]
    if video_id is not None and _TIKTOK_ID_RE.match(video_id):
        return _build("tiktok.com", ["video", video_id])
    if len(seg) == 2 and seg[0] == "t":
        return _build("tiktok.com", seg)
    if seg and seg[0].startswith("@"):
        return _generic(parts, [seg[0].lower(), *seg[1:]])
    return None


def _telegram(parts: _Parts) -> str | None:
    seg: tuple[str, ...] = parts.segments
    if parts.host != "t.me":
        seg = (parts.host[: -len(".t.me")], *seg)
    if len(seg) >= 2 and seg[0] == "s":
        seg = seg[1:]
    if seg and _TELEGRAM_USER_RE.match(seg[0]) and seg[0].lower() not in _TELEGRAM_RESERVED:
        seg = (seg[0].lower(), *seg[1:])
    is_message = (len(seg) in (2, 3) and seg[0] != "c" and all(s.isdigit() for s in seg[1:])) or (
        len(seg) in (3, 4) and seg[0] == "c" and all(s.isdigit() for s in seg[1:])
    )
    if is_message:
        query = [(k, v) for k, v in parts.query if unquote(k) in _TELEGRAM_MESSAGE_PARAMS]
        return _build("t.me", seg, query)
    return _generic(_Parts("t.me", seg, parts.query, parts.fragment, parts.depth))


def _x(parts: _Parts) -> str | None:
    seg = parts.segments
    if not seg and parts.fragment.startswith("!/"):
        seg = _normalise_path(parts.fragment[1:].split("?", 1)[0])
    status_id: str | None = None
    if len(seg) >= 3 and seg[1] in ("status", "statuses"):
        status_id = seg[2]
    elif len(seg) >= 4 and seg[:3] in (("i", "web", "status"), ("i", "videos", "tweet")):
        status_id = seg[3]
    elif len(seg) == 3 and seg[:2] == ("i", "videos"):
        status_id = seg[2]
    if status_id is not None and _X_STATUS_ID_RE.match(status_id):
        return _build("x.com", ["i", "status", status_id])
    if len(seg) == 1 and _X_USER_RE.match(seg[0]) and seg[0].lower() not in _X_RESERVED:
        return _generic(parts, [seg[0].lower()])
    return _generic(parts, seg)


def _vk(parts: _Parts) -> str | None:
    seg = parts.segments
    if parts.host == "vk.com" and seg == ("away.php",):
        return _unwrap(parts, "to")
    if seg == ("video_ext.php",):
        oid, vid = parts.param("oid"), parts.param("id")
        if oid and vid and re.fullmatch(r"-?[0-9]{1,20}", oid) and re.fullmatch(r"[0-9]{1,20}", vid):
            return _build("vk.com", [f"video{oid}_{vid}"])
        return None
    for name in ("w", "z"):
        value = parts.param(name)
        match = _VK_OBJECT_RE.match(value) if value else None
        if match:
            return _build("vk.com", [_vk_object(match.group(0))])
    if len(seg) == 1:
        match = _VK_OBJECT_RE.match(seg[0])
        if match and match.group(0) == seg[0]:
            return _build("vk.com", [_vk_object(seg[0])])
        if parts.host == "vk.com" and _VK_USER_RE.match(seg[0]):
            return _generic(parts, [seg[0].lower()])
    return None


def _vk_object(name: str) -> str:
    # A clip is a video of the same owner and id: vk.com/clip-1_2 and vk.com/video-1_2 show one item.
    return "video" + name[len("clip") :] if name.startswith("clip") else name


def _facebook(parts: _Parts) -> str | None:
    seg = parts.segments
    if parts.host in ("l.facebook.com", "lm.facebook.com"):
        return _unwrap(parts, "u") if seg == ("l.php",) else None
    if parts.host == "fb.watch":
        return _build("fb.watch", seg[:1]) if seg and _FB_SHORT_RE.match(seg[0]) else None
    video_id: str | None = None
    if seg in (("watch",), ("video.php",)):
        video_id = parts.param("v")
    elif len(seg) >= 3 and seg[1] == "videos":
        video_id = seg[-1]
    if video_id is not None and _FACEBOOK_ID_RE.match(video_id):
        return _build("facebook.com", ["watch"], [("v", video_id)])
    if len(seg) == 2 and seg[0] == "reel" and _FACEBOOK_ID_RE.match(seg[1]):
        return _build("facebook.com", seg)
    if len(seg) == 3 and seg[0] == "share" and _FB_SHORT_RE.match(seg[2]):
        return _build("facebook.com", seg)
    return None


def _google_redirect(parts: _Parts) -> str | None:
    return _unwrap(parts, "q") or _unwrap(parts, "url")


def _ok(parts: _Parts) -> str | None:
    seg = parts.segments
    item: str | None = None
    if len(seg) == 2 and seg[0] in _OK_KINDS:
        item = seg[1]
    elif len(seg) == 4 and seg[:3] == ("web-api", "video", "moviePlayer"):
        item = seg[3]
    if item is not None and _OK_ID_RE.match(item):
        return _build("ok.ru", ["video", item])
    return None


def _rutube(parts: _Parts) -> str | None:
    seg = [s for s in parts.segments if s not in ("private", "live")] if parts.segments[:1] != ("u",) else []
    if len(seg) == 2 and seg[0] in ("video", "embed", "shorts") and _RUTUBE_HEX_RE.match(seg[1]):
        return _build("rutube.ru", ["video", seg[1]])
    if len(seg) == 3 and seg[:2] == ["play", "embed"] and _RUTUBE_HEX_RE.match(seg[2]):
        return _build("rutube.ru", ["video", seg[2]])
    numeric = seg[2] if len(seg) == 3 and seg[:2] in (["play", "embed"], ["video", "embed"]) else None
    if numeric is not None and _RUTUBE_NUMERIC_RE.match(numeric):
        return _build("rutube.ru", ["play", "embed", numeric])
    return None


def _vimeo(parts: _Parts) -> str | None:
    seg = parts.segments
    video_id: str | None = None
    if parts.host == "player.vimeo.com":
        video_id = seg[1] if len(seg) >= 2 and seg[0] == "video" else None
    elif seg == ("moogaloop.swf",):
        video_id = parts.param("clip_id")
    elif seg and _VIMEO_ID_RE.match(seg[0]):
        video_id = seg[0]  # vimeo.com/<id> and vimeo.com/<id>/<unlisted hash>
    elif len(seg) >= 3 and seg[0] in ("channels", "ondemand") and _VIMEO_ID_RE.match(seg[2]):
        video_id = seg[2]
    elif len(seg) >= 4 and seg[0] in ("groups", "album", "showcase", "event") and seg[2] in ("videos", "video"):
        video_id = seg[3]
    elif len(seg) >= 3 and seg[1] == "review":
        video_id = seg[2]
    elif len(seg) == 4 and seg[2] == "video":
        video_id = seg[3]  # vimeopro.com/<user>/<project>/video/<id>
    if video_id is not None and _VIMEO_ID_RE.match(video_id):
        return _build("vimeo.com", [video_id])
    return None


def _dailymotion(parts: _Parts) -> str | None:
    seg = parts.segments
    video_id: str | None = None
    if parts.host == "dai.ly":
        video_id = seg[0] if len(seg) == 1 else None
    elif parts.host == "geo.dailymotion.com":
        video_id = parts.param("video") if seg and seg[-1].endswith(".html") else None
    elif len(seg) >= 2 and seg[-2] == "video" and seg[0] in ("video", "embed", "swf", "crawler"):
        video_id = seg[-1].split("_", 1)[0]
    elif len(seg) == 2 and seg[0] == "swf":
        video_id = seg[1].split("_", 1)[0]
    if video_id is not None and _DAILYMOTION_ID_RE.match(video_id):
        return _build("dailymotion.com", ["video", video_id])
    return None


def _twitch(parts: _Parts) -> str | None:
    seg = parts.segments
    clip: str | None = None
    vod: str | None = None
    if parts.host == "clips.twitch.tv":
        clip = parts.param("clip") if seg == ("embed",) else (seg[-1] if len(seg) in (1, 2) else None)
    elif parts.host == "player.twitch.tv":
        vod = parts.param("video")
    elif len(seg) == 2 and seg[0] == "clip":
        clip = seg[1]
    elif len(seg) == 3 and seg[1] == "clip":
        clip = seg[2]
    elif len(seg) == 2 and seg[0] == "videos":
        vod = seg[1]
    elif len(seg) == 3 and seg[1] in ("v", "video"):
        vod = seg[2]
    if clip is not None and _TWITCH_CLIP_RE.match(clip):
        return _build("clips.twitch.tv", [clip])
    match = _TWITCH_VOD_RE.match(vod) if vod is not None else None
    if match:
        return _build("twitch.tv", ["videos", match.group(1)])
    if parts.host == "twitch.tv" and len(seg) == 1:
        return _build("twitch.tv", [seg[0].lower()])
    return None


def _reddit(parts: _Parts) -> str | None:
    seg = parts.segments
    post: str | None = None
    if parts.host == "redd.it":
        post = seg[0] if len(seg) == 1 else None
    elif len(seg) >= 2 and seg[0] == "comments":
        post = seg[1]
    elif len(seg) >= 4 and seg[0] in ("r", "u", "user") and seg[2] == "comments":
        post = seg[3]
    if post is not None and _REDDIT_ID_RE.match(post.lower()):
        return _build("reddit.com", ["comments", post.lower()])
    if len(seg) >= 4 and seg[0] == "r" and seg[2] == "s":
        return _build("reddit.com", seg[:4])  # a share link: resolved by the checker
    return None


def _likee(parts: _Parts) -> str | None:
    seg = parts.segments
    if len(seg) == 3 and _LIKEE_USER_RE.match(seg[0]) and seg[1] == "video" and _LIKEE_ID_RE.match(seg[2]):
        return _build("likee.video", [seg[0].lower(), "video", seg[2]])
    if len(seg) == 2 and seg[0] == "v":
        return _build("likee.video", seg)  # a share code: resolved by the checker
    return None


def _yappy(parts: _Parts) -> str | None:
    seg = parts.segments
    if len(seg) == 2 and seg[0] == "video" and _YAPPY_ID_RE.match(seg[1].lower()):
        return _build("yappy.media", ["video", seg[1].lower()])
    return None
