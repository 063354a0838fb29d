"""Firestore reads and writes of who may see a case: a join raising it, reporters' answers and additions.

A mixin of CaseStore (same client and retry rules). Raising a case is a precondition write (last update time),
never a transaction: of two joins raising one case at once, one writes and the other re-reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import EVENTS, REPORTERS, REPORTS, RETRY, TIMEOUT, transient_errors
from functions.domain.additions import MAX_SHOWN_CONTRIBUTORS


class CaseAccess:
    """Reporter answers and additions; raising a case (shared by fan-out and evidence)."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def reporter_of(self, code: str, user_id: int) -> dict[str, Any] | None:
        """One reporter's document of a case (their answers and additions), or None."""
        ref = self.client.collection(REPORTS).document(code).collection(REPORTERS).document(str(user_id))
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        return (snap.to_dict() or {}) if snap.exists else None

    def raise_case(
        self, code: str, read_at: Any, changes: dict[str, Any], audit_id: str, audit: dict[str, Any]
    ) -> bool:
        """Write the raised category/severity only if the case did not change since read_at; False if it did."""
        now = self.clock()
        ref = self.client.collection(REPORTS).document(code)
        batch = self.client.batch()
        batch.update(ref, changes | {"updated_at": now}, option=self.client.write_option(last_update_time=read_at))
        batch.set(ref.collection(EVENTS).document(audit_id), audit | {"at": now})
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except (gexc.FailedPrecondition, gexc.Aborted, gexc.NotFound):
            return False
        return True

    def additions_of(self, code: str) -> list[dict[str, Any]]:
        """The additions of reporters who joined (bounded), oldest first."""
        query = (
            self.client.collection(REPORTS)
            .document(code)
            .collection(REPORTERS)
            .where(filter=firestore.FieldFilter("has_additions", "==", True))
            .limit(MAX_SHOWN_CONTRIBUTORS)
        )
        with transient_errors():
            rows = [snap.to_dict() or {} for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]
        return sorted(rows, key=lambda row: str(row.get("created_at") or ""))
