"""Firestore basics shared by every store: collection names, the retry policy, transient failures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry
from google.cloud import firestore

from functions.domain.case_rows import CaseRow
from functions.errors import TransientError

REPORTS: Final = "reports"
REPORTERS: Final = "reporters"
EVENTS: Final = "events"
CONTENT: Final = "content"
USERS: Final = "users"
SESSIONS: Final = "sessions"
ITEMS: Final = "items"
ALBUMS: Final = "albums"
GROUPS: Final = "groups"
GROUP_NOTICES: Final = "group_notices"
STAFF: Final = "staff"
INVITES: Final = "invites"
CARDS: Final = "cards"
CARD_REFS: Final = "card_refs"
NOTICES: Final = "notices"
FANOUTS: Final = "fanouts"
ATTEMPTS: Final = "attempts"
SENT_MESSAGES: Final = "sent_messages"
REPORTER_QUOTAS: Final = "reporter_quotas"

RETRY: Final = Retry(initial=0.1, maximum=1.0, multiplier=2.0, timeout=8.0)
TIMEOUT: Final = 5.0
_TRANSIENT: Final = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.Aborted,
    gexc.RetryError,
    gexc.Unknown,
    gexc.TooManyRequests,
    gexc.ResourceExhausted,
    gexc.GatewayTimeout,
)


@contextmanager
def transient_errors() -> Iterator[None]:
    """Map the Google client's retryable failures to TransientError."""
    try:
        yield
    except _TRANSIENT as error:
        raise TransientError(type(error).__name__) from error


def case_rows(snaps: Iterable[Any]) -> list[CaseRow]:
    """The case documents a query selected fields of, as typed rows (the one reader of oversight's case lists)."""
    return [CaseRow.from_document(snap.id, snap.to_dict() or {}) for snap in snaps]


def create_once(ref: firestore.DocumentReference, document: dict[str, Any]) -> bool:
    """Create a document that is written once (a once-only record, an audit event); False when it is there."""
    try:
        with transient_errors():
            ref.create(document, retry=RETRY, timeout=TIMEOUT)
    except gexc.AlreadyExists:
        return False
    return True
