"""The benchmarks' harness: functions as processes (timed, measured for memory) and Firestore operation counts.

Processes are started through devkit.processes (the one copy `make run` and the tests use too); memory is read
from /proc (peak RSS of the worker, PSS of the whole group); the counts come from patching the gapic Firestore
client and the Pub/Sub publisher in this process.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from devkit.emulators import free_port
from devkit.processes import FunctionsError, spawn_function, stop_processes, url_of, wait_answering


# --- processes ---------------------------------------------------------------------------------------------------
class BenchError(RuntimeError):
    """Something the benchmark needs did not work."""


_LIVE: list[Server] = []


class Server:
    """One functions-framework process (gunicorn arbiter + one worker) in its own process group."""

    def __init__(self, name: str, source: Path, target: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = url_of(self.port)
        self.log_path = log_dir / f"{name}-{self.port}.log"
        self.spawned = time.perf_counter()
        self.proc = spawn_function(target, self.port, env, self.log_path, source=source)
        _LIVE.append(self)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def wait_up(self, timeout: float = 60.0) -> float:
        """Poll with GET / until the worker answers anything; seconds since spawn."""
        try:
            wait_answering(self.url, self.proc, timeout, interval=0.005, path="", request_timeout=timeout)
        except FunctionsError as error:
            raise BenchError(f"{self.name}: {error}:\n{self.log_tail()}") from None
        return time.perf_counter() - self.spawned

    def memory(self) -> dict[str, float]:
        """VmHWM (peak RSS) of the arbiter and its worker(s), MiB, plus their current PSS sum."""
        workers = _children(self.proc.pid)
        worker_peaks = [_status_kib(pid, "VmHWM") / 1024 for pid in workers]
        pss = sum(_pss_kib(pid) for pid in [self.proc.pid, *workers]) / 1024
        return {
            "worker_peak_mib": max(worker_peaks, default=0.0),
            "arbiter_peak_mib": _status_kib(self.proc.pid, "VmHWM") / 1024,
            "total_pss_now_mib": pss,
        }

    def stop(self) -> None:
        """Stop the whole process group."""
        stop_processes([self.proc])
        if self in _LIVE:
            _LIVE.remove(self)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        return [int(part) for part in path.read_text().split()]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _status_kib(pid: int, key: str) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return float(line.split()[1])
    return 0.0


def _pss_kib(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return float(line.split()[1])
    return 0.0


def stop_all() -> None:
    """Stop every functions-framework process this run started."""
    for server in list(_LIVE):
        with contextlib.suppress(Exception):  # best effort while cleaning up
            server.stop()


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


# --- Firestore operation counting (in this process only) -----------------------------------------------------------
@dataclass
class OpCounts:
    """Firestore RPCs and documents, and Pub/Sub publishes, since the last reset."""

    rpcs: Counter[str] = field(default_factory=Counter)
    docs_written: int = 0
    lookups: int = 0
    docs_returned: int = 0
    query_docs: int = 0
    empty_queries: int = 0
    publishes: int = 0
    firestore_s: float = 0.0
    publish_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.rpcs.clear()
            self.docs_written = self.lookups = self.docs_returned = 0
            self.query_docs = self.empty_queries = self.publishes = 0
            self.firestore_s = self.publish_s = 0.0

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            queries = self.rpcs["run_query"] + self.rpcs["run_aggregation_query"]
            return {
                "writes": self.docs_written,
                "commits": self.rpcs["commit"],
                # billed reads: every looked-up document (found or not), every query's documents (min 1 per query)
                "reads": self.lookups + self.query_docs + self.empty_queries,
                "docs_returned": self.docs_returned + self.query_docs,
                "lookups": self.lookups,
                "queries": queries,
                "rpcs": sum(self.rpcs.values()),
                "publishes": self.publishes,
                "firestore_ms": self.firestore_s * 1000,
                "publish_ms": self.publish_s * 1000,
            }

    def spent(self, seconds: float) -> None:
        with self.lock:
            self.firestore_s += seconds


class _CountingStream:
    """Wraps a server-streaming gRPC answer and counts its messages as they are read."""

    def __init__(
        self,
        inner: Any,
        on_item: Callable[[Any], bool],
        on_end: Callable[[int], None],
        on_time: Callable[[float], None],
    ) -> None:
        self._inner = iter(inner)
        self._raw = inner
        self._on_item = on_item
        self._on_end = on_end
        self._on_time = on_time
        self._seen = 0
        self._ended = False

    def __iter__(self) -> _CountingStream:
        return self

    def __next__(self) -> Any:
        started = time.perf_counter()
        try:
            item = next(self._inner)
        except StopIteration:
            self._on_time(time.perf_counter() - started)
            if not self._ended:
                self._ended = True
                self._on_end(self._seen)
            raise
        self._on_time(time.perf_counter() - started)
        if self._on_item(item):
            self._seen += 1
        return item

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _field(request: Any, name: str) -> Any:
    return request.get(name) if isinstance(request, dict) else getattr(request, name, None)


def instrument(counts: OpCounts) -> Callable[[], None]:
    """Patch the gapic Firestore client and the Pub/Sub publisher to count; returns the undo."""
    from google.cloud.firestore_v1.services.firestore.client import FirestoreClient
    from google.cloud.pubsub_v1.publisher.client import Client as PublisherClient

    from functions.adapters.pubsub import PubSubPublisher

    patched: list[tuple[type, str, Any]] = []

    def patch(cls: type, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(cls, name)
        patched.append((cls, name, original))
        setattr(cls, name, make(original))

    def request_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return kwargs.get("request", args[0] if args else None)

    def counting(
        rpc: str,
        before: Callable[[Any], None],
        on_item: Callable[[Any], bool] | None = None,
        on_end: Callable[[int], None] | None = None,
    ) -> Any:
        def make(original: Any) -> Any:
            def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                with counts.lock:
                    counts.rpcs[rpc] += 1
                    before(request_of(args, kwargs))
                started = time.perf_counter()
                try:
                    result = original(self, *args, **kwargs)
                finally:
                    counts.spent(time.perf_counter() - started)
                if on_item is None:
                    return result
                return _CountingStream(result, on_item, on_end or (lambda seen: None), counts.spent)

            return wrapper

        return make

    def on_commit(request: Any) -> None:
        counts.docs_written += len(_field(request, "writes") or [])

    def on_batch_get(request: Any) -> None:
        counts.lookups += len(_field(request, "documents") or [])

    def found(item: Any) -> bool:
        if getattr(item, "_pb", item).WhichOneof("result") != "found":
            return False
        with counts.lock:
            counts.docs_returned += 1
        return True

    def query_doc(item: Any) -> bool:
        if not getattr(item, "_pb", item).HasField("document"):
            return False
        with counts.lock:
            counts.query_docs += 1
        return True

    def query_end(seen: int) -> None:
        if seen == 0:  # a query that returns nothing is still billed one read
            with counts.lock:
                counts.empty_queries += 1

    def nothing(request: Any) -> None:
        return None

    patch(FirestoreClient, "commit", counting("commit", on_commit))
    patch(FirestoreClient, "batch_get_documents", counting("batch_get_documents", on_batch_get, found))
    patch(FirestoreClient, "run_query", counting("run_query", nothing, query_doc, query_end))
    patch(FirestoreClient, "run_aggregation_query", counting("run_aggregation_query", nothing))
    patch(FirestoreClient, "begin_transaction", counting("begin_transaction", nothing))
    patch(FirestoreClient, "rollback", counting("rollback", nothing))

    def make_publish(original: Any) -> Any:
        def publish(self: Any, *args: Any, **kwargs: Any) -> Any:
            with counts.lock:
                counts.publishes += 1
            return original(self, *args, **kwargs)

        return publish

    patch(PublisherClient, "publish", make_publish)

    def make_publish_data(original: Any) -> Any:
        def publish_data(self: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                with counts.lock:
                    counts.publish_s += time.perf_counter() - started

        return publish_data

    patch(PubSubPublisher, "publish_data", make_publish_data)  # the app's adapter: publish and wait for the ack

    def undo() -> None:
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)

    return undo
