"""Pub/Sub push requests in the consumer targets: reading the standard push body, ack, retry or park, and the
one shape of a job target (deliver, export): read the job, run it, retry or park it when it fails."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import flask
from pydantic import BaseModel, Field, ValidationError

from functions import bootstrap
from functions.config import Settings
from functions.errors import Busy, TransientError
from functions.services.parking import Parking

J = TypeVar("J", bound=BaseModel)
T = TypeVar("T")


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
    on_parked: Callable[[], None] | None = None,
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
        on_parked: called once the message is parked (its errors are not caught here).

    Returns:
        A 2xx when parked, a 503 to be re-delivered.
    """
    parked = False
    try:
        if parking.should_park(key, pushed.delivery_attempt if pushed.attempt_known else None):
            if on_park is not None:
                on_park()
            parking.park(dead_letter_topic, data, parked_as, reason)
            parked = True
    except TransientError:
        pass
    if parked:
        if on_parked is not None:
            on_parked()
        return ack("parked")
    log.warning(failed, extra=log_extra)
    return retry("transient failure")


def handle_push(
    request: flask.Request, log: logging.Logger, handle: Callable[[PushedMessage], flask.Response]
) -> flask.Response:
    """Read a pushed message and hand it on; a request that is not a push is dropped (a 2xx)."""
    pushed = parse_push(request)
    if pushed is None:
        log.warning("not a push message; dropped")
        return ack("dropped: not a push message")
    return handle(pushed)


@dataclass(frozen=True)
class Failed:
    """An attempt that failed (a transient failure, or a crash no code path expected): why, without content."""

    reason: str
    busy: bool = False  # another attempt holds the job's lease: not a failure of the job


def attempt(run: Callable[[], T], log: logging.Logger, crashed: str, ids: dict[str, Any]) -> T | Failed:
    """Run the use case; a failure becomes Failed (retried, then parked: never a 5xx loop)."""
    try:
        return run()
    except Busy as error:
        return Failed(str(error), busy=True)
    except TransientError as error:
        return Failed(str(error))
    except Exception as error:  # a message no code path expected: retried, then parked, never a 5xx loop
        log.error(crashed, extra=ids | {"error_type": type(error).__name__})
        return Failed(f"unexpected {type(error).__name__}")


@dataclass(frozen=True)
class JobTarget(Generic[J]):
    """What a target whose pushed message is one job (deliver, export) reads and says.

    The job's id (`id_field`) names it in the logs, and less its `_id` it keys the job's attempts and the
    parked message (`job-…`, `export-…`). `words`: the log line of an unreadable job, the answer that drops
    it, the answer when done, and what failed (the crash and retry log lines).
    """

    model: type[J]
    id_field: str
    words: tuple[str, str, str, str]
    log: logging.Logger


def handle_job(
    request: flask.Request,
    target: JobTarget[J],
    run: Callable[[J], str],
    dead_letter_topic: Callable[[Settings], str],
    on_parked: Callable[[J], None] | None = None,
    on_park: Callable[[J], None] | None = None,
) -> flask.Response:
    """Handle one pushed job: 2xx when done (or never doable), 503 to be re-delivered, parked after the last.

    Args:
        request: the push.
        target: the job target's model and words.
        run: the use case: "done", or "busy" (another attempt holds the job: retried).
        dead_letter_topic: where its jobs are parked.
        on_parked: after the last attempt (someone is told, best effort).
        on_park: just before the job is parked (a TransientError from it retries instead).
    """
    return handle_push(
        request, target.log, lambda pushed: _job(pushed, target, run, dead_letter_topic, on_parked, on_park)
    )


def _job(
    pushed: PushedMessage,
    target: JobTarget[J],
    run: Callable[[J], str],
    dead_letter_topic: Callable[[Settings], str],
    on_parked: Callable[[J], None] | None,
    on_park: Callable[[J], None] | None,
) -> flask.Response:
    unreadable, dropped, done, what = target.words
    try:
        job = target.model.model_validate(pushed.data)
    except ValidationError:
        target.log.warning(unreadable, extra={"message_id": pushed.message_id})
        return ack(dropped)
    job_id = str(getattr(job, target.id_field))
    verdict = attempt(lambda: run(job), target.log, f"{what} crashed", {target.id_field: job_id})
    if verdict == "done":
        return ack(done)
    busy = verdict.busy if isinstance(verdict, Failed) else verdict == "busy"  # another attempt holds the job
    if busy and not _last_known_attempt(pushed):
        # Its lease runs out by itself (the holder may have died mid-send): waiting for it is not a failure, so
        # it does not count towards parking, or a job whose sender was killed would be parked unsent.
        target.log.info(f"{what} busy; will be re-delivered", extra={target.id_field: job_id})
        return retry("busy: another attempt holds the job")
    reason = verdict.reason if isinstance(verdict, Failed) else str(verdict)
    return retry_or_park(
        bootstrap.parking(),
        pushed,
        key=f"{target.id_field.removesuffix('_id')}-{job_id}",
        dead_letter_topic=dead_letter_topic(bootstrap.settings()),
        data=job.model_dump(mode="json"),
        parked_as=job_id,
        reason=reason[:100],
        failed=f"{what} failed; will be re-delivered",
        log=target.log,
        log_extra={target.id_field: job_id, "error": reason[:200]},
        on_park=(lambda: on_park(job)) if on_park is not None else None,
        on_parked=(lambda: on_parked(job)) if on_parked is not None else None,
    )


def _last_known_attempt(pushed: PushedMessage) -> bool:
    """Whether Pub/Sub says this is the last delivery before its dead-letter policy parks the message itself."""
    return pushed.attempt_known and pushed.delivery_attempt >= bootstrap.parking().max_attempts
