"""The telegram_webhook target: authenticate, parse, hand the update to the router, map errors to a status."""

from __future__ import annotations

import hmac
import json
from typing import Any, Final

import flask

from functions import bootstrap
from functions.errors import TransientError
from functions.log import get_logger
from functions.services import meanwhile

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name)
READ_PIECE: Final = 64 * 1024
log = get_logger("webhook")


def _reply(status: int, error: str | None = None) -> flask.Response:
    body: dict[str, Any] = {"ok": status < 400}
    if error is not None:
        body["error"] = error
    return flask.Response(json.dumps(body), status=status, mimetype="application/json")


def _refuse(status: int, error: str) -> flask.Response:
    """A refusal sent without reading the rest of the body.

    functions-framework's after-request hook calls `request.get_data()` on every non-streamed response, which would
    buffer a refused body of any size in memory; a streamed response skips it, and the connection is closed so the
    unread remainder is never taken in.
    """
    body = json.dumps({"ok": False, "error": error}).encode()
    response = flask.Response(iter([body]), status=status, mimetype="application/json")
    response.headers["Content-Length"] = str(len(body))
    response.headers["Connection"] = "close"
    return response


def _read_at_most(stream: Any, limit: int) -> bytes | None:
    """The body if it is at most limit bytes, else None; read in small pieces so no more than that is held."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        piece = stream.read(min(READ_PIECE, limit + 1 - total))
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
    return None if total > limit else b"".join(parts)


def telegram_webhook(request: flask.Request) -> flask.Response:
    """Handle one Telegram update: 2xx for anything handled or permanently bad, 5xx only to ask for a retry."""
    config = bootstrap.settings()
    if request.method != "POST":
        response = _refuse(405, "method not allowed")
        response.headers["Allow"] = "POST"
        return response
    token = request.headers.get(SECRET_HEADER)
    if token is None:
        return _refuse(401, "missing secret token")
    expected = config.telegram_webhook_secret
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return _refuse(403, "wrong secret token")
    limit = config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        return _refuse(413, "body too large")
    raw = _read_at_most(request.stream, limit)
    if raw is None:
        return _refuse(413, "body too large")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return _reply(400, "body is not JSON")
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return _reply(400, "body is not an Update")
    return _handle(data)


def _handle(data: dict[str, Any]) -> flask.Response:
    from telegram import Update

    from functions.adapters.telegram.updates import to_incoming

    update_id = data["update_id"]
    try:
        update = Update.de_json(data, None)
    except Exception:
        log.warning("update not readable; acknowledged", extra={"update_id": update_id})
        return _reply(200)
    try:
        with meanwhile.scope():  # an event's publish (started by the use case) is waited for after the answers
            outcome = bootstrap.router().handle(to_incoming(update))
            direct = outcome.direct or outcome.must_arrive
            body = bootstrap.answers().finish(update_id, outcome) if direct else outcome.body
    except TransientError as error:
        log.warning("transient failure; asking Telegram to retry", extra={"update_id": update_id, "error": str(error)})
        return _reply(503, "temporarily unavailable")
    except Exception as error:
        log.error("update failed", extra={"update_id": update_id, "error_type": type(error).__name__})
        return _reply(200)
    if body is None:
        return _reply(200)
    return flask.Response(
        json.dumps(body.as_webhook_body(), ensure_ascii=False), status=200, mimetype="application/json"
    )
