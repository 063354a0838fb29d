"""Benchmark (issue 15): /export of 100,000 rows as a job.

Starts its own Firestore and Pub/Sub emulators and the Bot API double, seeds N cases over 90 days with the bulk
writer (bench/seed.py), runs the webhook in-process (as bench.oversight does) and the export target as its own
functions-framework process, as deployed (its own memory), wired by the exports push subscription. Measures the
webhook's answer to /export (median of a few small exports, then the big one), the export target's time from
that answer to the file and its worker's peak memory (VmHWM), and then the same export in-process with
Firestore's operations counted: reads and time per 1,000 rows.

    .venv/bin/python -m bench.export_job [--cases 100000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench-results" / "export_job.json"
LOGS: Final = ROOT / ".logs" / "export_job"
PROJECT: Final = "qorgau-bench-export"
TOKEN: Final = "1000001:bench-token-of-the-double"  # noqa: S105  (the double's, not a secret)
SECRET: Final = "bench-webhook-secret"  # noqa: S105  (the double's, not a secret)
ADMIN_ID: Final = 900_101
REGIONAL_ID: Final = 900_102
SMALL_REGION: Final = "11"  # a quiet region: its 7-day export is a few rows


def out(line: str = "") -> None:
    """Print one line of the report at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def files(double: Any, chat_id: int) -> list[dict[str, Any]]:
    """The documents the double accepted in a chat."""
    return [c for c in double.calls("sendDocument", chat_id=chat_id) if c["status"] == 200]


def wait_files(double: Any, chat_id: int, count: int, timeout: float) -> float:
    """Wait until the chat holds `count` files; the moment the last arrived (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while len(files(double, chat_id)) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no file {count} in chat {chat_id} within {timeout} s")
        time.sleep(0.05)
    return time.perf_counter()


def counted_build(count_rows: int) -> dict[str, Any]:
    """The same whole-country export built in this process, Firestore operations counted."""
    from bench.harness import OpCounts, instrument
    from functions import bootstrap
    from functions.adapters.firestore.exports import ExportStore
    from functions.domain.export_job import ExportJob
    from functions.domain.time import utcnow
    from functions.services.access import Access
    from functions.services.export_job import ExportRun

    counts = OpCounts()
    undo = instrument(counts)
    try:
        store = ExportStore(bootstrap.firestore_client(), utcnow)
        access = Access(bootstrap.cases(), frozenset({ADMIN_ID}))
        run = ExportRun(store, access, bootstrap.telegram(), utcnow)
        person = access.member(ADMIN_ID)
        assert person is not None
        job = ExportJob(export_id="x-bench", user_id=ADMIN_ID, chat_id=ADMIN_ID, days=90)
        counts.reset()
        started = time.perf_counter()
        built = run.build(person, job)
        seconds = time.perf_counter() - started
        ops = counts.snapshot()
    finally:
        undo()
    rows = built.rows
    return {
        "rows": rows,
        "seconds": seconds,
        "reads": ops["reads"],
        "queries": ops["queries"],
        "reads_per_1000_rows": ops["reads"] / rows * 1000 if rows else None,
        "seconds_per_1000_rows": seconds / rows * 1000 if rows else None,
        "xlsx_kib": len(built.data) / 1024,
        "expected_rows": count_rows,
    }


def main(argv: list[str] | None = None) -> int:
    """Seed, export, measure, print; exit 1 when something failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="small exports timed for the webhook's answer")
    args = parser.parse_args(argv)

    from bench.harness import Server
    from bench.oversight import webhook
    from bench.seed import seed
    from devkit.botapi_double.server import DoubleServer
    from devkit.emulators import Emulators
    from devkit.pubsub import Wiring

    emulators = Emulators(project=PROJECT, log_dir=LOGS).start()
    double = DoubleServer(enforce_limits=False, token=TOKEN).start()
    env = {
        **os.environ,
        **emulators.env(),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": double.base_url,
        "ADMIN_TELEGRAM_IDS": str(ADMIN_ID),
        "TELEGRAM_TIMEOUT_SECONDS": "120",
        "LOG_LEVEL": "WARNING",
        "EXPORTS_PER_HOUR": "100",  # the benchmark exports more often than a person may
        "THREADS": "1",
    }
    os.environ.update(env)
    results: dict[str, Any] = {"cases": args.cases}
    failures: list[str] = []
    target: Server | None = None
    try:
        from functions import bootstrap
        from functions.domain.workflow import Role, StaffMember

        logging.getLogger("qorgau").setLevel(logging.WARNING)
        bootstrap.reset()
        now = datetime.now(UTC)
        seeded = seed(bootstrap.firestore_client(), args.cases, 90, now)
        out(f"seeded {args.cases} cases over 90 days in {seeded.seconds:.0f} s ({seeded.cases_per_second:.0f}/s)")
        results["seed_s"] = seeded.seconds
        bootstrap.cases().put_staff(
            StaffMember(user_id=REGIONAL_ID, role=Role.REGIONAL, regions=(SMALL_REGION,), name="Bench"),
            invited_by=None,
        )
        target = Server("export", ROOT / "main.py", "export", env, LOGS)
        target.wait_up()
        wiring = Wiring(PROJECT, env)
        wiring.create_topics()
        wiring.subscribe("exports", "exports-push", push_endpoint=target.url)

        answers: list[float] = []
        update_id = 5000
        for n in range(args.runs):
            update_id += 1
            elapsed, status = webhook(update_id, REGIONAL_ID, "/export 7d")
            answers.append(elapsed)
            if status != 200:
                failures.append(f"small /export: HTTP {status}")
            wait_files(double, REGIONAL_ID, n + 1, timeout=120)
        update_id += 1
        big_answer, status = webhook(update_id, ADMIN_ID, "/export 90d")
        answered = time.perf_counter()
        if status != 200:
            failures.append(f"/export 90d: HTTP {status}")
        arrived = wait_files(double, ADMIN_ID, 1, timeout=1800)
        memory = target.memory()
        sent = files(double, ADMIN_ID)[0]
        size = sent["params"].get("document", {}).get("size", 0)
        edits = [c for c in double.calls("editMessageText", chat_id=ADMIN_ID) if c["status"] == 200]
        results["webhook_answer_ms"] = {
            "small_median": statistics.median(answers) * 1000,
            "small_runs": [a * 1000 for a in answers],
            "big": big_answer * 1000,
        }
        results["target"] = {
            "seconds_to_file": arrived - answered,
            "worker_peak_mib": memory["worker_peak_mib"],
            "file_kib": size / 1024,
            "progress_edits": len(edits),
            "caption": sent["params"].get("caption"),
        }
        out(
            f"webhook answer to /export: median {results['webhook_answer_ms']['small_median']:.0f} ms "
            f"(small), {big_answer * 1000:.0f} ms (the 90-day one)"
        )
        out(
            f"export target: file after {arrived - answered:.1f} s, worker peak {memory['worker_peak_mib']:.0f} MiB, "
            f"{size / 1024:.0f} KiB, {len(edits)} progress edits"
        )
        counted = counted_build(args.cases)
        results["counted"] = counted
        out(
            f"in-process: {counted['rows']} rows, {counted['reads']} reads ({counted['reads_per_1000_rows']:.0f} per "
            f"1,000 rows), {counted['seconds']:.1f} s ({counted['seconds_per_1000_rows']:.2f} s per 1,000 rows)"
        )
        results["load_average"] = os.getloadavg()[0]
    finally:
        if target is not None:
            target.stop()
        double.stop()
        emulators.stop()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    out(json.dumps(results, default=str))
    if failures:
        out("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
