"""Benchmark: the staff console's first load and its queue query over many open cases.

Starts its own Firestore and Pub/Sub emulators, the Bot API double and the console target in-process (Firestore
instrumented to count billed reads), seeds N open cases spread over the 20 regions (the default 100,000), then
measures: the bytes of the first load (every file the page fetches, raw and gzipped), the time to interactive
in headless Chromium (navigation to the first queue row drawn; skipped without chromium), and the queue API:
the first page, a page deep behind a cursor, a regional officer's page and a filtered page, each with its
Firestore reads and its time (median of the runs).

    .venv/bin/python -m bench.console [--cases 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx

from bench.harness import OpCounts, instrument

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench-results" / "bench_console.json"
PROJECT: Final = "qorgau-bench-console"
TOKEN: Final = "1000001:bench-token-of-the-double"  # noqa: S105  (the double's, not a secret)
ADMIN_ID: Final = 900_001
OFFICER_ID: Final = 900_002
FIRST_LOAD: Final = ("", "vendor/uPlot.min.css", "app.css", "vendor/uPlot.iife.min.js", "app.js", "i18n/ru.json")


def out(line: str = "") -> None:
    print(line, flush=True)


def seed(db: Any, count: int, now: datetime) -> float:
    """`count` open cases over the last 30 days (batches of 500); returns the seconds it took."""
    from bench.seed import busy_region, code_of, created_within, write_in_batches
    from functions.domain.categories import DEFAULT_SEVERITY, Category

    rng = random.Random(20261202)

    def documents() -> Iterator[tuple[str, dict[str, Any]]]:
        for n in range(count):
            created, category = created_within(rng, now, 30), rng.choice(list(Category))
            status = "new" if rng.random() < 0.6 else "in_progress"
            yield (
                code_of(n),
                {
                    "status": status,
                    "category": category.value,
                    "severity": DEFAULT_SEVERITY[category].value,
                    "region": busy_region(rng),
                    "assignee": ADMIN_ID if status == "in_progress" else None,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                },
            )

    return write_in_batches(db, documents())


def sign_in(base: str, user_id: int) -> str:
    import init_data_py

    user = json.dumps({"id": user_id, "first_name": "Bench", "language_code": "ru"})
    data = init_data_py.sign({"user": user, "query_id": f"b{time.monotonic_ns()}"}, TOKEN)
    return str(httpx.post(base + "api/session", json={"init_data": data}, timeout=30).json()["token"])


def measure(base: str, token: str, counts: OpCounts, runs: int, **params: str) -> dict[str, Any]:
    """Median time and the reads of one queue request."""
    times, reads, rows = [], [], 0
    for _ in range(runs):
        counts.reset()
        started = time.perf_counter()
        try:
            answer = httpx.get(
                base + "api/queue", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=90
            )
        except httpx.TimeoutException:  # the emulator scans every document of a query (it has no indexes)
            return {
                "ms": (time.perf_counter() - started) * 1000,
                "reads": 0,
                "rows": 0,
                "next": None,
                "status": "timeout",
            }
        times.append((time.perf_counter() - started) * 1000)
        reads.append(counts.snapshot()["reads"])
        if answer.status_code != 200:  # the emulator has no indexes: a selective filter may scan past the timeout
            return {"ms": times[-1], "reads": reads[-1], "rows": 0, "next": None, "status": answer.status_code}
        rows = len(answer.json()["cases"])
    return {"ms": statistics.median(times), "reads": max(reads), "rows": rows, "next": answer.json()["next"]}


def first_load(base: str) -> dict[str, Any]:
    """The bytes of every file the page fetches on its first load (before the API answers)."""
    raw = gz = 0
    files = {}
    for path in FIRST_LOAD:
        body = httpx.get(base + path, timeout=30).content
        files[path or "index.html"] = len(body)
        raw += len(body)
        gz += len(gzip.compress(body, 6))
    return {"files": files, "bytes": raw, "gzip_bytes": gz}


def time_to_interactive(base: str) -> dict[str, float] | None:
    """Navigation to the first queue row drawn, in headless Chromium at phone size (None without chromium)."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        return None
    import init_data_py
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        results = []
        for _ in range(3):
            user = json.dumps({"id": ADMIN_ID, "first_name": "Bench", "language_code": "ru"})
            data = init_data_py.sign({"user": user, "query_id": f"t{time.monotonic_ns()}"}, TOKEN)
            stub = json.dumps({"initData": data, "themeParams": {}, "colorScheme": "light"})
            added = driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument",
                {"source": f"window.Telegram = {{WebApp: Object.assign({stub}, {{ready() {{}}, expand() {{}}}})}};"},
            )
            driver.get(base)
            WebDriverWait(driver, 60).until(
                expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#queue article"))
            )
            results.append(
                driver.execute_script(
                    "const n = performance.getEntriesByType('navigation')[0];"
                    "return [n.domInteractive, performance.now()];"
                )
            )
            driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})
        return {
            "dom_interactive_ms": statistics.median(r[0] for r in results),
            "first_queue_row_ms": statistics.median(r[1] for r in results),
        }
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.WARNING)
    from devkit.botapi_double.server import DoubleServer
    from devkit.emulators import Emulators
    from devkit.inprocess import FunctionsServer

    emulators = Emulators(project=PROJECT, log_dir=ROOT / ".logs").start()
    double = DoubleServer(token=TOKEN).start()
    functions = None
    try:
        os.environ.update(emulators.env())
        os.environ.update(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": double.base_url, "ADMIN_TELEGRAM_IDS": str(ADMIN_ID)}
        )
        from functions import bootstrap
        from functions.domain.workflow import Role, StaffMember

        bootstrap.reset()
        functions = FunctionsServer(targets=("console",), quiet=True).start()
        base = functions.target_url("console") + "/"
        from functions.errors import TransientError

        for attempt in range(10):  # a fresh emulator's first writes can take long on a busy machine
            try:
                officer_record = StaffMember(user_id=OFFICER_ID, role=Role.REGIONAL, regions=("75",))
                bootstrap.cases().put_staff(officer_record, invited_by=None)
                break
            except TransientError:
                if attempt == 9:
                    raise
                time.sleep(3)
        now = datetime.now(UTC)
        out(f"seeding {args.cases:,} open cases…")
        seeded = seed(bootstrap.firestore_client(), args.cases, now)
        out(f"  seeded in {seeded:.0f} s")
        counts = OpCounts()
        undo = instrument(counts)
        results: dict[str, Any] = {"cases": args.cases, "first_load": first_load(base)}
        try:
            admin, officer = sign_in(base, ADMIN_ID), sign_in(base, OFFICER_ID)
            queue: dict[str, Any] = {"first page (admin)": measure(base, admin, counts, args.runs)}
            cursor = queue["first page (admin)"]["next"]
            for _ in range(9):  # walk to page 10
                cursor = measure(base, admin, counts, 1, cursor=cursor)["next"] if cursor else None
            if cursor:
                queue["page 11 (admin, cursor)"] = measure(base, admin, counts, args.runs, cursor=cursor)
            queue["first page (regional 75)"] = measure(base, officer, counts, args.runs)
            queue["filtered: region 71, unassigned, < 24 h"] = measure(
                base, admin, counts, args.runs, region="71", owner="unassigned", age="lt24h"
            )
            queue["filtered: category bullying"] = measure(base, admin, counts, args.runs, category="bullying")
            results["queue"] = queue
        finally:
            undo()
        results["time_to_interactive"] = time_to_interactive(base)
    finally:
        if functions is not None:
            functions.stop()
        double.stop()
        emulators.stop()
    load = results["first_load"]
    out(f"first load: {load['bytes']:,} bytes ({load['gzip_bytes']:,} gzipped) in {len(load['files'])} files")
    for name, size in load["files"].items():
        out(f"  {name:<28} {size:>8,}")
    tti = results["time_to_interactive"]
    out(
        "time to interactive: "
        + (
            f"DOM {tti['dom_interactive_ms']:.0f} ms, first queue row {tti['first_queue_row_ms']:.0f} ms"
            if tti
            else "skipped (no chromium)"
        )
    )
    out(f"queue over {args.cases:,} open cases (median of {args.runs}):")
    for name, figures in results["queue"].items():
        failed = f"  (HTTP {figures['status']})" if figures.get("status") else ""
        out(f"  {name:<42} {figures['ms']:>7.0f} ms  {figures['reads']:>4} reads  {figures['rows']:>3} rows{failed}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
