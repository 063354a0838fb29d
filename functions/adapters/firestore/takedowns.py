"""Takedown records in Firestore: ``takedowns/{case code}_{content key}``, one per link of a case.

Kept off the case document (hot: every card and transition reads it). The checker reads the records due
(``next_check_at <= now``, a single-field index), the cases they belong to in one ``get_all``, and writes each
record once per check. Cards read the records of their case (``case_code ==``, single-field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import CONTENT, REPORTS, RETRY, TIMEOUT, create_once, transient_errors
from functions.adapters.firestore.cases import AuditTrail
from functions.domain.case import Case
from functions.domain.takedown import Takedown, record_id

TAKEDOWNS: Final = "takedowns"
MAX_LINKS_PER_CASE: Final = 50
STATS_LIMIT: Final = 20_000


class TakedownStore(AuditTrail):
    """Reads and writes of the takedown records; retryable failures become TransientError."""

    def __init__(self, client: firestore.Client, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock

    def _ref(self, doc_id: str) -> firestore.DocumentReference:
        return self.client.collection(TAKEDOWNS).document(doc_id)

    def track(self, records: Sequence[Takedown]) -> list[Takedown]:
        """Store the records that do not exist yet (one read of them all, one batch); the ones created."""
        if not records:
            return []
        refs = [self._ref(record.record_id) for record in records]
        with transient_errors():
            existing = {snap.id for snap in self.client.get_all(refs, [], retry=RETRY, timeout=TIMEOUT) if snap.exists}
        missing = [record for record in records if record.record_id not in existing]
        for record in missing:
            try:
                with transient_errors():
                    self._ref(record.record_id).create(record.to_document(), retry=RETRY, timeout=TIMEOUT)
            except gexc.AlreadyExists:
                continue
        return missing

    def save_link(self, record: Takedown) -> None:
        """Write one record whole (the checker owns the derived fields)."""
        with transient_errors():
            self._ref(record.record_id).set(record.to_document(), retry=RETRY, timeout=TIMEOUT)

    def due_links(self, now: datetime, limit: int) -> list[Takedown]:
        """The records whose next check is due, the most overdue first."""
        query = (
            self.client.collection(TAKEDOWNS)
            .where(filter=firestore.FieldFilter("next_check_at", "<=", now))
            .order_by("next_check_at")
            .limit(limit)
        )
        with transient_errors():
            return [Takedown.from_document(snap.to_dict() or {}) for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def links_of(self, code: str) -> list[Takedown]:
        """Every record of one case, in the order its links were taken in."""
        query = (
            self.client.collection(TAKEDOWNS)
            .where(filter=firestore.FieldFilter("case_code", "==", code))
            .limit(MAX_LINKS_PER_CASE)
        )
        with transient_errors():
            records = [
                Takedown.from_document(snap.to_dict() or {}) for snap in query.stream(retry=RETRY, timeout=TIMEOUT)
            ]
        return sorted(records, key=lambda record: (record.intake_at, record.url))

    def links_since(self, since: datetime, regions: tuple[str, ...] | None = None) -> list[Takedown]:
        """The records of links taken in since a moment (statistics, export, digest), of some regions or all."""
        query = (
            self.client.collection(TAKEDOWNS)
            .where(filter=firestore.FieldFilter("intake_at", ">=", since))
            .limit(STATS_LIMIT)
        )
        with transient_errors():
            records = [
                Takedown.from_document(snap.to_dict() or {}) for snap in query.stream(retry=RETRY, timeout=TIMEOUT)
            ]
        return [record for record in records if regions is None or record.region in regions]

    def purge_links(self, code: str) -> int:
        """Delete every record of a case (retention: its links are evidence references); how many."""
        refs = [self._ref(record.record_id) for record in self.links_of(code)]
        if refs:
            batch = self.client.batch()
            for ref in refs:
                batch.delete(ref)
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        return len(refs)

    def cases(self, codes: Iterable[str]) -> dict[str, Case]:
        """The cases of some records, in one read."""
        refs = [self.client.collection(REPORTS).document(code) for code in sorted(set(codes))]
        if not refs:
            return {}
        with transient_errors():
            snaps = list(self.client.get_all(refs, retry=RETRY, timeout=TIMEOUT))
        return {snap.id: Case.from_document(snap.id, snap.to_dict() or {}) for snap in snaps if snap.exists}

    def set_content_state(self, code: str, state: str | None) -> None:
        """Store the content track at a glance on the case (`content_state`, the console's queue filter)."""
        try:
            with transient_errors():
                self.client.collection(REPORTS).document(code).update(
                    {"content_state": state}, retry=RETRY, timeout=TIMEOUT
                )
        except gexc.NotFound:
            return

    def case_of_content(self, key: str) -> str | None:
        """The case a content key points at, if any."""
        with transient_errors():
            snap = self.client.collection(CONTENT).document(key).get(retry=RETRY, timeout=TIMEOUT)
        value = (snap.to_dict() or {}).get("report_id") if snap.exists else None
        return value if isinstance(value, str) else None

    def claim_content(self, key: str, code: str) -> bool:
        """Point a content key at a case when nothing points there yet (a resolved short link's target)."""
        now = self.clock()
        return create_once(
            self.client.collection(CONTENT).document(key), {"report_id": code, "created_at": now, "updated_at": now}
        )

    def audit(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        """Record a takedown step in the case's history (once per id)."""
        return self.add_event(code, event_id, event)


__all__ = ["TAKEDOWNS", "TakedownStore", "record_id"]
