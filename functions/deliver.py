"""The deliver target: a Pub/Sub push of a delivery job sends or edits one message, paced."""

from __future__ import annotations

import flask
from pydantic import ValidationError

from functions import bootstrap
from functions.domain.jobs import DeliveryJob
from functions.errors import TransientError
from functions.log import get_logger
from functions.pushes import ack, parse_push, retry

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
    return _retry_or_park(job, pushed.delivery_attempt if pushed.attempt_known else None, reason)


def _retry_or_park(job: DeliveryJob, attempt: int | None, reason: str) -> flask.Response:
    """Ask Pub/Sub for another attempt, or park the job after the last one."""
    try:
        parking = bootstrap.parking()
        if parking.should_park(f"job-{job.job_id}", attempt):
            topic = bootstrap.settings().deliveries_dead_letter_topic
            parking.park(topic, job.model_dump(mode="json"), job.job_id, reason[:100])
            return ack("parked")
    except TransientError:
        pass
    log.warning("delivery failed; will be re-delivered", extra={"job_id": job.job_id, "error": reason[:200]})
    return retry("transient failure")
