"""The fan_out target: a Pub/Sub push of a case event becomes one delivery job per recipient."""

from __future__ import annotations

import flask

from functions import bootstrap
from functions.errors import TransientError
from functions.log import get_logger
from functions.pushes import PushedMessage, ack, parse_push, retry_or_park

log = get_logger("fan_out")


def fan_out(request: flask.Request) -> flask.Response:
    """Handle one pushed event: 2xx when fanned out (or permanently unreadable), 503 to be re-delivered."""
    pushed = parse_push(request)
    if pushed is None:
        log.warning("not a push message; dropped")
        return ack("dropped: not a push message")
    try:
        note = bootstrap.fanout().handle(pushed.data, pushed.attributes)
    except TransientError as error:
        return _retry_or_park(pushed, str(error))
    except Exception as error:  # a message no code path expected: retried, then parked, never a 5xx loop
        log.error("fan-out crashed", extra={"message_id": pushed.message_id, "error_type": type(error).__name__})
        return _retry_or_park(pushed, f"unexpected {type(error).__name__}")
    return ack(note)


def _retry_or_park(pushed: PushedMessage, reason: str) -> flask.Response:
    key = f"event-{pushed.data.get('event_id') or pushed.message_id}"
    return retry_or_park(
        bootstrap.parking(),
        pushed,
        key=key,
        dead_letter_topic=bootstrap.settings().reports_dead_letter_topic,
        data=pushed.data,
        parked_as=key,
        reason="fan-out kept failing",
        failed="fan-out failed; will be re-delivered",
        log=log,
        log_extra={"message_id": pushed.message_id, "error": reason},
    )
