"""Conversation records: which bot message carries which case, the last writer, follow-ups, new evidence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import EVENTS, REPORTS, RETRY, TIMEOUT, transient_errors
from functions.domain.case import Case
from functions.domain.models import Media

RELAY_REFS: Final = "relay_refs"
REF_LIFETIME: Final = timedelta(days=90)  # a reply to a relayed message older than this is no longer followed


class RelayRecords:
    """What the conversation stores beside the case's own audit trail (events hold the messages themselves)."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def get_event(self, code: str, event_id: str) -> dict[str, Any] | None:
        """One event of the case's audit trail (a message), or None."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS).document(event_id)
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        return snap.to_dict() if snap.exists else None

    def update_event(self, code: str, event_id: str, fields: dict[str, Any]) -> None:
        """Add facts to an event (where a message was delivered); nothing when the event is gone."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS).document(event_id)
        try:
            with transient_errors():
                ref.update(fields, retry=RETRY, timeout=TIMEOUT)
        except gexc.NotFound:
            return

    def set_relay_ref(self, chat_id: int, message_id: int, ref: dict[str, Any]) -> None:
        """Remember which case (and which side of it) a relayed bot message belongs to, for replies to it."""
        now = self.clock()
        with transient_errors():
            self.client.collection(RELAY_REFS).document(f"{chat_id}_{message_id}").set(
                ref | {"at": now, "expires_at": now + REF_LIFETIME}, retry=RETRY, timeout=TIMEOUT
            )

    def relay_ref(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The case a relayed bot message in this chat belongs to, or None."""
        with transient_errors():
            ref = self.client.collection(RELAY_REFS).document(f"{chat_id}_{message_id}")
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        return snap.to_dict() if snap.exists else None

    def set_last_writer(self, code: str, staff_id: int) -> None:
        """Record who of the staff wrote to the case's reporters last (their answers go there when nobody owns it)."""
        with transient_errors():
            self.client.collection(REPORTS).document(code).update(
                {"conv_last_writer": staff_id, "conv_last_at": self.clock()}, retry=RETRY, timeout=TIMEOUT
            )

    def claim_followup(self, code: str, staff_id: int, event_id: str) -> bool:
        """Take the one follow-up of a closed case (create() of a marker event: first one wins); False if used."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS).document("followup")
        try:
            with transient_errors():
                ref.create(
                    {"type": "followup", "by": staff_id, "message": event_id, "at": self.clock()},
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
        except gexc.AlreadyExists:
            with transient_errors():
                snap = ref.get(retry=RETRY, timeout=TIMEOUT)
            return bool(snap.exists and snap.get("message") == event_id)  # a re-sent update of the same follow-up
        return True

    def followup_used(self, code: str) -> bool:
        """Whether the one follow-up of this closed case was written."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS).document("followup")
        with transient_errors():
            return bool(ref.get(["type"], retry=RETRY, timeout=TIMEOUT).exists)

    def add_evidence(self, code: str, urls: list[str], media: list[Media]) -> None:
        """Add links and media a reporter sent in a conversation to the case (each once)."""
        fields: dict[str, Any] = {"updated_at": self.clock()}
        if urls:
            fields["urls"] = firestore.ArrayUnion(urls)
        if media:
            fields["media"] = firestore.ArrayUnion([item.model_dump() for item in media])
        with transient_errors():
            self.client.collection(REPORTS).document(code).update(fields, retry=RETRY, timeout=TIMEOUT)

    def mark_first_contact(self, code: str, by: int | None, at: datetime) -> bool:
        """Record the first staff message that reached the child (a marker event: first one wins, then the case's
        fields); False when a first contact was recorded before."""
        fields = {"first_contact_at": at, "first_contact_by": by, "contact_pending": False}
        return self._marked_once(code, "first_contact", {"type": "first_contact", "by": by, "at": at}, fields)

    def mark_urgent(self, code: str, event_id: str) -> bool:
        """Make the case urgent because of what a child wrote (once per message); False when already recorded."""
        marker = {"type": "urgent", "by": None, "at": self.clock()}
        return self._marked_once(code, event_id, marker, {"severity": "urgent", "updated_at": self.clock()})

    def _marked_once(self, code: str, event_id: str, marker: dict[str, Any], fields: dict[str, Any]) -> bool:
        """Create the marker event and update the case in one batch: False when the marker exists already (the
        change was made before) or the case is gone."""
        report = self.client.collection(REPORTS).document(code)
        batch = self.client.batch()
        batch.create(report.collection(EVENTS).document(event_id), marker)
        batch.update(report, fields)
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except (gexc.AlreadyExists, gexc.NotFound):
            return False
        return True


CHILD_FIELDS: Final = (
    "status",
    "category",
    "region",
    "severity",
    "assignee",
    "created_at",
    "child_request",
    "first_contact_at",
    "fc_reminded_at",
    "fc_escalated_at",
)


class ChildContactReads:
    """The children's requests for contact the first-contact deadline looks at (read by tick)."""

    client: firestore.Client

    def child_requests_since(self, since: datetime) -> list[Case]:
        """Children's requests for an adult created since this moment (few: filtered by the caller)."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("child_request", "==", True))
            .where(filter=firestore.FieldFilter("created_at", ">=", since))
            .select(list(CHILD_FIELDS))
        )
        with transient_errors():
            return [
                Case.from_document(snap.id, snap.to_dict() or {}) for snap in query.stream(retry=RETRY, timeout=TIMEOUT)
            ]
