"""Benchmark: the link checker against the platform double, Firestore operations per check, the daily cost.

1. Checks per minute one checker instance sustains against the platform double (real HTTP on this machine),
   with its peak memory: unpaced (the checker's own ceiling) and with the production pace (1 s between request
   starts per platform, 2 in flight per platform).
2. Firestore reads and writes per check: tick's LinkChecks on the Firestore emulator (the production store and
   use case; Pub/Sub left out), over links due in batches of LINK_CHECK_BATCH, counted at the gRPC client.
3. What checking 10,000 open links a day costs: the schedule's checks per link and day, times the measured
   operations, at Firestore's list prices, plus the tick instance's CPU time for the checks.

    .venv/bin/python -m bench.takedown [--links 600] [--seed-links 200]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from bench.harness import OpCounts, instrument
from devkit.emulators import Emulators
from devkit.platform_double import ItemState, PlatformDoubleServer
from functions.adapters.link_checker import CheckerConfig, LinkChecker, blocking_probe
from functions.domain.liveness import CHECK_AFTER_CLOSE, DAILY, FIRST_CHECK_DELAY, SCHEDULE_AFTER_INTAKE

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench-results" / "bench_takedown.json"
PROJECT: Final = "qorgau-bench-takedown"
PUBLIC: Final = "142.250.74.46"
STATES: Final = (ItemState.LIVE,) * 7 + (ItemState.REMOVED, ItemState.PRIVATE, ItemState.FLAKY)
# Firestore list prices, USD per 100,000 operations (cloud.google.com/firestore/pricing, Standard edition,
# multi-region nam5/eur3; a single region costs about half), and Cloud Run functions (gen2) CPU and memory per
# second (cloud.google.com/run/pricing, tier 1, instance-based billing within a request).
READ_PRICE: Final = 0.06
WRITE_PRICE: Final = 0.18
VCPU_SECOND: Final = 0.000024
GIB_SECOND: Final = 0.0000025


def links(count: int) -> list[str]:
    """Item links across six platforms (made-up ids)."""
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
    return [PUBLIC]


def check_all(base_url: str, urls: list[str], interval: float, concurrency: int) -> Counter[str]:
    """Check every link once with one checker (the production adapter) against the double; the answers."""
    config = CheckerConfig(
        api_base_url=base_url, per_platform_interval_seconds=interval, per_platform_concurrency=concurrency
    )

    async def run() -> Counter[str]:
        async with LinkChecker(config, resolver=_resolver) as checker:
            results = await checker.check_many(urls)
        return Counter(result.answer.value for result in results)

    return asyncio.run(run())


def throughput(server: PlatformDoubleServer, urls: list[str], interval: float, concurrency: int) -> dict[str, Any]:
    """Check every link once with one checker; checks per minute and answers."""
    started = time.perf_counter()
    cpu = time.process_time()
    answers = check_all(server.base_url, urls, interval, concurrency)
    elapsed = time.perf_counter() - started
    return {
        "links": len(urls),
        "seconds": round(elapsed, 2),
        "checks_per_minute": round(len(urls) / elapsed * 60),
        "cpu_ms_per_check": round((time.process_time() - cpu) / len(urls) * 1000, 2),
        "per_platform_interval_s": interval,
        "per_platform_concurrency": concurrency,
        "answers": dict(answers),
    }


def firestore_per_check(server: PlatformDoubleServer, count: int) -> dict[str, Any]:
    """Tick's checker run on the emulator: reads and writes per check over `count` links (one per case)."""
    from google.cloud import firestore

    from functions.adapters.firestore.takedowns import TakedownStore
    from functions.domain.case import Case
    from functions.domain.takedown import new_record
    from functions.services.link_checks import LinkChecks

    class NoEvents:
        def publish(self, topic: str, message: Any, **attributes: str) -> str:
            return "0"

    intake = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    client = firestore.Client(project=PROJECT)
    moment = [intake + FIRST_CHECK_DELAY + timedelta(seconds=1)]
    store = TakedownStore(client, lambda: moment[0])
    batch = client.batch()
    for n, url in enumerate(links(count)):
        code = f"RB{n:05d}"
        case = Case(code=code, urls=[url], region="71", category="violence", created_at=intake, updated_at=intake)
        batch.set(client.collection("reports").document(code), case.to_document())
        if n % 200 == 199:
            batch.commit()
            batch = client.batch()
    batch.commit()
    for n, url in enumerate(links(count)):
        store.track([new_record(f"RB{n:05d}", url, intake, "71", "violence")])
    config = CheckerConfig(api_base_url=server.base_url, per_platform_interval_seconds=0.0, per_platform_concurrency=8)
    probe = blocking_probe(config, resolver=_resolver)
    checks = LinkChecks(store, probe, lambda a, b: False, NoEvents(), "reports", lambda: moment[0], batch=40)
    counts = OpCounts()
    undo = instrument(counts)
    checked = 0
    try:
        for step in (timedelta(0), SCHEDULE_AFTER_INTAKE[0], SCHEDULE_AFTER_INTAKE[1], DAILY, 2 * DAILY):
            moment[0] = intake + step + FIRST_CHECK_DELAY + timedelta(seconds=1)
            while True:
                done = checks.run()["links_checked"]
                checked += done
                if not done:
                    break
    finally:
        undo()
    spent = counts.snapshot()
    return {
        "checks": checked,
        "reads_per_check": round(spent["reads"] / checked, 2),
        "writes_per_check": round(spent["writes"] / checked, 2),
        "queries": spent["queries"],
        "firestore_ms_per_check": round(spent["firestore_ms"] / checked, 1),
    }


