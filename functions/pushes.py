"""Reading Pub/Sub push requests (the standard push body) in the consumer targets."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import flask
from pydantic import BaseModel, Field


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
