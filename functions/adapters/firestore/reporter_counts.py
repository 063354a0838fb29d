"""How many people reported a case, counted from their reporter documents (an aggregation query), and the case's
`reporter_count` refreshed from that count at most every so often: a join never writes the case document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import REPORTERS, REPORTS, RETRY, TIMEOUT, transient_errors


def count_reporters(client: firestore.Client, code: str) -> int:
    """The number of reporter documents of a case (one aggregation: a read per 1,000 reporters)."""
    query = client.collection(REPORTS).document(code).collection(REPORTERS).count(alias="n")
    with transient_errors():
        results = query.get(retry=RETRY, timeout=TIMEOUT)
    for row in results:
        for result in row:
            return int(result.value)
    return 0


class ReporterCounts:
    """Counting reporters for cards, and keeping the case's stored count close to it."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def count_reporters(self, code: str) -> int:
        """The exact number of reporters of a case, now."""
        return count_reporters(self.client, code)

    def refresh_reporter_count(self, code: str, min_interval: timedelta) -> int | None:
        """Store the case's reporter count when it changed, at most once per `min_interval`; the count written.

        Returns None when nothing was written (too soon after the last refresh, unchanged, or no such case).
        The write is a plain field update (no precondition), so it never fails a staff transition's read; a
        transition that read the case before it simply re-reads (its precondition) as it does for any change.
        """
        ref = self.client.collection(REPORTS).document(code)
        with transient_errors():
            snap = ref.get(["reporter_count", "reporter_count_at"], retry=RETRY, timeout=TIMEOUT)
        if not snap.exists:
            return None
        data: dict[str, Any] = snap.to_dict() or {}
        now = self.clock()
        last = data.get("reporter_count_at")
        if min_interval and isinstance(last, datetime) and now - last < min_interval:
            return None
        count = self.count_reporters(code)
        if count == data.get("reporter_count") or count == 0:
            return None
        try:
            with transient_errors():
                ref.update({"reporter_count": count, "reporter_count_at": now}, retry=RETRY, timeout=TIMEOUT)
        except gexc.NotFound:
            return None
        return count

    def cases_joined_since(self, since: datetime) -> set[str]:
        """The cases someone joined since this moment (served by the reporters' (event_pending, created_at)
        collection-group index: every reporter document carries event_pending)."""
        query = (
            self.client.collection_group(REPORTERS)
            .where(filter=firestore.FieldFilter("event_pending", "in", [True, False]))
            .where(filter=firestore.FieldFilter("created_at", ">=", since))
            .select(["report_id", "first"])
        )
        with transient_errors():
            rows = [snap.to_dict() or {} for snap in query.stream(retry=RETRY, timeout=60.0)]
        return {str(row["report_id"]) for row in rows if not row.get("first") and isinstance(row.get("report_id"), str)}
