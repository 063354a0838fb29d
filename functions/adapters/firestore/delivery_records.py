"""Delivery records: fan-out markers, staff cards, reporter notices, failed attempts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import (
    ATTEMPTS,
    CARD_REFS,
    CARDS,
    FANOUTS,
    NOTICES,
    RETRY,
    TIMEOUT,
    transient_errors,
)
from functions.errors import Busy

SEND_LEASE: Final = timedelta(minutes=2)  # the default; bootstrap sets send_lease from the send's own bounds

ClaimState = Literal["claimed", "busy", "sent"]


class CardHolders:
    """Who has a card of a case: read by fan-out, SLA escalation and the retention purge."""

    client: firestore.Client

    def card_holders(self, code: str) -> list[int]:
        """The staff who have a card of this case."""
        query = self.client.collection(CARDS).where(filter=firestore.FieldFilter("report_id", "==", code))
        with transient_errors():
            snaps = query.select(["recipient_id"]).stream(retry=RETRY, timeout=TIMEOUT)
            return [int(snap.get("recipient_id")) for snap in snaps]


class DeliveryRecords(CardHolders):
    """What makes delivery exactly-once per recipient: markers, card leases, notice leases, attempt counts."""

    send_lease: timedelta = SEND_LEASE  # how long one attempt holds a card or a notice (it may die holding it)

    client: firestore.Client
    clock: Callable[[], datetime]

    # --- fan-out markers ----------------------------------------------------------------------------------
    def fanout_done(self, event_id: str) -> bool:
        """Whether this event's jobs were all published already."""
        with transient_errors():
            snap = self.client.collection(FANOUTS).document(event_id).get(retry=RETRY, timeout=TIMEOUT)
        return bool(snap.exists and snap.get("done"))

    def mark_fanout_done(self, event_id: str, jobs: int) -> None:
        """Record that every job of this event was published."""
        now = self.clock()
        with transient_errors():
            self.client.collection(FANOUTS).document(event_id).set(
                {"done": True, "jobs": jobs, "at": now, "expires_at": now + timedelta(days=7)},
                retry=RETRY,
                timeout=TIMEOUT,
            )

    # --- cards --------------------------------------------------------------------------------------------
    def claim_card(self, code: str, recipient_id: int) -> tuple[ClaimState, dict[str, Any]]:
        """Take the right to send or edit this card now (one sender at a time per card)."""
        ref = self.client.collection(CARDS).document(f"{code}_{recipient_id}")
        now = self.clock()
        lease = {"report_id": code, "recipient_id": recipient_id, "lease_until": now + self.send_lease}
        try:
            with transient_errors():
                ref.create(lease | {"message_id": None, "hash": None, "created_at": now}, retry=RETRY, timeout=TIMEOUT)
            return "claimed", {}
        except gexc.AlreadyExists:
            pass
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        data = snap.to_dict() or {}
        if data.get("lease_until") and data["lease_until"] > now:
            return "busy", data
        try:
            with transient_errors():
                ref.update(
                    {"lease_until": now + self.send_lease},
                    option=self.client.write_option(last_update_time=snap.update_time),
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
        except (gexc.FailedPrecondition, gexc.NotFound):
            return "busy", data
        return ("sent" if data.get("message_id") else "claimed"), data

    def release_card(
        self, code: str, recipient_id: int, chat_id: int, message_id: int | None, digest: str | None
    ) -> None:
        """Record the card's message and fingerprint and release the lease."""
        ref = self.client.collection(CARDS).document(f"{code}_{recipient_id}")
        fields: dict[str, Any] = {"lease_until": None, "updated_at": self.clock()}
        if message_id is not None:
            fields |= {"message_id": message_id, "chat_id": chat_id, "hash": digest}
        batch = self.client.batch()
        batch.update(ref, fields)
        if message_id is not None:
            batch.set(
                self.client.collection(CARD_REFS).document(f"{chat_id}_{message_id}"),
                {"report_id": code, "recipient_id": recipient_id},
            )
        with transient_errors():
            batch.commit(retry=RETRY, timeout=TIMEOUT)

    def card_of_message(self, chat_id: int, message_id: int) -> str | None:
        """The case a bot message (a card) belongs to."""
        with transient_errors():
            snap = (
                self.client.collection(CARD_REFS).document(f"{chat_id}_{message_id}").get(retry=RETRY, timeout=TIMEOUT)
            )
        return str(snap.get("report_id")) if snap.exists else None

    # --- reporter notices ---------------------------------------------------------------------------------
    def claim_notice(self, notice_id: str) -> bool:
        """Take the right to send one reporter notice; False when it was sent (or is being sent)."""
        ref = self.client.collection(NOTICES).document(notice_id)
        now = self.clock()
        try:
            with transient_errors():
                ref.create(
                    {"sent": False, "lease_until": now + self.send_lease, "expires_at": now + timedelta(days=30)},
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
            return True
        except gexc.AlreadyExists:
            pass
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        data = snap.to_dict() or {}
        if data.get("sent") or (data.get("lease_until") and data["lease_until"] > now):
            if not data.get("sent"):
                raise Busy("notice is being sent by another delivery")
            return False
        with transient_errors():
            ref.update({"lease_until": now + self.send_lease}, retry=RETRY, timeout=TIMEOUT)
        return True

    def finish_notice(self, notice_id: str, sent: bool) -> None:
        """Record the notice as sent (or as given up) and release the lease."""
        with transient_errors():
            self.client.collection(NOTICES).document(notice_id).update(
                {"sent": True, "delivered": sent, "lease_until": None}, retry=RETRY, timeout=TIMEOUT
            )

    def release_notice(self, notice_id: str) -> None:
        """Give up the lease after a transient failure so the retry can send."""
        with transient_errors():
            self.client.collection(NOTICES).document(notice_id).update(
                {"lease_until": None}, retry=RETRY, timeout=TIMEOUT
            )

    # --- failed attempts ----------------------------------------------------------------------------------
    def count_failure(self, key: str) -> int:
        """Add one failed attempt for this message key and return the count so far."""
        ref = self.client.collection(ATTEMPTS).document(key.replace("/", "_")[:400])
        now = self.clock()
        with transient_errors():
            ref.set(
                {"count": firestore.Increment(1), "expires_at": now + timedelta(days=7)},
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )
            return int(ref.get(["count"], retry=RETRY, timeout=TIMEOUT).get("count") or 1)
