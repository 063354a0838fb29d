"""Benchmark: /stats over 10,000 cases, and proof that no other request loads the heavy libraries.

Starts its own Firestore and Pub/Sub emulators and the Bot API double, seeds N cases spread over 90 days, the
20 regions and the 8 categories, then sends /stats through the real webhook target (roll-ups, statistics, the
chart, the upload to the Bot API) and prints how long each took (/export is the export target's job since
issue 15: bench.export_job); the spreadsheet's share is measured in the breakdown. A fresh
interpreter then imports main and handles ordinary updates, and must not have loaded matplotlib, openpyxl,
numpy or PIL; another measures what the first /stats of an instance pays to import them.

    .venv/bin/python -m bench.oversight [--cases 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from devkit.botapi_double.server import DoubleServer
from devkit.emulators import Emulators
from functions.domain.workflow import Role, StaffMember

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench-results" / "bench_oversight.json"
PROJECT: Final = "qorgau-bench-oversight"
TOKEN: Final = "1000001:bench-token-of-the-double"  # noqa: S105  (the double's, not a secret)
SECRET: Final = "bench-webhook-secret"  # noqa: S105  (the double's, not a secret)
ADMIN_ID: Final = 900_001
REGIONAL_ID: Final = 900_002
HEAVY: Final = ("matplotlib", "openpyxl", "numpy", "PIL")

ISOLATION: Final = """
import json, sys, time
started = time.perf_counter()
import main
imported = time.perf_counter() - started
import flask
from functions.webhook import telegram_webhook
app = flask.Flask("isolation")
def post(update_id, user, text):
    update = {"update_id": update_id, "message": {"message_id": update_id, "date": 0,
              "chat": {"id": user, "type": "private"}, "from": {"id": user, "is_bot": False, "first_name": "A"},
              "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
              if text.startswith("/") else []}}
    with app.test_request_context("/", method="POST", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "%(secret)s"}):
        return telegram_webhook(flask.request).status_code
codes = [post(1, 5, "/help"), post(2, 5, "hello"), post(3, %(admin)d, "/queue"), post(4, %(admin)d, "/case R2222222")]
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%(heavy)r))
print(json.dumps({"import_main_s": imported, "statuses": codes, "heavy": heavy}))
"""

HEAVY_IMPORT: Final = """
import json, os, tempfile, time
os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib"))
started = time.perf_counter()
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
middle = time.perf_counter()
import openpyxl
done = time.perf_counter()
print(json.dumps({"matplotlib_s": middle - started, "openpyxl_s": done - middle}))
"""


def out(line: str = "") -> None:
    """Print one line of the report at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def seed(db: Any, count: int, now: datetime) -> float:
    """Store `count` cases over the last 90 days (batches of 500); returns the seconds it took."""
    from bench.seed import busy_region, code_of, created_within, write_in_batches
    from functions.domain.categories import DEFAULT_SEVERITY, Category

    rng = random.Random(20260310)

    def documents() -> Iterator[tuple[str, dict[str, Any]]]:
        for n in range(count):
            created, category = created_within(rng, now, 90), rng.choice(list(Category))
            roll = rng.random()
            status = (
                "resolved" if roll < 0.55 else "rejected" if roll < 0.65 else "in_progress" if roll < 0.85 else "new"
            )
            taken = created + timedelta(minutes=rng.uniform(5, 600)) if status != "new" else None
            closed = (
                (taken or created) + timedelta(hours=rng.uniform(1, 120))
                if status in ("resolved", "rejected")
                else None
            )
            closed = min(closed, now) if closed else None
            yield (
                code_of(n),
                {
                    "status": status,
                    "category": category.value,
                    "severity": DEFAULT_SEVERITY[category].value,
                    "region": busy_region(rng),
                    "urls": [f"https://t.me/chan/{n}"],
                    "media": [],
                    "reporter_count": 1 + int(rng.random() < 0.2),
                    "source": "private",
                    "assignee": ADMIN_ID if taken else None,
                    "child_in_danger": False,
                    "description": None,
                    "created_at": created,
                    "updated_at": closed or taken or created,
                    "taken_at": taken,
                    "closed_at": closed,
                    "outcome": ("content_removed" if status == "resolved" else "not_relevant") if closed else None,
                    "version": 1,
                },
            )

    return write_in_batches(db, documents())


def webhook(update_id: int, user_id: int, text: str) -> tuple[float, int]:
    """Send one command through the telegram_webhook target in-process; (seconds, HTTP status)."""
    import flask

    from functions.webhook import telegram_webhook

    update = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Bench"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}],
        },
    }
    app = flask.Flask("bench")
    started = time.perf_counter()
    with app.test_request_context("/", method="POST", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}):
        status = telegram_webhook(flask.request).status_code
    return time.perf_counter() - started, status


def breakdown(days: int, regions: tuple[str, ...] | None) -> dict[str, float]:
    """Where the time of /stats and /export goes: the Firestore read, the statistics, the chart, the XLSX."""
    from functions import bootstrap
    from functions.domain.statistics import EXPORT_FIELDS, FACT_FIELDS, compute, facts_of
    from functions.services import charts, export

    store = bootstrap.oversight_store()
    until = datetime.now(UTC)
    since = until - timedelta(days=days)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    rows = store.cases_created(since, until, regions, FACT_FIELDS)
    timings["read_facts_s"] = time.perf_counter() - started
    started = time.perf_counter()
    stats = compute([f for f in (facts_of(r) for r in rows) if f is not None], since, until, regions)
    timings["compute_s"] = time.perf_counter() - started
    started = time.perf_counter()
    png = charts.render(stats, "ru", "bench")
    timings["chart_s"] = time.perf_counter() - started
    timings["chart_kb"] = len(png) / 1024
    started = time.perf_counter()
    full = store.cases_created(since, until, regions, EXPORT_FIELDS)
    timings["read_export_s"] = time.perf_counter() - started
    started = time.perf_counter()
    data = export.workbook(full, stats, "ru", "bench", None)
    timings["xlsx_s"] = time.perf_counter() - started
    timings["xlsx_kb"] = len(data) / 1024
    timings["rows"] = len(rows)
    return timings


