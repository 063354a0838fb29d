"""Firestore persistence of staff, invites, case transitions, cards, notices and fan-out markers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.case_access import CaseAccess
from functions.adapters.firestore_store import (
    EVENTS,
    GROUP_NOTICES,
    REPORTERS,
    REPORTS,
    RETRY,
    TIMEOUT,
    transient_errors,
)
from functions.domain.workflow import Role, StaffMember
from functions.errors import TransientError

STAFF: Final = "staff"
INVITES: Final = "invites"
CARDS: Final = "cards"
CARD_REFS: Final = "card_refs"
NOTICES: Final = "notices"
FANOUTS: Final = "fanouts"
ATTEMPTS: Final = "attempts"
SEND_LEASE: Final = timedelta(minutes=2)
INVITE_CODE: Final = re.compile(r"[0-9a-z]{1,64}")  # what new_token() makes

ClaimState = Literal["claimed", "busy", "sent"]


def staff_from(data: dict[str, Any]) -> StaffMember:
    """A StaffMember from its stored document."""
    return StaffMember(
        user_id=int(data["user_id"]),
        role=Role(data["role"]),
        regions=tuple(data.get("regions") or ()),
        active=bool(data.get("active", False)),
        on_duty=bool(data.get("on_duty", False)),
        name=str(data.get("name") or ""),
        lang=str(data.get("lang") or "ru"),
        unreachable=bool(data.get("unreachable", False)),
    )


class StaffReads:
    """Reading staff records: shared by the stores of the case workflow and of oversight."""

    client: firestore.Client

    def get_staff(self, user_id: int) -> StaffMember | None:
        """The stored staff member, active or not."""
        with transient_errors():
            snap = self.client.collection(STAFF).document(str(user_id)).get(retry=RETRY, timeout=TIMEOUT)
        return staff_from(snap.to_dict() or {}) if snap.exists else None

    def active_staff(self) -> list[StaffMember]:
        """Every active staff member (the committee's staff is hundreds, not millions)."""
        query = self.client.collection(STAFF).where(filter=firestore.FieldFilter("active", "==", True))
        with transient_errors():
            return [staff_from(snap.to_dict() or {}) for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def all_staff(self) -> list[StaffMember]:
        """Every staff member, revoked ones included."""
        with transient_errors():
            snaps = self.client.collection(STAFF).stream(retry=RETRY, timeout=TIMEOUT)
            return [staff_from(snap.to_dict() or {}) for snap in snaps]


class AuditTrail:
    """Appending to a case's audit trail: shared by the stores of the case workflow and of oversight."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        """Record an audit event that changes no state (a note, a view, an SLA step); False if already there."""
        try:
            with transient_errors():
                self.client.collection(REPORTS).document(code).collection(EVENTS).document(event_id).create(
                    event | {"at": self.clock()}, retry=RETRY, timeout=TIMEOUT
                )
        except gexc.AlreadyExists:
            return False
        return True


class CaseStore(StaffReads, AuditTrail, CaseAccess):
    """Staff, invites, transitions and delivery records (same client and retry rules as FirestoreStore)."""

    def __init__(self, client: firestore.Client, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock

    # --- staff --------------------------------------------------------------------------------------------
    def put_staff(self, member: StaffMember, invited_by: int | None) -> None:
        """Register or update a staff member (reachable again: they pressed Start)."""
        now = self.clock()
        with transient_errors():
            self.client.collection(STAFF).document(str(member.user_id)).set(
                {
                    "user_id": member.user_id,
                    "role": member.role.value,
                    "regions": list(member.regions),
                    "active": True,
                    "on_duty": member.on_duty,
                    "name": member.name,
                    "lang": member.lang,
                    "unreachable": False,
                    "invited_by": invited_by,
                    "updated_at": now,
                },
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def update_staff(self, user_id: int, **fields: Any) -> bool:
        """Change some fields of a staff member; False when there is no such person."""
        try:
            with transient_errors():
                self.client.collection(STAFF).document(str(user_id)).update(
                    fields | {"updated_at": self.clock()}, retry=RETRY, timeout=TIMEOUT
                )
        except gexc.NotFound:
            return False
        return True

    # --- invites ------------------------------------------------------------------------------------------
    def create_invite(self, code: str, role: Role, regions: list[str], by: int, ttl: timedelta) -> None:
        """Store a one-time invite."""
        now = self.clock()
        with transient_errors():
            self.client.collection(INVITES).document(code).create(
                {
                    "role": role.value,
                    "regions": regions,
                    "created_by": by,
                    "created_at": now,
                    "expires_at": now + ttl,
                    "used_by": None,
                },
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def redeem_invite(self, code: str, user_id: int) -> dict[str, Any] | None:
        """Mark the invite used by this person (first one wins); its data, or None when not valid."""
        if not INVITE_CODE.fullmatch(code):  # typed by a person: "", "..", "a/b" are no invite (nor a document id)
            return None
        ref = self.client.collection(INVITES).document(code)
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        if not snap.exists:
            return None
        data = snap.to_dict() or {}
        if data.get("used_by") == user_id:
            return data  # a re-sent /start of the same person
        if data.get("used_by") is not None or data["expires_at"] < self.clock():
            return None
        try:
            with transient_errors():
                ref.update(
                    {"used_by": user_id, "used_at": self.clock()},
                    option=self.client.write_option(last_update_time=snap.update_time),
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
        except (gexc.FailedPrecondition, gexc.NotFound):
            return None
        return data

    # --- cases --------------------------------------------------------------------------------------------
    def get_report(self, code: str) -> tuple[dict[str, Any], Any] | None:
        """The case and its update time (for a precondition write), or None."""
        with transient_errors():
            snap = self.client.collection(REPORTS).document(code).get(retry=RETRY, timeout=TIMEOUT)
        if not snap.exists:
            return None
        return (snap.to_dict() or {}) | {"id": snap.id}, snap.update_time

    def apply_transition(
        self,
        code: str,
        read_at: Any,
        version: int,
        changes: dict[str, Any],
        event: dict[str, Any],
        outbox: dict[str, Any] | None,
    ) -> bool:
        """Write a transition only if the case did not change since it was read; False when it did.

        The case update carries a last-update-time precondition and the event document is created with the
        next version number, so of two people pressing at once exactly one succeeds.
        """
        now = self.clock()
        report_ref = self.client.collection(REPORTS).document(code)
        batch = self.client.batch()
        update = changes | {"version": version + 1, "updated_at": now}
        if outbox is not None:
            update |= {"outbox": outbox, "fanout_pending": True}
        batch.update(report_ref, update, option=self.client.write_option(last_update_time=read_at))
        batch.create(report_ref.collection(EVENTS).document(f"v{version + 1:06d}"), event | {"at": now})
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

    def events_of(self, code: str) -> list[dict[str, Any]]:
        """The case's audit trail in order."""
        ref = self.client.collection(REPORTS).document(code).collection(EVENTS)
        with transient_errors():
            return [snap.to_dict() or {} for snap in ref.order_by("at").stream(retry=RETRY, timeout=TIMEOUT)]

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
                    batch = self.client.batch()
                    batch.create(target_ref.collection(REPORTERS).document(str(user_id)), doc)
                    batch.update(target_ref, {"reporter_count": firestore.Increment(1), "updated_at": self.clock()})
                    batch.commit(retry=RETRY, timeout=TIMEOUT)
                moved += 1
            except gexc.AlreadyExists:
                continue  # already a reporter of the main case (or moved by an earlier attempt)
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
    def card_holders(self, code: str) -> list[int]:
        """The staff who have a card of this case."""
        query = self.client.collection(CARDS).where(filter=firestore.FieldFilter("report_id", "==", code))
        with transient_errors():
            return [int(snap.get("recipient_id")) for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def claim_card(self, code: str, recipient_id: int) -> tuple[ClaimState, dict[str, Any]]:
        """Take the right to send or edit this card now (one sender at a time per card)."""
        ref = self.client.collection(CARDS).document(f"{code}_{recipient_id}")
        now = self.clock()
        lease = {"report_id": code, "recipient_id": recipient_id, "lease_until": now + SEND_LEASE}
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
                    {"lease_until": now + SEND_LEASE},
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
                    {"sent": False, "lease_until": now + SEND_LEASE, "expires_at": now + timedelta(days=30)},
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
                raise TransientError("notice is being sent by another delivery")
            return False
        with transient_errors():
            ref.update({"lease_until": now + SEND_LEASE}, retry=RETRY, timeout=TIMEOUT)
        return True

    def finish_notice(self, notice_id: str, sent: bool) -> None:
        """Record the notice as sent (or as given up) and release the lease."""
        with transient_errors():
            self.client.collection(NOTICES).document(notice_id).update(
                {"sent": True, "delivered": sent, "lease_until": None}, retry=RETRY, timeout=TIMEOUT
            )

    def group_notice_codes(self, chat_id: int, bucket: int) -> list[str]:
        """The cases of one group notice window."""
        with transient_errors():
            snap = (
                self.client.collection(GROUP_NOTICES).document(f"{chat_id}_{bucket}").get(retry=RETRY, timeout=TIMEOUT)
            )
        return [str(code) for code in (snap.get("codes") or [])] if snap.exists else []

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
