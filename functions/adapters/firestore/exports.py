"""The export target's Firestore side: the cases of a period page by page, and one record per export job.

`export_jobs/{export_id}` says whether an export was sent (a re-delivered job sends no second file) and which
attempt owns it now (a lease, so that a slow attempt and a re-delivery never run at once).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final, Literal

from google.cloud import firestore

from functions.adapters.firestore.base import REPORTS, RETRY, TIMEOUT, case_rows, transient_errors
from functions.adapters.firestore.oversight import OversightStore
from functions.domain.case_rows import CaseRow
from functions.domain.export_job import PeriodCases

EXPORT_JOBS: Final = "export_jobs"
JOB_TTL: Final = timedelta(days=7)
PAGE_TIMEOUT: Final = 60.0

Claim = Literal["run", "done", "busy", "uncertain"]


class ExportStore(OversightStore):
    """Oversight's reads and writes, plus what an export job needs."""

    def cases_page(self, cases: PeriodCases, after: Any | None, limit: int) -> tuple[list[CaseRow], Any | None]:
        """One page of the cases (created in [since, until) of some regions, with only some fields), oldest
        first; and the cursor of the next page (None after the last one).

        One query per page, started after the previous page's last document (the (region, created_at) index
        serves the regional ones): reads are one per case, memory one page.
        """
        since, until, regions = cases.since, cases.until, cases.regions
        base: Any = self.client.collection(REPORTS)
        if regions is not None:
            if not regions:
                return [], None
            op, value = ("==", regions[0]) if len(regions) == 1 else ("in", list(regions))
            base = base.where(filter=firestore.FieldFilter("region", op, value))
        query = (
            base.where(filter=firestore.FieldFilter("created_at", ">=", since))
            .where(filter=firestore.FieldFilter("created_at", "<", until))
            .order_by("created_at")
            .select([*cases.fields, "created_at"])
            .limit(limit)
        )
        if after is not None:
            query = query.start_after(after)
        with transient_errors():
            snaps = list(query.stream(retry=RETRY, timeout=PAGE_TIMEOUT))
        return case_rows(snaps), (snaps[-1] if len(snaps) == limit else None)

    def claim_export(self, export_id: str, lease: timedelta) -> Claim:
        """Take the export for this attempt: 'run'; 'done' when its file was sent; 'busy' while another attempt
        holds an unexpired lease (a transaction, so two attempts never both run); 'uncertain' when an attempt
        began sending the file and never learnt the outcome (it may have arrived: it is not sent again)."""
        ref = self.client.collection(EXPORT_JOBS).document(export_id)
        now = self.clock()

        @firestore.transactional
        def claim(transaction: Any) -> Claim:
            snap = ref.get(transaction=transaction)
            data = snap.to_dict() or {} if snap.exists else {}
            if data.get("sent_at") is not None:
                return "done"
            held = data.get("lease_until")
            if isinstance(held, datetime) and held > now:
                return "busy"
            if data.get("sending_at") is not None:
                transaction.set(ref, {"lease_until": now + lease}, merge=True)
                return "uncertain"
            attempts = int(data.get("attempts") or 0) + 1
            record = {"lease_until": now + lease, "attempts": attempts, "expires_at": now + JOB_TTL}
            transaction.set(ref, record, merge=True)
            return "run"

        with transient_errors():
            result: Claim = claim(self.client.transaction())
        return result

    def release_export(self, export_id: str) -> None:
        """This attempt failed: the next one may start at once."""
        with transient_errors():
            self.client.collection(EXPORT_JOBS).document(export_id).set(
                {"lease_until": None}, merge=True, retry=RETRY, timeout=TIMEOUT
            )

    def extend_export(self, export_id: str, lease: timedelta) -> None:
        """This attempt is still at work: its lease runs `lease` from now (one write per page)."""
        with transient_errors():
            self.client.collection(EXPORT_JOBS).document(export_id).set(
                {"lease_until": self.clock() + lease}, merge=True, retry=RETRY, timeout=TIMEOUT
            )

    def mark_sending(self, export_id: str, sending: bool) -> None:
        """Record that this attempt is about to send the file (True), or that Telegram refused it before taking
        it (False): from the mark on, a retry cannot know whether the file arrived, so it sends none."""
        with transient_errors():
            self.client.collection(EXPORT_JOBS).document(export_id).set(
                {"sending_at": self.clock() if sending else None}, merge=True, retry=RETRY, timeout=TIMEOUT
            )

    def finish_export(self, export_id: str, rows: int, outcome: str = "sent") -> None:
        """The file was sent (or will never be: refused, uncertain): a re-delivered job is done without sending
        another."""
        now = self.clock()
        with transient_errors():
            self.client.collection(EXPORT_JOBS).document(export_id).set(
                {"sent_at": now, "rows": rows, "outcome": outcome, "lease_until": None, "expires_at": now + JOB_TTL},
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )
