"""The local stack for tests: emulators, the Bot API double and the four targets served in-process."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from devkit.botapi_double.server import DoubleServer
from devkit.emulators import Emulators

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "qorgau-test"
TOKEN = "1000001:test-token-of-the-double"
SECRET = "test-webhook-secret"
BOT_USERNAME = "qorgau_local_bot"
ADMIN_ID = 900_001
TARGETS = ("telegram_webhook", "fan_out", "deliver", "tick")
TOPICS = ("reports", "deliveries", "reports-dead-letter", "deliveries-dead-letter")


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


class FunctionsServer:
    """The four functions-framework targets behind one threaded WSGI server, at /<target>."""

    def __init__(self) -> None:
        import functions_framework

        apps = {f"/{name}": functions_framework.create_app(name, str(ROOT / "main.py")) for name in TARGETS}

        def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
            app = apps.get(environ.get("PATH_INFO", ""))
            if app is None:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"no such target"]
            environ["PATH_INFO"] = "/"
            return app(environ, start_response)

        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="functions")

    def start(self) -> FunctionsServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()


@dataclass
class Stack:
    """Handles on every running part, plus helpers to look inside."""

    emulators: Emulators
    double: DoubleServer
    functions: FunctionsServer
    subscriptions: list[str] = field(default_factory=list)

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
    def _clients(self) -> tuple[Any, Any]:
        from google.cloud import pubsub_v1

        return pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()

    def create_topics(self) -> None:
        publisher, _ = self._clients()
        for topic in TOPICS:
            path = publisher.topic_path(PROJECT, topic)
            try:
                publisher.create_topic(name=path)
            except Exception as error:  # AlreadyExists on a second session
                if "exists" not in str(error).lower():
                    raise

    def pull_subscription(self, topic: str) -> str:
        """A new pull subscription on topic (deleted after the test)."""
        publisher, subscriber = self._clients()
        name = subscriber.subscription_path(PROJECT, f"{topic}-pull-{len(self.subscriptions)}-{time.monotonic_ns()}")
        subscriber.create_subscription(
            request={"name": name, "topic": publisher.topic_path(PROJECT, topic), "ack_deadline_seconds": 60}
        )
        self.subscriptions.append(name)
        return name

    def push_subscription(self, topic: str, target: str) -> str:
        """Push topic to a target, as Terraform's push subscriptions do."""
        publisher, subscriber = self._clients()
        name = subscriber.subscription_path(PROJECT, f"{topic}-push-{time.monotonic_ns()}")
        subscriber.create_subscription(
            request={
                "name": name,
                "topic": publisher.topic_path(PROJECT, topic),
                "ack_deadline_seconds": 60,
                "push_config": {"push_endpoint": f"{self.functions.url}/{target}"},
            }
        )
        self.subscriptions.append(name)
        return name

    def connect_chain(self) -> None:
        """reports → fan_out and deliveries → deliver, as in the cloud."""
        self.push_subscription("reports", "fan_out")
        self.push_subscription("deliveries", "deliver")

    def pull(self, subscription: str, wait: float = 5.0, expect: int = 1) -> list[dict[str, Any]]:
        """Messages on a pull subscription (acknowledged), waiting until at least `expect` arrived."""
        import json

        _, subscriber = self._clients()
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            response = subscriber.pull(
                request={"subscription": subscription, "max_messages": 100},
                timeout=max(0.5, deadline - time.monotonic()),
            )
            if response.received_messages:
                subscriber.acknowledge(
                    request={"subscription": subscription, "ack_ids": [m.ack_id for m in response.received_messages]}
                )
                for received in response.received_messages:
                    found.append(
                        {"data": json.loads(received.message.data), "attributes": dict(received.message.attributes)}
                    )
            if len(found) >= expect:
                break
        return found

    def drop_subscriptions(self) -> None:
        _, subscriber = self._clients()
        for name in self.subscriptions:
            with contextlib.suppress(Exception):  # already gone
                subscriber.delete_subscription(request={"subscription": name})
        self.subscriptions.clear()

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
