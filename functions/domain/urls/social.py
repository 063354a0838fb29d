"""Platform rules: YouTube, Instagram, TikTok, Telegram, X, VK and VK Video, Facebook, Google redirects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import unquote

from functions.domain.urls.parts import _build, _generic, _normalise_path, _Parts, _unwrap, _unwrap_relative
from functions.domain.urls.tables import _TIKTOK_SHORT_HOSTS

_YOUTUBE_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH_KINDS: Final = frozenset({"shorts", "embed", "live", "v", "e", "watch"})
# Eleven-character path words that are not video ids (/embed/videoseries?list=…, /embed/live_stream?channel=…).
_YOUTUBE_NOT_IDS: Final = frozenset({"videoseries", "live_stream"})
_YOUTUBE_CLIP_RE: Final = re.compile(r"^Ug[A-Za-z0-9_-]{20,40}$")


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


_INSTAGRAM_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{5,64}$")
# One shortcode is one item whichever page shows it: /p/, /reel/, /reels/ and /tv/ all become /p/.
_INSTAGRAM_KINDS: Final[Mapping[str, str]] = {"reel": "p", "reels": "p", "tv": "p", "p": "p"}
_INSTAGRAM_USER_RE: Final = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_INSTAGRAM_RESERVED: Final = frozenset({"explore", "accounts", "direct", "stories", "about", "developer", "legal"})


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


_TIKTOK_ID_RE: Final = re.compile(r"^[0-9]{6,25}$")
_TIKTOK_V_HTML_RE: Final = re.compile(r"^([0-9]{6,25})\.html$")


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


_TELEGRAM_USER_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
_TELEGRAM_RESERVED: Final = frozenset(
    {
        "joinchat", "addstickers", "addemoji", "addlist", "addtheme", "share", "proxy", "socks", "c", "s",
        "iv", "login", "setlanguage", "boost", "bg", "invoice", "confirmphone", "contact", "m", "nft",
    }
)  # fmt: skip
_TELEGRAM_MESSAGE_PARAMS: Final = frozenset({"comment", "thread"})


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
    return _generic(_Parts("t.me", seg, parts.query, parts.fragment, parts.depth, parts.recurse))


_X_STATUS_ID_RE: Final = re.compile(r"^[0-9]{1,25}$")
_X_USER_RE: Final = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_X_RESERVED: Final = frozenset(
    {"i", "home", "search", "explore", "hashtag", "settings", "intent", "share", "messages", "notifications"}
)


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


_VK_OBJECT_RE: Final = re.compile(r"^(?:wall|video|photo|clip|album|topic|doc|story|market)-?[0-9]+_[0-9]+")
_VK_USER_RE: Final = re.compile(r"^[A-Za-z0-9_.]{2,64}$")


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


_FACEBOOK_ID_RE: Final = re.compile(r"^[0-9]{5,25}$")
_FB_SHORT_RE: Final = re.compile(r"^[A-Za-z0-9_-]{3,64}$")


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
