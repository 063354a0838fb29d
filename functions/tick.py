"""The tick target: Cloud Scheduler calls it every minute for the time-driven work."""

from __future__ import annotations

import json

import flask

from functions import bootstrap, health_root
from functions.errors import TransientError
from functions.log import get_logger

log = get_logger("tick")


def tick(request: flask.Request) -> flask.Response:
    """Run the work due now; 503 on a transient failure (the job does not retry: the next minute's call does it)."""
    if request.method != "POST":  # Cloud Scheduler POSTs; a stray GET (a crawler, a browser) does no work
        response = flask.Response(json.dumps({"ok": False}), status=405, mimetype="application/json")
        response.headers["Allow"] = "POST"
        return response
    health = health_root.telegram_health().check()  # Telegram's view of the webhook, every few minutes
    try:
        counts = health | bootstrap.ticker().run()
    except TransientError as error:
        log.warning("tick failed; will run again", extra={"error": str(error)})
        return flask.Response(json.dumps({"ok": False}), status=503, mimetype="application/json")
    return flask.Response(json.dumps({"ok": True, **counts}), status=200, mimetype="application/json")
