"""Benchmark telegram_webhook on the emulators against a minimal floor and a per-request PTB bot; prints figures."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx

from bench.harness import BenchError, OpCounts, Server, instrument, on_sigterm, stop_all
from devkit import catalog
from devkit.botapi_double.builders import make_callback_update, make_text_update
from devkit.botapi_double.markup import callback_data_of
from devkit.botapi_double.server import DoubleServer
from devkit.emulators import Emulators
from devkit.inprocess import FunctionsServer
from devkit.pubsub import Wiring
from functions.domain.categories import Category

ROOT: Final = Path(__file__).resolve().parents[1]
VENV_BIN: Final = ROOT / ".venv" / "bin"
PYTHON: Final = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
APPS: Final = Path(__file__).resolve().parent / "apps"  # the floor and the per-request Application
RESULTS: Final = ROOT / "bench-results" / "bench_webhook.json"

PROJECT: Final = "qorgau-bench"
TOKEN: Final = "1000001:bench-token-of-the-double"  # noqa: S105  (the double's test token)
SECRET: Final = "bench-webhook-secret"  # noqa: S105  (a local test value)
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name)
BOT_USERNAME: Final = "qorgau_bench_bot"
GROUP_ID: Final = -1001777000001
REGION: Final = "71"
THREADS: Final = 16
HEAVY: Final = ("google.cloud.firestore", "google.cloud.pubsub_v1", "telegram", "telegram.ext", "grpc", "httpx")
LIBRARIES: Final = ("telegram", "google.cloud.firestore", "google.cloud.pubsub_v1", "functions_framework")
LAZY_GOAL_MODULES: Final = ("google.cloud.firestore", "google.cloud.pubsub_v1", "telegram")
CODE_RE: Final = re.compile(r"R[2-9A-HJKMNP-Z]{6}")
# The private report flow's buttons, from the catalogs: violence, no danger now, Astana; then send (a link opens
# the short flow: no evidence or description step, issue 14).
PRIVATE_FLOW: Final = (
    catalog.category_label(Category.VIOLENCE),
    catalog.danger_label(False),
    catalog.region_name("71"),
)
SEND: Final = catalog.label("btn_send")
HEADERS: Final = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
MIB: Final = 1024 * 1024

_UPDATE_IDS = itertools.count(5_000_001)
_REPORTER_IDS = itertools.count(61_000_001)
_PLAIN_IDS = itertools.count(71_000_001)
_PRIVATE_IDS = itertools.count(81_000_001)
_RUN = f"{os.getpid()}-{int(time.time())}"

# --- probes run in fresh interpreters ----------------------------------------------------------------------------
IMPORT_PROBE: Final = (
    "import json, sys, time\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "d = time.perf_counter() - t\n"
    "print(json.dumps({{'seconds': d, 'modules': {{m: m in sys.modules for m in {heavy!r}}}}}))\n"
)

REQUEST_PROBE: Final = textwrap.dedent(
    """
    import json, sys, time
    import flask
    started = time.perf_counter()
    import main
    from functions import webhook
    heavy = json.loads(sys.argv[1])
    def loaded():
        return sorted(m for m in heavy if m in sys.modules)
    out = {"after import main": {"modules": loaded(), "seconds": time.perf_counter() - started}}
    app = flask.Flask("bench")
    for name, body in (("after a plain message", sys.argv[2]), ("after a group report", sys.argv[3])):
        headers = {"X-Telegram-Bot-Api-Secret-Token": sys.argv[4]}
        started = time.perf_counter()
        with app.test_request_context("/", method="POST", data=body, headers=headers, content_type="application/json"):
            status = webhook.telegram_webhook(flask.request).status_code
        out[name] = {"modules": loaded(), "seconds": time.perf_counter() - started, "status": status}
    print(json.dumps(out))
    """
)


# --- updates and fixtures ----------------------------------------------------------------------------------------
def group_report(user_id: int) -> dict[str, Any]:
    """A group message with a new link from a user whose profile has a region: creates one case."""
    n = next(_UPDATE_IDS)
    link = f"https://example.org/bench/{_RUN}/{n}"
    return make_text_update(user_id, link, GROUP_ID, message_id=n, update_id=n, chat_title="Bench group")


def plain_message(user_id: int) -> dict[str, Any]:
    """'привет' in a private chat without a session: answered with the fallback hint."""
    n = next(_UPDATE_IDS)
    return make_text_update(user_id, "привет", message_id=n, update_id=n)


class Fixtures:
    """Firestore state the updates need: an enabled group and reporters whose profiles have a region."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def enable_group(self) -> None:
        self.db.collection("groups").document(str(GROUP_ID)).set({"enabled": True, "changed_by": 1})

    def reporters(self, count: int, *, touch_due: bool = False) -> list[int]:
        """New user ids, each with a stored profile (role and region) as the bot writes one: with its expiry, so
        that a sample does not pay the monthly profile touch (`touch_profile`: one more commit, once a month per
        person, measured apart with touch_due)."""
        ids = [next(_REPORTER_IDS) for _ in range(count)]
        expires = datetime.now(UTC) + timedelta(days=365 - (60 if touch_due else 0))
        for start in range(0, len(ids), 400):
            batch = self.db.batch()
            for user_id in ids[start : start + 400]:
                profile = {"user_id": user_id, "lang": "ru", "role": "teacher", "region": REGION, "expires_at": expires}
                batch.set(self.db.collection("users").document(str(user_id)), profile)
            batch.commit()
        return ids

    def count(self, collection: str) -> int:
        result = self.db.collection(collection).count().get()
        return int(result[0][0].value)


