"""The link checker against the platform double over real HTTP: confirmation, storms, short links, SSRF."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
import pytest

from devkit.platform_double import FLAKY_STATUSES, ItemState, PlatformDoubleServer
from functions.adapters.link_checker import DEFAULT_USER_AGENT, CheckerConfig, CheckResult, LinkChecker
from functions.domain.liveness import Answer, LinkState, Observation, verdict
from functions.domain.urls import canonical_url

T = TypeVar("T")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PUBLIC_ADDRESS = "142.250.74.46"  # what the injected resolver answers for every public name
PRIVATE_NAMES = {"intranet.fake-school.kz": "10.0.0.7", "rebind.fake-host.kz": "192.168.1.20"}
YT = "https://youtube.com/watch?v=AbCdEfGh1_-"
TT_ID = "7301234567890123456"
TT = f"https://tiktok.com/video/{TT_ID}"
TG = "https://t.me/fake_school_chan/123"
VK = "https://vk.com/video-123456_456239017"


async def resolver(host: str) -> Sequence[str]:
    return [PRIVATE_NAMES.get(host, PUBLIC_ADDRESS)]


@pytest.fixture(scope="module")
def server() -> Iterator[PlatformDoubleServer]:
    with PlatformDoubleServer() as running:
        yield running


@pytest.fixture
def double(server: PlatformDoubleServer) -> Iterator[PlatformDoubleServer]:
    server.double.reset()
    yield server
    server.double.reset()


def config(server: PlatformDoubleServer, **overrides: object) -> CheckerConfig:
    base = CheckerConfig(api_base_url=server.base_url, per_platform_interval_seconds=0.0, read_timeout_seconds=1.0)
    return replace(base, **overrides)  # type: ignore[arg-type]


def run(server: PlatformDoubleServer, work: Callable[[LinkChecker], Awaitable[T]], **overrides: object) -> T:
    async def main() -> T:
        async with LinkChecker(config(server, **overrides), resolver=resolver) as checker:
            return await work(checker)

    return asyncio.run(main())


def check(server: PlatformDoubleServer, url: str, **overrides: object) -> CheckResult:
    return run(server, lambda checker: checker.check(url), **overrides)


class Clock:
    """The checks' wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class TestRemoval:
    def test_removed_only_after_two_gone_answers_an_hour_apart(self, double: PlatformDoubleServer) -> None:
        clock = Clock()
        double.double.set_item(YT, ItemState.LIVE)
        history = [Observation(clock.now, check(double, YT).answer)]
        assert verdict(history).state is LinkState.LIVE
        double.double.set_item("https://youtu.be/AbCdEfGh1_-", ItemState.REMOVED)
        for minutes, expected in ((60, LinkState.REMOVAL_PENDING), (30, LinkState.REMOVAL_PENDING)):
            result = check(double, YT)
            assert (result.answer, result.status) == (Answer.GONE, 404)
            history.append(Observation(clock.advance(minutes=minutes), result.answer))
            assert verdict(history).state is expected
        history.append(Observation(clock.advance(minutes=31), check(double, YT).answer))
        final = verdict(history)
        assert final.state is LinkState.REMOVED
        assert final.removed_at == T0 + timedelta(minutes=60)
        assert final.confirmed_at == T0 + timedelta(minutes=121)
        seen = double.double.requests()
        assert {(r.host, r.path) for r in seen} == {("www.youtube.com", "/oembed")}
        assert all(r.user_agent == DEFAULT_USER_AGENT for r in seen)

    def test_telegram_post_gone_is_read_from_the_embed_page(self, double: PlatformDoubleServer) -> None:
        double.double.set_item(TG, ItemState.LIVE)
        assert check(double, TG).answer is Answer.LIVE
        double.double.set_item(TG, ItemState.REMOVED)
        result = check(double, TG)
        assert (result.answer, result.status) == (Answer.GONE, 200)
        assert double.double.requests()[-1].query == "embed=1"

    @pytest.mark.parametrize(
        ("url", "state", "answer"),
        [
            (VK, ItemState.REMOVED, Answer.GONE),
            (VK, ItemState.PRIVATE, Answer.PRIVATE),
            (VK, ItemState.GEO_BLOCKED, Answer.GEO_RESTRICTED),
            ("https://x.com/i/status/1712345678901234567", ItemState.PRIVATE, Answer.PRIVATE),
            (TT, ItemState.REMOVED, Answer.GONE),
            ("https://vimeo.com/76979871", ItemState.REMOVED, Answer.GONE),
            ("https://rutube.ru/video/0123456789abcdef0123456789abcdef", ItemState.LIVE, Answer.LIVE),
        ],
    )
    def test_platform_states(self, double: PlatformDoubleServer, url: str, state: ItemState, answer: Answer) -> None:
        double.double.set_item(url, state)
        assert check(double, url).answer is answer

    def test_a_private_channel_post_is_never_requested(self, double: PlatformDoubleServer) -> None:
        result = check(double, "https://t.me/c/1234567890/55")
        assert result.answer is Answer.UNKNOWN
        assert double.double.requests() == []


