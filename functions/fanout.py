"""The fan_out target: a Pub/Sub push of a case event becomes one delivery job per recipient."""

from __future__ import annotations

import flask

from functions import bootstrap
from functions.errors import TransientError
from functions.log import get_logger
from functions.pushes import PushedMessage, ack, parse_push, retry

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
    """Ask Pub/Sub for another attempt, or park the event after the last one."""
    key = f"event-{pushed.data.get('event_id') or pushed.message_id}"
    try:
        parking = bootstrap.parking()
        if parking.should_park(key, pushed.delivery_attempt if pushed.attempt_known else None):
            parking.park(bootstrap.settings().reports_dead_letter_topic, pushed.data, key, "fan-out kept failing")
            return ack("parked")
    except TransientError:
        pass
    log.warning("fan-out failed; will be re-delivered", extra={"message_id": pushed.message_id, "error": reason})
    return retry("transient failure")
