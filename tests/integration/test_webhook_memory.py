"""A refused webhook request never buffers more than the body limit: the worker's peak memory is measured."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_FRAMEWORK = ROOT / ".venv" / "bin" / "functions-framework"
SECRET = "memory-test-secret"
CHUNK = b" " * (64 * 1024)  # as an HTTP client streams a body
BODY_MIB = 30
LIMIT_MIB = 1  # the webhook's body limit (Settings.max_body_bytes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def _peak_kib(pid: int) -> int:
    """VmHWM: the process's peak resident memory, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def webhook() -> Iterator[tuple[str, int]]:
    """telegram_webhook as Cloud Functions runs it: functions-framework, gunicorn, one worker."""
    port = _free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:memory",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "GOOGLE_CLOUD_PROJECT": "qorgau-memory",
        "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",
        "PUBSUB_EMULATOR_HOST": "127.0.0.1:9",
    }
    process = subprocess.Popen(
        [str(FUNCTIONS_FRAMEWORK), "--target", "telegram_webhook", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        # warm up: the first answers of a worker import and allocate what every later request reuses
        for secret in (None, "wrong", SECRET):
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            httpx.post(url, content=b"x" * 1024 * 1024 + b"x", headers=headers, timeout=10)
        workers = _children(process.pid)
        assert len(workers) == 1, workers
        yield url, workers[0]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def _chunked_body() -> Iterator[bytes]:
    for _ in range(BODY_MIB * 1024 * 1024 // len(CHUNK)):
        yield CHUNK


def _send(url: str, secret: str | None) -> int | None:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    try:
        response = httpx.post(url, content=_chunked_body(), headers=headers, timeout=60)
    except httpx.TransportError:
        return None  # the server answered and closed before reading the rest: the refusal we want
    return response.status_code


@pytest.mark.parametrize("secret", [None, "wrong"], ids=["no-secret", "wrong-secret"])
def test_refused_bodies_are_not_buffered(webhook: tuple[str, int], secret: str | None) -> None:
    url, worker = webhook
    before = _peak_kib(worker)
    statuses = [_send(url, secret) for _ in range(4)]
    after = _peak_kib(worker)
    assert all(status in {401, 403, None} for status in statuses), statuses
    grown_mib = (after - before) / 1024
    assert grown_mib < 2 * LIMIT_MIB, f"four refused {BODY_MIB} MiB bodies raised peak memory by {grown_mib:.0f} MiB"


def test_oversized_body_with_the_right_secret_is_not_buffered(webhook: tuple[str, int]) -> None:
    url, worker = webhook
    before = _peak_kib(worker)
    statuses = [_send(url, SECRET) for _ in range(4)]
    after = _peak_kib(worker)
    assert all(status in {413, None} for status in statuses), statuses
    grown_mib = (after - before) / 1024
    assert grown_mib < 2 * LIMIT_MIB, f"four {BODY_MIB} MiB bodies raised peak memory by {grown_mib:.0f} MiB"


def test_the_webhook_still_answers_after_refusals(webhook: tuple[str, int]) -> None:
    url, _ = webhook
    response = httpx.post(url, content=b"{}", headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 401
