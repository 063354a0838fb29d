"""The local stack as real processes: emulators, the four functions (one functions-framework each), Pub/Sub wiring.

`make run` (scripts/dev_stack.py), the fault-injection test and the load benchmark all start the system through
this module, so what they exercise is what `make run` runs. `LocalStack` adds the operator's levers for fault
injection: kill a function mid-request and start it again on the same port, freeze an emulator (SIGSTOP) and
thaw it (SIGCONT) without losing its data, and run `tick` with a shifted clock.

`python -m scripts.localstack tick --shift-minutes 2` runs the time-driven work once, as if that much later
(the environment must point at the stack, as the functions' own environment does).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import httpx

from scripts.emulators import Emulators, free_port

ROOT: Final = Path(__file__).resolve().parents[1]
PROJECT: Final = "qorgau-local"
TARGETS: Final = ("telegram_webhook", "fan_out", "deliver", "tick")
TOPICS: Final = ("reports", "deliveries", "reports-dead-letter", "deliveries-dead-letter")
PUSHES: Final = (("reports", "fan_out"), ("deliveries", "deliver"))
PARKED: Final = ("reports-dead-letter", "deliveries-dead-letter")
FUNCTIONS_FRAMEWORK: Final = ROOT / ".venv" / "bin" / "functions-framework"
# Requests each target works on at once: the concurrency (and THREADS) infra/functions.tf gives it in the cloud,
# so that what runs here queues and waits as it does there (tests/unit/test_localstack.py checks they agree).
THREADS: Final = {"telegram_webhook": 40, "fan_out": 10, "deliver": 8, "tick": 1}


def spawn_function(
    target: str, port: int, env: dict[str, str], logs: Path, threads: int | None = None
) -> subprocess.Popen[bytes]:
    """Start one functions-framework process (gunicorn, one worker) serving a target, in its own process group."""
    logs.mkdir(parents=True, exist_ok=True)
    log = (logs / f"{target}.log").open("ab")
    return subprocess.Popen(
        [
            str(FUNCTIONS_FRAMEWORK),
            "--target",
            target,
            "--source",
            str(ROOT / "main.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env | {"THREADS": str(threads or THREADS[target])},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(urls: dict[str, str], logs: Path, timeout: float = 60.0) -> None:
    """Wait until every target answers HTTP (any status: the app is loaded and listening)."""
    deadline = time.monotonic() + timeout
    for target, url in urls.items():
        while True:
            try:
                httpx.get(url + "robots.txt", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{target} did not start; see {logs / (target + '.log')}") from None
                time.sleep(0.1)


def start_functions(
    env: dict[str, str], logs: Path, threads: int | None = None
) -> tuple[dict[str, str], list[subprocess.Popen[bytes]]]:
    """One functions-framework process per target, as Cloud Functions runs them; their URLs and processes."""
    urls: dict[str, str] = {}
    procs: list[subprocess.Popen[bytes]] = []
    for target in TARGETS:
        port = free_port()
        procs.append(spawn_function(target, port, env, logs, threads))
        urls[target] = f"http://127.0.0.1:{port}/"
    wait_ready(urls, logs)
    return urls, procs


@contextlib.contextmanager
def emulator_env(env: dict[str, str]) -> Iterator[None]:
    """Point Google's clients built inside the block at these emulators (they read the variables when built)."""
    keys = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT")
    saved = {key: os.environ.get(key) for key in keys}
    os.environ.update({key: env[key] for key in keys if key in env})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def wire_pubsub(urls: dict[str, str], project: str = PROJECT, env: dict[str, str] | None = None) -> None:
    """Topics and push subscriptions as Terraform creates them, plus a pull subscription on each dead-letter topic."""
    from google.cloud import pubsub_v1

    with emulator_env(env or dict(os.environ)):
        publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    for topic in TOPICS:
        publisher.create_topic(name=publisher.topic_path(project, topic))
    for topic, target in PUSHES:
        subscriber.create_subscription(
            request={
                "name": subscriber.subscription_path(project, f"{topic}-push"),
                "topic": publisher.topic_path(project, topic),
                "ack_deadline_seconds": 60,
                "push_config": {"push_endpoint": urls[target]},
            }
        )
    for topic in PARKED:
        subscriber.create_subscription(
            request={
                "name": subscriber.subscription_path(project, f"{topic}-parked"),
                "topic": publisher.topic_path(project, topic),
            }
        )


