"""The deliver target: a Pub/Sub push of a delivery job sends or edits one message, paced."""

from __future__ import annotations

import flask

from functions import bootstrap, deliver_root
from functions.config import Settings
from functions.domain.jobs import DeliveryJob
from functions.log import get_logger
from functions.pushes import JobTarget, handle_job

log = get_logger("deliver")
_JOBS = JobTarget(DeliveryJob, "job_id", ("unreadable job dropped", "dropped: not a job", "delivered", "delivery"), log)


def deliver(request: flask.Request) -> flask.Response:
    """Handle one pushed job: 2xx when delivered (or never deliverable), 503 to be re-delivered."""
    return handle_job(
        request, _JOBS, lambda job: bootstrap.delivery().handle(job), _dead_letter_topic, on_park=_parking
    )


def _dead_letter_topic(config: Settings) -> str:
    return config.deliveries_dead_letter_topic


def _parking(job: DeliveryJob) -> None:
    """A conversation message's writer hears it did not reach (raises TransientError: the job is retried)."""
    deliver_root.parked(job, bootstrap.publisher(), bootstrap.settings().deliveries_topic)
