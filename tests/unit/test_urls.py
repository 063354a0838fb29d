"""Unit tests for link canonicalisation, extraction and content keys."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.urls import (
    MAX_URL_LENGTH,
    canonical_url,
    content_key_for_media,
    content_key_for_url,
    extract_urls,
    needs_resolving,
    platform_of,
)

# All ids and usernames below are made up.
TT_ID = "7301234567890123456"
TT_VIDEO = f"https://tiktok.com/video/{TT_ID}"
YT_ID = "AbCdEfGh1_-"
YT_VIDEO = f"https://youtube.com/watch?v={YT_ID}"
IG_REEL = "https://instagram.com/p/CzFake123Ab"
IG_POST = "https://instagram.com/p/CzPost456Cd"
X_ID = "1712345678901234567"
X_STATUS = f"https://x.com/i/status/{X_ID}"
TG_POST = "https://t.me/fake_school_chan/123"
VK_WALL = "https://vk.com/wall-123456_789"
VK_VIDEO = "https://vk.com/video-123456_456239017"
FB_VIDEO = "https://facebook.com/watch?v=1234567890123"

CANONICAL_CASES: list[tuple[str, str]] = [
    # TikTok: every form that carries the numeric id collapses to /video/<id>.
    (f"tiktok.com/@fake.user/video/{TT_ID}", TT_VIDEO),
    (f"https://www.tiktok.com/@fake.user/video/{TT_ID}", TT_VIDEO),
    (
        f"https://www.tiktok.com/@Fake.User/video/{TT_ID}?is_from_webapp=1&sender_device=pc&_r=1&_t=8hX",
        TT_VIDEO,
    ),
    (f"https://m.tiktok.com/v/{TT_ID}.html?u_code=abc&share_app_id=1233", TT_VIDEO),
    (f"https://www.tiktok.com/embed/v2/{TT_ID}", TT_VIDEO),
    (f"https://www.tiktok.com/embed/{TT_ID}", TT_VIDEO),
    (f"https://www.tiktok.com/@fake.user/photo/{TT_ID}?lang=ru", TT_VIDEO),
    (f"http://TikTok.com/@fake.user/video/{TT_ID}/#comments", TT_VIDEO),
    (f"https://www.tiktok.com/share/video/{TT_ID}", TT_VIDEO),
    (TT_VIDEO, TT_VIDEO),
    ("https://vm.tiktok.com/ZMfAkE123/", "https://vm.tiktok.com/ZMfAkE123"),
    ("https://vm.tiktok.com/ZMfAkE123/?k=1", "https://vm.tiktok.com/ZMfAkE123"),
    ("vt.tiktok.com/ZSfAkE456/", "https://vt.tiktok.com/ZSfAkE456"),
    ("https://www.tiktok.com/t/ZTfAkE789/", "https://tiktok.com/t/ZTfAkE789"),
    ("https://www.tiktok.com/@Fake.User?lang=ru&is_from_webapp=1", "https://tiktok.com/@fake.user"),
    # YouTube: everything becomes watch?v=<id>.
    (f"https://youtu.be/{YT_ID}", YT_VIDEO),
    (f"https://youtu.be/{YT_ID}?si=AbCdEf&t=42", YT_VIDEO),
    (f"youtu.be/{YT_ID}", YT_VIDEO),
    (f"https://www.youtube.com/watch?v={YT_ID}", YT_VIDEO),
    (f"https://m.youtube.com/watch?v={YT_ID}&list=PLfake&index=2&pp=ygUF&t=1m3s", YT_VIDEO),
    (f"https://www.youtube.com/watch?app=desktop&v={YT_ID}&feature=youtu.be", YT_VIDEO),
    (f"https://youtube.com/shorts/{YT_ID}?feature=share", YT_VIDEO),
    (f"https://www.youtube.com/embed/{YT_ID}?start=3", YT_VIDEO),
    (f"https://www.youtube.com/live/{YT_ID}?si=x", YT_VIDEO),
    (f"https://music.youtube.com/watch?v={YT_ID}&feature=share", YT_VIDEO),
    (f"https://www.youtube-nocookie.com/embed/{YT_ID}", YT_VIDEO),
    (f"https://www.youtube.com/watch?v={YT_ID}#t=30", YT_VIDEO),
    ("https://www.youtube.com/playlist?list=PLfakeList&si=x", "https://youtube.com/playlist?list=PLfakeList"),
    # Instagram: one shortcode is one item: reel/reels/tv/p -> /p/<id>.
    ("https://www.instagram.com/reel/CzFake123Ab/?igsh=MWxfake", IG_REEL),
    ("https://instagram.com/reels/CzFake123Ab", IG_REEL),
    ("https://www.instagram.com/tv/CzFake123Ab/", IG_REEL),
    ("https://www.instagram.com/fake.user/reel/CzFake123Ab/?utm_source=ig_web_copy_link", IG_REEL),
    ("instagram.com/reel/CzFake123Ab?igshid=abc", IG_REEL),
    ("https://www.instagram.com/p/CzPost456Cd/?img_index=1", IG_POST),
    ("https://www.instagram.com/p/CzPost456Cd/embed/", IG_POST),
    ("https://www.instagram.com/share/reel/BAfake123/", "https://instagram.com/share/reel/BAfake123"),
    ("https://instagr.am/p/CzPost456Cd/", IG_POST),
    ("https://www.instagram.com/Fake.User/?hl=ru", "https://instagram.com/fake.user"),
    (
        "https://www.instagram.com/stories/Fake.User/3212345678901234567/",
        "https://instagram.com/stories/fake.user/3212345678901234567",
    ),
    # Telegram.
    ("https://t.me/s/Fake_School_Chan/123", TG_POST),
    ("https://telegram.me/fake_school_chan/123?single", TG_POST),
    ("t.me/fake_school_chan/123/", TG_POST),
    ("https://fake_school_chan.t.me/123", TG_POST),
    ("https://t.me/fake_school_chan/123?embed=1&comment=5", f"{TG_POST}?comment=5"),
    ("https://t.me/c/1234567890/55", "https://t.me/c/1234567890/55"),
    ("https://t.me/+AbCdEfFake123", "https://t.me/+AbCdEfFake123"),
    ("https://t.me/joinchat/AbCdEfFake", "https://t.me/joinchat/AbCdEfFake"),
    # X / Twitter: statuses become /i/status/<id>.
    (f"https://twitter.com/FakeUser/status/{X_ID}?s=20&t=AbCdEf", X_STATUS),
    (f"https://x.com/fakeuser/status/{X_ID}", X_STATUS),
    (f"https://mobile.twitter.com/fakeuser/status/{X_ID}/photo/1", X_STATUS),
    (f"https://x.com/i/web/status/{X_ID}", X_STATUS),
    (f"https://twitter.com/#!/fakeuser/status/{X_ID}", X_STATUS),
    (f"https://fxtwitter.com/fakeuser/status/{X_ID}", X_STATUS),
    ("https://x.com/FakeUser?s=21&t=x", "https://x.com/fakeuser"),
    # VK.
    (VK_WALL, VK_WALL),
    ("https://vk.com/feed?w=wall-123456_789", VK_WALL),
    ("https://m.vk.com/wall-123456_789?from=feed", VK_WALL),
    ("https://vk.com/club123456?w=wall-123456_789%2Fall", VK_WALL),
    ("https://vk.ru/wall-123456_789", VK_WALL),
    ("https://vk.com/video?z=video-123456_456239017%2Fpl_cat_trends", VK_VIDEO),
    ("https://vkvideo.ru/video-123456_456239017", VK_VIDEO),
    ("https://vk.com/Fake.Page", "https://vk.com/fake.page"),
    # Facebook.
    ("https://fb.watch/fAkE123abc/?mibextid=Nif5oz", "https://fb.watch/fAkE123abc"),
    ("https://www.facebook.com/watch/?v=1234567890123&ref=sharing", FB_VIDEO),
    ("https://m.facebook.com/watch?v=1234567890123", FB_VIDEO),
    ("https://www.facebook.com/FakePage/videos/1234567890123/", FB_VIDEO),
    ("https://mbasic.facebook.com/video.php?v=1234567890123", FB_VIDEO),
    ("https://web.facebook.com/reel/1234567890123?mibextid=abc", "https://facebook.com/reel/1234567890123"),
    ("https://mobile.facebook.com/share/v/AbCdFake12/", "https://facebook.com/share/v/AbCdFake12"),
    (
        "https://www.facebook.com/story.php?story_fbid=pfbid0Fake&id=100000000000001&__cft__[0]=AZX&__tn__=R",
        "https://facebook.com/story.php?id=100000000000001&story_fbid=pfbid0Fake",
    ),
    # Redirect wrappers are unwrapped.
    (
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.tiktok.com%2F%40x%2Fvideo%2F7301234567890123456&h=AT0",
        TT_VIDEO,
    ),
    (f"https://www.google.com/url?q=https://youtu.be/{YT_ID}&sa=D", YT_VIDEO),
    ("https://vk.com/away.php?to=https%3A%2F%2Fexample.org%2Fa&cc_key=", "https://example.org/a"),
    # Generic normalisation.
    ("HTTP://Example.COM:80/a/./b/../c/?b=2&a=1&utm_source=x#frag", "https://example.com/a/c?a=1&b=2"),
    ("https://example.com:443/", "https://example.com"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://user:secret@example.com/path", "https://example.com/path"),
    ("https://EXAMPLE.com./%7euser/%2fpath", "https://example.com/~user/%2Fpath"),
    ("https://example.com//a///b/", "https://example.com/a/b"),
    ("https://example.com/a%20b?q=a+b", "https://example.com/a%20b?q=a%20b"),
    ("https://example.com/?b&a=2&a=1&fbclid=x&gclid=y", "https://example.com?a=1&a=2&b"),
    ("https://example.com/?s=term&t=1", "https://example.com?s=term&t=1"),
    ("https://пример.рф/путь", "https://пример.рф/%D0%BF%D1%83%D1%82%D1%8C"),
    ("https://xn--e1afmkfd.xn--p1ai/%d0%bf%d1%83%d1%82%d1%8c", "https://пример.рф/%D0%BF%D1%83%D1%82%D1%8C"),
    ("https://ПРИМЕР.РФ", "https://пример.рф"),
    ("//example.com/x", "https://example.com/x"),
    ("  https://example.com/x\u200b ", "https://example.com/x"),
    ("http://8.8.8.8/x", "https://8.8.8.8/x"),
    ("http://[2001:4860:4860::8888]/x", "https://[2001:4860:4860::8888]/x"),
]

SAME_GROUPS: list[list[str]] = [
    [
        f"https://www.tiktok.com/@fake.user/video/{TT_ID}?is_from_webapp=1",
        f"tiktok.com/@another.name/video/{TT_ID}",
        f"https://m.tiktok.com/v/{TT_ID}.html",
    ],
    [
        f"https://youtu.be/{YT_ID}?si=1",
        f"https://www.youtube.com/shorts/{YT_ID}",
        f"youtube.com/watch?v={YT_ID}",
    ],
    [
        "https://www.instagram.com/reel/CzFake123Ab/",
        "https://instagram.com/reels/CzFake123Ab?igsh=x",
        "https://www.instagram.com/p/CzFake123Ab/",
        "https://www.instagram.com/tv/CzFake123Ab/",
    ],
    [
        "https://vk.com/clip-123456_456239017",
        "https://vk.com/video_ext.php?oid=-123456&id=456239017&hash=abc",
        "https://new.vk.com/video-123456_456239017",
        "https://vkvideo.ru/video-123456_456239017",
    ],
    ["https://ok.ru/video/1234567890", "https://m.ok.ru/videoembed/1234567890", "https://ok.ru/live/1234567890"],
    [
        "https://rutube.ru/video/0123456789abcdef0123456789abcdef/",
        "https://rutube.ru/play/embed/0123456789abcdef0123456789abcdef",
        "https://rutube.ru/embed/0123456789abcdef0123456789abcdef",
    ],
    [
        "https://vimeo.com/123456789",
        "https://player.vimeo.com/video/123456789?h=abc",
        "https://vimeo.com/123456789/abc",
    ],
    [
        "https://www.dailymotion.com/video/x8fake1_slug",
        "https://dai.ly/x8fake1",
        "https://www.dailymotion.com/embed/video/x8fake1",
    ],
    [
        "https://clips.twitch.tv/FakeClipSlugAbc",
        "https://www.twitch.tv/somechan/clip/FakeClipSlugAbc",
        "https://clips.twitch.tv/embed?clip=FakeClipSlugAbc",
    ],
    [
        "https://www.reddit.com/r/sub/comments/1abcde/slug/",
        "https://old.reddit.com/r/sub/comments/1abcde",
        "https://np.reddit.com/comments/1abcde",
        "https://redd.it/1abcde",
    ],
    [f"https://twitter.com/a_user/status/{X_ID}", f"https://x.com/b_user/status/{X_ID}?s=46"],
    ["https://t.me/s/fake_school_chan/123", "https://telegram.me/Fake_School_Chan/123/"],
    ["https://vk.com/wall-123456_789", "https://m.vk.com/feed?w=wall-123456_789"],
]

DIFFERENT_PAIRS: list[tuple[str, str]] = [
    (
        f"https://www.tiktok.com/@fake.user/video/{TT_ID}",
        "https://www.tiktok.com/@fake.user/video/7301234567890123457",
    ),
    ("https://vm.tiktok.com/ZMfAkE123/", "https://vm.tiktok.com/ZMfAkE124/"),
    (
        "https://vm.tiktok.com/ZMfAkE123/",
        "https://vm.tiktok.com/zmfake123/",
    ),  # short codes are case-sensitive
    ("https://vm.tiktok.com/ZMfAkE123/", f"https://www.tiktok.com/@fake.user/video/{TT_ID}"),
    (f"https://youtu.be/{YT_ID}", "https://youtu.be/AbCdEfGh1_x"),
    (f"https://youtu.be/{YT_ID}", f"https://youtu.be/{YT_ID.lower()}"),  # video ids are case-sensitive
    ("https://t.me/fake_school_chan/123", "https://t.me/fake_school_chan/124"),
    ("https://t.me/fake_school_chan/123", "https://t.me/other_fake_chan/123"),
    ("https://vk.com/wall-123456_789", "https://vk.com/wall-123456_790"),
    ("https://example.com/a?id=1", "https://example.com/a?id=2"),
    ("https://example.com/a", "https://example.com/A"),
    ("https://fb.watch/fAkE123abc/", "https://fb.watch/fAkE123abd/"),
    ("https://clips.twitch.tv/FakeClipSlugAbc", "https://clips.twitch.tv/fakeclipslugabc"),
    ("https://vk.com/video-123456_456239017", "https://vk.com/video123456_456239017"),
    ("https://ok.ru/video/1234567890", "https://ok.ru/video/1234567890-0"),
    ("https://rutube.ru/play/embed/1234567", "https://rutube.ru/play/embed/1234568"),
    ("https://www.youtube.com/embed/videoseries?list=PLa", "https://www.youtube.com/embed/videoseries?list=PLb"),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://vm.tiktok.com/ZMfAkE123/", True),
        ("https://www.tiktok.com/t/ZTfAkE789/", True),
        ("https://www.instagram.com/share/reel/BAfake123/", True),
        ("https://t.co/AbCdEf1234", True),
        ("https://bit.ly/fake", True),
        ("https://clck.ru/3Fake", True),
        ("https://goo.su/Fake", True),
        ("https://www.reddit.com/r/sub/s/FakeCode1", True),
        ("https://vk.com/away.php", True),
        ("https://l.instagram.com/?e=x", True),
        ("https://fb.watch/fAkE123abc/", True),
        (f"https://youtu.be/{YT_ID}", False),
        (TT_VIDEO, False),
        ("https://example.com/t/x", False),
        ("https://reddit.com/comments/1abcde", False),
    ],
)
def test_needs_resolving(raw: str, expected: bool) -> None:
    canonical = canonical_url(raw)
    assert canonical is not None
    assert needs_resolving(canonical) is expected


REJECTED: list[str] = [
    "",
    "   ",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "tg://resolve?domain=fake_school_chan",
    "mailto:teacher@example.com",
    "ftp://example.com/file",
    "data:text/html,<b>x</b>",
    "file:///etc/passwd",
    "fake.user@example.com",
    "localhost:8080",
    "http://localhost/x",
    "https://example",
    "https://fakehost/path",
    "http://127.0.0.1/admin",
    "http://192.168.1.10/",
    "http://[::1]/x",
    "https://0x7f.1/",
    "https://exa mple.com/x",
    "https://example.com/a b",
    "https://example.com:99999/",
    "https://example.com:abc/",
    "https://a..b.com/",
    "https://exa<mple.com/",
    "https://printer.local/x",
    "http:example.com",
    "https://" + "a" * 64 + ".com/",
    "https://example.com/" + "a" * MAX_URL_LENGTH,
    "hello",
    "just some words",
]


@pytest.mark.parametrize(("raw", "expected"), CANONICAL_CASES)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), CANONICAL_CASES)
def test_canonical_url_is_idempotent(raw: str, expected: str) -> None:
    assert canonical_url(expected) == expected


def test_table_is_large_enough() -> None:
    assert len(CANONICAL_CASES) >= 60


@pytest.mark.parametrize("group", SAME_GROUPS)
def test_variants_share_one_key(group: list[str]) -> None:
    canonicals = {canonical_url(raw) for raw in group}
    assert len(canonicals) == 1
    assert None not in canonicals
    assert len({content_key_for_url(c) for c in canonicals if c is not None}) == 1


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PAIRS)
def test_different_content_stays_different(a: str, b: str) -> None:
    ca, cb = canonical_url(a), canonical_url(b)
    assert ca is not None
    assert cb is not None
    assert ca != cb
    assert content_key_for_url(ca) != content_key_for_url(cb)


@pytest.mark.parametrize("raw", REJECTED)
def test_rejected(raw: str) -> None:
    assert canonical_url(raw) is None


def test_length_limit_boundary() -> None:
    base = "https://example.com/"
    assert canonical_url(base + "a" * (MAX_URL_LENGTH - len(base))) is not None
    assert canonical_url(base + "a" * (MAX_URL_LENGTH - len(base) + 1)) is None


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        (TT_VIDEO, "tiktok"),
        ("https://vm.tiktok.com/ZMfAkE123", "tiktok"),
        (IG_REEL, "instagram"),
        (YT_VIDEO, "youtube"),
        ("https://youtu.be/x", "youtube"),
        (VK_WALL, "vk"),
        (TG_POST, "telegram"),
        (X_STATUS, "x"),
        (FB_VIDEO, "facebook"),
        ("https://fb.watch/fAkE123abc", "facebook"),
        ("https://example.com/a", None),
        ("https://notx.com/a", None),
        ("https://tiktok.com.evil.example/a", None),
        ("not a url", None),
    ],
)
def test_platform_of(url: str, platform: str | None) -> None:
    assert platform_of(url) == platform


def test_content_keys() -> None:
    key = content_key_for_url(TT_VIDEO)
    assert re.fullmatch(r"u_[0-9a-f]{32}", key)
    assert key == content_key_for_url(TT_VIDEO)
    assert key != content_key_for_url(YT_VIDEO)
    media = content_key_for_media("AgADfakeUniqueId")
    assert re.fullmatch(r"m_[0-9a-f]{32}", media)
    assert media != content_key_for_media("AgADfakeUniqueId2")
    assert "/" not in key + media


# --- extraction ------------------------------------------------------------------------------------------


def utf16_offset(text: str, sub: str) -> int:
    return len(text[: text.index(sub)].encode("utf-16-le")) // 2


def url_entity(text: str, sub: str) -> dict[str, object]:
    return {"type": "url", "offset": utf16_offset(text, sub), "length": len(sub.encode("utf-16-le")) // 2}


def test_extract_with_emoji_before_link_uses_utf16_offsets() -> None:
    text = "🔥 https://x.com/fakeuser/status/1712345678901234567"
    # The emoji is one Python character but two UTF-16 code units, so the link starts at 3, not 2.
    entities: list[dict[str, object]] = [{"type": "url", "offset": 3, "length": len(text) - 2}]
    assert extract_urls(text, entities) == [X_STATUS]


def test_extract_with_cyrillic_and_several_emoji() -> None:
    link1 = f"https://www.tiktok.com/@fake.user/video/{TT_ID}?_r=1"
    link2 = "vm.tiktok.com/ZMfAkE123/"
    text = f"Здравствуйте 👋🏻👩‍👧! Вот видео драки 😡: {link1} и ещё одно {link2} — помогите 🙏"
    entities = [url_entity(text, link1), url_entity(text, link2)]
    assert extract_urls(text, entities) == [TT_VIDEO, "https://vm.tiktok.com/ZMfAkE123"]


def test_extract_text_link_and_order() -> None:
    text = "Сілтеме: осы жерде 👉 және тағы https://youtu.be/AbCdEfGh1_-"
    yt = "https://youtu.be/AbCdEfGh1_-"
    entities: list[dict[str, object]] = [
        url_entity(text, yt),
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "text_link", "offset": utf16_offset(text, "осы"), "length": 8, "url": IG_REEL + "/?igsh=x"},
    ]
    assert extract_urls(text, entities) == [IG_REEL, YT_VIDEO]


def test_extract_deduplicates_variants() -> None:
    a = f"https://youtu.be/{YT_ID}?si=1"
    b = f"https://www.youtube.com/watch?v={YT_ID}&t=5"
    text = f"{a} {b}"
    assert extract_urls(text, [url_entity(text, a), url_entity(text, b)]) == [YT_VIDEO]
    assert extract_urls(text) == [YT_VIDEO]


def test_extract_ignores_bad_entities() -> None:
    text = "👀 https://t.me/fake_school_chan/123"
    entities: list[dict[str, object]] = [
        {"type": "url", "offset": 500, "length": 10},
        {"type": "url", "offset": -1, "length": 5},
        {"type": "url", "offset": "3", "length": 5},
        {"type": "text_link", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 0, "length": 2, "url": "tg://resolve?domain=x"},
        url_entity(text, TG_POST),
    ]
    assert extract_urls(text, entities) == [TG_POST]


def test_extract_fallback_regex_without_entities() -> None:
    text = (
        "Смотрите (https://www.tiktok.com/@fake.user/video/7301234567890123456?_t=x), "
        "а также instagram.com/reel/CzFake123Ab/. И ещё «t.me/s/fake_school_chan/123»! "
        "Пишите на fake.user@example.com, про tiktok.com без ссылки, и https://example.com/page."
    )
    assert extract_urls(text) == [TT_VIDEO, IG_REEL, TG_POST, "https://example.com/page"]


def test_extract_fallback_keeps_balanced_parentheses() -> None:
    text = "see https://example.com/wiki/Foo_(bar) ok"
    assert extract_urls(text) == ["https://example.com/wiki/Foo_(bar)"]


def test_extract_fallback_when_entities_have_no_links() -> None:
    text = "Жалоба: vk.com/wall-123456_789"
    assert extract_urls(text, [{"type": "bold", "offset": 0, "length": 6}]) == [VK_WALL]
    assert extract_urls(text, []) == [VK_WALL]


def test_extract_does_not_match_lookalike_domains() -> None:
    assert extract_urls("netflix.com/title/1 and notx.com/a and box.com/x") == []


def test_extract_caps_at_ten() -> None:
    text = " ".join(f"https://t.me/fake_school_chan/{i}" for i in range(1, 16))
    result = extract_urls(text)
    assert len(result) == 10
    assert result[0] == "https://t.me/fake_school_chan/1"
    assert result[-1] == "https://t.me/fake_school_chan/10"


def test_extract_empty() -> None:
    assert extract_urls("") == []
    assert extract_urls("просто текст без ссылок 🙂") == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_canonical_url_never_raises_and_is_idempotent(raw: str) -> None:
    result = canonical_url(raw)
    if result is not None:
        assert result.startswith("https://")
        assert canonical_url(result) == result


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=200),
    st.lists(
        st.dictionaries(
            st.sampled_from(["type", "offset", "length", "url"]),
            st.one_of(st.integers(-5, 300), st.text(max_size=20), st.sampled_from(["url", "text_link"])),
        ),
        max_size=5,
    ),
)
def test_extract_urls_never_raises(text: str, entities: list[dict[str, object]]) -> None:
    result = extract_urls(text, entities)
    assert len(result) <= 10
    assert all(url.startswith("https://") for url in result)
