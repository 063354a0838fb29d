"""Benchmark: how fast one urgent case reaches N staff through fan_out and deliver under Telegram's limits."""

from __future__ import annotations

import argparse
import atexit
import base64
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from devkit.botapi_double.server import DoubleServer
from devkit.catalog import category_label, danger_label, label, region_name
from devkit.emulators import EmulatorError, Emulators
from devkit.processes import start_functions, stop_processes
from devkit.pubsub import Wiring
from functions.domain.categories import Category

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench-results" / "bench_delivery.json"
LOGS: Final = ROOT / ".logs"
PROJECT: Final = "qorgau-bench"
TOKEN: Final = "1000001:bench-token-of-the-double"  # noqa: S105  (the double's, not a secret)
SECRET: Final = "bench-webhook-secret"  # noqa: S105  (the double's, not a secret)
ADMIN_ID: Final = 900_001
STAFF_BASE: Final = 20_000_000
REPORTER_BASE: Final = 9_100_000
TARGETS: Final = ("telegram_webhook", "fan_out", "deliver")
GOAL_FACTOR: Final = 1.15
TELEGRAM_RATE: Final = 30.0
# The same knobs tests/stack.py sets for the targets.
STACK_ENV: Final = {
    "MAX_DELIVERY_ATTEMPTS": "3",
    "TELEGRAM_TIMEOUT_SECONDS": "3",
    "PUBLISH_TIMEOUT_SECONDS": "5",
}
# The private report flow's buttons, from the catalogs: other, a child in danger now (urgent), Astana (a link
# opens the short flow: the summary comes next, issue 14).
FLOW: Final = (
    category_label(Category.OTHER),
    danger_label(True),
    region_name("71"),
)
CONFIRM: Final = label("btn_send")
CODE_RE: Final = re.compile(r"R[2-9A-HJKMNP-Z]{6}")


def out(line: str = "") -> None:
    """Print one line of the report at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- a meter between the emulator's push and the targets -------------------------------------------------------
@dataclass
class Push:
    """One push request as the meter saw it."""

    target: str
    start: float
    end: float
    status: int


class PushMeter:
    """A pass-through HTTP hop that records each push's start, end and status and the requests in flight."""

    def __init__(self, upstreams: dict[str, str]) -> None:
        self.upstreams = {name: urlsplit(url) for name, url in upstreams.items()}
        self._lock = threading.Lock()
        self._inflight: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()
        self.pushes: list[Push] = []
        meter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = meter.forward(self.path.strip("/"), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

            def handle_error(self, request: Any, client_address: Any) -> None:
                return  # the emulator dropping a kept-alive connection when it stops

        self._local = threading.local()
        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, name="push-meter", daemon=True).start()

    def forward(self, target: str, body: bytes) -> tuple[int, bytes]:
        """Send one push on to its target over a kept-alive connection of this thread."""
        upstream = self.upstreams.get(target)
        if upstream is None:
            return 404, b'{"ok": false}'
        with self._lock:
            self._inflight[target] += 1
            self._peak[target] = max(self._peak[target], self._inflight[target])
        start = time.time()
        status, answer = 502, b'{"ok": false}'
        try:
            for _ in range(2):  # a kept-alive connection the target closed meanwhile: one fresh attempt
                conn = self._connection(target)
                try:
                    conn.request("POST", "/", body, {"Content-Type": "application/json"})
                    response = conn.getresponse()
                    status, answer = response.status, response.read()
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    self._local.__dict__.pop(target, None)
        finally:
            with self._lock:
                self._inflight[target] -= 1
                self.pushes.append(Push(target, start, time.time(), status))
        return status, answer

    def _connection(self, target: str) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = self._local.__dict__.get(target)
        if conn is None:
            upstream = self.upstreams[target]
            conn = http.client.HTTPConnection(upstream.hostname or "127.0.0.1", upstream.port, timeout=120)
            self._local.__dict__[target] = conn
        return conn

    def inflight(self, target: str) -> int:
        with self._lock:
            return self._inflight[target]

    def reset(self) -> None:
        with self._lock:
            self.pushes = []
            self._peak = Counter(self._inflight)

    def peak(self, target: str) -> int:
        with self._lock:
            return self._peak[target]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- processes -----------------------------------------------------------------------------------------------------
