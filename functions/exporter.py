"""The export target: a Pub/Sub push of an /export job becomes one spreadsheet, sent to the person who asked.

Its own function with more memory than the webhook (infra/functions.tf), one export per instance at a time.
"""

from __future__ import annotations

import flask

from functions import export_root
from functions.config import Settings
from functions.domain.export_job import ExportJob
from functions.log import get_logger
from functions.pushes import JobTarget, handle_job

log = get_logger("export")
_WORDS = ("unreadable export job dropped", "dropped: not an export job", "exported", "export")
_JOBS = JobTarget(ExportJob, "export_id", _WORDS, log)


def export(request: flask.Request) -> flask.Response:
    """Handle one pushed export job: 2xx when sent (or never sendable), 503 to be re-delivered.

    Parked after its last attempt, the person who asked hears it failed instead of waiting for ever.
    """
    jobs = export_root.export_run
    return handle_job(
        request, _JOBS, lambda job: jobs().handle(job), _dead_letter_topic, lambda job: jobs().give_up(job)
    )


def _dead_letter_topic(config: Settings) -> str:
    return config.exports_dead_letter_topic
