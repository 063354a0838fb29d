"""Staff records and invites."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import (
    INVITES,
    RETRY,
    STAFF,
    TIMEOUT,
    transient_errors,
)
from functions.domain.workflow import Role, StaffMember

INVITE_CODE: Final = re.compile(r"[0-9a-z]{1,64}")  # what new_token() makes


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


class StaffRecords(StaffReads):
    """Staff writes and invites."""

    clock: Callable[[], datetime]

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
        if data["expires_at"] < self.clock():
            return None  # expired, for its own user too: an old link never registers anyone again
        if data.get("used_by") == user_id:
            return data  # a re-sent /start of the same person
        if data.get("used_by") is not None:
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

    def open_invites(self, limit: int = 50) -> list[dict[str, Any]]:
        """Invites not used yet and not expired, oldest first, each with its code as `code`."""
        query = self.client.collection(INVITES).where(filter=firestore.FieldFilter("used_by", "==", None))
        now = self.clock()
        with transient_errors():
            rows = [(snap.to_dict() or {}) | {"code": snap.id} for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]
        live = [row for row in rows if isinstance(row.get("expires_at"), datetime) and row["expires_at"] > now]
        return sorted(live, key=lambda row: row["expires_at"])[:limit]

    def cancel_invite(self, code: str) -> bool:
        """Delete an unused invite; False when there is no such open invite (used, expired or gone)."""
        if not INVITE_CODE.fullmatch(code):
            return False
        ref = self.client.collection(INVITES).document(code)
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        if not snap.exists or (snap.to_dict() or {}).get("used_by") is not None:
            return False
        try:
            with transient_errors():
                ref.delete(
                    option=self.client.write_option(last_update_time=snap.update_time), retry=RETRY, timeout=TIMEOUT
                )
        except (gexc.FailedPrecondition, gexc.NotFound):
            return False
        return True