def subprocess_json(script: str, env: dict[str, str]) -> dict[str, Any]:
    """Run a script in a fresh interpreter and read the JSON line it prints."""
    result = subprocess.run(
        [sys.executable, "-c", script], check=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def main(argv: list[str] | None = None) -> int:
    """Seed, measure, print; exit 1 when a command failed or a heavy library leaked into another request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    emulators = Emulators(project=PROJECT, log_dir=ROOT / ".logs").start()
    double = DoubleServer(enforce_limits=False, token=TOKEN).start()
    env = {
        **os.environ,
        **emulators.env(),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": double.base_url,
        "ADMIN_TELEGRAM_IDS": str(ADMIN_ID),
        "TELEGRAM_TIMEOUT_SECONDS": "60",
        "LOG_LEVEL": "WARNING",
        "EXPORTS_PER_HOUR": "100",  # the benchmark exports more often than a person may
    }
    os.environ.update(env)
    failures: list[str] = []
    results: dict[str, Any] = {"cases": args.cases}
    try:
        out(f"bench_oversight: {args.cases} cases, {args.runs} runs per command (Firestore emulator, Bot API double)")
        isolation = subprocess_json(ISOLATION % {"secret": SECRET, "admin": ADMIN_ID, "heavy": HEAVY}, env)
        out(
            f"  import isolation: import main {isolation['import_main_s'] * 1000:.0f} ms; after /help, text, "
            f"/queue, /case: heavy modules loaded = {isolation['heavy'] or 'none'}"
        )
        if isolation["heavy"] or any(status != 200 for status in isolation["statuses"]):
            failures.append(f"isolation: {isolation}")
        results["isolation"] = isolation
        heavy = subprocess_json(HEAVY_IMPORT, env)
        out(
            f"  cost paid by the first /stats or /export of an instance: import matplotlib "
            f"{heavy['matplotlib_s'] * 1000:.0f} ms, openpyxl {heavy['openpyxl_s'] * 1000:.0f} ms"
        )
        results["heavy_import"] = heavy

        from functions import bootstrap
        from functions.log import get_logger

        get_logger("bench")
        logging.getLogger("qorgau").setLevel(logging.WARNING)  # the report, not the per-request log lines
        bootstrap.reset()
        now = datetime.now(UTC)
        seconds = seed(bootstrap.firestore_client(), args.cases, now)
        bootstrap.rollups().rebuild()  # /stats reads the roll-ups (fan-out keeps them; here they are rebuilt)
        out(f"  seeded {args.cases} cases in {seconds:.1f} s")
        bootstrap.cases().put_staff(
            StaffMember(user_id=REGIONAL_ID, role=Role.REGIONAL, regions=("71",), name="Bench"), invited_by=None
        )
        commands = [
            ("/stats 90d (admin, all regions)", ADMIN_ID, "/stats 90d"),
            ("/stats 30d (admin, all regions)", ADMIN_ID, "/stats 30d"),
            ("/stats 90d (regional officer, 71)", REGIONAL_ID, "/stats 90d"),
        ]  # /export is a job of the export target now: bench.export_job
        update_id = 1000
        results["commands"] = {}
        for label, user_id, text in commands:
            times: list[float] = []
            for _ in range(args.runs):
                update_id += 1
                elapsed, status = webhook(update_id, user_id, text)
                times.append(elapsed)
                if status != 200:
                    failures.append(f"{text}: HTTP {status}")
            method = "sendPhoto" if text.startswith("/stats") else "sendDocument"
            uploads = [c for c in double.calls(method, chat_id=user_id) if c["status"] == 200]
            if not uploads:
                failures.append(f"{text}: no {method}")
            size = uploads[-1]["params"].get(method[4:].lower(), {}) if uploads else {}
            out(
                f"  {label:38} median {statistics.median(times):6.2f} s  "
                f"(runs: {', '.join(f'{t:.2f}' for t in times)}; upload {size.get('size', 0) / 1024:.0f} KiB)"
            )
            results["commands"][label] = {"runs_s": times, "median_s": statistics.median(times)}
        parts = breakdown(90, None)
        out(
            f"  where the time goes (90 days, all regions, {parts['rows']:.0f} cases): Firestore read "
            f"{parts['read_facts_s']:.2f} s (facts) / {parts['read_export_s']:.2f} s (export fields), statistics "
            f"{parts['compute_s']:.3f} s, chart {parts['chart_s']:.2f} s ({parts['chart_kb']:.0f} KiB), XLSX "
            f"{parts['xlsx_s']:.2f} s ({parts['xlsx_kb']:.0f} KiB)"
        )
        results["breakdown"] = parts
    finally:
        double.stop()
        emulators.stop()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    if failures:
        out("FAILED: " + "; ".join(failures))
        return 1
    out(f"ok (figures in {RESULTS.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
