"""The case workflow: the case as staff move it, its audit trail and its reporters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import (
    EVENTS,
    REPORTERS,
    REPORTS,
    RETRY,
    TIMEOUT,
    create_once,
    transient_errors,
)
from functions.adapters.firestore.reporter_counts import count_reporters
from functions.domain.case import Case, CaseWrite


class AuditTrail:
    """Appending to a case's audit trail: shared by the stores of the case workflow and of oversight."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        """Record an audit event that changes no state (a note, a view, an SLA step); False if already there."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS).document(event_id)
        return create_once(ref, event | {"at": self.clock()})


class CaseReads:
    """Reading one case: the one reader of a case document (shared by every store that needs a case)."""

    client: firestore.Client

    def read_case(self, code: str) -> tuple[Case, Any] | None:
        """The case and its update time (for a precondition write), or None."""
        with transient_errors():
            snap = self.client.collection(REPORTS).document(code).get(retry=RETRY, timeout=TIMEOUT)
        if not snap.exists:
            return None
        return Case.from_document(snap.id, snap.to_dict() or {}), snap.update_time

    def get_case(self, code: str) -> Case | None:
        """The case, or None."""
        found = self.read_case(code)
        return found[0] if found is not None else None


class CaseRecords(AuditTrail, CaseReads):
    """Transitions (precondition writes), audit events, reporters, outbox marks."""

    # --- cases --------------------------------------------------------------------------------------------
    def mark_muted(self, code: str, muted: bool) -> None:
        """Mark the case as one of a muted reporter (its cards are not sent, nor re-pushed when overdue)."""
        with transient_errors():
            self.client.collection(REPORTS).document(code).update(
                {"muted": muted, "updated_at": self.clock()}, retry=RETRY, timeout=TIMEOUT
            )

    def apply_transition(self, code: str, read_at: Any, write: CaseWrite) -> bool:
        """Write a transition only if the case did not change since it was read; False when it did.

        The case update carries a last-update-time precondition and the event document is created with the
        next version number, so of two people pressing at once exactly one succeeds.
        """
        now, version = self.clock(), write.version
        report_ref = self.client.collection(REPORTS).document(code)
        batch = self.client.batch()
        update = write.changes | {"version": version + 1, "updated_at": now}
        if write.outbox is not None:
            update |= {"outbox": write.outbox, "fanout_pending": True}
        batch.update(report_ref, update, option=self.client.write_option(last_update_time=read_at))
        batch.create(report_ref.collection(EVENTS).document(f"v{version + 1:06d}"), write.event | {"at": now})
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except (gexc.FailedPrecondition, gexc.AlreadyExists, gexc.Aborted):
            return False
        return True

    def has_event(self, code: str, event_id: str) -> bool:
        """Whether the case's audit trail has this event."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS).document(event_id)
        with transient_errors():
            return bool(ref.get(["type"], retry=RETRY, timeout=TIMEOUT).exists)

    def reporters_of(self, code: str) -> list[dict[str, Any]]:
        """Every reporter of the case (the first and those who joined)."""
        ref = self.client.collection(REPORTS).document(code).collection(REPORTERS)
        with transient_errors():
            return [snap.to_dict() or {} for snap in ref.stream(retry=RETRY, timeout=TIMEOUT)]

    def move_reporters(self, source: str, target: str) -> int:
        """Add the reporters of a merged duplicate to the main case (each once); how many were new there."""
        target_ref = self.client.collection(REPORTS).document(target)
        moved = 0
        for reporter in self.reporters_of(source):
            user_id = int(reporter["user_id"])
            doc = reporter | {"report_id": target, "first": False, "event_pending": False, "merged_from": source}
            try:
                with transient_errors():
                    target_ref.collection(REPORTERS).document(str(user_id)).create(doc, retry=RETRY, timeout=TIMEOUT)
                moved += 1
            except gexc.AlreadyExists:
                continue  # already a reporter of the main case (or moved by an earlier attempt)
        count = count_reporters(self.client, target)  # one write of the count, however many moved
        with transient_errors():
            target_ref.update({"reporter_count": count, "updated_at": self.clock()}, retry=RETRY, timeout=TIMEOUT)
        return moved

    def is_reporter(self, code: str, chat_id: int) -> bool:
        """Whether this private chat belongs to a reporter of the case (reporters are keyed by user id)."""
        ref = self.client.collection(REPORTS).document(code).collection(REPORTERS).document(str(chat_id))
        with transient_errors():
            snap = ref.get(["chat_id"], retry=RETRY, timeout=TIMEOUT)
        return bool(snap.exists and snap.get("chat_id") == chat_id)

    def clear_outbox(self, code: str, event_id: str) -> None:
        """Mark the case's pending event fanned out, unless a newer one replaced it meanwhile."""
        ref = self.client.collection(REPORTS).document(code)
        with transient_errors():
            snap = ref.get(["outbox", "fanout_pending"], retry=RETRY, timeout=TIMEOUT)
            if not snap.exists or not snap.get("fanout_pending"):
                return
            outbox = snap.to_dict().get("outbox") or {}  # type: ignore[union-attr]
            if outbox and outbox.get("event_id") != event_id:
                return
            try:
                ref.update(
                    {"fanout_pending": False},
                    option=self.client.write_option(last_update_time=snap.update_time),
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
            except (gexc.FailedPrecondition, gexc.NotFound):
                return  # changed meanwhile: tick will publish again, fan-out is idempotent

    def clear_join(self, code: str, user_id: int) -> None:
        """Mark a joined reporter's event fanned out."""
        ref = self.client.collection(REPORTS).document(code).collection(REPORTERS).document(str(user_id))
        try:
            with transient_errors():
                ref.update({"event_pending": False}, retry=RETRY, timeout=TIMEOUT)
        except gexc.NotFound:
            return
