"""HTTP front of the platform double: /{host}{path} as the platforms answer, and the /_double/ control API."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from .core import ItemState, PlatformDouble

_MAX_CONTROL_BODY = 64 * 1024


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], double: PlatformDouble) -> None:
        self.double = double
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout in the checker) is not an error."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the record of requests is the log."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        if split.path.startswith("/_double/"):
            self._control(method, split.path)
            return
        host, _, rest = split.path.lstrip("/").partition("/")
        answer = self.server.double.handle(method, host, "/" + rest, split.query, self.headers.get("User-Agent", ""))
        if answer.delay_seconds:
            time.sleep(answer.delay_seconds)
        self._send(answer.status, answer.body, answer.headers, head=method == "HEAD")

    def _control(self, method: str, path: str) -> None:
        double = self.server.double
        try:
            payload = self._json_body() if method == "POST" else {}
            if method == "POST" and path == "/_double/items":
                state = ItemState(str(payload["state"]))
                key = double.set_item(str(payload["url"]), state, float(payload.get("delay_seconds", 0.0)))
                self._send_json(200, {"ok": True, "key": key})
            elif method == "POST" and path == "/_double/short_links":
                key = double.set_short_link(
                    str(payload["url"]), str(payload["target"]), head_refused=bool(payload.get("head_refused"))
                )
                self._send_json(200, {"ok": True, "key": key})
            elif method == "POST" and path == "/_double/reset":
                double.reset()
                self._send_json(200, {"ok": True})
            elif method == "GET" and path == "/_double/items":
                self._send_json(200, {"ok": True, "items": double.items()})
            elif method == "GET" and path == "/_double/requests":
                self._send_json(200, {"ok": True, "requests": [asdict(r) for r in double.requests()]})
            else:
                self._send_json(404, {"ok": False, "error": "no such control endpoint"})
        except (KeyError, ValueError, TypeError) as error:
            self._send_json(400, {"ok": False, "error": type(error).__name__})

    def _json_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_CONTROL_BODY:
            raise ValueError("body too large")
        data = json.loads(self.rfile.read(length) or b"{}")
        if not isinstance(data, dict):
            raise TypeError("not an object")
        return data

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str], *, head: bool = False) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True


class PlatformDoubleServer:
    """Runs the double on a thread: ``with PlatformDoubleServer() as server: ... server.base_url``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        double: PlatformDouble | None = None,
        default: ItemState | None = None,
    ) -> None:
        self.double = double or PlatformDouble(default)
        self._httpd = _HTTPServer((host, port), self.double)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """What PLATFORM_API_BASE_URL is set to."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve on a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="platform-double", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> PlatformDoubleServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
