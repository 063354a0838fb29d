"""Which deployed target publishes to which topic and reads which secret: the one declaration of it.

In the cloud, IAM enforces these edges (infra/iam.tf grants exactly them, and tests/unit/test_infra_topology.py
fails when Terraform and this module disagree). The emulators enforce no IAM, so the code checks them itself:
each target's handler runs inside `serving(target)` (main.py), and the Pub/Sub publisher and the Bot API
gateway call `check_publish` / `check_secret` first. An undeclared edge fails as it would in the cloud (a
TransientError, like PermissionDenied), is logged as an error and is recorded in `violations`, which the
integration tests assert is empty.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, ParamSpec, TypeVar

from functions.errors import TransientError
from functions.log import get_logger

log = get_logger("topology")

TARGETS: Final = ("telegram_webhook", "fan_out", "deliver", "tick", "export", "console")

# Topic key (the key of local.topics in infra/pubsub.tf, or "<key>_dead_letter") -> the Settings field that
# names the topic.
TOPIC_SETTINGS: Final[dict[str, str]] = {
    "reports": "reports_topic",
    "deliveries": "deliveries_topic",
    "reports_dead_letter": "reports_dead_letter_topic",
    "deliveries_dead_letter": "deliveries_dead_letter_topic",
    "exports": "exports_topic",
    "exports_dead_letter": "exports_dead_letter_topic",
}

# Target -> the topics it publishes to, each with the code path that does it.
PUBLISHES: Final[dict[str, dict[str, str]]] = {
    "telegram_webhook": {
        "reports": "intake and staff: a case's events after their Firestore commit",
        "deliveries": "intake._queue_group_notice: the notice posted in a group after a report made there",
        "exports": "stats.export: an /export job for the export target",
    },
    "fan_out": {
        "deliveries": "fanout: one delivery job per recipient",
        "reports_dead_letter": "fan_out._retry_or_park: an event that failed its last attempt",
    },
    "deliver": {
        "reports": "relay_delivery._refresh_cards: a relay's first contact refreshes the case's cards",
        "deliveries": "deliver_root.parked: the writer of a parked conversation message is told (on parking, and "
        "when the parked job is pushed back at /parked)",
        "deliveries_dead_letter": "deliver._retry_or_park: a job that failed its last attempt",
    },
    "tick": {
        "reports": "ticker.republish (the outbox) and sla escalations",
        "deliveries": "sla: reminders and digests",
    },
    "export": {
        "exports_dead_letter": "exporter._retry_or_park: an export that failed its last attempt",
    },
    "console": {
        "reports": "console_queue.act: a case's events after a transition made in the staff console",
        "deliveries": "console_case.send_evidence: the evidence pages, sent paced by deliver",
    },
}

# Secret key (the key of local.secrets in infra/secrets.tf) -> the targets that read it, with the reason.
SECRET_READERS: Final[dict[str, dict[str, str]]] = {
    "telegram_bot_token": {
        "telegram_webhook": "direct Bot API calls (edits, getChatMember)",
        "deliver": "sends every message",
        "tick": "the getWebhookInfo health check (services/telegram_health.py)",
        "export": "progress edits and the spreadsheet (services/export_job.py)",
        "console": "checks the Mini App's initData, signs sessions, sends evidence to a staff chat",
    },
    "telegram_webhook_secret": {
        "telegram_webhook": "compares the X-Telegram-Bot-Api-Secret-Token header",
    },
}

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("qorgau_target", default=None)
_lock = threading.Lock()
violations: list[str] = []

P = ParamSpec("P")
R = TypeVar("R")


def publishers(topic: str) -> set[str]:
    """The targets declared to publish to a topic key."""
    return {target for target, topics in PUBLISHES.items() if topic in topics}


def readers(secret: str) -> set[str]:
    """The targets declared to read a secret key."""
    return set(SECRET_READERS.get(secret, {}))


def current_target() -> str | None:
    """The target whose request is being handled here, or None outside a target (scripts, unit tests)."""
    return _current.get()


@contextmanager
def acting_as(target: str) -> Iterator[None]:
    """Run a block as one target."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    token = _current.set(target)
    try:
        yield
    finally:
        _current.reset(token)


def serving(target: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a target's handler so that every request it handles runs as that target."""

    def decorate(handler: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(handler)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with acting_as(target):
                return handler(*args, **kwargs)

        return wrapper

    return decorate


def _violation(kind: str, target: str, name: str) -> TransientError:
    record = f"{target} {kind} {name}"
    with _lock:
        violations.append(record)
    log.error("undeclared access refused", extra={"event": "topology_violation", "target": target, kind: name})
    return TransientError(f"{target} may not {kind} {name} (functions/topology.py)")


def topic_key(topic_name: str) -> str | None:
    """The topic key of a topic name under this instance's settings (None for a topic the code does not know)."""
    from functions.config import get_settings

    settings = get_settings()
    for key, field in TOPIC_SETTINGS.items():
        if getattr(settings, field) == topic_name:
            return key
    return None


def check_publish(topic_name: str) -> None:
    """Raise (and record) when the current target is not declared to publish to this topic."""
    target = current_target()
    if target is None:
        return
    key = topic_key(topic_name)
    if key is None or target not in publishers(key):
        raise _violation("publish", target, key or topic_name)


def check_secret(secret: str) -> None:
    """Raise (and record) when the current target is not declared to read this secret."""
    target = current_target()
    if target is not None and target not in readers(secret):
        raise _violation("read", target, secret)


def take_violations() -> list[str]:
    """The violations recorded so far, clearing the record."""
    with _lock:
        found = list(violations)
        violations.clear()
    return found
