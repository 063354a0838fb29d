"""Releasing a revoked person's open cases: the cases still theirs, and the marker on their staff record that
says the job is not finished (a retried /revoke or the next tick goes on from it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import REPORTS, RETRY, STAFF, TIMEOUT, transient_errors
from functions.domain.workflow import RELEASED_FROM, PendingRelease


class ReleaseRecords:
    """The open cases of one owner, and the release marker of revoked staff."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def open_cases_of(self, user_id: int, limit: int) -> list[str]:
        """Codes of up to `limit` open, taken cases whose owner is this person (equality filters only: served
        by the single-field indexes)."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("assignee", "==", user_id))
            .where(filter=firestore.FieldFilter("status", "in", sorted(s.value for s in RELEASED_FROM)))
            .limit(limit)
        )
        with transient_errors():
            return [snap.id for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def pending_releases(self, limit: int = 20) -> list[PendingRelease]:
        """Revoked people whose cases are still being released, with the admin who revoked each."""
        query = (
            self.client.collection(STAFF)
            .where(filter=firestore.FieldFilter("release_pending", "==", True))
            .limit(limit)
        )
        with transient_errors():
            snaps = list(query.stream(retry=RETRY, timeout=TIMEOUT))
        pending = []
        for snap in snaps:
            data = snap.to_dict() or {}
            by = data.get("revoked_by")
            pending.append(PendingRelease(user_id=int(data["user_id"]), by=by if isinstance(by, int) else 0))
        return pending

    def finish_release(self, user_id: int) -> int | None:
        """Clear the marker: how many of this person's cases were released (a count query: it reads no case);
        None when it was cleared already (or it changed meanwhile: the next run finishes it)."""
        ref = self.client.collection(STAFF).document(str(user_id))
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        data = snap.to_dict() or {}
        if not snap.exists or not data.get("release_pending"):
            return None
        try:
            with transient_errors():
                ref.update(
                    {"release_pending": False, "updated_at": self.clock()},
                    option=self.client.write_option(last_update_time=snap.update_time),
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
        except gexc.FailedPrecondition:
            return None
        by_owner = firestore.FieldFilter("released_from", "==", user_id)
        query: Any = self.client.collection(REPORTS).where(filter=by_owner)  # the stubs mistype Query.count
        with transient_errors():
            results = query.count(alias="n").get(retry=RETRY, timeout=TIMEOUT)
        for row in results:
            for result in row:
                return int(result.value)
        return 0
