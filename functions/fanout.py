"""The fan_out target: a Pub/Sub push of a case event becomes one delivery job per recipient.

Not a job target (pushes.JobTarget): the event is read by the fan-out service itself, which answers with its own
note and is never busy; a failing event is counted by its event id (or the message's) and parked as it came.
"""

from __future__ import annotations

import flask

from functions import bootstrap
from functions.log import get_logger
from functions.pushes import Failed, PushedMessage, ack, attempt, handle_push, retry_or_park

log = get_logger("fan_out")


def fan_out(request: flask.Request) -> flask.Response:
    """Handle one pushed event: 2xx when fanned out (or permanently unreadable), 503 to be re-delivered."""
    return handle_push(request, log, _fan_out)


def _fan_out(pushed: PushedMessage) -> flask.Response:
    run = lambda: bootstrap.fanout().handle(pushed.data, pushed.attributes)  # noqa: E731
    note = attempt(run, log, "fan-out crashed", {"message_id": pushed.message_id})
    if isinstance(note, Failed):
        return _retry_or_park(pushed, note.reason)
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
