"""The console target: the staff Mini App's static files and its JSON API (thin: parse, call a use case, map
errors to a status). Every answer carries a strict Content-Security-Policy; errors are JSON, never a trace."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Final

import flask

from functions.domain.console import ApiError, decode_cursor, is_code, parse_filter
from functions.errors import TransientError
from functions.i18n import LANGUAGES, catalog
from functions.log import get_logger

log = get_logger("console")

WEBAPP: Final = Path(__file__).resolve().parent.parent / "webapp"
STATIC: Final[dict[str, tuple[str, str]]] = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
    "/vendor/uPlot.iife.min.js": ("vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
    "/vendor/uPlot.min.css": ("vendor/uPlot.min.css", "text/css; charset=utf-8"),
}
# Catalog keys the app shows (its own console_* texts and the names the bot uses for the same things).
APP_KEYS: Final = re.compile(r"^(console_|status_|cat_|region_|severity_|esc_|res_|rej_|role_|td_state_)")
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://webk.telegram.org https://webz.telegram.org"
)
MAX_BODY: Final = 16 * 1024
QUEUE_PARAMS: Final = frozenset(
    {"status", "severity", "category", "region", "age", "owner", "content", "child", "cursor"}
)
DASHBOARD_PARAMS: Final = frozenset({"days", "region"})
CASE_PATH: Final = re.compile(r"^/api/cases/([^/]{1,40})(/action|/evidence)?$")


def _secure(response: flask.Response, *, api: bool) -> flask.Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cache-Control"] = "no-store" if api else "no-cache"
    return response


def _json(status: int, body: dict[str, Any]) -> flask.Response:
    response = flask.Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    return _secure(response, api=True)


def _error(status: int, error: str) -> flask.Response:
    return _json(status, {"ok": False, "error": error})


@cache
def _file(name: str) -> bytes:
    return (WEBAPP / name).read_bytes()


@cache
def _app_catalog(lang: str) -> bytes:
    texts = {key: value for key, value in catalog("kk" if lang == "kk" else "ru").items() if APP_KEYS.match(key)}
    return json.dumps(texts, ensure_ascii=False, sort_keys=True).encode()


def console(request: flask.Request) -> flask.Response:
    """Serve one console request."""
    path = request.path
    try:
        if path.startswith("/api/"):
            return _api(request, path)
        return _static(request, path)
    except ApiError as refused:
        return _error(refused.status, refused.error)
    except TransientError:
        log.warning(
            "console request failed for now", extra={"path_kind": path.split("/")[2] if "/api/" in path else ""}
        )
        return _error(503, "temporarily unavailable, try again")
    except Exception as error:
        log.error("console request failed", extra={"error_type": type(error).__name__})
        return _error(500, "internal error")


def _static(request: flask.Request, path: str) -> flask.Response:
    if request.method not in {"GET", "HEAD"}:
        raise ApiError(405, "method not allowed")
    match = re.fullmatch(r"/i18n/(kk|ru)\.json", path)
    if match and match.group(1) in LANGUAGES:
        response = flask.Response(_app_catalog(match.group(1)), mimetype="application/json")
        return _secure(response, api=False)
    found = STATIC.get(path)
    if found is None:
        raise ApiError(404, "not found")
    name, kind = found
    return _secure(flask.Response(_file(name), status=200, content_type=kind), api=False)


def _body(request: flask.Request) -> dict[str, Any]:
    if request.content_length is None or request.content_length > MAX_BODY:
        raise ApiError(413 if request.content_length else 411, "body missing or too large")
    if request.mimetype != "application/json":
        raise ApiError(415, "body must be application/json")
    try:
        data = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "body is not JSON") from error
    if not isinstance(data, dict):
        raise ApiError(400, "body must be a JSON object")
    return data


def _params(request: flask.Request, allowed: frozenset[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name in request.args:
        values = request.args.getlist(name)
        if name not in allowed or len(values) != 1 or len(values[0]) > 200:
            raise ApiError(400, f"unknown or repeated parameter: {name[:40]}")
        params[name] = values[0]
    return params


def _api(request: flask.Request, path: str) -> flask.Response:
    from functions.console_root import console as app_of

    app = app_of()
    method = request.method
    if path == "/api/session":
        if method != "POST":
            raise ApiError(405, "method not allowed")
        init_data = _body(request).get("init_data")
        if not isinstance(init_data, str):
            raise ApiError(400, "init_data must be a string")
        return _json(200, {"ok": True} | app.sessions.sign_in(init_data))
    person = app.sessions.authenticate(request.headers.get("Authorization"))
    if path == "/api/me" and method == "GET":
        return _json(
            200, {"ok": True, "id": person.user_id, "role": person.role.value, "regions": list(person.regions)}
        )
    if path == "/api/queue" and method == "GET":
        params = _params(request, QUEUE_PARAMS)
        wanted = parse_filter(params)
        if isinstance(wanted, str):
            raise ApiError(400, f"bad value of {wanted}")
        cursor = decode_cursor(params["cursor"]) if params.get("cursor") else None
        if params.get("cursor") and cursor is None:
            raise ApiError(400, "bad cursor")
        return _json(200, {"ok": True} | app.queue.page(person, wanted, cursor))
    if path == "/api/dashboard" and method == "GET":
        params = _params(request, DASHBOARD_PARAMS)
        return _json(
            200, {"ok": True} | app.dashboard.dashboard(person, params.get("days", ""), params.get("region", ""))
        )
    match = CASE_PATH.match(path)
    if match is None:
        raise ApiError(404, "not found")
    code, verb = match.group(1), match.group(2)
    if not is_code(code):
        raise ApiError(404, "case not found")
    if verb is None and method == "GET":
        return _json(200, {"ok": True} | app.case_file.case_file(person, code))
    if verb == "/action" and method == "POST":
        return _json(200, {"ok": True} | app.queue.act(person, code, _body(request)))
    if verb == "/evidence" and method == "POST":
        return _json(200, {"ok": True} | app.case_file.send_evidence(person, code, _body(request)))
    raise ApiError(405, "method not allowed")
