"""Checks per minute one link checker sustains against the platform double, and its memory.

python -m bench.link_checker --links 2000 [--interval 0] [--concurrency 8]

The double runs in this process on its own threads; the checker is the production adapter with the double's
base URL. With the polite defaults (1 s between request starts per platform) the rate is bounded by the pace,
not by the checker: run once with --interval 0 for the checker's own ceiling.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import time

from bench.takedown import STATES, check_all, links
from devkit.platform_double import PlatformDoubleServer


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.link_checker", description=__doc__)
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between starts per platform")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per platform")
    args = parser.parse_args(argv)
    logging.getLogger("qorgau.link_checker").setLevel(logging.WARNING)  # one line per check otherwise
    urls = links(args.links)
    with PlatformDoubleServer() as server:
        for n, link in enumerate(urls):
            server.double.set_item(link, STATES[n % len(STATES)])
        started = time.perf_counter()
        answers = check_all(server.base_url, urls, args.interval, args.concurrency)
        elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "links": len(urls),
        "seconds": round(elapsed, 2),
        "checks_per_minute": round(len(urls) / elapsed * 60),
        "peak_rss_mib_with_double": round(peak_mib, 1),
        "per_platform_interval_s": args.interval,
        "per_platform_concurrency": args.concurrency,
        "answers": dict(answers),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
