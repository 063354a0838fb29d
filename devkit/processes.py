"""The functions as functions-framework processes, as Cloud Functions runs them (the one copy every driver uses).

Each process is a gunicorn arbiter with one worker in its own process group, so that stopping it (or killing it
mid-request) takes the worker with it and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import httpx

from devkit.emulators import free_port

ROOT: Final = Path(__file__).resolve().parents[1]
MAIN: Final = ROOT / "main.py"
FUNCTIONS_FRAMEWORK: Final = ROOT / ".venv" / "bin" / "functions-framework"
TARGETS: Final = ("telegram_webhook", "fan_out", "deliver", "tick", "export", "console")
# Requests each target works on at once: the concurrency (and THREADS) infra/functions.tf gives it in the cloud,
# so that what runs here queues and waits as it does there (tests/unit/test_localstack.py checks they agree).
THREADS: Final = {"telegram_webhook": 40, "fan_out": 10, "deliver": 8, "tick": 1, "export": 1, "console": 20}


class FunctionsError(RuntimeError):
    """A function process exited or did not answer in time."""


def spawn_function(
    target: str,
    port: int,
    env: Mapping[str, str],
    log: Path,
    *,
    source: Path = MAIN,
    threads: int | None = None,
) -> subprocess.Popen[bytes]:
    """Start one functions-framework process serving `target` of `source` on 127.0.0.1:port, logging to `log`.

    `threads` sets THREADS (the worker's threads); None leaves the environment's value.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(FUNCTIONS_FRAMEWORK), "--target", target, "--source", str(source)]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    child_env = dict(env) | ({"THREADS": str(threads)} if threads is not None else {})
    with log.open("ab") as out:
        return subprocess.Popen(
            argv, cwd=source.parent, env=child_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def url_of(port: int) -> str:
    """The root URL of a function served on this port."""
    return f"http://127.0.0.1:{port}/"


def port_of(url: str) -> int:
    """The port of a function's root URL."""
    return int(url.rstrip("/").rsplit(":", 1)[1])


def wait_answering(
    url: str,
    proc: subprocess.Popen[bytes] | None = None,
    timeout: float = 60.0,
    interval: float = 0.1,
    *,
    path: str = "robots.txt",
    request_timeout: float = 1.0,
) -> None:
    """Wait until the function at `url` answers HTTP on `path` (any status: the app is loaded and listening).

    robots.txt (the default) is answered by functions-framework itself, so the function is not called.
    """
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise FunctionsError(f"the function at {url} exited with {proc.returncode}")
        try:
            httpx.get(url + path, timeout=request_timeout)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise FunctionsError(f"the function at {url} did not answer within {timeout:.0f} s") from None
            time.sleep(interval)


def start_functions(
    env: Mapping[str, str],
    logs: Path,
    *,
    targets: Iterable[str] = TARGETS,
    threads: int | None = None,
    log_prefix: str = "",
) -> tuple[dict[str, str], dict[str, subprocess.Popen[bytes]]]:
    """One process per target on free ports, each with its cloud concurrency unless `threads` is given;
    their URLs and processes, once every one answers (logs in `logs`/<prefix><target>.log)."""
    urls: dict[str, str] = {}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for target in targets:
            port = free_port()
            log = logs / f"{log_prefix}{target}.log"
            procs[target] = spawn_function(target, port, env, log, threads=threads or THREADS[target])
            urls[target] = url_of(port)
        for target, url in urls.items():
            try:
                wait_answering(url, procs[target])
            except FunctionsError as error:
                raise FunctionsError(
                    f"{target} did not start ({error}); see {logs / (log_prefix + target)}.log"
                ) from None
    except BaseException:
        stop_processes(procs.values())
        raise
    return urls, procs


def kill_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process group at once (requests in flight die with it)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def stop_processes(procs: Iterable[subprocess.Popen[bytes]], timeout: float = 10.0) -> None:
    """SIGTERM every process group (thawed first: a stopped process ignores it), then wait; SIGKILL stragglers."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGCONT)
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_process(proc)
