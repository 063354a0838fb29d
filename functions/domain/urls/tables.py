"""The data of the canonical forms: hosts, aliases, tracking parameters, short-link hosts (the shapes of each
platform's item ids stand beside its rule, in social.py and video.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

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

_YOUTUBE_HOSTS: Final = frozenset({"youtube.com", "music.youtube.com", "gaming.youtube.com", "youtu.be"})
_TIKTOK_SHORT_HOSTS: Final = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
_VK_HOSTS: Final = frozenset({"vk.com", "vkvideo.ru"})
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
