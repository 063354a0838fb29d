"""Pub/Sub push requests in the consumer targets: reading the standard push body, ack, retry or park."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from typing import Any

import flask
from pydantic import BaseModel, Field

from functions.errors import TransientError
from functions.services.parking import Parking


class PushedMessage(BaseModel):
    """One pushed message: decoded data, attributes and the delivery attempt."""

    data: dict[str, Any]
    attributes: dict[str, str] = Field(default_factory=dict)
    message_id: str = ""
    delivery_attempt: int = 1
    attempt_known: bool = False


def parse_push(request: flask.Request, max_bytes: int = 1024 * 1024) -> PushedMessage | None:
    """The pushed message, or None when the request is not a well-formed push of a JSON object."""
    if request.method != "POST":
        return None
    raw = request.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        return None
    try:
        envelope = json.loads(raw)
        message = envelope["message"]
        data = json.loads(base64.b64decode(message.get("data", ""), validate=True) or b"null")
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    attributes = message.get("attributes") or {}
    attempt = envelope.get("deliveryAttempt") or message.get("deliveryAttempt")
    return PushedMessage(
        data=data,
        attributes={str(k): str(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {},
        message_id=str(message.get("messageId") or message.get("message_id") or ""),
        delivery_attempt=int(attempt) if isinstance(attempt, int) else 1,
        attempt_known=isinstance(attempt, int),
    )


def ack(note: str = "ok") -> flask.Response:
    """A 2xx: Pub/Sub drops the message (handled, or permanently bad)."""
    return flask.Response(json.dumps({"ok": True, "note": note}), status=200, mimetype="application/json")


def retry(note: str) -> flask.Response:
    """A 503: Pub/Sub re-delivers with the subscription's backoff, then dead-letters."""
    return flask.Response(json.dumps({"ok": False, "note": note}), status=503, mimetype="application/json")


def retry_or_park(
    parking: Parking,
    pushed: PushedMessage,
    *,
    key: str,
    dead_letter_topic: str,
    data: dict[str, Any],
    parked_as: str,
    reason: str,
    failed: str,
    log_extra: dict[str, Any],
    log: logging.Logger,
    on_park: Callable[[], None] | None = None,
) -> flask.Response:
    """Ask Pub/Sub for another attempt, or park the message in its dead-letter topic after the last one.

    Args:
        parking: counts the attempts when Pub/Sub does not, publishes to the dead-letter topic.
        pushed: the message that failed.
        key: the message's key for counting attempts.
        dead_letter_topic: where a parked message goes.
        data: what is parked.
        parked_as: the key the parked message carries.
        reason: why it is parked (a short text, no content).
        failed: the log line when it is retried.
        log_extra: ids for that log line.
        log: the target's logger.
        on_park: run just before the message is parked (a TransientError from it retries instead).

    Returns:
        A 2xx when parked, a 503 to be re-delivered.
    """
    try:
        if parking.should_park(key, pushed.delivery_attempt if pushed.attempt_known else None):
            if on_park is not None:
                on_park()
            parking.park(dead_letter_topic, data, parked_as, reason)
            return ack("parked")
    except TransientError:
        pass
    log.warning(failed, extra=log_extra)
    return retry("transient failure")
