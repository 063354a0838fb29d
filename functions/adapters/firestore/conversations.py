"""Conversations in progress: reporter profiles, flow sessions, the evidence collected, albums."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import (
    ALBUMS,
    GROUPS,
    ITEMS,
    RETRY,
    SESSIONS,
    TIMEOUT,
    USERS,
    transient_errors,
)
from functions.domain.models import (
    EvidenceItem,
    Profile,
    Session,
)

PROFILE_TOUCH_EVERY: Final = timedelta(days=30)


class Conversations:
    """Profiles and sessions (sessions and their items expire by TTL)."""

    client: firestore.Client
    session_ttl: timedelta
    profile_ttl: timedelta
    clock: Callable[[], datetime]

    # --- profiles -------------------------------------------------------------------------------------
    def get_profile(self, user_id: int) -> Profile | None:
        """The reporter's profile, if they made one."""
        with transient_errors():
            snap = self.client.collection(USERS).document(str(user_id)).get(retry=RETRY, timeout=TIMEOUT)
        return Profile.model_validate(snap.to_dict()) if snap.exists else None

    def save_profile(self, profile: Profile) -> None:
        """Store the reporter's profile (what staff set on it, the mute, is kept); it expires after
        `profile_ttl` without activity."""
        now = self.clock()
        fields = profile.model_dump(exclude={"muted", "expires_at"})
        with transient_errors():
            self.client.collection(USERS).document(str(profile.user_id)).set(
                fields | {"updated_at": now, "expires_at": now + self.profile_ttl},
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def touch_profile(self, profile: Profile) -> None:
        """Activity: move the profile's expiry on (written at most about once a month per person)."""
        now = self.clock()
        if profile.expires_at is not None and profile.expires_at > now + self.profile_ttl - PROFILE_TOUCH_EVERY:
            return
        try:
            with transient_errors():
                self.client.collection(USERS).document(str(profile.user_id)).update(
                    {"expires_at": now + self.profile_ttl}, retry=RETRY, timeout=TIMEOUT
                )
        except gexc.NotFound:
            return

    def set_muted(self, user_id: int, muted: bool) -> None:
        """Mute or unmute a reporter (their profile is created when they had none)."""
        now = self.clock()
        with transient_errors():
            self.client.collection(USERS).document(str(user_id)).set(
                {"user_id": user_id, "muted": muted, "updated_at": now, "expires_at": now + self.profile_ttl},
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )

    # --- sessions -------------------------------------------------------------------------------------
    def _session_ref(self, sid: str) -> firestore.DocumentReference:
        return self.client.collection(SESSIONS).document(sid)

    def _session_doc(self, session: Session) -> dict[str, Any]:
        now = self.clock()
        data = session.model_dump()
        data["created_at"] = session.created_at or now
        data["expires_at"] = now + self.session_ttl
        return data

    def load(
        self, sid: str, user_id: int, group_chat_id: int | None = None
    ) -> tuple[Session | None, Profile | None, dict[str, Any] | None]:
        """The session, the profile and (for a group) the group's settings, in one round trip."""
        refs = [self._session_ref(sid), self.client.collection(USERS).document(str(user_id))]
        if group_chat_id is not None:
            refs.append(self.client.collection(GROUPS).document(str(group_chat_id)))
        with transient_errors():
            found = {snap.reference.path: snap for snap in self.client.get_all(refs, retry=RETRY, timeout=TIMEOUT)}
        docs = [found.get(ref.path) for ref in refs]
        data = [snap.to_dict() if snap is not None and snap.exists else None for snap in docs]
        session = Session.model_validate(data[0]) if data[0] else None
        if session is not None and session.expires_at is not None and session.expires_at < self.clock():
            session = None
        profile = Profile.model_validate(data[1]) if data[1] else None
        group = data[2] if group_chat_id is not None else None
        return session, profile, group

    def get_session(self, sid: str) -> Session | None:
        """The live flow of one user in one chat (expired ones count as absent)."""
        with transient_errors():
            snap = self._session_ref(sid).get(retry=RETRY, timeout=TIMEOUT)
        if not snap.exists:
            return None
        session = Session.model_validate(snap.to_dict())
        if session.expires_at is not None and session.expires_at < self.clock():
            return None
        return session

    def put_session(self, session: Session) -> None:
        """Write the session as it is now."""
        with transient_errors():
            self._session_ref(session.sid).set(self._session_doc(session), retry=RETRY, timeout=TIMEOUT)

    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None:
        """Keep one message's evidence for the flow (idempotent per message)."""
        now = self.clock()
        doc = item.model_dump() | {"flow_id": flow_id, "created_at": now, "expires_at": now + self.session_ttl}
        with transient_errors():
            self._session_ref(sid).collection(ITEMS).document(str(item.message_id)).set(
                doc, retry=RETRY, timeout=TIMEOUT
            )

    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]:
        """The evidence collected in this flow, in message order."""
        query = self._session_ref(sid).collection(ITEMS).where(filter=firestore.FieldFilter("flow_id", "==", flow_id))
        with transient_errors():
            snaps = list(query.stream(retry=RETRY, timeout=TIMEOUT))
        items = [EvidenceItem.model_validate(snap.to_dict()) for snap in snaps]
        return sorted(items, key=lambda item: item.message_id)

    def count_items(self, sid: str, flow_id: str) -> int:
        """How many messages of evidence this flow holds (a count query: it reads no item)."""
        query = self._session_ref(sid).collection(ITEMS).where(filter=firestore.FieldFilter("flow_id", "==", flow_id))
        with transient_errors():
            results = query.count(alias="n").get(retry=RETRY, timeout=TIMEOUT)
        return int(results[0][0].value) if results and results[0] else 0

    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int:
        """Record which update opened an album; returns that update's id (first one wins)."""
        ref = self._session_ref(sid).collection(ALBUMS).document(media_group_id[:200])
        now = self.clock()
        try:
            with transient_errors():
                ref.create(
                    {"update_id": update_id, "created_at": now, "expires_at": now + self.session_ttl},
                    retry=RETRY,
                    timeout=TIMEOUT,
                )
        except gexc.AlreadyExists:
            with transient_errors():
                snap = ref.get(retry=RETRY, timeout=TIMEOUT)
            owner = (snap.to_dict() or {}).get("update_id")
            return int(owner) if isinstance(owner, int) else -1
        return update_id
