"""The staff console's Firestore reads and writes: the once-only initData record and the queue's cursor query."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from google.cloud import firestore

from functions.adapters.firestore.base import REPORTS, RETRY, case_rows, create_once, transient_errors
from functions.domain.case_rows import CaseRow
from functions.domain.console import Cursor, QueueQuery
from functions.domain.statistics import OPEN_VALUES

OPENED: Final = "console_opened"  # one document per initData hash, deleted by TTL (infra/firestore.tf)
URGENT: Final = ("urgent",)
NOT_URGENT: Final = ("high", "normal")


class ConsoleStore:
    """Reads and writes of the console (same client and retry rules as the other stores)."""

    def __init__(self, client: firestore.Client) -> None:
        self.client = client

    def claim_init_data(self, digest: str, user_id: int, at: datetime, expires_at: datetime) -> bool:
        """Record an initData as used; False when it was used before (a replay)."""
        return create_once(
            self.client.collection(OPENED).document(digest), {"user_id": user_id, "at": at, "expires_at": expires_at}
        )

    def queue_rows(self, query: QueueQuery, phase: int, after: Cursor | None, limit: int) -> list[CaseRow]:
        """One phase of the queue (0: urgent cases, 1: the rest), oldest first, after a cursor, at most limit.

        Equality and `in` filters on status, region, severity, category and assignee, the tracks' states
        (`content_state`, `child_help.need`, `contact_pending`: see domain.takedown.content_state and
        domain.child_track.contact_pending), a range on created_at,
        ordered by created_at then the document id: served by the reports_queue_* indexes, no offsets.
        """
        wanted, regions, since, before = query.wanted, query.regions, query.since, query.before
        reports = self.client.collection(REPORTS)
        selected: Any = reports
        statuses = [wanted.status] if wanted.status else sorted(OPEN_VALUES)
        if wanted.owner == "unassigned":
            statuses = [s for s in statuses if s == "new"]
            if not statuses:
                return []
        selected = _where(selected, "status", statuses)
        if regions is not None:
            if not regions:
                return []
            selected = _where(selected, "region", list(regions))
        severities = [wanted.severity] if wanted.severity else list(URGENT if phase == 0 else NOT_URGENT)
        selected = _where(selected, "severity", severities)
        if wanted.category:
            selected = selected.where(filter=firestore.FieldFilter("category", "==", wanted.category))
        if wanted.content:
            selected = selected.where(filter=firestore.FieldFilter("content_state", "==", wanted.content))
        if wanted.child == "help_needed":
            selected = selected.where(filter=firestore.FieldFilter("child_help.need", "==", "needed"))
        if wanted.child == "contact_pending":
            selected = selected.where(filter=firestore.FieldFilter("contact_pending", "==", True))
        if wanted.owner == "mine":
            selected = selected.where(filter=firestore.FieldFilter("assignee", "==", query.user_id))
        if since is not None:
            selected = selected.where(filter=firestore.FieldFilter("created_at", ">=", since))
        if before is not None:
            selected = selected.where(filter=firestore.FieldFilter("created_at", "<", before))
        selected = selected.order_by("created_at").order_by("__name__")
        if after is not None and after.phase == phase:
            selected = selected.start_after({"created_at": after.created_at, "__name__": reports.document(after.code)})
        selected = selected.select(list(query.fields)).limit(limit)
        with transient_errors():
            return case_rows(selected.stream(retry=RETRY, timeout=30.0))


def _where(query: Any, field: str, values: list[str]) -> Any:
    op, value = ("==", values[0]) if len(values) == 1 else ("in", values)
    return query.where(filter=firestore.FieldFilter(field, op, value))
