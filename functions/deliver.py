"""The deliver target: a Pub/Sub push of a delivery job sends or edits one message, paced."""

from __future__ import annotations

import flask
from pydantic import ValidationError

from functions import bootstrap, deliver_root
from functions.domain.jobs import DeliveryJob
from functions.errors import TransientError
from functions.log import get_logger
from functions.pushes import PushedMessage, ack, parse_push, retry_or_park

log = get_logger("deliver")


def deliver(request: flask.Request) -> flask.Response:
    """Handle one pushed job: 2xx when delivered (or never deliverable), 503 to be re-delivered."""
    pushed = parse_push(request)
    if pushed is None:
        log.warning("not a push message; dropped")
        return ack("dropped: not a push message")
    try:
        job = DeliveryJob.model_validate(pushed.data)
    except ValidationError:
        log.warning("unreadable job dropped", extra={"message_id": pushed.message_id})
        return ack("dropped: not a job")
    try:
        verdict = bootstrap.delivery().handle(job)
        if verdict == "done":
            return ack("delivered")
        reason = "busy"
    except TransientError as error:
        reason = str(error)
    except Exception as error:  # a job no code path expected: retried, then parked, never a 5xx loop
        log.error("delivery crashed", extra={"job_id": job.job_id, "error_type": type(error).__name__})
        reason = f"unexpected {type(error).__name__}"
    return _retry_or_park(pushed, job, reason)


def _retry_or_park(pushed: PushedMessage, job: DeliveryJob, reason: str) -> flask.Response:
    return retry_or_park(
        bootstrap.parking(),
        pushed,
        key=f"job-{job.job_id}",
        dead_letter_topic=bootstrap.settings().deliveries_dead_letter_topic,
        data=job.model_dump(mode="json"),
        parked_as=job.job_id,
        reason=reason[:100],
        failed="delivery failed; will be re-delivered",
        log=log,
        log_extra={"job_id": job.job_id, "error": reason[:200]},
        # a conversation message's writer hears it did not reach
        on_park=lambda: deliver_root.parked(job, bootstrap.publisher(), bootstrap.settings().deliveries_topic),
    )