class Functions:
    """The targets as functions-framework subprocesses (devkit.processes), each in its own process group."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.urls: dict[str, str] = {}

    def start(self, env: dict[str, str], threads: int) -> Functions:
        self.urls, self.procs = start_functions(env, LOGS, targets=TARGETS, threads=threads, log_prefix="bench-")
        return self

    def alive(self) -> bool:
        return all(proc.poll() is None for proc in self.procs.values())

    def stop(self) -> None:
        stop_processes(self.procs.values())
        self.procs.clear()


def push_body(data: dict[str, Any]) -> dict[str, Any]:
    """The standard push body around one JSON message."""
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    return {"subscription": "warm-up", "message": {"data": encoded, "messageId": "0", "attributes": {}}}


def warm_up(urls: dict[str, str]) -> None:
    """Build each consumer's clients once (an unknown case, an unknown person), as a warm instance has them."""
    event = {
        "type": "report.created",
        "event_id": "warm-up",
        "report_id": "RWARMUP",
        "occurred_at": datetime.now(UTC).isoformat(),
        "severity": "urgent",
        "region": "71",
        "category": "other",
    }
    job = {"job_id": "warm-up:1", "kind": "card", "report_id": "RWARMUP", "recipient_id": 1, "event_id": "warm-up"}
    for target, data in (("fan_out", event), ("deliver", job)):
        response = httpx.post(urls[target], json=push_body(data), timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"warm-up of {target} answered {response.status_code}")


# --- Pub/Sub and Firestore ---------------------------------------------------------------------------------------
class Bus:
    """Topics and subscriptions on the Pub/Sub emulator, wired as Terraform wires them in the cloud (devkit.pubsub)."""

    def __init__(self) -> None:
        self.wiring = Wiring(PROJECT)
        self.wiring.create_topics()

    def connect(self, endpoints: dict[str, str], run: int) -> str:
        """Push reports → fan_out and deliveries → deliver; returns a pull subscription on parked deliveries."""
        self.wiring.connect(endpoints, suffix=f"push-{run}")
        parked = self.wiring.park(suffix=f"parked-{run}", topics=("deliveries-dead-letter",))
        return parked["deliveries-dead-letter"]

    def drain(self, subscription: str) -> list[dict[str, Any]]:
        """Every message waiting on a pull subscription (acknowledged)."""
        return [message["data"] for message in self.wiring.pull(subscription, wait=3600, pull_timeout=3)]

    def disconnect(self) -> None:
        self.wiring.drop()


def add_specialists(client: Any, ids: list[int]) -> None:
    """N specialists written straight to the staff collection, as CaseStore.put_staff writes them."""
    now = datetime.now(UTC)
    for first in range(0, len(ids), 500):
        batch = client.batch()
        for user_id in ids[first : first + 500]:
            batch.set(
                client.collection("staff").document(str(user_id)),
                {
                    "user_id": user_id,
                    "role": "specialist",
                    "regions": [],
                    "active": True,
                    "on_duty": False,
                    "name": f"Bench {user_id}",
                    "lang": "ru",
                    "unreachable": False,
                    "invited_by": ADMIN_ID,
                    "updated_at": now,
                },
            )
        batch.commit()


# --- the reporter ------------------------------------------------------------------------------------------------
def last_message(double: DoubleServer, chat_id: int) -> dict[str, Any]:
    messages = [m for m in double.messages(chat_id) if not m.get("deleted")]
    if not messages:
        raise RuntimeError(f"the bot said nothing in chat {chat_id}")
    return messages[-1]


def press(double: DoubleServer, user_id: int, label: str) -> None:
    """The reporter presses a button of the bot's latest message."""
    result = double.press_button(user_id, user_id, last_message(double, user_id)["message_id"], text=label)
    if result["status"] != 200:
        raise RuntimeError(f"the webhook answered {result['status']} to {label!r}")


def prepare_report(double: DoubleServer, reporter: int, url: str) -> None:
    """A private report of one link, answered up to the confirmation (people do not press 4 buttons a second)."""
    result = double.post_text(reporter, url)
    if result["status"] != 200:
        raise RuntimeError(f"the webhook answered {result['status']} to the link")
    for button in FLOW:
        press(double, reporter, button)