@dataclass
class LocalStack:
    """Emulators, an in-process Bot API double and the four functions as subprocesses, with fault levers."""

    name: str = "localstack"
    project: str = PROJECT
    token: str = "1000001:local-token-of-the-double"  # noqa: S105  (the double's, not a secret)
    secret: str = "local-webhook-secret"  # noqa: S105
    admin_ids: str = "1001"
    threads: int | None = None  # None: each target's concurrency in the cloud (THREADS)
    extra_env: dict[str, str] = field(default_factory=dict)
    enforce_limits: bool = True
    emulators: Emulators | None = None
    double: Any = None
    env: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        """Where the processes of this stack write their logs."""
        return ROOT / ".logs" / self.name

    def start(self) -> LocalStack:
        """Start everything and point the double's webhook at telegram_webhook."""
        from scripts.botapi_double.server import DoubleServer

        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):  # each run's logs alone (restarts append)
            old.unlink()
        self.emulators = Emulators(project=self.project, log_dir=self.logs).start()
        self.double = DoubleServer(enforce_limits=self.enforce_limits, token=self.token).start()
        self.env = (
            {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "PUBSUB_", "FIRE"))}
            | self.emulators.env()
            | {
                "TELEGRAM_BOT_TOKEN": self.token,
                "TELEGRAM_WEBHOOK_SECRET": self.secret,
                "TELEGRAM_API_BASE_URL": self.double.base_url,
                "TELEGRAM_BOT_USERNAME": "qorgau_local_bot",
                "ADMIN_TELEGRAM_IDS": self.admin_ids,
                "PYTHONUNBUFFERED": "1",
            }
            | self.extra_env
        )
        try:
            urls, procs = start_functions(self.env, self.logs, self.threads)
            self.urls = urls
            self.procs = dict(zip(TARGETS, procs, strict=True))
            wire_pubsub(self.urls, self.project, self.env)
        except BaseException:
            self.stop()
            raise
        self.double.set_webhook(self.urls["telegram_webhook"], self.secret)
        return self

    def stop(self) -> None:
        """Stop every process this stack started."""
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGCONT)
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.procs.clear()
        if self.double is not None:
            self.double.stop()
            self.double = None
        if self.emulators is not None:
            self.emulators.stop()
            self.emulators = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- fault levers -------------------------------------------------------------------------------------
    def kill(self, target: str) -> None:
        """SIGKILL a function's whole process group (requests in flight die with it)."""
        proc = self.procs[target]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def restart(self, target: str, timeout: float = 60.0) -> None:
        """Start a killed function again on the same port and wait until it answers."""
        port = int(self.urls[target].rstrip("/").rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout
        while True:
            self.procs[target] = spawn_function(target, port, self.env, self.logs, self.threads)
            time.sleep(0.5)
            if self.procs[target].poll() is None:
                break
            if time.monotonic() > deadline:  # the port was still held by the dying process
                raise RuntimeError(f"{target} did not restart on port {port}")
        wait_ready({target: self.urls[target]}, self.logs, timeout)

    def pause(self, component: str) -> None:
        """Freeze an emulator ("firestore" or "pubsub"): connections hang as in an outage; no data is lost."""
        assert self.emulators is not None
        self.emulators.pause(component)

    def resume(self, component: str) -> None:
        """Thaw a frozen emulator."""
        assert self.emulators is not None
        self.emulators.resume(component)

    def run_tick(self, shift: timedelta = timedelta(0)) -> dict[str, Any]:
        """Run tick's work once in a separate process, with its clock moved forward by `shift`."""
        result = subprocess.run(
            [sys.executable, "-m", "scripts.localstack", "tick", "--shift-seconds", str(shift.total_seconds())],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        counts: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return counts

    # --- looking inside -----------------------------------------------------------------------------------
    def firestore(self) -> Any:
        """A Firestore client on this stack's emulator."""
        if "firestore" not in self._clients:
            from google.cloud import firestore

            with emulator_env(self.env):
                self._clients["firestore"] = firestore.Client(project=self.project)
        return self._clients["firestore"]

    def subscriber(self) -> Any:
        """A Pub/Sub subscriber client on this stack's emulator."""
        if "subscriber" not in self._clients:
            from google.cloud import pubsub_v1

            with emulator_env(self.env):
                self._clients["subscriber"] = pubsub_v1.SubscriberClient()
        return self._clients["subscriber"]

    def pull_parked(self, topic: str, wait: float = 3.0) -> list[dict[str, Any]]:
        """Every message parked on a dead-letter topic so far (acknowledged as read), attributes in "_attributes"."""
        subscriber = self.subscriber()
        name = subscriber.subscription_path(self.project, f"{topic}-parked")
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            response = subscriber.pull(request={"subscription": name, "max_messages": 500}, timeout=wait)
            if not response.received_messages:
                break
            subscriber.acknowledge(
                request={"subscription": name, "ack_ids": [m.ack_id for m in response.received_messages]}
            )
            found.extend(
                json.loads(m.message.data) | {"_attributes": dict(m.message.attributes)}
                for m in response.received_messages
            )
        return found


def _tick(shift_seconds: float) -> int:
    """Run the ticker once with a shifted clock; prints its counts as one JSON line."""
    from functions import bootstrap
    from functions.domain.time import utcnow

    offset = timedelta(seconds=shift_seconds)
    sys.stdout.write(json.dumps(bootstrap.build(lambda: utcnow() + offset).ticker().run()) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Operator commands on a running local stack."""
    parser = argparse.ArgumentParser(prog="python -m scripts.localstack")
    commands = parser.add_subparsers(dest="command", required=True)
    tick = commands.add_parser("tick", help="run tick's work once, as if the clock were shifted")
    tick.add_argument("--shift-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    return _tick(args.shift_seconds)


if __name__ == "__main__":
    raise SystemExit(main())
