"""HTTP front of the Bot API double: /bot<token>/<method> plus the /_double/ control API, and DoubleServer."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from dataclasses import asdict
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .double import BotApiDouble
from .limits import Limits
from .spec import ApiError, UploadedFile

log = logging.getLogger("botapi_double")

_BOT_PATH = re.compile(r"^/bot([^/]*)/([^/]*)/?$")
_CHAT_MESSAGES_PATH = re.compile(r"^/_double/chats/(-?\d+)/messages/?$")
_MAX_BODY = 60 * 1024 * 1024


class _BadRequestBody(ValueError):
    """The HTTP request body cannot be decoded."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the double; large backlog for hundreds of concurrent clients."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], double: BotApiDouble) -> None:
        self.double = double
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a closed chat client, a killed test) is not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """One HTTP connection (keep-alive) to the double."""

    protocol_version = "HTTP/1.1"
    server_version = "BotApiDouble/1.0"
    timeout = 120
    # One buffered write per answer and no Nagle: avoids 40 ms delayed-ACK stalls on keep-alive connections.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    # ---------------------------------------------------------------- plumbing

    def _send_json(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self._read_chunked()
            return b""
        size = int(length)
        if size > _MAX_BODY:
            raise _BadRequestBody("request entity too large")
        return self.rfile.read(size) if size > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self._send_json(400, ApiError(400, "Bad Request: can't read the request body").body())
            return
        try:
            if url.path.startswith("/_double/"):
                self._control(url.path, dict(parse_qsl(url.query, keep_blank_values=True)), body)
                return
            match = _BOT_PATH.match(url.path)
            if match is None:
                self._send_json(404, ApiError(404, "Not Found").body())
                return
            self._bot_call(match.group(1), match.group(2), url.query, body)
        except BrokenPipeError:
            log.debug("client went away")

    # ---------------------------------------------------------------- Bot API

    def _bot_call(self, token: str, method: str, query: str, body: bytes) -> None:
        raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        files: dict[str, UploadedFile] = {}
        typed = False
        content_type = self.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        try:
            if mime == "application/json" and body.strip():
                parsed = json.loads(body.decode("utf-8"))
                if not isinstance(parsed, dict):
                    raise _BadRequestBody("JSON object expected")
                raw.update(parsed)
                typed = True
            elif mime == "application/x-www-form-urlencoded":
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
            elif mime == "multipart/form-data":
                fields, files = _parse_multipart(content_type, body)
                raw.update(fields)
        except (ValueError, UnicodeDecodeError) as err:
            self._send_json(400, ApiError(400, f"Bad Request: can't parse the request body: {err}").body())
            return
        status, answer = self.server.double.call(token, method, raw, files, typed=typed, http_method=self.command)
        self._send_json(status, answer)

    # ---------------------------------------------------------------- control API

    def _control(self, path: str, query: dict[str, str], body: bytes) -> None:
        double = self.server.double
        try:
            payload: Any = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            self._send_json(400, {"ok": False, "error": "control API bodies are JSON"})
            return
        if self.command == "POST" and not isinstance(payload, dict):
            self._send_json(400, {"ok": False, "error": "a JSON object is expected"})
            return
        try:
            answer = self._control_route(double, path, query, payload)
        except (ValueError, KeyError, TypeError) as err:
            self._send_json(400, {"ok": False, "error": f"{type(err).__name__}: {err}"})
            return
        if answer is None:
            self._send_json(404, {"ok": False, "error": f"no control endpoint {self.command} {path}"})
            return
        self._send_json(200, answer)

    def _control_route(
        self, double: BotApiDouble, path: str, query: dict[str, str], payload: Any
    ) -> dict[str, Any] | None:
        route = (self.command, path.rstrip("/"))
        if route == ("GET", "/_double/health"):
            return {"ok": True, "version": double.spec.version}
        if route == ("GET", "/_double/calls"):
            return {"calls": double.calls(query.get("method") or None, query.get("chat_id") or None)}
        if route == ("GET", "/_double/events"):
            after = int(query.get("after", "0") or 0)
            calls = double.wait_events(after, float(query.get("timeout", "0") or 0))
            return {"calls": calls, "last_seq": calls[-1]["seq"] if calls else max(after, 0)}
        if route == ("POST", "/_double/reset"):
            double.reset()
            return {"ok": True}
        if route == ("GET", "/_double/faults"):
            return {"faults": double.faults()}
        if route == ("POST", "/_double/faults"):
            rule = double.add_fault(
                str(payload["kind"]),
                method=payload.get("method"),
                chat_id=payload.get("chat_id"),
                count=int(payload.get("count", 1)),
                retry_after=payload.get("retry_after"),
                delay=payload.get("delay"),
                execute=bool(payload.get("execute", False)),
                description=payload.get("description"),
            )
            return {"ok": True, "rule": asdict(rule)}
        if route == ("GET", "/_double/limits"):
            return {"limits": asdict(double.limits)}
        if route == ("POST", "/_double/limits"):
            names = set(Limits.__dataclass_fields__)
            unknown = set(payload) - names
            if unknown:
                raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
            return {"ok": True, "limits": asdict(double.set_limits(**payload))}
        if route == ("POST", "/_double/blocked"):
            double.set_blocked(int(payload["chat_id"]), bool(payload.get("blocked", True)))
            return {"ok": True}
        if route == ("POST", "/_double/chat_member"):
            member = double.set_chat_member(int(payload["chat_id"]), int(payload["user_id"]), payload.get("member"))
            return {"ok": True, "member": member}
        if route == ("POST", "/_double/updates"):
            return double.post_update(payload)
        if route == ("POST", "/_double/press"):
            return double.press_button(
                int(payload["user_id"]),
                int(payload["chat_id"]),
                int(payload["message_id"]),
                text=payload.get("text"),
                data=payload.get("data"),
                language_code=str(payload.get("language_code", "ru")),
            )
        if route == ("POST", "/_double/webhook"):
            double.set_webhook(payload.get("url"), payload.get("secret"))
            return {"ok": True}
        if route == ("POST", "/_double/config"):
            double.configure(**payload)
            return {"ok": True}
        if route == ("POST", "/_double/files"):
            file_id = payload.get("file_id")
            return {"ok": True, "file": double.register_file(str(payload["kind"]), file_id=file_id)}
        match = _CHAT_MESSAGES_PATH.match(path)
        if self.command == "GET" and match:
            return {"messages": double.messages(int(match.group(1)), include_user=_flag(query.get("all")))}
        return None


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=default_policy).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise _BadRequestBody("malformed multipart body")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        if not isinstance(part, EmailMessage):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, part.get_content_type(), len(data))
        else:
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
    return fields, files


class DoubleServer(BotApiDouble):
    """The Bot API double served over HTTP from a background thread; every control method works in-process."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        enforce_limits: bool = True,
        token: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(webhook_url, webhook_secret, enforce_limits, token, **options)
        self.host = host
        self._requested_port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DoubleServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="botapi-double",
            daemon=True,
        )
        self._thread.start()
        log.info("Bot API double listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and wake anything sleeping in the double (fault delays, long polls)."""
        httpd, self._httpd = self._httpd, None
        self.close()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the double is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The server root, e.g. http://127.0.0.1:8081 (what TELEGRAM_API_BASE_URL should be)."""
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The base_url python-telegram-bot wants: {base_url}/bot (it appends the token)."""
        return f"{self.base_url}/bot"

    def __enter__(self) -> DoubleServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


__all__ = ["DoubleServer"]
