"""The functions served in this process (functions-framework's Flask apps behind one threaded WSGI server).

The tests use it to reach the targets over HTTP without a process per target; the webhook benchmark uses it
to count Firestore operations with the clients instrumented in this process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from devkit.processes import MAIN, TARGETS


class FunctionsServer:
    """The targets behind one threaded WSGI server, each at /<target>."""

    def __init__(self, targets: Iterable[str] = TARGETS, *, quiet: bool = False) -> None:
        import functions_framework

        if quiet:  # no access log line per request
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
        apps = {f"/{name}": functions_framework.create_app(name, str(MAIN)) for name in targets}

        def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
            # /<target> or /<target>/<path>: the target sees <path> (the console serves files and an API)
            path = environ.get("PATH_INFO", "")
            mount = "/" + path.lstrip("/").split("/", 1)[0]
            app = apps.get(mount)
            if app is None:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"no such target"]
            environ["PATH_INFO"] = path[len(mount) :] or "/"
            return app(environ, start_response)

        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="functions")

    def target_url(self, target: str) -> str:
        """Where one target answers."""
        return f"{self.url}/{target}"

    def start(self) -> FunctionsServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
