"""The backfill of the console's track fields on the cases stored before they existed (a repair, idempotent).

Reads the cases page by page in document order (a projection), the takedown records of each page (`case_code in`,
30 codes a query), and writes, in one batch per page, the fields a case lacks or holds wrong: each update with the
case's last-update-time precondition (a case that changed meanwhile makes the page read again), the checkpoint
(`repairs/track_flags`: the last case done) in the same batch, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import REPORTS, RETRY, transient_errors
from functions.adapters.firestore.takedowns import TAKEDOWNS
from functions.domain.case import Case
from functions.domain.takedown import Takedown
from functions.domain.track_flags import CASE_FIELDS, changes, wanted
from functions.errors import TransientError

REPAIRS: Final = "repairs"
CHECKPOINT: Final = "track_flags"
IN_LIMIT: Final = 30  # values of one `in` filter
PAGE_ATTEMPTS: Final = 5
TIMEOUT: Final = 60.0


@dataclass
class Page:
    """One page done: how many cases were read, how many written, and the last one."""

    scanned: int
    written: int
    last: str


class TrackFlagsBackfill:
    """Sets `contact_pending` and `content_state` on every case that lacks them (or holds them wrong)."""

    def __init__(self, client: firestore.Client, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock

    def checkpoint(self) -> str | None:
        """The last case a run that did not finish got through (None: start at the beginning)."""
        with transient_errors():
            snap = self.client.collection(REPAIRS).document(CHECKPOINT).get(retry=RETRY, timeout=TIMEOUT)
        after = (snap.to_dict() or {}).get("after") if snap.exists else None
        return after if isinstance(after, str) else None

    def run(self, page_size: int = 400, after: str | None = None, dry_run: bool = False) -> Iterator[Page]:
        """Go through the cases after `after` (None: from the first), one page at a time; yields each page done.

        The checkpoint is cleared when the last page is done (a later run starts again, and writes nothing)."""
        cursor = after
        while True:
            page = self._page(cursor, page_size, dry_run)
            if page is None:
                break
            yield page
            cursor = page.last
        if not dry_run:
            with transient_errors():
                self.client.collection(REPAIRS).document(CHECKPOINT).set(
                    {"after": None, "finished_at": self.clock()}, merge=True, retry=RETRY, timeout=TIMEOUT
                )

    def _page(self, after: str | None, size: int, dry_run: bool) -> Page | None:
        for _attempt in range(PAGE_ATTEMPTS):
            snaps = self._cases(after, size)
            if not snaps:
                return None
            records = self._records([snap.id for snap in snaps])
            batch, written = self.client.batch(), 0
            for snap in snaps:
                stored = snap.to_dict() or {}
                values = changes(stored, wanted(Case.from_document(snap.id, stored), records.get(snap.id, [])))
                if values:
                    option = self.client.write_option(last_update_time=snap.update_time)
                    batch.update(snap.reference, values, option=option)
                    written += 1
            page = Page(scanned=len(snaps), written=written, last=snaps[-1].id)
            if dry_run:
                return page
            mark = {"after": page.last, "at": self.clock(), "scanned": firestore.Increment(page.scanned)}
            batch.set(self.client.collection(REPAIRS).document(CHECKPOINT), mark, merge=True)
            try:
                with transient_errors():
                    batch.commit(retry=RETRY, timeout=TIMEOUT)
            except (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted):
                continue  # a case changed (or went) since the page was read: read the page again
            return page
        raise TransientError(f"cases after {after} kept changing; run again to resume")

    def _cases(self, after: str | None, size: int) -> list[Any]:
        query = self.client.collection(REPORTS).select(list(CASE_FIELDS)).order_by("__name__").limit(size)
        if after is not None:
            query = query.start_after({"__name__": self.client.collection(REPORTS).document(after)})
        with transient_errors():
            return list(query.stream(retry=RETRY, timeout=TIMEOUT))

    def _records(self, codes: list[str]) -> dict[str, list[Takedown]]:
        """The takedown records of these cases, by case."""
        found: dict[str, list[Takedown]] = {}
        for start in range(0, len(codes), IN_LIMIT):
            chunk = codes[start : start + IN_LIMIT]
            query = self.client.collection(TAKEDOWNS).where(filter=firestore.FieldFilter("case_code", "in", chunk))
            with transient_errors():
                for snap in query.stream(retry=RETRY, timeout=TIMEOUT):
                    record = Takedown.from_document(snap.to_dict() or {})
                    found.setdefault(record.case_code, []).append(record)
        return found
