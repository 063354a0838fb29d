"""Firestore queries and writes of oversight: queues, statistics, SLA markers, legal hold and the retention purge."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import (
    CONTENT,
    EVENTS,
    REPORTERS,
    REPORTS,
    RETRY,
    TIMEOUT,
    case_rows,
    transient_errors,
)
from functions.adapters.firestore.cases import AuditTrail, CaseReads
from functions.adapters.firestore.delivery_records import CardHolders
from functions.adapters.firestore.quotas import Quotas
from functions.adapters.firestore.relays import ChildContactReads
from functions.adapters.firestore.sent_messages import SentMessages
from functions.adapters.firestore.staff import StaffReads
from functions.domain.case_rows import CaseRow
from functions.domain.models import Status
from functions.domain.statistics import CLOSED_STATUSES, OPEN_VALUES, QUEUE_FIELDS
from functions.errors import TransientError

TICKS: Final = "ticks"
EXPORTS: Final = "exports"
BATCH_LIMIT: Final = 400  # Firestore takes at most 500 writes per batch
QUERY_LIMIT: Final = 20_000  # no oversight query reads more than this many cases at once

SLA_FIELDS: Final[tuple[str, ...]] = (
    *QUEUE_FIELDS,
    "sla_pending",
    "sla_take_reminded_at",
    "sla_stale_reminded_for",
)
# What the retention purge blanks on the case itself (the anonymous facts stay).
PURGED_FIELDS: Final[dict[str, Any]] = {
    "urls": [],
    "media": [],
    "content_keys": [],
    "description": None,
    "group_chat_id": None,
    "group_message_ids": [],
}


def _rows(snaps: Iterable[Any]) -> list[dict[str, Any]]:
    return [(snap.to_dict() or {}) | {"id": snap.id} for snap in snaps]


class OversightStore(StaffReads, AuditTrail, CaseReads, CardHolders, SentMessages, Quotas, ChildContactReads):
    """Reads and writes of the oversight features (same client and retry rules as FirestoreStore)."""

    def __init__(self, client: firestore.Client, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock

    # --- single cases -------------------------------------------------------------------------------------

    def events_of(self, code: str) -> list[dict[str, Any]]:
        """The case's audit trail in time order."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS)
        with transient_errors():
            return _rows(ref.order_by("at").stream(retry=RETRY, timeout=TIMEOUT))

    def case_of_content(self, key: str) -> str | None:
        """The case a content key (a canonical link's) points at."""
        with transient_errors():
            snap = self.client.collection(CONTENT).document(key).get(["report_id"], retry=RETRY, timeout=TIMEOUT)
        value = snap.get("report_id") if snap.exists else None
        return value if isinstance(value, str) else None

    # --- case lists ---------------------------------------------------------------------------------------
    def _stream(self, query: Any, fields: Sequence[str] | None) -> list[CaseRow]:
        if fields is not None:
            query = query.select(list(fields))
        with transient_errors():
            return case_rows(query.limit(QUERY_LIMIT).stream(retry=RETRY, timeout=60.0))

    def cases_created(
        self, since: datetime, until: datetime, regions: tuple[str, ...] | None, fields: Sequence[str] | None
    ) -> list[CaseRow]:
        """Cases created in [since, until), of some regions (None: all), with only these fields.

        Uses the (region, created_at) composite index when regions are given.
        """
        base: Any = self.client.collection(REPORTS)
        if regions is not None:
            if not regions:
                return []
            op, value = ("==", regions[0]) if len(regions) == 1 else ("in", list(regions))
            base = base.where(filter=firestore.FieldFilter("region", op, value))
        query = base.where(filter=firestore.FieldFilter("created_at", ">=", since)).where(
            filter=firestore.FieldFilter("created_at", "<", until)
        )
        return self._stream(query, fields)

    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[CaseRow]:
        """Open cases (new, in progress, escalated), of some regions (None: all)."""
        status = firestore.FieldFilter("status", "in", sorted(OPEN_VALUES))
        if regions is None:
            return self._stream(self.client.collection(REPORTS).where(filter=status), fields)
        found: list[CaseRow] = []
        for region in regions:
            query = (
                self.client.collection(REPORTS)
                .where(filter=firestore.FieldFilter("region", "==", region))
                .where(filter=status)
            )
            found += self._stream(query, fields)
        return found

    def urgent_untaken(self, created_before: datetime) -> list[CaseRow]:
        """Urgent cases still new that were created before this moment."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("status", "==", Status.NEW.value))
            .where(filter=firestore.FieldFilter("severity", "==", "urgent"))
            .where(filter=firestore.FieldFilter("created_at", "<", created_before))
        )
        return self._stream(query, SLA_FIELDS)

    def untaken_between(self, start: datetime, end: datetime) -> list[CaseRow]:
        """Cases still new that were created in [start, end)."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("status", "==", Status.NEW.value))
            .where(filter=firestore.FieldFilter("created_at", ">=", start))
            .where(filter=firestore.FieldFilter("created_at", "<", end))
        )
        return self._stream(query, SLA_FIELDS)

    def stale_between(self, start: datetime, end: datetime) -> list[CaseRow]:
        """Cases in progress or escalated whose last change was in [start, end)."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("status", "in", [Status.IN_PROGRESS.value, Status.ESCALATED.value]))
            .where(filter=firestore.FieldFilter("updated_at", ">=", start))
            .where(filter=firestore.FieldFilter("updated_at", "<", end))
        )
        return self._stream(query, SLA_FIELDS)

    def closed_between(self, start: datetime, end: datetime, limit: int) -> list[CaseRow]:
        """Closed cases whose closing time is in [start, end), oldest first, at most limit."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("status", "in", sorted(CLOSED_STATUSES)))
            .where(filter=firestore.FieldFilter("closed_at", ">=", start))
            .where(filter=firestore.FieldFilter("closed_at", "<", end))
            .order_by("closed_at")
            .select(["closed_at", "legal_hold", "purged_at", "status"])
            .limit(limit)
        )
        with transient_errors():
            return case_rows(query.stream(retry=RETRY, timeout=60.0))

    def reporter_ids_since(self, since: datetime) -> dict[str, list[int]]:
        """Telegram ids of the reporters who reported since this moment, by case (for an admin's export).

        Every reporter document carries event_pending (true or false), so this is served by the existing
        (event_pending, created_at) collection-group index.
        """
        query = (
            self.client.collection_group(REPORTERS)
            .where(filter=firestore.FieldFilter("event_pending", "in", [True, False]))
            .where(filter=firestore.FieldFilter("created_at", ">=", since))
            .select(["report_id", "user_id"])
        )
        found: dict[str, list[int]] = {}
        with transient_errors():
            for snap in query.stream(retry=RETRY, timeout=60.0):
                data = snap.to_dict() or {}
                if isinstance(data.get("user_id"), int):
                    found.setdefault(str(data.get("report_id")), []).append(int(data["user_id"]))
        return found

    # --- markers and state --------------------------------------------------------------------------------
    def claim_marker(self, name: str, ttl: timedelta) -> bool:
        """Create ticks/{name} (expiring by TTL); False when it exists (the work was done or is being done)."""
        now = self.clock()
        try:
            with transient_errors():
                self.client.collection(TICKS).document(name).create(
                    {"at": now, "expires_at": now + ttl}, retry=RETRY, timeout=TIMEOUT
                )
        except gexc.AlreadyExists:
            return False
        return True

    def has_marker(self, name: str) -> bool:
        """Whether ticks/{name} exists."""
        with transient_errors():
            return bool(self.client.collection(TICKS).document(name).get(["at"], retry=RETRY).exists)

    def get_state(self, name: str) -> tuple[dict[str, Any], Any]:
        """A state document of the time-driven work (watermarks) and its update time; ({}, None) when none."""
        with transient_errors():
            snap = self.client.collection(TICKS).document(f"state-{name}").get(retry=RETRY, timeout=TIMEOUT)
        return (snap.to_dict() or {}, snap.update_time) if snap.exists else ({}, None)

    def set_state(self, name: str, fields: dict[str, Any], read_at: Any) -> bool:
        """Write state fields only if the document did not change since it was read; False when it did.

        The document has no expiry: it is the memory of where each sweep stopped.
        """
        ref = self.client.collection(TICKS).document(f"state-{name}")
        data = fields | {"updated_at": self.clock()}
        try:
            with transient_errors():
                if read_at is None:
                    ref.create(data, retry=RETRY, timeout=TIMEOUT)
                else:
                    option = self.client.write_option(last_update_time=read_at)
                    ref.update(data, option=option, retry=RETRY, timeout=TIMEOUT)
        except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound):
            return False
        return True

    def rewind_state(self, name: str, field_name: str, to: datetime) -> None:
        """Move a watermark back to this moment (when it is later), so the next sweep looks again from there."""
        for _attempt in range(5):
            data, read_at = self.get_state(name)
            current = data.get(field_name)
            if read_at is not None and (not isinstance(current, datetime) or current <= to):
                return
            if self.set_state(name, {field_name: to}, read_at):
                return
        raise TransientError(f"state {name} kept changing")

    def mark_reports(self, changes: dict[str, dict[str, Any]]) -> None:
        """Set bookkeeping fields on cases (never updated_at: that is the time of the last real change)."""
        items = list(changes.items())
        for start in range(0, len(items), BATCH_LIMIT):
            batch = self.client.batch()
            for code, fields in items[start : start + BATCH_LIMIT]:
                batch.update(self.client.collection(REPORTS).document(code), fields)
            try:
                with transient_errors():
                    batch.commit(retry=RETRY, timeout=TIMEOUT)
            except gexc.NotFound:
                for code, fields in items[start : start + BATCH_LIMIT]:
                    try:
                        with transient_errors():
                            self.client.collection(REPORTS).document(code).update(fields, retry=RETRY)
                    except gexc.NotFound:
                        continue

    # --- legal hold, exports ------------------------------------------------------------------------------
    def set_legal_hold(self, code: str, on: bool, by: int, event_id: str) -> bool:
        """Put a case under legal hold (kept past retention) or release it, with an audit event."""
        now = self.clock()
        ref = self.client.collection(REPORTS).document(code)
        batch = self.client.batch()
        batch.update(ref, {"legal_hold": on, "legal_hold_by": by, "legal_hold_at": now})
        batch.set(
            ref.collection(EVENTS).document(event_id),
            {"type": "legal_hold", "action": "on" if on else "off", "by": by, "at": now},
        )
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except gexc.NotFound:
            return False
        return True

    def record_export(self, by: int, days: int, region: str | None, personal: bool, rows: int) -> None:
        """Keep a record of who exported what (ids and counts only)."""
        with transient_errors():
            self.client.collection(EXPORTS).add(
                {"by": by, "days": days, "region": region, "personal": personal, "rows": rows, "at": self.clock()},
                retry=RETRY,
                timeout=TIMEOUT,
            )

    # --- retention ----------------------------------------------------------------------------------------
    def purge_case(self, code: str) -> bool:
        """Remove a closed case's reporter personal data and evidence references; keep its anonymous facts.

        Deletes the reporters sub-collection and the content-index documents that point at the case, blanks
        the text of staff notes and conversation messages, shared phone numbers, the description, links, media
        and group message references, and marks `purged_at`. Each step is idempotent; the case itself is
        written last, only if it did not change since it was read (a reopened or held case is left alone).

        Returns:
            True when the case was purged now; False when it is not closed, is held, was purged, or changed.
        """
        ref = self.client.collection(REPORTS).document(code)
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        data = snap.to_dict() or {} if snap.exists else {}
        if not data or data.get("status") not in CLOSED_STATUSES or data.get("legal_hold") or data.get("purged_at"):
            return False
        keys = [str(key) for key in data.get("content_keys") or []]
        with transient_errors():
            content = [s for s in self.client.get_all([self.client.collection(CONTENT).document(k) for k in keys])]
            pointing = [s for s in content if s.exists and s.get("report_id") == code]
            # Keys that joins and album parts added point at the case without being in content_keys.
            indexed = self.client.collection(CONTENT).where(filter=firestore.FieldFilter("report_id", "==", code))
            known = {snap.id for snap in pointing}
            pointing += [snap for snap in indexed.stream(retry=RETRY, timeout=TIMEOUT) if snap.id not in known]
            for start in range(0, len(pointing), BATCH_LIMIT):
                batch = self.client.batch()
                for item in pointing[start : start + BATCH_LIMIT]:
                    batch.delete(item.reference, option=self.client.write_option(last_update_time=item.update_time))
                # A key repointed at a newer case meanwhile is no longer this case's: leave it.
                with contextlib.suppress(gexc.FailedPrecondition, gexc.NotFound):
                    batch.commit(retry=RETRY, timeout=TIMEOUT)
            personal = ["note", "message", "phone"]  # staff notes, conversation texts, shared phone numbers
            notes = ref.collection(EVENTS).where(filter=firestore.FieldFilter("type", "in", personal))
            self._write_all(
                (note.reference, {"text": None, "phone": None, "purged": True})
                for note in notes.stream(retry=RETRY)
                if (note.to_dict() or {}).get("text") or (note.to_dict() or {}).get("phone")
            )
            reporters = list(ref.collection(REPORTERS).stream(retry=RETRY))
            self._write_all((reporter.reference, None) for reporter in reporters)
        now = self.clock()
        batch = self.client.batch()
        batch.update(
            ref,
            PURGED_FIELDS
            | {"purged_at": now, "reporter_count": max(len(reporters), int(data.get("reporter_count") or 1))},
            option=self.client.write_option(last_update_time=snap.update_time),
        )
        batch.set(ref.collection(EVENTS).document("purged"), {"type": "purged", "by": None, "at": now})
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except (gexc.FailedPrecondition, gexc.NotFound):
            return False
        return True

    def _write_all(self, writes: Iterable[tuple[Any, dict[str, Any] | None]]) -> None:
        """Apply updates (dict) or deletes (None) in batches."""
        batch, count = self.client.batch(), 0
        for reference, fields in writes:
            if fields is None:
                batch.delete(reference)
            else:
                batch.update(reference, fields)
            count += 1
            if count == BATCH_LIMIT:
                batch.commit(retry=RETRY, timeout=TIMEOUT)
                batch, count = self.client.batch(), 0
        if count:
            batch.commit(retry=RETRY, timeout=TIMEOUT)
