"""The local stack for tests: emulators, the Bot API double and the four targets served in-process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.botapi_double.server import DoubleServer
from devkit.emulators import Emulators
from devkit.inprocess import FunctionsServer
from devkit.pubsub import Wiring

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "qorgau-test"
TOKEN = "1000001:test-token-of-the-double"
SECRET = "test-webhook-secret"
BOT_USERNAME = "qorgau_local_bot"
ADMIN_ID = 900_001


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll until predicate() is truthy; its value, or AssertionError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@dataclass
class Stack:
    """Handles on every running part, plus helpers to look inside."""

    emulators: Emulators
    double: DoubleServer
    functions: FunctionsServer
    wiring: Wiring | None = None

    # --- Firestore ----------------------------------------------------------------------------------------
    @property
    def db(self) -> Any:
        from functions import bootstrap

        return bootstrap.firestore_client()

    def doc(self, path: str) -> dict[str, Any] | None:
        snap = self.db.document(path).get()
        return snap.to_dict() if snap.exists else None

    def reports(self) -> list[dict[str, Any]]:
        return [(snap.to_dict() or {}) | {"id": snap.id} for snap in self.db.collection("reports").stream()]

    # --- Pub/Sub ------------------------------------------------------------------------------------------
    def _wiring(self) -> Wiring:
        if self.wiring is None:
            self.wiring = Wiring(PROJECT)
        return self.wiring

    def create_topics(self) -> None:
        self._wiring().create_topics()

    def pull_subscription(self, topic: str) -> str:
        """A new pull subscription on topic (deleted after the test)."""
        wiring = self._wiring()
        return wiring.subscribe(topic, f"{topic}-pull-{len(wiring.subscriptions)}-{time.monotonic_ns()}")

    def push_subscription(self, topic: str, target: str) -> str:
        """Push topic to a target, as Terraform's push subscriptions do."""
        endpoint = self.functions.target_url(target)
        return self._wiring().subscribe(topic, f"{topic}-push-{time.monotonic_ns()}", push_endpoint=endpoint)

    def connect_chain(self) -> None:
        """reports → fan_out, deliveries → deliver and exports → export, as in the cloud."""
        endpoints = {target: self.functions.target_url(target) for target in ("fan_out", "deliver", "export")}
        self._wiring().connect(endpoints, suffix=f"push-{time.monotonic_ns()}")

    def pull(self, subscription: str, wait: float = 5.0, expect: int = 1) -> list[dict[str, Any]]:
        """Messages on a pull subscription (acknowledged), waiting until at least `expect` arrived."""
        return self._wiring().pull(subscription, wait=wait, expect=expect, max_messages=100)

    def drop_subscriptions(self) -> None:
        self._wiring().drop()

    # --- users ----------------------------------------------------------------------------------------------
    def bot_texts(self, chat_id: int) -> list[str]:
        """The texts of the bot's messages in a chat, as they are now."""
        return [
            str(m.get("text") or m.get("caption") or "") for m in self.double.messages(chat_id) if not m.get("deleted")
        ]

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        messages = [m for m in self.double.messages(chat_id) if not m.get("deleted")]
        assert messages, f"the bot said nothing in chat {chat_id}"
        return messages[-1]


def start_stack() -> Stack:
    """Start the emulators, the double and the targets, with the environment the code reads."""
    emulators = Emulators(project=PROJECT, log_dir=ROOT / ".logs").start()
    double = DoubleServer(enforce_limits=True, token=TOKEN).start()
    os.environ.update(emulators.env())
    os.environ.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": double.base_url,
            "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
            "ADMIN_TELEGRAM_IDS": str(ADMIN_ID),
            "MAX_DELIVERY_ATTEMPTS": "3",
            "TELEGRAM_TIMEOUT_SECONDS": "3",
            "PUBLISH_TIMEOUT_SECONDS": "5",
        }
    )
    from functions import bootstrap

    bootstrap.reset()
    functions = FunctionsServer().start()
    double.set_webhook(f"{functions.url}/telegram_webhook", SECRET)
    stack = Stack(emulators, double, functions)
    stack.create_topics()
    return stack