class TestNeverRemovedByNoise:
    def test_a_storm_of_429_5xx_and_timeouts_never_marks_removed(self, double: PlatformDoubleServer) -> None:
        clock = Clock()
        links = [YT, TT, TG, VK]
        for link in links:
            double.double.set_item(link, ItemState.FLAKY)
        slow = "https://ok.ru/video/1234567890"
        double.double.set_item(slow, ItemState.SLOW, delay_seconds=1.5)  # past the 1 s read timeout
        histories: dict[str, list[Observation]] = {link: [] for link in [*links, slow]}
        for _ in range(len(FLAKY_STATUSES) * 2):
            results = run(double, lambda checker: checker.check_many(list(histories)))
            now = clock.advance(hours=2)
            for link, result in zip(histories, results, strict=True):
                assert result.answer is Answer.UNKNOWN
                histories[link].append(Observation(now, result.answer))
        for history in histories.values():
            assert verdict(history).state is LinkState.UNKNOWN
        statuses = {r.status for r in double.double.requests()}
        assert set(FLAKY_STATUSES) <= statuses

    def test_flaky_answers_between_gone_answers_do_not_confirm_early(self, double: PlatformDoubleServer) -> None:
        clock = Clock()
        double.double.set_item(YT, ItemState.REMOVED)
        history = [Observation(clock.now, check(double, YT).answer)]
        double.double.set_item(YT, ItemState.FLAKY)
        for _ in range(4):
            history.append(Observation(clock.advance(minutes=30), check(double, YT).answer))
        assert verdict(history).state is LinkState.REMOVAL_PENDING
        double.double.set_item(YT, ItemState.LIVE)
        history.append(Observation(clock.advance(minutes=30), check(double, YT).answer))
        assert verdict(history).state is LinkState.LIVE

    @pytest.mark.parametrize("url", [YT, "https://vimeo.com/76979871", TT])
    def test_embedding_disabled_is_not_removal(self, double: PlatformDoubleServer, url: str) -> None:
        clock = Clock()
        double.double.set_item(url, ItemState.EMBEDDING_DISABLED)
        history = []
        for _ in range(3):
            result = check(double, url)
            assert result.answer is Answer.EMBEDDING_DISABLED
            assert result.status in (401, 403)
            history.append(Observation(clock.advance(hours=2), result.answer))
        assert verdict(history).state is LinkState.LIVE


class TestShortLinks:
    def test_a_short_link_is_resolved_to_its_canonical_form(self, double: PlatformDoubleServer) -> None:
        short = canonical_url("https://vm.tiktok.com/ZMfAkE123/")
        assert short is not None
        double.double.set_short_link(short, f"https://www.tiktok.com/@fake.user/video/{TT_ID}?_r=1&u_code=x")
        double.double.set_item(TT, ItemState.LIVE)
        result = check(double, short)
        assert (result.canonical, result.resolved_from, result.answer) == (TT, short, Answer.LIVE)
        assert run(double, lambda checker: checker.resolve(short)) == TT
        seen = [(r.method, r.host, r.path) for r in double.double.requests()]
        # The redirect to an item ends the resolution: the next request is that item's oEmbed probe.
        assert seen[:2] == [("HEAD", "vm.tiktok.com", "/ZMfAkE123"), ("GET", "www.tiktok.com", "/oembed")]

    def test_get_is_used_where_head_is_refused(self, double: PlatformDoubleServer) -> None:
        double.double.set_short_link("https://clck.ru/3FakeX", "https://t.me/fake_school_chan/123", head_refused=True)
        double.double.set_item(TG, ItemState.REMOVED)
        result = check(double, "https://clck.ru/3FakeX")
        assert (result.canonical, result.answer) == (TG, Answer.GONE)
        first = [(r.method, r.status) for r in double.double.requests() if r.host == "clck.ru"]
        assert first == [("HEAD", 405), ("GET", 301)]

    def test_a_dead_short_link_is_gone_and_a_redirect_loop_is_unknown(self, double: PlatformDoubleServer) -> None:
        assert check(double, "https://vm.tiktok.com/ZMdead404").answer is Answer.GONE
        double.double.set_short_link("https://bit.ly/loopA", "https://bit.ly/loopB")
        double.double.set_short_link("https://bit.ly/loopB", "https://bit.ly/loopA")
        assert check(double, "https://bit.ly/loopA").answer is Answer.UNKNOWN
        assert len([r for r in double.double.requests() if r.host == "bit.ly"]) <= 2 * 6


