"""Parking failed messages: after the configured attempts a job goes to its dead-letter topic."""

from __future__ import annotations

from typing import Any, Protocol

from functions.log import get_logger

log = get_logger("parking")


class AttemptCounter(Protocol):
    """Counts failed attempts per message key."""

    def count_failure(self, key: str) -> int: ...


class Publisher(Protocol):
    """Publishes one message."""

    def publish_json(self, topic: str, data: dict[str, Any], **attributes: str) -> str: ...


class Parking:
    """Decides between 'retry' and 'park' for a failed message.

    Production Pub/Sub counts attempts itself (`deliveryAttempt`, with the subscription's dead-letter policy);
    the emulator neither counts nor dead-letters, so without that field the attempts are counted in Firestore.
    Either way the job lands in the dead-letter topic after `max_attempts`, where an operator can see it.
    """

    def __init__(self, counter: AttemptCounter, publisher: Publisher, max_attempts: int) -> None:
        self.counter = counter
        self.publisher = publisher
        self.max_attempts = max_attempts

    def should_park(self, key: str, delivery_attempt: int | None) -> bool:
        """Record one failure; True when this was the last attempt allowed."""
        attempts = delivery_attempt if delivery_attempt else self.counter.count_failure(key)
        return attempts >= self.max_attempts

    def park(self, dead_letter_topic: str, data: dict[str, Any], key: str, reason: str) -> None:
        """Publish the message to the dead-letter topic (raises TransientError if that fails too)."""
        self.publisher.publish_json(dead_letter_topic, data, key=key, reason=reason)
        log.error(
            "message parked in the dead-letter topic", extra={"key": key, "topic": dead_letter_topic, "reason": reason}
        )
