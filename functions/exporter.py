"""The export target: a Pub/Sub push of an /export job becomes one spreadsheet, sent to the person who asked.

Its own function with more memory than the webhook (infra/functions.tf), one export per instance at a time.
"""

from __future__ import annotations

import json

import flask
from pydantic import ValidationError

from functions import bootstrap, export_root
from functions.domain.export_job import ExportJob
from functions.errors import TransientError
from functions.log import get_logger
from functions.pushes import PushedMessage, ack, parse_push, retry_or_park

log = get_logger("export")


def export(request: flask.Request) -> flask.Response:
    """Handle one pushed export job: 2xx when sent (or never sendable), 503 to be re-delivered."""
    pushed = parse_push(request)
    if pushed is None:
        log.warning("not a push message; dropped")
        return ack("dropped: not a push message")
    try:
        job = ExportJob.model_validate(pushed.data)
    except ValidationError:
        log.warning("unreadable export job dropped", extra={"message_id": pushed.message_id})
        return ack("dropped: not an export job")
    try:
        verdict = export_root.export_run().handle(job)
        if verdict == "done":
            return ack("exported")
        reason = "busy"
    except TransientError as error:
        reason = str(error)
    except Exception as error:  # a job no code path expected: retried, then parked, never a 5xx loop
        log.error("export crashed", extra={"export_id": job.export_id, "error_type": type(error).__name__})
        reason = f"unexpected {type(error).__name__}"
    return _retry_or_park(pushed, job, reason)


def _retry_or_park(pushed: PushedMessage, job: ExportJob, reason: str) -> flask.Response:
    response = retry_or_park(
        bootstrap.parking(),
        pushed,
        key=f"export-{job.export_id}",
        dead_letter_topic=bootstrap.settings().exports_dead_letter_topic,
        data=job.model_dump(mode="json"),
        parked_as=job.export_id,
        reason=reason[:100],
        failed="export failed; will be re-delivered",
        log=log,
        log_extra={"export_id": job.export_id, "error": reason[:200]},
    )
    if response.status_code < 300 and json.loads(response.get_data()).get("note") == "parked":
        export_root.export_run().give_up(job)  # the person hears it failed instead of waiting for ever
    return response