class TestSSRF:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1/admin",
            "https://127.0.0.1:8443/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://100.64.0.1/",
            "http://10.1.2.3/",
            "https://intranet.fake-school.kz/reports",
            "file:///etc/passwd",
        ],
    )
    def test_private_and_metadata_addresses_are_refused(self, double: PlatformDoubleServer, url: str) -> None:
        result = check(double, url)
        assert result.refused
        assert result.answer is Answer.UNKNOWN
        assert double.double.requests() == []  # nothing was sent anywhere

    @pytest.mark.parametrize(
        "target", ["http://169.254.169.254/latest/meta-data/", "https://rebind.fake-host.kz/x", "http://127.0.0.1:22/"]
    )
    def test_a_redirect_to_a_private_address_is_refused(self, double: PlatformDoubleServer, target: str) -> None:
        double.double.set_short_link("https://t.co/AbCdEf1234", target)
        result = check(double, "https://t.co/AbCdEf1234")
        assert result.refused
        assert [r.host for r in double.double.requests()] == ["t.co"]

    def test_private_addresses_only_with_the_explicit_setting(self, double: PlatformDoubleServer) -> None:
        result = check(double, "http://127.0.0.1/admin", allow_private_networks=True)
        assert not result.refused
        assert [r.host for r in double.double.requests()] == ["127.0.0.1"]


class TestPoliteness:
    def test_per_platform_concurrency_and_pace(self, double: PlatformDoubleServer) -> None:
        links = [f"https://vk.com/video-1_{n}" for n in range(6)]
        for link in links:
            double.double.set_item(link, ItemState.SLOW, delay_seconds=0.2)
        other = "https://ok.ru/video/1234567890"
        double.double.set_item(other, ItemState.LIVE)
        started = time.monotonic()
        results = run(double, lambda checker: checker.check_many([*links, other]), per_platform_concurrency=2)
        elapsed = time.monotonic() - started
        assert [r.answer for r in results] == [Answer.LIVE] * 7
        assert elapsed >= 0.6  # six slow answers, two at a time
        started = time.monotonic()
        run(double, lambda checker: checker.check_many(links[:3]), per_platform_interval_seconds=0.3)
        assert time.monotonic() - started >= 0.6  # three starts, 0.3 s apart

    def test_logs_carry_no_url(self, double: PlatformDoubleServer) -> None:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger("qorgau.link_checker")
        logger.addHandler(handler)
        try:
            double.double.set_item(TG, ItemState.LIVE)
            check(double, TG)
            check(double, "http://169.254.169.254/latest/meta-data/")
        finally:
            logger.removeHandler(handler)
        text = stream.getvalue()
        assert "link checked" in text
        for fragment in ("fake_school_chan", "t.me", "169.254", "http"):
            assert fragment not in text


class TestDirectConnection:
    def test_the_checked_address_is_the_one_connected_to(self, double: PlatformDoubleServer) -> None:
        # Without the double's base URL the checker connects to the address its resolver vetted, keeping the
        # name in the Host header: "pinned.fake-host.kz" has no DNS entry, so only the vetted address can answer.
        double.double.set_item(VK, ItemState.GEO_BLOCKED)
        port = double.base_url.rsplit(":", 1)[1]

        async def local(host: str) -> Sequence[str]:
            return ["127.0.0.1"] if host == "pinned.fake-host.kz" else []

        async def main() -> CheckResult:
            settings = CheckerConfig(allow_private_networks=True, per_platform_interval_seconds=0.0)
            async with LinkChecker(settings, resolver=local) as checker:
                return await checker.check(f"http://pinned.fake-host.kz:{port}/vk.com/video-123456_456239017")

        result = asyncio.run(main())
        assert (result.answer, result.status) == (Answer.GEO_RESTRICTED, 451)
        assert [(r.host, r.path) for r in double.double.requests()] == [("vk.com", "/video-123456_456239017")]