# --- measuring ---------------------------------------------------------------------------------------------------
def _answer(response: httpx.Response) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        body = response.json()
        if isinstance(body, dict):
            return body
    return {}


def report_ok(response: httpx.Response) -> bool:
    """A 200 whose answer is a sendMessage (the case number)."""
    return response.status_code == 200 and _answer(response).get("method") == "sendMessage"


def _sent_directly(response: httpx.Response) -> bool:
    """Since one Telegram budget (issue 15) the webhook makes its answers as direct calls and replies {"ok": true}."""
    return response.status_code == 200 and _answer(response) == {"ok": True}


def ours_report_ok(response: httpx.Response) -> bool:
    """A 200 whose sendMessage names a case code, or whose answer went to Telegram as a direct call."""
    named = report_ok(response) and bool(CODE_RE.search(str(_answer(response).get("text", ""))))
    return named or _sent_directly(response)


def confirm_ok(response: httpx.Response) -> bool:
    answered = response.status_code == 200 and _answer(response).get("method") == "answerCallbackQuery"
    return answered or _sent_directly(response)


def status_ok(response: httpx.Response) -> bool:
    return response.status_code == 200


Check = Callable[[httpx.Response], bool]


@dataclass
class Timings:
    """Per-request latencies of one kind of update."""

    ms: list[float] = field(default_factory=list)
    failures: int = 0

    def summary(self) -> dict[str, float | int]:
        ordered = sorted(self.ms)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else float("nan")
        return {
            "n": len(ordered),
            "failures": self.failures,
            "p50_ms": statistics.median(ordered) if ordered else float("nan"),
            "p99_ms": p99,
            "mean_ms": statistics.fmean(ordered) if ordered else float("nan"),
        }


def post(client: httpx.Client, url: str, update: dict[str, Any]) -> tuple[float, httpx.Response]:
    body = json.dumps(update, ensure_ascii=False).encode()
    started = time.perf_counter()
    response = client.post(url, content=body, headers=HEADERS)
    return (time.perf_counter() - started) * 1000, response


def sequential(client: httpx.Client, url: str, updates: list[dict[str, Any]], check: Check) -> Timings:
    """Post one update after the other and time each."""
    timings = Timings()
    for update in updates:
        ms, response = post(client, url, update)
        timings.ms.append(ms)
        if not check(response):
            timings.failures += 1
    return timings


