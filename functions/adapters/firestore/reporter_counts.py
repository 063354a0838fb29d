"""How many people reported a case and what the joiners added, counted from their reporter documents (one
aggregation query), and the case's `reporter_count` and addition counters refreshed from that tally at most every
so often: a join never writes the case document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import REPORTERS, REPORTS, RETRY, TIMEOUT, transient_errors

# The case's counter -> the number on each reporter document it sums (functions/domain/additions.py).
TALLIED: Final[dict[str, str]] = {
    "contributors": "contributed",
    "added_links": "added_link_count",
    "added_media": "added_media_count",
    "added_descriptions": "added_description_count",
}


def tally_reporters(client: firestore.Client, code: str) -> dict[str, int]:
    """The reporter count and the addition counters of a case, from its reporter documents (two aggregations:
    the count apart, since an aggregation with sums may leave out the documents that lack the summed fields)."""
    reporters = client.collection(REPORTS).document(code).collection(REPORTERS)
    query: Any = None
    for name, summed in TALLIED.items():
        query = reporters.sum(summed, alias=name) if query is None else query.sum(summed, alias=name)
    with transient_errors():
        results = query.get(retry=RETRY, timeout=TIMEOUT)
    found = {"reporter_count": count_reporters(client, code)} | dict.fromkeys(TALLIED, 0)
    for row in results:
        for result in row:
            found[str(result.alias)] = int(result.value or 0)
    return found


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

    def tally_reporters(self, code: str) -> dict[str, int]:
        """The exact reporter count and addition counters of a case, now (a card shows them)."""
        return tally_reporters(self.client, code)

    def refresh_reporter_count(self, code: str, min_interval: timedelta) -> int | None:
        """Store the case's reporter count when it changed, at most once per `min_interval`; the count written.

        Returns None when nothing was written (too soon after the last refresh, unchanged, or no such case).
        The write is a plain field update (no precondition), so it never fails a staff transition's read; a
        transition that read the case before it simply re-reads (its precondition) as it does for any change.
        """
        ref = self.client.collection(REPORTS).document(code)
        with transient_errors():
            snap = ref.get(["reporter_count", "reporter_count_at", *TALLIED], retry=RETRY, timeout=TIMEOUT)
        if not snap.exists:
            return None
        data: dict[str, Any] = snap.to_dict() or {}
        now = self.clock()
        last = data.get("reporter_count_at")
        if min_interval and isinstance(last, datetime) and now - last < min_interval:
            return None
        tally = self.tally_reporters(code)
        if tally["reporter_count"] == 0:
            return None
        # Counters only grow: a case counted by increments before the tally existed keeps its larger figures.
        changes = {
            name: value
            for name, value in tally.items()
            if (name == "reporter_count" and value != data.get(name))
            or (name != "reporter_count" and value > int(data.get(name) or 0))
        }
        if not changes:
            return None
        try:
            with transient_errors():
                ref.update(changes | {"reporter_count_at": now}, retry=RETRY, timeout=TIMEOUT)
        except gexc.NotFound:
            return None
        return tally["reporter_count"]

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