class TestAtTheTransport:
    """The bytes and headers that leave the checker, seen by a transport passed in (no network)."""

    def test_the_body_is_capped_and_the_tls_name_kept(self) -> None:
        sent: list[httpx.Request] = []
        pulled: list[int] = []

        async def body() -> AsyncIterator[bytes]:
            head = b'<div class="tgme_widget_message js-widget_message">'
            yield head
            for _ in range(80):  # 5 MiB more than anyone should read
                pulled.append(64 * 1024)
                yield b" " * (64 * 1024)

        def answer(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(200, content=body())

        async def main() -> CheckResult:
            settings = CheckerConfig(per_platform_interval_seconds=0.0)
            async with LinkChecker(settings, resolver=resolver, transport=httpx.MockTransport(answer)) as checker:
                return await checker.check(TG)

        result = asyncio.run(main())
        assert result.answer is Answer.LIVE
        assert sum(pulled) <= 256 * 1024 + 64 * 1024
        (request,) = sent
        assert request.url.host == PUBLIC_ADDRESS  # connected to the vetted address ...
        assert request.headers["Host"] == "t.me"  # ... speaking to the name, with TLS checked against it
        assert request.extensions["sni_hostname"] == "t.me"
        assert request.headers["User-Agent"] == DEFAULT_USER_AGENT


class TestControlAPI:
    def test_items_short_links_requests_and_reset_over_http(self, double: PlatformDoubleServer) -> None:
        with httpx.Client(base_url=double.base_url) as client:
            made = client.post(
                "/_double/items", json={"url": "https://www.youtube.com/shorts/AbCdEfGh1_-", "state": "removed"}
            )
            assert made.json() == {"ok": True, "key": YT}
            link = {"url": "https://vm.tiktok.com/ZMfAkE123/", "target": TT, "head_refused": True}
            assert client.post("/_double/short_links", json=link).json()["key"] == "https://vm.tiktok.com/ZMfAkE123"
            assert client.get("/www.youtube.com/oembed", params={"url": YT, "format": "json"}).status_code == 404
            assert client.head("/vm.tiktok.com/ZMfAkE123").status_code == 405
            redirect = client.get("/vm.tiktok.com/ZMfAkE123")
            assert (redirect.status_code, redirect.headers["location"]) == (301, TT)
            recorded = client.get("/_double/requests").json()["requests"]
            assert [(r["method"], r["host"], r["status"]) for r in recorded] == [
                ("GET", "www.youtube.com", 404),
                ("HEAD", "vm.tiktok.com", 405),
                ("GET", "vm.tiktok.com", 301),
            ]
            assert client.post("/_double/items", json={"url": YT, "state": "gone-ish"}).status_code == 400
            assert client.post("/_double/items", content=b"[1]").status_code == 400
            assert client.post("/_double/reset").json() == {"ok": True}
            assert client.get("/_double/requests").json()["requests"] == []
            assert client.get("/www.youtube.com/oembed", params={"url": YT}).status_code == 404  # unknown item


class TestControlFromAnotherProcess:
    def test_make_chat_marks_an_item_removed(self, double: PlatformDoubleServer) -> None:
        from devkit.platform_double.control import parse_command, set_state

        assert parse_command("/platform https://vm.tiktok.com/x/ gone") is None
        parsed = parse_command("/platform https://www.tiktok.com/@kid/video/7301234567890123456 removed")
        assert parsed is not None
        key = set_state(double.base_url, *parsed)
        assert key == "https://tiktok.com/video/7301234567890123456"
        assert check(double, key).answer is Answer.GONE

    def test_unconfigured_items_answer_live_when_the_default_is_live(self) -> None:
        with PlatformDoubleServer(default=ItemState.LIVE) as server:
            assert check(server, "https://youtube.com/watch?v=AbCdEfGh1_-").answer is Answer.LIVE
            assert server.double.items() == {"https://youtube.com/watch?v=AbCdEfGh1_-": "live"}
