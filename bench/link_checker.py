"""Checks per minute one link checker sustains against the platform double, and its memory.

python -m bench.link_checker --links 2000 [--interval 0] [--concurrency 8]

The double runs in this process on its own threads; the checker is the production adapter with the double's
base URL. With the polite defaults (1 s between request starts per platform) the rate is bounded by the pace,
not by the checker: run once with --interval 0 for the checker's own ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import time
from collections import Counter
from collections.abc import Sequence

from devkit.platform_double import ItemState, PlatformDoubleServer
from functions.adapters.link_checker import CheckerConfig, LinkChecker

_PUBLIC = "142.250.74.46"
_STATES = (ItemState.LIVE,) * 7 + (ItemState.REMOVED, ItemState.PRIVATE, ItemState.FLAKY)


def _links(count: int) -> list[str]:
    shapes = (
        "https://youtube.com/watch?v=Bench{n:06d}",
        "https://tiktok.com/video/7300000000{n:09d}",
        "https://t.me/bench_channel/{n}",
        "https://vk.com/video-1_{n}",
        "https://x.com/i/status/17000000{n:011d}",
        "https://vimeo.com/9{n:08d}",
    )
    return [shapes[n % len(shapes)].format(n=n) for n in range(count)]


async def _resolver(host: str) -> Sequence[str]:
    return [_PUBLIC]


async def _run(base_url: str, links: list[str], interval: float, concurrency: int) -> Counter[str]:
    settings = CheckerConfig(
        api_base_url=base_url, per_platform_interval_seconds=interval, per_platform_concurrency=concurrency
    )
    async with LinkChecker(settings, resolver=_resolver) as checker:
        results = await checker.check_many(links)
    return Counter(result.answer.value for result in results)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.link_checker", description=__doc__)
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between starts per platform")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per platform")
    args = parser.parse_args(argv)
    logging.getLogger("qorgau.link_checker").setLevel(logging.WARNING)  # one line per check otherwise
    links = _links(args.links)
    with PlatformDoubleServer() as server:
        for n, link in enumerate(links):
            server.double.set_item(link, _STATES[n % len(_STATES)])
        started = time.perf_counter()
        answers = asyncio.run(_run(server.base_url, links, args.interval, args.concurrency))
        elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "links": len(links),
        "seconds": round(elapsed, 2),
        "checks_per_minute": round(len(links) / elapsed * 60),
        "peak_rss_mib_with_double": round(peak_mib, 1),
        "per_platform_interval_s": args.interval,
        "per_platform_concurrency": args.concurrency,
        "answers": dict(answers),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
