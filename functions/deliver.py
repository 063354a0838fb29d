"""The deliver target: a Pub/Sub push of a delivery job sends or edits one message, paced; a push of a parked job
(the deliveries dead-letter topic, at /parked) tells the writer of a parked conversation message."""

from __future__ import annotations

import flask
from pydantic import ValidationError

from functions import bootstrap, deliver_root
from functions.config import Settings
from functions.domain.jobs import DeliveryJob
from functions.errors import TransientError
from functions.log import get_logger
from functions.pushes import JobTarget, PushedMessage, ack, handle_job, handle_push, retry

log = get_logger("deliver")
_JOBS = JobTarget(DeliveryJob, "job_id", ("unreadable job dropped", "dropped: not a job", "delivered", "delivery"), log)


def deliver(request: flask.Request) -> flask.Response:
    """Handle one pushed job: 2xx when delivered (or never deliverable), 503 to be re-delivered."""
    if request.path.rstrip("/").endswith("/parked"):
        return handle_push(request, log, _parked)
    return handle_job(
        request, _JOBS, lambda job: bootstrap.delivery().handle(job), _dead_letter_topic, on_park=_parking
    )


def _dead_letter_topic(config: Settings) -> str:
    return config.deliveries_dead_letter_topic


def _parking(job: DeliveryJob) -> None:
    """A conversation message's writer hears it did not reach (raises TransientError: the job is retried)."""
    deliver_root.parked(job, bootstrap.publisher(), bootstrap.settings().deliveries_topic)


def _parked(pushed: PushedMessage) -> flask.Response:
    """A job on the dead-letter topic, parked by deliver on its last attempt or by Pub/Sub's own dead-lettering
    when that attempt died: a conversation message's writer is told (its failure job, idempotent by job id)."""
    try:
        job = DeliveryJob.model_validate(pushed.data)
    except ValidationError:
        log.warning("unreadable parked job dropped", extra={"message_id": pushed.message_id})
        return ack("dropped: not a job")
    try:
        told = deliver_root.parked(job, bootstrap.publisher(), bootstrap.settings().deliveries_topic)
    except TransientError:
        log.warning("parked job's writer not told yet; will be re-delivered", extra={"job_id": job.job_id})
        return retry("transient failure")
    return ack("writer told" if told else "parked: nobody to tell")