# --- one size ------------------------------------------------------------------------------------------------------
@dataclass
class Result:
    """The figures of one run."""

    staff: int
    bound_s: float
    goal_s: float
    code: str = ""
    confirm_ms: float = 0.0
    first_card_s: float | None = None
    last_card_s: float | None = None
    ratio: float | None = None
    cards_per_s: float | None = None
    complete: bool = False
    delivered: int = 0
    lost: int = 0
    duplicated_stored: int = 0
    duplicated_sends: int = 0
    answers_429: int = 0
    answers_429_by_method: dict[str, int] = field(default_factory=dict)
    parked: int = 0
    deliver_pushes: int = 0
    deliver_non_2xx: int = 0
    deliver_peak_inflight: int | None = None
    deliver_mean_inflight: float | None = None
    deliver_latency_ms: dict[str, float] = field(default_factory=dict)
    fan_out_ms: float | None = None
    fan_out_push_after_s: float | None = None
    first_deliver_push_after_s: float | None = None
    verdict: str = "MISS"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def push_figures(result: Result, meter: PushMeter, since: float, t0: float) -> None:
    """What the meter saw: pushes to deliver, their latency and how many were in flight."""
    pushes = [p for p in meter.pushes if p.end >= since]
    fan = [p for p in pushes if p.target == "fan_out"]
    if fan:
        result.fan_out_ms = round(1000 * (fan[0].end - fan[0].start), 1)
        result.fan_out_push_after_s = round(fan[0].start - t0, 3)
    delivers = [p for p in pushes if p.target == "deliver"]
    if delivers:
        result.first_deliver_push_after_s = round(min(p.start for p in delivers) - t0, 3)
    result.deliver_pushes = len(delivers)
    result.deliver_non_2xx = sum(1 for p in delivers if not 200 <= p.status < 300)
    result.deliver_peak_inflight = meter.peak("deliver")
    if delivers:
        window = max(p.end for p in delivers) - min(p.start for p in delivers)
        busy = sum(p.end - p.start for p in delivers)
        result.deliver_mean_inflight = round(busy / window, 2) if window > 0 else None
        latencies = [1000 * (p.end - p.start) for p in delivers]
        result.deliver_latency_ms = {
            "mean": round(statistics.fmean(latencies), 1),
            "p50": round(percentile(latencies, 0.5), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "max": round(max(latencies), 1),
        }


def run_size(
    n: int,
    run: int,
    double: DoubleServer,
    emulators: Emulators,
    bus: Bus,
    db: Any,
    meter: PushMeter | None,
    endpoints: dict[str, str],
    functions: Functions,
) -> Result:
    """Send one urgent case to n specialists and measure."""
    bound = n / TELEGRAM_RATE
    result = Result(staff=n, bound_s=round(bound, 3), goal_s=round(GOAL_FACTOR * bound, 3))
    emulators.reset_firestore()
    double.reset()
    double.set_limits(enforce=False)
    parked_sub = bus.connect(endpoints, run)
    try:
        staff = [STAFF_BASE + run * 10_000 + i for i in range(n)]
        add_specialists(db, staff)
        reporter = REPORTER_BASE + run
        prepare_report(double, reporter, f"https://t.me/bench_channel/{run}")
        double.set_limits(enforce=True)  # from here on Telegram's limits hold (flood counters restart)
        if meter is not None:
            meter.reset()
        after = double.last_seq
        before = time.time()
        press(double, reporter, CONFIRM)
        t0 = time.time()  # the webhook's 200 for the confirmation: the case exists and its event is published
        result.confirm_ms = round(1000 * (t0 - before), 1)
        match = CODE_RE.search(str(last_message(double, reporter).get("text")))
        if match is None:
            raise RuntimeError("no case code in the bot's answer to the confirmation")
        code = result.code = match.group(0)
        wanted = set(staff)
        arrived: set[int] = set()
        seq = after
        deadline = t0 + max(30.0, 3 * bound)
        while wanted - arrived and time.time() < deadline:
            for call in double.wait_events(after=seq, timeout=0.5):
                seq = max(seq, int(call["seq"]))
                params = call.get("params") or {}
                if call["method"] == "sendMessage" and call["status"] == 200 and code in str(params.get("text")):
                    arrived.add(int(str(params.get("chat_id"))))  # the reporter's chat is not wanted: ignored
            if not functions.alive():
                raise RuntimeError("a function exited; see .logs/bench-*.log")
        quiet_since, settle_end = time.time(), time.time() + 10.0
        while time.time() < settle_end and time.time() - quiet_since < 2.5:  # late re-deliveries would show now
            fresh = double.wait_events(after=seq, timeout=0.5)
            if fresh:
                seq = max(int(c["seq"]) for c in fresh)
                quiet_since = time.time()
            elif meter is not None and meter.inflight("deliver"):
                quiet_since = time.time()
        calls = [c for c in double.calls() if int(c["seq"]) > after]
        cards = [
            c
            for c in calls
            if c["method"] == "sendMessage"
            and c["status"] == 200
            and code in str((c.get("params") or {}).get("text"))
            and int(str(c["params"].get("chat_id"))) in wanted
        ]
        sends = Counter(int(str(c["params"]["chat_id"])) for c in cards)
        stored = {
            user: sum(1 for m in double.messages(user) if code in str(m.get("text")) and not m.get("deleted"))
            for user in staff
        }
        result.delivered = sum(1 for count in stored.values() if count >= 1)
        result.complete = result.delivered == n
        result.lost = sum(1 for count in stored.values() if count == 0)
        result.duplicated_stored = sum(1 for count in stored.values() if count > 1)
        result.duplicated_sends = sum(1 for count in sends.values() if count > 1)
        refused = [c for c in calls if c["status"] == 429]
        result.answers_429 = len(refused)
        result.answers_429_by_method = dict(Counter(str(c["method"]) for c in refused))
        if cards:
            first, last = min(float(c["ts"]) for c in cards), max(float(c["ts"]) for c in cards)
            result.first_card_s = round(first - t0, 3)
            result.last_card_s = round(last - t0, 3)
            result.ratio = round((last - t0) / bound, 3)
            result.cards_per_s = round((len(cards) - 1) / (last - first), 1) if last > first else None
        result.parked = len(bus.drain(parked_sub))
        if meter is not None:
            push_figures(result, meter, before, t0)
        on_time = result.ratio is not None and result.complete and result.ratio <= GOAL_FACTOR
        clean = result.lost == 0 and result.duplicated_stored == 0 and result.duplicated_sends == 0
        result.verdict = "PASS" if on_time and clean else "MISS"
        return result
    finally:
        bus.disconnect()


# --- the report ------------------------------------------------------------------------------------------------------
def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_results(results: list[Result], config: dict[str, Any]) -> None:
    out()
    out(
        f"{'N':>5} {'bound s':>8} {'goal s':>7} {'last card s':>11} {'ratio':>6} {'cards/s':>8} {'429s':>5} "
        f"{'lost':>5} {'dup(msgs)':>9} {'dup(sends)':>10} {'parked':>6}  verdict"
    )
    for r in results:
        out(
            f"{r.staff:>5} {r.bound_s:>8.2f} {r.goal_s:>7.2f} {fmt(r.last_card_s):>11} {fmt(r.ratio):>6} "
            f"{fmt(r.cards_per_s, 1):>8} {r.answers_429:>5} {r.lost:>5} {r.duplicated_stored:>9} "
            f"{r.duplicated_sends:>10} {r.parked:>6}  {r.verdict}"
        )
    if not config["metered"]:
        return
    out()
    out(
        f"{'N':>5} {'confirm ms':>10} {'fan_out at/ms':>13} {'1st deliver s':>13} {'1st card s':>10} "
        f"{'/deliver pushes':>15} {'non-2xx':>7} "
        f"{'peak in flight':>14} {'mean in flight':>14} {'latency ms p50/p95/max':>23} {'ceiling/s':>9}"
    )
    for r in results:
        lat = r.deliver_latency_ms
        shown = f"{lat['p50']:.0f}/{lat['p95']:.0f}/{lat['max']:.0f}" if lat else "-"
        ceiling = (r.deliver_mean_inflight or 0) / (lat["mean"] / 1000) if lat and lat["mean"] else None
        fan = f"{fmt(r.fan_out_push_after_s)}/{fmt(r.fan_out_ms, 0)}"
        out(
            f"{r.staff:>5} {r.confirm_ms:>10.0f} {fan:>13} {fmt(r.first_deliver_push_after_s):>13} "
            f"{fmt(r.first_card_s):>10} {r.deliver_pushes:>15} {r.deliver_non_2xx:>7} "
            f"{r.deliver_peak_inflight or 0:>14} {fmt(r.deliver_mean_inflight):>14} {shown:>23} {fmt(ceiling, 1):>9}"
        )
    out(
        "fan_out at/ms: when its push arrived (s after t0) and how long it took; ceiling/s = mean in flight / "
        "mean latency of /deliver"
    )
    rate = float(config["deliver_rate_per_second"])
    for r in results:
        if r.cards_per_s is None or r.deliver_peak_inflight is None:
            continue
        paced = r.cards_per_s >= 0.97 * rate
        out(
            f"N={r.staff}: {r.cards_per_s:.1f} cards/s with at most {r.deliver_peak_inflight} /deliver request(s) in "
            f"flight — "
            + (
                f"the pacer ({rate:g}/s) sets the pace"
                if paced
                else f"below the pace of {rate:g}/s: push concurrency × /deliver latency sets it"
            )
        )


def main(argv: list[str] | None = None) -> int:
    """Start everything, run each size, print and store the figures, stop everything."""
    from functions.config import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50,300,1000", help="staff counts, comma-separated")
    parser.add_argument("--threads", type=int, default=32, help="THREADS (gunicorn threads) of every target")
    parser.add_argument(
        "--rate",
        type=float,
        default=Settings().deliver_rate_per_second,
        help="DELIVER_RATE_PER_SECOND of deliver (default: the environment's, else the app's default)",
    )
    parser.add_argument("--direct", action="store_true", help="push straight to the targets (no push meter)")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]

    def stop_on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    emulators = Emulators(project=PROJECT, log_dir=LOGS)
    functions = Functions()
    atexit.register(functions.stop)
    double: DoubleServer | None = None
    meter: PushMeter | None = None
    bus: Bus | None = None
    started = time.monotonic()
    try:
        try:
            emulators.start()
        except EmulatorError as error:
            sys.stderr.write(f"{error}\n")
            return 2
        double = DoubleServer(enforce_limits=True, token=TOKEN).start()
        os.environ.update(emulators.env())
        env = (
            dict(os.environ)
            | emulators.env()
            | STACK_ENV
            | {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_API_BASE_URL": double.base_url,
                "TELEGRAM_BOT_USERNAME": "qorgau_bench_bot",
                "ADMIN_TELEGRAM_IDS": str(ADMIN_ID),
                "DELIVER_RATE_PER_SECOND": str(args.rate),
                "PYTHONUNBUFFERED": "1",
            }
        )
        functions.start(env, args.threads)
        double.set_webhook(functions.urls["telegram_webhook"], SECRET)
        warm_up(functions.urls)
        endpoints = dict(functions.urls)
        if not args.direct:
            meter = PushMeter({t: functions.urls[t] for t in ("fan_out", "deliver")})
            endpoints |= {t: f"{meter.url}/{t}" for t in ("fan_out", "deliver")}
        bus = Bus()
        from google.cloud import firestore

        db = firestore.Client(project=PROJECT)
        config: dict[str, Any] = {
            "deliver_rate_per_second": args.rate,
            "threads": args.threads,
            "deliver_processes": 1,
            "max_delivery_attempts": int(STACK_ENV["MAX_DELIVERY_ATTEMPTS"]),
            "telegram_timeout_seconds": float(STACK_ENV["TELEGRAM_TIMEOUT_SECONDS"]),
            "double_limits": asdict(double.limits),
            "case_created_by": "webhook: private report flow, danger 'Да, прямо сейчас' (urgent), t0 = its 200",
            "metered": meter is not None,
            "cpus": os.cpu_count(),
        }
        out(
            f"bench_delivery: 1 deliver process, DELIVER_RATE_PER_SECOND={args.rate:g}, THREADS={args.threads}, "
            f"MAX_DELIVERY_ATTEMPTS={STACK_ENV['MAX_DELIVERY_ATTEMPTS']}; double enforces 1/s per chat "
            f"(burst 3), 30/s overall; {os.cpu_count()} CPUs"
        )
        out(
            "case created through the webhook (private report flow, 'Да, прямо сейчас' → urgent); "
            "t0 = the webhook's 200 for 'Отправить'"
        )
        if meter is not None:
            out("pushes go through a pass-through meter (emulator → meter → target) that counts requests in flight")
        results: list[Result] = []
        for run, n in enumerate(sizes, start=1):
            result = run_size(n, run, double, emulators, bus, db, meter, endpoints, functions)
            results.append(result)
            out(
                f"  N={n}: case {result.code}, last card after {fmt(result.last_card_s)} s "
                f"(bound {result.bound_s:.2f} s), {result.delivered}/{n} delivered, {result.answers_429} × 429 "
                f"→ {result.verdict}"
            )
        print_results(results, config)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "goal": f"last card within {GOAL_FACTOR}× N/30 s, zero lost, zero duplicated",
                    "config": config,
                    "results": [asdict(r) for r in results],
                    "wall_seconds": round(time.monotonic() - started, 1),
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        out(f"figures written to {RESULTS.relative_to(ROOT)} (whole run {time.monotonic() - started:.0f} s)")
        return 0
    except KeyboardInterrupt:
        out("interrupted; stopping everything")
        return 130
    finally:
        if bus is not None:
            bus.disconnect()
        functions.stop()
        if meter is not None:
            meter.stop()
        if double is not None:
            double.stop()
        emulators.stop()


if __name__ == "__main__":
    raise SystemExit(main())
