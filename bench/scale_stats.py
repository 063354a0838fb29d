"""Benchmark (issue 15): /stats from roll-ups at a million cases.

Starts its own Firestore emulator, computes the roll-ups of N generated cases over D days (the rebuild's rules,
functions.domain.rollups) and writes them with a bulk writer, then reads the statistics of 90 days, 400 days
and one region as /stats does (functions.services.rollups.period_figures): documents read and time, median of
--runs. The cases themselves are not written here (/stats never reads them); the exactness of roll-ups against
a recount of written cases is tests/integration/test_rollups.py.

    .venv/bin/python -m bench.scale_stats [--cases 1000000] [--days 400] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench-results" / "scale_stats.json"
PROJECT: Final = "qorgau-bench-scale"
QUERIES: Final[tuple[tuple[str, int, tuple[str, ...] | None, bool], ...]] = (
    ("/stats 90d (admin, whole country)", 90, None, True),
    ("/stats 400d (admin, whole country)", 400, None, True),
    ("/stats 400d 71 (one region)", 400, ("71",), True),
    ("/stats 90d (officer of 71 and 75)", 90, ("71", "75"), False),
)


def out(line: str = "") -> None:
    """Print one line of the report at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def measure(db: Any, now: datetime, runs: int) -> list[dict[str, Any]]:
    """Each query's documents read, cases counted and time (median of runs)."""
    from functions.adapters.firestore.rollups import RollupStore
    from functions.services.rollups import period_figures

    store = RollupStore(db, lambda: now)
    rows = []
    for name, days, regions, restricted in QUERIES:
        times, figures = [], None
        for _ in range(runs):
            started = time.perf_counter()
            figures = period_figures(store, now, days, regions, restricted)
            times.append(time.perf_counter() - started)
        assert figures is not None
        rows.append(
            {
                "query": name,
                "documents_read": figures.reads,
                "cases_counted": figures.stats.total,
                "median_s": statistics.median(times),
                "times_s": times,
            }
        )
        out(f"{name}: {figures.reads} documents, {figures.stats.total} cases, {statistics.median(times):.3f} s")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Seed the roll-ups, measure the reads, print and keep the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from devkit.emulators import Emulators

    stack = Emulators(project=PROJECT, log_dir=ROOT / ".logs" / "scale_stats").start()
    try:
        os.environ.update(stack.env())
        from google.cloud import firestore

        from bench.seed import put_rollups, rollups_of

        db = firestore.Client(project=PROJECT)
        now = datetime.now(UTC)
        started = time.perf_counter()
        rollups = rollups_of(args.cases, args.days, now)
        computed = time.perf_counter() - started
        out(f"roll-ups of {args.cases} cases over {args.days} days: {len(rollups)} documents, {computed:.0f} s")
        started = time.perf_counter()
        put_rollups(db, rollups)
        written = time.perf_counter() - started
        fields = sum(len(f) for f in rollups.values())
        out(f"written in {written:.0f} s ({fields} counters)")
        figures = {
            "cases": args.cases,
            "days": args.days,
            "rollup_documents": len(rollups),
            "counters": fields,
            "compute_s": computed,
            "write_s": written,
            "queries": measure(db, now, args.runs),
            "load_average": os.getloadavg()[0],
        }
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(figures, indent=2))
        out(json.dumps(figures))
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
