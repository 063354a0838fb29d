"""Pub/Sub on the emulator wired as Terraform wires it in the cloud (the one copy every driver and test uses).

Topics: reports, deliveries, exports and their dead-letter topics. Push subscriptions: reports → fan_out,
deliveries → deliver and exports → export, and the deliveries dead-letter topic → deliver at /parked (the writer
of a parked conversation message is told). Pull subscriptions on the dead-letter topics let a driver read what
was parked.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from typing import Any, Final

TOPICS: Final = (
    "reports",
    "deliveries",
    "exports",
    "reports-dead-letter",
    "deliveries-dead-letter",
    "exports-dead-letter",
)
PUSHES: Final = (("reports", "fan_out"), ("deliveries", "deliver"), ("exports", "export"))
PARKED_PUSH: Final = ("deliveries-dead-letter", "deliver", "/parked")  # infra/pubsub.tf parked_deliveries
PARKED: Final = ("reports-dead-letter", "deliveries-dead-letter", "exports-dead-letter")
EMULATOR_KEYS: Final = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT")


@contextlib.contextmanager
def emulator_env(env: Mapping[str, str]) -> Iterator[None]:
    """Point Google's clients built inside the block at these emulators (they read the variables when built)."""
    saved = {key: os.environ.get(key) for key in EMULATOR_KEYS}
    os.environ.update({key: env[key] for key in EMULATOR_KEYS if key in env})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Wiring:
    """Topics and subscriptions of one project on the emulator; remembers the subscriptions it made."""

    def __init__(self, project: str, env: Mapping[str, str] | None = None) -> None:
        from google.cloud import pubsub_v1

        self.project = project
        with emulator_env(env if env is not None else dict(os.environ)):
            self.publisher = pubsub_v1.PublisherClient()
            self.subscriber = pubsub_v1.SubscriberClient()
        self.subscriptions: list[str] = []

    def topic(self, topic: str) -> str:
        """The topic's full path."""
        path: str = self.publisher.topic_path(self.project, topic)
        return path

    def create_topics(self, topics: tuple[str, ...] = TOPICS) -> None:
        """Create the topics; those that exist already are kept."""
        for topic in topics:
            try:
                self.publisher.create_topic(name=self.topic(topic))
            except Exception as error:  # AlreadyExists (a second session on the same emulator)
                if "exists" not in str(error).lower():
                    raise

    def subscribe(self, topic: str, name: str, push_endpoint: str | None = None) -> str:
        """A subscription on topic: push to an endpoint (as Terraform's push subscriptions), else pull."""
        path: str = self.subscriber.subscription_path(self.project, name)
        request: dict[str, Any] = {"name": path, "topic": self.topic(topic), "ack_deadline_seconds": 60}
        if push_endpoint is not None:
            request["push_config"] = {"push_endpoint": push_endpoint}
        self.subscriber.create_subscription(request=request)
        self.subscriptions.append(path)
        return path

    def connect(self, endpoints: Mapping[str, str], suffix: str = "push") -> None:
        """reports → fan_out, deliveries → deliver and exports → export, and parked deliveries → deliver's
        /parked, pushed to the given targets' endpoints (a target not given is left unsubscribed)."""
        for topic, target in PUSHES:
            if target not in endpoints:
                continue
            self.subscribe(topic, f"{topic}-{suffix}", push_endpoint=endpoints[target])
        topic, target, path = PARKED_PUSH
        if target in endpoints:
            self.subscribe(topic, f"{topic}-{suffix}", push_endpoint=endpoints[target].rstrip("/") + path)

    def park(self, suffix: str = "parked", topics: tuple[str, ...] = PARKED) -> dict[str, str]:
        """A pull subscription on each dead-letter topic; their paths by topic."""
        return {topic: self.subscribe(topic, f"{topic}-{suffix}") for topic in topics}

    def wire(self, endpoints: Mapping[str, str]) -> dict[str, str]:
        """Everything as in the cloud: topics, the two push subscriptions, a pull subscription on each parked topic."""
        self.create_topics()
        self.connect(endpoints)
        return self.park()

    def pull(
        self,
        subscription: str,
        wait: float = 5.0,
        expect: int | None = None,
        max_messages: int = 500,
        pull_timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Messages on a pull subscription (acknowledged) as {"data": …, "attributes": …}: until `expect` arrived
        or `wait` seconds passed; without `expect`, until a pull finds nothing."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            timeout = pull_timeout if pull_timeout is not None else max(0.5, deadline - time.monotonic())
            response = self.subscriber.pull(
                request={"subscription": subscription, "max_messages": max_messages}, timeout=timeout
            )
            received = response.received_messages
            if received:
                self.subscriber.acknowledge(
                    request={"subscription": subscription, "ack_ids": [m.ack_id for m in received]}
                )
                found.extend(
                    {"data": json.loads(m.message.data), "attributes": dict(m.message.attributes)} for m in received
                )
            if (expect is not None and len(found) >= expect) or (expect is None and not received):
                break
        return found

    def drop(self) -> None:
        """Delete every subscription this wiring made."""
        for name in self.subscriptions:
            with contextlib.suppress(Exception):  # already gone
                self.subscriber.delete_subscription(request={"subscription": name})
        self.subscriptions.clear()
