"""One liveness check of one link over HTTP (httpx): SSRF guard on every hop, capped bodies, polite per platform.

Nothing of the URL is logged (only its content key, platform and the answer) and nothing of a body is kept: at
most ``max_body_bytes`` are read to find the markers, then dropped. Every hop, the first one and each redirect,
is resolved and refused unless all of its addresses are public (no loopback, private, link-local and metadata,
CGNAT, multicast, reserved, nor their IPv4-mapped, NAT64 and 6to4 IPv6 forms); the connection then goes to the
checked address itself (Host header and TLS server name kept), so a second DNS answer cannot swap it.

``api_base_url`` (PLATFORM_API_BASE_URL) sends every request to ``{base}/{host}{path}?{query}`` instead of the
platform: that is how tests and ``make run`` reach the platform double, by configuration alone. The guard still
applies to the link's own host, so a link to 127.0.0.1 stays refused with the double configured;
``allow_private_networks`` (LINK_CHECK_ALLOW_PRIVATE_NETWORKS) lifts it for local experiments only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from functions.domain.liveness import MAX_BODY_BYTES, Answer, ProbeKind, interpret, probe_for
from functions.domain.urls import canonical_url, content_key_for_url, needs_resolving, platform_of
from functions.log import get_logger

log = get_logger("link_checker")

DEFAULT_USER_AGENT: Final = (
    "QorgauLinkChecker/1.0 (child-protection report checks: reads status and metadata only, never content)"
)
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_HEAD_REFUSED: Final = frozenset({400, 403, 404, 405, 501})
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str], Awaitable[Sequence[str]]]


@dataclass(frozen=True, slots=True)
class CheckerConfig:
    """How the checker talks to the platforms (read from the environment by the composition root)."""

    user_agent: str = DEFAULT_USER_AGENT
    api_base_url: str = ""
    allow_private_networks: bool = False
    max_redirects: int = 5
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 10.0
    max_body_bytes: int = MAX_BODY_BYTES
    per_platform_concurrency: int = 2
    per_platform_interval_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check found. ``canonical`` is the link checked: a short link's target once resolved."""

    canonical: str
    answer: Answer
    status: int | None = None
    resolved_from: str | None = None
    refused: bool = False  # the SSRF guard refused a hop: never counts, never retried sooner
    elapsed_ms: int = 0


class RefusedAddress(Exception):
    """A hop's host resolves to an address the checker must not reach."""


class _TooManyRedirects(Exception):
    """More redirects than the limit."""


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    body: bytes
    url: str  # the logical URL that answered (after redirects)


async def system_resolver(host: str) -> Sequence[str]:
    """Every address the system resolver gives for a host."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def static_resolver(address: str) -> Resolver:
    """A resolver answering one address for every name: ``make run`` without DNS (LINK_CHECK_STATIC_ADDRESS).

    Only names are answered so; a link to an address literal is still vetted as it is.
    """

    async def resolve(host: str) -> Sequence[str]:
        return [address]

    return resolve


def blocking_probe(config: CheckerConfig, resolver: Resolver | None = None) -> Callable[[list[str]], list[CheckResult]]:
    """Check links from synchronous code (tick): one event loop, one pool and its gates per call."""

    def probe(canonicals: list[str]) -> list[CheckResult]:
        async def run() -> list[CheckResult]:
            async with LinkChecker(config, resolver=resolver) as checker:
                return await checker.check_many(canonicals)

        return asyncio.run(run())

    return probe


def is_public_address(text: str) -> bool:
    """True for a globally routable unicast address, also through the IPv6 forms that embed an IPv4 one."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo and address.teredo[1])
        if address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded:
            return is_public_address(str(embedded))
    return address.is_global and not address.is_multicast and not address.is_reserved


class _Gate:
    """Per-platform concurrency limit and a polite minimum interval between request starts."""

    def __init__(self, concurrency: int, interval: float, clock: Callable[[], float]) -> None:
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._lock = asyncio.Lock()
        self._interval = interval
        self._clock = clock
        self._next_start = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            async with self._lock:
                wait = self._next_start - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = max(self._clock(), self._next_start) + self._interval
            yield


