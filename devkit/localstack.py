"""The local stack as real processes: emulators, the four functions (one functions-framework each), Pub/Sub wiring.

`make run` (devkit/dev_stack.py), the fault-injection test and the load benchmark all start the system through
this module, so what they exercise is what `make run` runs. `LocalStack` adds the operator's levers for fault
injection: kill a function mid-request and start it again on the same port, freeze an emulator (SIGSTOP) and
thaw it (SIGCONT) without losing its data, and run `tick` with a shifted clock.

`python -m devkit.localstack tick --shift-minutes 2` runs the time-driven work once, as if that much later
(the environment must point at the stack, as the functions' own environment does).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from devkit.emulators import Emulators
from devkit.processes import (
    ROOT,
    THREADS,
    kill_process,
    port_of,
    spawn_function,
    start_functions,
    stop_processes,
    wait_answering,
)
from devkit.pubsub import Wiring, emulator_env

PROJECT: Final = "qorgau-local"


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
    _bus: Wiring | None = None
    _parked: dict[str, str] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        """Where the processes of this stack write their logs."""
        return ROOT / ".logs" / self.name

    def start(self) -> LocalStack:
        """Start everything and point the double's webhook at telegram_webhook."""
        from devkit.botapi_double.server import DoubleServer

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
            self.urls, self.procs = start_functions(self.env, self.logs, threads=self.threads)
            self._bus = Wiring(self.project, self.env)
            self._parked = self._bus.wire(self.urls)
        except BaseException:
            self.stop()
            raise
        self.double.set_webhook(self.urls["telegram_webhook"], self.secret)
        return self

    def stop(self) -> None:
        """Stop every process this stack started."""
        stop_processes(self.procs.values())
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
        kill_process(self.procs[target])

    def restart(self, target: str, timeout: float = 60.0) -> None:
        """Start a killed function again on the same port and wait until it answers."""
        port = port_of(self.urls[target])
        deadline = time.monotonic() + timeout
        while True:
            log = self.logs / f"{target}.log"
            threads = self.threads or THREADS[target]
            self.procs[target] = spawn_function(target, port, self.env, log, threads=threads)
            time.sleep(0.5)
            if self.procs[target].poll() is None:
                break
            if time.monotonic() > deadline:  # the port was still held by the dying process
                raise RuntimeError(f"{target} did not restart on port {port}")
        wait_answering(self.urls[target], self.procs[target], timeout)

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
            [sys.executable, "-m", "devkit.localstack", "tick", "--shift-seconds", str(shift.total_seconds())],
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

    def pull_parked(self, topic: str, wait: float = 3.0) -> list[dict[str, Any]]:
        """Every message parked on a dead-letter topic so far (acknowledged as read), attributes in "_attributes"."""
        assert self._bus is not None
        found = self._bus.pull(self._parked[topic], wait=wait, pull_timeout=wait)
        return [message["data"] | {"_attributes": message["attributes"]} for message in found]


def _tick(shift_seconds: float) -> int:
    """Run the ticker once with a shifted clock; prints its counts as one JSON line."""
    from functions import bootstrap
    from functions.domain.time import utcnow

    offset = timedelta(seconds=shift_seconds)
    sys.stdout.write(json.dumps(bootstrap.build(lambda: utcnow() + offset).ticker().run()) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Operator commands on a running local stack."""
    parser = argparse.ArgumentParser(prog="python -m devkit.localstack")
    commands = parser.add_subparsers(dest="command", required=True)
    tick = commands.add_parser("tick", help="run tick's work once, as if the clock were shifted")
    tick.add_argument("--shift-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    return _tick(args.shift_seconds)


if __name__ == "__main__":
    raise SystemExit(main())
