"""Work an update may wait for at the end instead of at once: an event's publish, while the webhook answers.

Inside `scope()` (the webhook's handling of one update) `soon(work)` starts the work on its own thread and the
scope waits for it before it ends, so nothing is left running after the HTTP answer; outside a scope (the other
targets, tests) `soon` does the work at once, as a plain call would. The first error a piece of work raised is
raised again when the scope ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class _Pending(threading.local):
    """This thread's started work, when a scope is open (one request is handled on one thread)."""

    threads: list[tuple[threading.Thread, list[BaseException]]] | None = None


_pending = _Pending()


def soon(work: Callable[[], None]) -> None:
    """Do `work` meanwhile when a scope is open on this thread (it ends by waiting for it), else now."""
    started = _pending.threads
    if started is None:
        work()
        return
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the scope, which raises it on this request's thread
            errors.append(error)

    thread = threading.Thread(target=run, name="meanwhile", daemon=True)
    thread.start()
    started.append((thread, errors))


@contextmanager
def scope() -> Iterator[None]:
    """Let `soon` start work on this thread; wait for all of it on the way out (and raise its first error when
    the body itself raised none)."""
    outer = _pending.threads
    started: list[tuple[threading.Thread, list[BaseException]]] = []
    _pending.threads = started
    try:
        yield
    finally:
        _pending.threads = outer
        failures: list[BaseException] = []
        for thread, errors in started:
            thread.join()
            failures.extend(errors)
    if failures:
        raise failures[0]