class LinkChecker:
    """Checks links; one instance per event loop (it keeps a connection pool and the per-platform gates).

    A scheduled run does ``asyncio.run(...)`` around ``async with LinkChecker(config) as checker:
    await checker.check_many(links)``; the pool, the gates and their pace live as long as that run.
    """

    def __init__(
        self,
        config: CheckerConfig,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._resolver = resolver or system_resolver
        self._clock = clock
        self._gates: dict[str, _Gate] = {}
        timeout = httpx.Timeout(
            config.read_timeout_seconds, connect=config.connect_timeout_seconds, pool=config.read_timeout_seconds
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
            trust_env=False,
            headers={"User-Agent": config.user_agent, "Accept": "application/json, text/html;q=0.9, */*;q=0.5"},
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> LinkChecker:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def check_many(self, canonicals: Iterable[str]) -> list[CheckResult]:
        """Check several links concurrently (each platform's limit and pace still hold), results in order."""
        return list(await asyncio.gather(*(self.check(canonical) for canonical in canonicals)))

    async def check(self, canonical: str) -> CheckResult:
        """Check one canonical link: resolve it first when it is a short link, then ask its platform.

        Args:
            canonical: a link as ``canonical_url`` gives it.

        Returns:
            The answer; 429/5xx/timeouts/network errors and refused addresses are ``Answer.UNKNOWN``.
        """
        started = self._clock()
        result = await self._check(canonical)
        elapsed = int((self._clock() - started) * 1000)
        result = CheckResult(
            result.canonical, result.answer, result.status, result.resolved_from, result.refused, elapsed
        )
        log.info(
            "link checked",
            extra={
                "content_key": content_key_for_url(result.canonical),
                "platform": platform_of(result.canonical),
                "answer": result.answer.value,
                "status": result.status,
                "refused": result.refused,
                "resolved": result.resolved_from is not None,
                "elapsed_ms": elapsed,
            },
        )
        return result

    async def resolve(self, short: str) -> str | None:
        """The canonical form a short link or wrapper leads to (HEAD, then GET where HEAD is refused), or None.

        Raises:
            RefusedAddress: a hop led to an address the checker must not reach.
        """
        reply = await self._resolve(short)
        return _target_of(short, reply)

    async def _check(self, canonical: str) -> CheckResult:
        resolved_from: str | None = None
        try:
            if needs_resolving(canonical):
                reply = await self._resolve(canonical)
                if reply is None:
                    return CheckResult(canonical, Answer.UNKNOWN)
                target = _target_of(canonical, reply)
                if target is None:
                    answer = interpret(probe_for(canonical).rule, reply.status)
                    # A short link that leads nowhere is gone; one that ends on a non-item page says nothing.
                    return CheckResult(canonical, answer if answer is Answer.GONE else Answer.UNKNOWN, reply.status)
                resolved_from, canonical = canonical, target
            probe = probe_for(canonical)
            if probe.rule.kind is ProbeKind.NONE:
                return CheckResult(canonical, Answer.UNKNOWN, resolved_from=resolved_from)
            reply = await self._fetch("GET", probe.url, probe.platform, read_body=True)
        except RefusedAddress:
            return CheckResult(canonical, Answer.UNKNOWN, resolved_from=resolved_from, refused=True)
        except (httpx.HTTPError, _TooManyRedirects, OSError, UnicodeError, ValueError):
            return CheckResult(canonical, Answer.UNKNOWN, resolved_from=resolved_from)
        answer = interpret(probe.rule, reply.status, reply.body)
        if probe.rule.kind is ProbeKind.PAGE and answer is Answer.LIVE and _item_of(reply.url) != canonical:
            answer = Answer.UNKNOWN  # an item page that moved to a login wall or home page proves nothing
        return CheckResult(canonical, answer, reply.status, resolved_from)

    async def _resolve(self, short: str) -> _Reply | None:
        platform = platform_of(short) or "short_links"
        try:
            reply = await self._fetch("HEAD", short, platform, read_body=False, stop_at_item=True)
            if reply.status in _HEAD_REFUSED:
                reply = await self._fetch("GET", short, platform, read_body=False, stop_at_item=True)
        except (httpx.HTTPError, _TooManyRedirects, OSError, UnicodeError, ValueError):
            return None
        return reply

    async def _fetch(
        self, method: str, url: str, platform: str | None, *, read_body: bool, stop_at_item: bool = False
    ) -> _Reply:
        """One request with its redirects (each hop guarded); stop_at_item ends at a redirect to a platform item."""
        for _ in range(self._config.max_redirects + 1):
            split = urlsplit(url)
            if split.scheme not in ("http", "https") or not split.hostname:
                raise RefusedAddress("scheme")
            address = await self._checked_address(split.hostname)
            request = self._request(method, split, address)
            async with self._gate(platform).slot():
                response = await self._client.send(request, stream=True)
                try:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        url = urljoin(url, location)
                        item = _item_of(url) if stop_at_item else None
                        if item is not None and platform_of(item) is not None:
                            return _Reply(response.status_code, b"", url)  # its probe is the next request
                        continue
                    body = await self._read_capped(response) if read_body and method != "HEAD" else b""
                    return _Reply(response.status_code, body, url)
                finally:
                    await response.aclose()
        raise _TooManyRedirects

    async def _checked_address(self, host: str) -> str:
        host = host.rstrip(".")
        try:
            addresses: Sequence[str] = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = await self._resolver(host)
        if not addresses:
            raise OSError("no address")
        if not self._config.allow_private_networks and not all(is_public_address(a) for a in addresses):
            raise RefusedAddress("address")
        return addresses[0]

    def _request(self, method: str, parts: SplitResult, address: str) -> httpx.Request:
        host = parts.hostname or ""
        host_header = parts.netloc.rpartition("@")[2]
        if self._config.api_base_url:
            base = self._config.api_base_url.rstrip("/")
            target = f"{base}/{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
            return self._client.build_request(method, target)
        literal = f"[{address}]" if ":" in address else address
        netloc = literal + (f":{parts.port}" if parts.port else "")
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return self._client.build_request(method, target, headers={"Host": host_header}, extensions=extensions)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self._config.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk[: cap - size])
            size += len(chunks[-1])
            if size >= cap:
                break
        return b"".join(chunks)

    def _gate(self, platform: str | None) -> _Gate:
        key = platform or "other"
        gate = self._gates.get(key)
        if gate is None:
            gate = _Gate(self._config.per_platform_concurrency, self._config.per_platform_interval_seconds, self._clock)
            self._gates[key] = gate
        return gate


def _target_of(short: str, reply: _Reply | None) -> str | None:
    """Where a short link led: the canonical item of the last hop, whatever that hop answered (checked next)."""
    if reply is None or (reply.url == short and not 200 <= reply.status < 300):
        return None
    return _item_of(reply.url)


def _item_of(url: str) -> str | None:
    canonical = canonical_url(url)
    if canonical is None or needs_resolving(canonical):
        return None
    return canonical