def checks_per_link_day(open_days: int = 30) -> float:
    """Average checks per link and day over a link's life: the first day's steps, then daily (a case open for
    open_days, then the 90 days after close), for a link that stays up (the worst case)."""
    life = timedelta(days=open_days) + CHECK_AFTER_CLOSE
    first_day = 1 + len(SCHEDULE_AFTER_INTAKE)  # soon after intake, +1 h, +6 h
    total = first_day + (life - DAILY) / DAILY
    return round(total / (life / DAILY), 3)


def cost(per_check: dict[str, Any], speed: dict[str, Any], open_links: int = 10_000) -> dict[str, Any]:
    """USD per day and per month of checking `open_links` links."""
    daily_checks = open_links * checks_per_link_day()
    reads = daily_checks * per_check["reads_per_check"]
    writes = daily_checks * per_check["writes_per_check"]
    firestore_usd = reads / 100_000 * READ_PRICE + writes / 100_000 * WRITE_PRICE
    cpu_seconds = daily_checks * speed["cpu_ms_per_check"] / 1000
    compute_usd = cpu_seconds * (VCPU_SECOND + 0.5 * GIB_SECOND)  # tick: 1 vCPU, 512 MiB while it checks
    return {
        "open_links": open_links,
        "checks_per_link_day": checks_per_link_day(),
        "checks_per_day": round(daily_checks),
        "reads_per_day": round(reads),
        "writes_per_day": round(writes),
        "firestore_usd_per_day": round(firestore_usd, 3),
        "compute_usd_per_day": round(compute_usd, 4),
        "usd_per_month": round((firestore_usd + compute_usd) * 30, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print (and store) one JSON document."""
    parser = argparse.ArgumentParser(prog="python -m bench.takedown", description=__doc__)
    parser.add_argument("--links", type=int, default=600, help="links for the throughput runs")
    parser.add_argument("--seed-links", type=int, default=200, help="links (one per case) for the Firestore run")
    args = parser.parse_args(argv)
    logging.getLogger("qorgau").setLevel(logging.WARNING)  # one line per check otherwise
    urls = links(args.links)
    emulators = Emulators(project=PROJECT, log_dir=ROOT / ".logs").start()
    try:
        import os

        os.environ.update(emulators.env())
        with PlatformDoubleServer() as server:
            for n, url in enumerate(urls):
                server.double.set_item(url, STATES[n % len(STATES)])
            unpaced = throughput(server, urls, 0.0, 8)
            paced = throughput(server, urls[:120], 1.0, 2)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            per_check = firestore_per_check(server, args.seed_links)
    finally:
        emulators.stop()
    report = {
        "unpaced": unpaced,
        "production_pace": paced,
        "peak_rss_mib_checker_and_double": round(peak, 1),
        "firestore": per_check,
        "cost": cost(per_check, unpaced),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
