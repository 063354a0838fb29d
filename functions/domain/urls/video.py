"""Platform rules: OK.ru, Rutube, Vimeo, Dailymotion, Twitch, Reddit, Likee, Yappy."""

from __future__ import annotations

import re
from typing import Final

from functions.domain.urls.parts import _build, _Parts

_OK_ID_RE: Final = re.compile(r"^[0-9]{4,25}(?:-[0-9]{1,3})?$")
_OK_KINDS: Final = frozenset({"video", "videoembed", "live"})


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


_RUTUBE_HEX_RE: Final = re.compile(r"^[0-9a-f]{32}$")
_RUTUBE_NUMERIC_RE: Final = re.compile(r"^[0-9]{1,12}$")


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


_VIMEO_ID_RE: Final = re.compile(r"^[0-9]{3,12}$")


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


_DAILYMOTION_ID_RE: Final = re.compile(r"^[A-Za-z0-9]{5,25}$")


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


_TWITCH_CLIP_RE: Final = re.compile(r"^[A-Za-z0-9_-]{6,100}$")
_TWITCH_VOD_RE: Final = re.compile(r"^v?([0-9]{4,15})$")


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


_REDDIT_ID_RE: Final = re.compile(r"^[a-z0-9]{4,12}$")


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


_LIKEE_ID_RE: Final = re.compile(r"^[0-9]{10,25}$")
_LIKEE_USER_RE: Final = re.compile(r"^@[A-Za-z0-9._-]{1,64}$")


def _likee(parts: _Parts) -> str | None:
    seg = parts.segments
    if len(seg) == 3 and _LIKEE_USER_RE.match(seg[0]) and seg[1] == "video" and _LIKEE_ID_RE.match(seg[2]):
        return _build("likee.video", [seg[0].lower(), "video", seg[2]])
    if len(seg) == 2 and seg[0] == "v":
        return _build("likee.video", seg)  # a share code: resolved by the checker
    return None


_YAPPY_ID_RE: Final = re.compile(r"^[0-9a-f]{32}$")


def _yappy(parts: _Parts) -> str | None:
    seg = parts.segments
    if len(seg) == 2 and seg[0] == "video" and _YAPPY_ID_RE.match(seg[1].lower()):
        return _build("yappy.media", ["video", seg[1].lower()])
    return None