def throughput(url: str, updates: list[dict[str, Any]], concurrency: int, check: Check) -> dict[str, float | int]:
    """Updates per second with `concurrency` clients posting back to back."""
    bodies = [json.dumps(update, ensure_ascii=False).encode() for update in updates]
    cursor = itertools.count()
    lock = threading.Lock()
    failures: list[int] = []
    barrier = threading.Barrier(concurrency + 1)

    def drive() -> None:
        with httpx.Client(timeout=120) as client:
            barrier.wait()
            while True:
                with lock:
                    index = next(cursor)
                if index >= len(bodies):
                    return
                try:
                    ok = check(client.post(url, content=bodies[index], headers=HEADERS))
                except httpx.HTTPError:
                    ok = False
                if not ok:
                    with lock:
                        failures.append(index)

    threads = [threading.Thread(target=drive, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "n": len(bodies),
        "concurrency": concurrency,
        "seconds": elapsed,
        "per_second": len(bodies) / elapsed,
        "failures": len(failures),
    }


@dataclass(frozen=True)
class Target:
    """A functions-framework target to compare."""

    name: str
    source: Path
    target: str
    report_check: Check


def cold_start(
    name: str, source: Path, target: str, env: dict[str, str], log_dir: Path, update: dict[str, Any], check: Check
) -> dict[str, float]:
    """Spawn the target and post a report as soon as it answers: seconds from spawn to the handled report."""
    server = Server(name, source, target, env, log_dir)
    try:
        with httpx.Client(timeout=60) as client:
            up = server.wait_up()
            _, response = post(client, server.url, update)
            first = time.perf_counter() - server.spawned
            if not check(response):
                raise BenchError(f"{name}: first report answered {response.status_code} {response.text[:300]}")
    finally:
        server.stop()
    return {"up_s": up, "first_report_s": first}


def cold_starts(
    runs: int, targets: list[Target], env: dict[str, str], log_dir: Path, make_update: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Cold starts of each target, alternating between them so that background load hits both alike."""
    samples: dict[str, list[dict[str, float]]] = {t.name: [] for t in targets}
    for index in range(runs):
        for t in targets if index % 2 == 0 else targets[::-1]:
            sample = cold_start(f"{t.name}-cold", t.source, t.target, env, log_dir, make_update(), t.report_check)
            samples[t.name].append(sample)
    return {
        name: {
            "runs": runs,
            "first_report_s": statistics.median(s["first_report_s"] for s in runs_of),
            "up_s": statistics.median(s["up_s"] for s in runs_of),
            "samples": runs_of,
        }
        for name, runs_of in samples.items()
    }


def import_times(probes: dict[str, tuple[str, Path]], env: dict[str, str], runs: int) -> dict[str, Any]:
    """Median seconds of `import module` in fresh interpreters, the probes taking turns (a first round uncounted)."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in probes}
    for _ in range(runs + 1):
        for name, (module, cwd) in probes.items():
            code = IMPORT_PROBE.format(module=module, heavy=HEAVY)
            done = subprocess.run([PYTHON, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise BenchError(f"import {module} failed:\n{done.stderr[-2000:]}")
            results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    out: dict[str, Any] = {}
    for name, (module, cwd) in probes.items():
        counted = results[name][1:]
        profile = subprocess.run(
            [PYTHON, "-X", "importtime", "-c", f"import {module}"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        out[name] = {
            "median_s": statistics.median(r["seconds"] for r in counted),
            "samples_s": [r["seconds"] for r in counted],
            "heavy_loaded": sorted(m for m, loaded in counted[-1]["modules"].items() if loaded),
            "largest_top_level_ms": _largest_imports(profile.stderr, module),
        }
    return out


def _largest_imports(importtime: str, module: str, top: int = 6) -> dict[str, float]:
    """The top-level packages that `import module` pulled in, largest cumulative time first (-X importtime)."""
    pending: list[tuple[str, float]] = []
    subtree: list[tuple[str, float]] = []
    for line in importtime.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:") or "cumulative" in parts[1]:
            continue
        name = parts[2].strip()
        pending.append((name, int(parts[1]) / 1000))
        if parts[2].startswith(f" {name}"):  # a root entry: everything pending was imported beneath it
            if name == module:
                subtree = pending[:-1]
            pending = []
    roots = {name: ms for name, ms in subtree if "." not in name and name != "functions"}
    return dict(sorted(roots.items(), key=lambda item: -item[1])[:top])


def request_imports(env: dict[str, str], plain: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """Which heavy modules are loaded after import main, after a plain message, after a group report (in-process)."""
    argv = [PYTHON, "-c", REQUEST_PROBE, json.dumps(HEAVY), json.dumps(plain), json.dumps(report), SECRET]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise BenchError(f"request import probe failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def play_private_flow(double: DoubleServer, user_id: int) -> dict[str, Any]:
    """Take a reporter through the private flow up to the summary; returns the 'Отправить' press (not posted)."""
    steps: list[dict[str, Any]] = [
        double.post_text(user_id, f"https://example.org/bench/{_RUN}/private/{next(_UPDATE_IDS)}")
    ]
    for text in PRIVATE_FLOW:
        message = double.messages(user_id)[-1]
        steps.append(double.press_button(user_id, user_id, message["message_id"], text=text))
    for step in steps:
        if step.get("status") != 200:
            raise BenchError(f"private flow step answered {step}")
    message_id = int(double.messages(user_id)[-1]["message_id"])
    stored = double.get_message(user_id, message_id)
    data = callback_data_of(stored.get("reply_markup") if stored else None, SEND)
    if stored is None or data is None:
        raise BenchError("the summary has no 'Отправить' button")
    n = next(_UPDATE_IDS)
    return make_callback_update(user_id, message_id, data, user_id, message=stored, update_id=n)


def count_ops(double: DoubleServer, fixtures: Fixtures, samples: int) -> dict[str, Any]:
    """Firestore reads/writes and publishes per kind of update, through the real target in this process."""
    from functions import bootstrap

    bootstrap.reset()
    counts = OpCounts()
    undo = instrument(counts)
    server = FunctionsServer(("telegram_webhook",), quiet=True).start()
    url = server.target_url("telegram_webhook")
    double.set_webhook(url, SECRET)
    kinds: dict[str, list[dict[str, Any]]] = {}

    def measure(kind: str, update: dict[str, Any], check: Check) -> None:
        with httpx.Client(timeout=60) as client:
            counts.reset()
            total_ms, response = post(client, url, update)
            if not check(response):
                raise BenchError(f"{kind}: {response.status_code} {response.text[:300]}")
            kinds.setdefault(kind, []).append(counts.snapshot() | {"total_ms": total_ms})

    try:
        with httpx.Client(timeout=60) as client:  # warm the clients so that no set-up RPC is counted
            post(client, url, group_report(fixtures.reporters(1)[0]))
            post(client, url, plain_message(next(_PLAIN_IDS)))
        for user_id in fixtures.reporters(samples):
            measure("group report, reporter's first in the group", group_report(user_id), ours_report_ok)
            measure("group report, same reporter again", group_report(user_id), ours_report_ok)
        for user_id in fixtures.reporters(samples, touch_due=True):
            measure("group report, profile touch due (monthly)", group_report(user_id), ours_report_ok)
        for _ in range(samples):
            user_id = next(_PRIVATE_IDS)
            press = play_private_flow(double, user_id)
            measure("private 'Отправить' press", press, confirm_ok)
        for _ in range(samples):
            measure("plain message 'привет'", plain_message(next(_PLAIN_IDS)), report_ok)
        whole: Counter[str] = Counter()
        user_id = next(_PRIVATE_IDS)
        counts.reset()
        press = play_private_flow(double, user_id)
        whole.update({k: v for k, v in counts.snapshot().items() if not k.endswith("_ms")})
        measure("private flow total (7 updates)", press, confirm_ok)
        last = kinds.pop("private flow total (7 updates)")[-1]
        whole.update({k: v for k, v in last.items() if not k.endswith("_ms")})
        kinds["private flow total (7 updates)"] = [dict(whole)]
    finally:
        server.stop()
        undo()
    out: dict[str, Any] = {}
    for kind, snaps in kinds.items():
        counted = [key for key in snaps[0] if not key.endswith("_ms")]
        out[kind] = {key: max(snap[key] for snap in snaps) for key in counted} | {"samples": len(snaps)}
        out[kind] |= {key: statistics.median(snap[key] for snap in snaps) for key in snaps[0] if key.endswith("_ms")}
        if any(snap[key] != snaps[0][key] for snap in snaps for key in counted):
            out[kind]["varied"] = True
    return out


# --- the run -----------------------------------------------------------------------------------------------------
@dataclass
class Config:
    samples: int
    throughput: int
    cold: int
    imports: int
    ptb: int
    confirms: int
    bytecode: bool = False


def our_sources() -> list[Path]:
    """The project's modules a webhook instance may import (main.py and functions/)."""
    return [ROOT / "main.py", *sorted((ROOT / "functions").rglob("*.py"))]


def with_bytecode() -> int:
    """How many of our modules have their bytecode compiled beside them (else every cold start compiles them:
    the machine may set PYTHONDONTWRITEBYTECODE)."""
    import importlib.util

    return sum(Path(importlib.util.cache_from_source(str(path))).exists() for path in our_sources())


@contextlib.contextmanager
def compiled_sources(wanted: bool) -> Any:
    """With --bytecode: compile our modules first (as an image that carries its bytecode), and remove the
    __pycache__ directories made here afterwards."""
    made: list[Path] = []
    if wanted:
        folders = {path.parent / "__pycache__" for path in our_sources()}
        made = [folder for folder in folders if not folder.exists()]
        subprocess.run([PYTHON, "-m", "compileall", "-q", "main.py", "functions"], cwd=ROOT, check=True)
    try:
        yield
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


def child_env(emulators: Emulators, double: DoubleServer) -> dict[str, str]:
    env = dict(os.environ)
    env.update(emulators.env())
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": double.base_url,
            "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
            "THREADS": str(THREADS),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def interleaved(
    client: httpx.Client,
    servers: dict[str, Server],
    rounds: dict[str, int],
    make: Callable[[], dict[str, Any]],
    checks: dict[str, Check],
) -> dict[str, Timings]:
    """Time one update per server per round, alternating the order, so that background load hits all alike."""
    timings = {name: Timings() for name in servers}
    for index in range(max(rounds.values())):
        names = [name for name in servers if index < rounds[name]]
        for name in names if index % 2 == 0 else names[::-1]:
            ms, response = post(client, servers[name].url, make())
            timings[name].ms.append(ms)
            if not checks[name](response):
                timings[name].failures += 1
    return timings


def bench_warm(
    ours: Server, floor: Server, ptb: Server, fixtures: Fixtures, config: Config, double: DoubleServer
) -> dict[str, dict[str, Any]]:
    """Latency, throughput and memory of warm processes: ours, the floor and the per-request Application."""
    out: dict[str, dict[str, Any]] = {"ours": {}, "floor": {}, "ptb_per_request": {}}
    pair = {"ours": ours, "floor": floor}
    report_checks: dict[str, Check] = {"ours": ours_report_ok, "floor": report_ok}
    with httpx.Client(timeout=120) as client:
        for server in (ours, floor, ptb):
            server.wait_up()
        for server in (ours, floor):
            warm = [group_report(u) for u in fixtures.reporters(20)]
            sequential(client, server.url, warm + [plain_message(next(_PLAIN_IDS)) for _ in range(20)], status_ok)
        sequential(client, ptb.url, [plain_message(next(_PLAIN_IDS)) for _ in range(3)], status_ok)
        double.set_webhook(ours.url, SECRET)
        sequential(client, ours.url, [play_private_flow(double, next(_PRIVATE_IDS)) for _ in range(2)], status_ok)

        reporters = iter(fixtures.reporters(2 * config.samples))
        rounds = {"ours": config.samples, "floor": config.samples}
        timed = interleaved(client, pair, rounds, lambda: group_report(next(reporters)), report_checks)
        for name, timings in timed.items():
            out[name]["group_report"] = timings.summary()
        trio = pair | {"ptb_per_request": ptb}
        rounds = {"ours": config.samples, "floor": config.samples, "ptb_per_request": config.ptb}
        checks: dict[str, Check] = {"ours": report_ok, "floor": report_ok, "ptb_per_request": status_ok}
        timed = interleaved(client, trio, rounds, lambda: plain_message(next(_PLAIN_IDS)), checks)
        for name, timings in timed.items():
            out[name]["plain_message"] = timings.summary()
        presses = [play_private_flow(double, next(_PRIVATE_IDS)) for _ in range(config.confirms)]
        out["ours"]["private_confirm"] = sequential(client, ours.url, presses, confirm_ok).summary()

    for name in pair:
        out[name]["throughput"] = {}
    for concurrency in (1, THREADS):
        for name, server in pair.items():
            updates = [group_report(u) for u in fixtures.reporters(config.throughput)]
            result = throughput(server.url, updates, concurrency, report_checks[name])
            out[name]["throughput"][f"reports_c{concurrency}"] = result
    for concurrency in (1, THREADS):
        for name, server in pair.items():
            updates = [plain_message(next(_PLAIN_IDS)) for _ in range(config.throughput)]
            out[name]["throughput"][f"plain_c{concurrency}"] = throughput(server.url, updates, concurrency, report_ok)
    for name, server in (*pair.items(), ("ptb_per_request", ptb)):
        out[name]["memory"] = server.memory()
    return out


def run(config: Config) -> dict[str, Any]:
    results: dict[str, Any] = {"config": config.__dict__, "threads": THREADS, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        emulators = Emulators(project=PROJECT, log_dir=work)
        double = DoubleServer(enforce_limits=False, token=TOKEN)
        try:
            print("starting the emulators and the Bot API double…", file=sys.stderr, flush=True)
            emulators.start()
            double.start()
            env = child_env(emulators, double)
            os.environ.update({k: v for k, v in env.items() if k != "THREADS"})
            from google.cloud import firestore

            fixtures = Fixtures(firestore.Client(project=PROJECT))
            fixtures.enable_group()
            Wiring(PROJECT).create_topics()

            ours_t = Target("ours", ROOT / "main.py", "telegram_webhook", ours_report_ok)
            floor_t = Target("floor", APPS / "floor.py", "webhook", report_ok)
            stack.enter_context(compiled_sources(config.bytecode))
            results["bytecode"] = {"ours": with_bytecode(), "of": len(our_sources())}
            print("import times…", file=sys.stderr, flush=True)
            probes = {"ours": ("main", ROOT), "floor": ("floor", APPS), "ptb_per_request": ("ptb_per_request", APPS)}
            probes |= {name: (name, ROOT) for name in LIBRARIES}
            results["import"] = import_times(probes, env, config.imports)
            results["import"]["ours_by_request"] = request_imports(
                env, plain_message(next(_PLAIN_IDS)), group_report(fixtures.reporters(1)[0])
            )

            print("cold starts…", file=sys.stderr, flush=True)
            results["cold_start"] = cold_starts(
                config.cold, [ours_t, floor_t], env, work, lambda: group_report(fixtures.reporters(1)[0])
            )

            print("warm figures: ours, the floor and a new Application per request…", file=sys.stderr, flush=True)
            before = fixtures.count("reports")
            ours = Server("ours", ours_t.source, ours_t.target, env, work)
            floor = Server("floor", floor_t.source, floor_t.target, env, work)
            ptb = Server("ptb", APPS / "ptb_per_request.py", "webhook", env, work)
            try:
                results |= bench_warm(ours, floor, ptb, fixtures, config, double)
            finally:
                for server in (ours, floor, ptb):
                    server.stop()
            expected = 20 + 2 + config.samples + config.confirms + 2 * config.throughput
            results["ours"]["cases_created"] = {"expected": expected, "found": fixtures.count("reports") - before}

            print("Firestore operations per update (instrumented, in-process)…", file=sys.stderr, flush=True)
            results["firestore_ops"] = count_ops(double, fixtures, samples=10)
            results["firestore_ops"]["floor: report"] = {"writes": 4, "commits": 1, "reads": 0, "publishes": 1}
        finally:
            stop_all()
            with contextlib.suppress(Exception):  # best effort while cleaning up
                double.stop()
            emulators.stop()
    return results


# --- reporting ---------------------------------------------------------------------------------------------------
def _ratio(ours: float, floor: float) -> float:
    return ours / floor if floor else float("nan")


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's goals, judged on the measured figures."""
    ours, floor = results["ours"], results["floor"]
    handling = _ratio(ours["group_report"]["p50_ms"], floor["group_report"]["p50_ms"])
    cold = _ratio(results["cold_start"]["ours"]["first_report_s"], results["cold_start"]["floor"]["first_report_s"])
    new_reports = {
        k: v
        for k, v in results["firestore_ops"].items()
        if k.startswith(("group report", "private '")) and "touch due" not in k  # the monthly touch: apart
    }
    max_writes = max(v["writes"] for v in new_reports.values())
    max_reads = max(v["reads"] for v in new_reports.values())
    eager = [m for m in results["import"]["ours"]["heavy_loaded"] if m in LAZY_GOAL_MODULES]
    memory = ours["memory"]["worker_peak_mib"]
    return [
        {"goal": "handling ≤ 1.5× the floor (group report p50)", "value": f"{handling:.2f}×", "pass": handling <= 1.5},
        {"goal": "≤ 4 writes per new report", "value": f"max {max_writes}", "pass": max_writes <= 4},
        {"goal": "≤ 3 reads per new report", "value": f"max {max_reads}", "pass": max_reads <= 3},
        {"goal": "cold start ≤ 1.1× the floor's", "value": f"{cold:.2f}×", "pass": cold <= 1.1},
        {
            "goal": "import main loads no firestore/pubsub/telegram",
            "value": ", ".join(eager) or "none loaded",
            "pass": not eager,
        },
        {"goal": "peak memory < 200 MiB (worker VmHWM)", "value": f"{memory:.0f} MiB", "pass": memory < 200},
    ]


def report(results: dict[str, Any]) -> str:
    """The compact table."""
    ours, floor, ptb = results["ours"], results["floor"], results["ptb_per_request"]
    lines: list[str] = []
    width = 44

    def row(label: str, mine: str, base: str = "", ratio: str = "") -> None:
        lines.append(f"{label:<{width}} {mine:>16} {base:>16} {ratio:>8}")

    def lat(summary: dict[str, Any]) -> str:
        return f"{summary['p50_ms']:.1f} / {summary['p99_ms']:.1f}"

    lines.append(f"telegram_webhook benchmark — {results['cpus']} CPUs, THREADS={results['threads']}, emulators")
    row("", "ours", "floor", "ratio")
    row(
        "group report: p50 / p99 ms",
        lat(ours["group_report"]),
        lat(floor["group_report"]),
        f"{_ratio(ours['group_report']['p50_ms'], floor['group_report']['p50_ms']):.2f}×",
    )
    row(
        "plain 'привет': p50 / p99 ms",
        lat(ours["plain_message"]),
        lat(floor["plain_message"]),
        f"{_ratio(ours['plain_message']['p50_ms'], floor['plain_message']['p50_ms']):.2f}×",
    )
    row("private 'Отправить': p50 / p99 ms", lat(ours["private_confirm"]), "-")
    lines.append(
        f"{'plain via new Application + asyncio.run':<{width}} {lat(ptb['plain_message']):>16} "
        f"{'(per request)':>16} {_ratio(ptb['plain_message']['p50_ms'], ours['plain_message']['p50_ms']):>7.1f}× ours"
    )
    for key, label in (
        ("reports_c1", "reports/s, concurrency 1"),
        (f"reports_c{THREADS}", f"reports/s, concurrency {THREADS}"),
        ("plain_c1", "plain/s, concurrency 1"),
        (f"plain_c{THREADS}", f"plain/s, concurrency {THREADS}"),
    ):
        mine, base = ours["throughput"][key]["per_second"], floor["throughput"][key]["per_second"]
        row(label, f"{mine:.0f}", f"{base:.0f}", f"{_ratio(mine, base):.2f}×")
    cold_o, cold_f = results["cold_start"]["ours"], results["cold_start"]["floor"]
    row(
        "cold start → first report s (median)",
        f"{cold_o['first_report_s']:.2f}",
        f"{cold_f['first_report_s']:.2f}",
        f"{_ratio(cold_o['first_report_s'], cold_f['first_report_s']):.2f}×",
    )
    row("  of which: until the worker answers s", f"{cold_o['up_s']:.2f}", f"{cold_f['up_s']:.2f}")
    compiled = results.get("bytecode", {})
    lines.append(
        f"  our modules with bytecode at the cold starts: {compiled.get('ours', '?')} of {compiled.get('of', '?')}"
        " (--bytecode compiles them first; without it each cold start may compile them from source)"
    )
    imp_o, imp_f = results["import"]["ours"], results["import"]["floor"]
    row(
        "import main s (median)",
        f"{imp_o['median_s']:.3f}",
        f"{imp_f['median_s']:.3f}",
        f"{_ratio(imp_o['median_s'], imp_f['median_s']):.2f}×",
    )
    mem_o, mem_f = ours["memory"], floor["memory"]
    row(
        "peak memory MiB (worker VmHWM)",
        f"{mem_o['worker_peak_mib']:.0f}",
        f"{mem_f['worker_peak_mib']:.0f}",
        f"{_ratio(mem_o['worker_peak_mib'], mem_f['worker_peak_mib']):.2f}×",
    )
    row(
        "  arbiter VmHWM / total PSS now MiB",
        f"{mem_o['arbiter_peak_mib']:.0f} / {mem_o['total_pss_now_mib']:.0f}",
        f"{mem_f['arbiter_peak_mib']:.0f} / {mem_f['total_pss_now_mib']:.0f}",
    )
    lines.append("")
    lines.append(
        f"{'per update (in-process, instrumented)':<{width}} writes commits reads(back) queries RPCs pub"
        "  p50 ms: total = Firestore + publish + rest"
    )
    for kind, ops in results["firestore_ops"].items():
        reads = f"{ops['reads']}({ops['docs_returned']})" if "docs_returned" in ops else str(ops["reads"])
        split = ""
        if "total_ms" in ops:
            rest = ops["total_ms"] - ops["firestore_ms"] - ops["publish_ms"]
            split = f"{ops['total_ms']:.1f} = {ops['firestore_ms']:.1f} + {ops['publish_ms']:.1f} + {rest:.1f}"
        lines.append(
            f"{kind:<{width}} {ops['writes']:>6} {ops['commits']:>7} {reads:>11} {ops.get('queries', 0):>7} "
            f"{ops.get('rpcs', ops['commits']):>4} {ops['publishes']:>3}  {split:>30}"
        )
    lines.append("")
    lines.append(f"import main loads: {', '.join(imp_o['heavy_loaded']) or 'none of ' + ', '.join(HEAVY)}")
    for stage, probe in results["import"]["ours_by_request"].items():
        took = f"{probe['seconds']:.2f} s" + (f", HTTP {probe['status']}" if "status" in probe else "")
        lines.append(f"  {stage} ({took}, first in a fresh process): {', '.join(probe['modules']) or 'none'}")
    libs = ", ".join(f"{name} {results['import'][name]['median_s']:.2f} s" for name in LIBRARIES)
    lines.append(f"  cold import alone: {libs}")
    largest = ", ".join(f"{name} {ms:.0f} ms" for name, ms in imp_o["largest_top_level_ms"].items())
    lines.append(f"  largest packages under import main: {largest}")
    created = ours["cases_created"]
    failures = {
        k: v["failures"] for k, v in {**ours, **ours["throughput"]}.items() if isinstance(v, dict) and "failures" in v
    }
    lines.append(
        f"cases created by ours: {created['found']} of {created['expected']} expected; failed requests: "
        f"{sum(failures.values())}"
    )
    lines.append("")
    for goal in results["goals"]:
        lines.append(f"{'PASS' if goal['pass'] else 'MISS'}  {goal['goal']:<50} {goal['value']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200, help="requests per latency median")
    parser.add_argument("--throughput", type=int, default=400, help="requests per throughput run")
    parser.add_argument("--cold", type=int, default=5, help="cold starts per target")
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per import timing")
    parser.add_argument("--ptb", type=int, default=60, help="requests for the per-request Application median")
    parser.add_argument("--confirms", type=int, default=30, help="private 'Отправить' presses timed")
    parser.add_argument(
        "--bytecode",
        action="store_true",
        help="compile our modules before the cold starts (an image that carries its bytecode); removed after",
    )
    args = parser.parse_args()
    config = Config(args.samples, args.throughput, args.cold, args.imports, args.ptb, args.confirms, args.bytecode)
    signal.signal(signal.SIGTERM, on_sigterm)
    started = time.perf_counter()
    try:
        results = run(config)
    except KeyboardInterrupt:
        print("interrupted; every process stopped", file=sys.stderr)
        return 130
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    results["goals"] = goals(results)
    results["wall_s"] = time.perf_counter() - started
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print(report(results))
    print(f"\n{results['wall_s']:.0f} s; figures in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
