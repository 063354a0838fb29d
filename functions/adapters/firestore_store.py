"""Firestore persistence of profiles, flow sessions, cases, reporters, the content index and groups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry
from google.cloud import firestore

from functions.domain.additions import additions
from functions.domain.codes import new_case_code
from functions.domain.models import (
    OPEN_STATUSES,
    EvidenceItem,
    MyReport,
    Profile,
    ReportDraft,
    Session,
    Status,
    SubmitResult,
)
from functions.domain.urls import content_key_for_media, content_key_for_url
from functions.errors import TransientError

REPORTS: Final = "reports"
REPORTERS: Final = "reporters"
EVENTS: Final = "events"
CONTENT: Final = "content"
USERS: Final = "users"
SESSIONS: Final = "sessions"
ITEMS: Final = "items"
ALBUMS: Final = "albums"
GROUPS: Final = "groups"
GROUP_NOTICES: Final = "group_notices"

RETRY: Final = Retry(initial=0.1, maximum=1.0, multiplier=2.0, timeout=8.0)
TIMEOUT: Final = 5.0
_TRANSIENT: Final = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.Aborted,
    gexc.RetryError,
    gexc.Unknown,
    gexc.TooManyRequests,
    gexc.ResourceExhausted,
    gexc.GatewayTimeout,
)

OutcomeFor = Callable[[SubmitResult], str]


@contextmanager
def transient_errors() -> Iterator[None]:
    """Map the Google client's retryable failures to TransientError."""
    try:
        yield
    except _TRANSIENT as error:
        raise TransientError(type(error).__name__) from error


def content_keys(draft: ReportDraft) -> list[str]:
    """The content-index keys of a draft: one per canonical link and one per media file."""
    keys = [content_key_for_url(url) for url in draft.urls]
    keys += [content_key_for_media(media.file_unique_id) for media in draft.media]
    return list(dict.fromkeys(keys))


class FirestoreStore:
    """The application's one Firestore adapter; every method maps retryable errors to TransientError."""

    def __init__(self, client: firestore.Client, session_ttl: timedelta, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.session_ttl = session_ttl
        self.clock = clock

    # --- profiles -------------------------------------------------------------------------------------
    def get_profile(self, user_id: int) -> Profile | None:
        """The reporter's profile, if they made one."""
        with transient_errors():
            snap = self.client.collection(USERS).document(str(user_id)).get(retry=RETRY, timeout=TIMEOUT)
        return Profile.model_validate(snap.to_dict()) if snap.exists else None

    def save_profile(self, profile: Profile) -> None:
        """Store the reporter's profile."""
        with transient_errors():
            self.client.collection(USERS).document(str(profile.user_id)).set(
                profile.model_dump() | {"updated_at": self.clock()}, retry=RETRY, timeout=TIMEOUT
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

    # --- reports --------------------------------------------------------------------------------------
    def submit_report(self, draft: ReportDraft, session: Session | None, outcome_for: OutcomeFor) -> SubmitResult:
        """Store a report: a new case, or one more reporter on the open case of the same content.

        Hot documents are never read-modify-written: the case and its content keys are created with
        `create()` in one atomic batch (first one wins); a duplicate joins with a per-reporter document and a
        server-side increment.

        Args:
            draft: the report as the reporter confirmed it.
            session: the session to store in the same batch (its last outcome is set from the result).
            outcome_for: builds the reply to remember in the session for a result.

        Returns:
            The case code and whether it was created, joined, or already had this reporter.
        """
        keys = content_keys(draft) if draft.index_content else []
        for _attempt in range(5):
            found = self._lookup_content(keys) if _attempt else {}
            open_case = self._open_case_of(found)
            if open_case is not None:
                result = self._join(open_case, draft, keys, found, session, outcome_for)
                if result is not None:
                    return result
                continue
            result = self._create(draft, keys, found, session, outcome_for)
            if result is not None:
                return result
        raise TransientError("submit_report: too many concurrent changes to the same content")

    def _lookup_content(self, keys: list[str]) -> dict[str, firestore.DocumentSnapshot]:
        refs = [self.client.collection(CONTENT).document(key) for key in keys]
        with transient_errors():
            snaps = list(self.client.get_all(refs, retry=RETRY, timeout=TIMEOUT))
        return {snap.id: snap for snap in snaps if snap.exists}

    def _open_case_of(self, found: dict[str, firestore.DocumentSnapshot]) -> tuple[str, str] | None:
        """The (id, severity) of an open case one of the content keys points at."""
        for snap in found.values():
            data = snap.to_dict() or {}
            report_id = data.get("report_id")
            if not isinstance(report_id, str):
                continue
            with transient_errors():
                report = (
                    self.client.collection(REPORTS)
                    .document(report_id)
                    .get(["status", "severity"], retry=RETRY, timeout=TIMEOUT)
                )
            if report.exists and report.get("status") in {s.value for s in OPEN_STATUSES}:
                return report_id, str(report.get("severity"))
        return None

    def _session_write(
        self, batch: firestore.WriteBatch, session: Session | None, result: SubmitResult, outcome_for: OutcomeFor
    ) -> None:
        if session is None:
            return
        session.report_code = result.code
        session.step = "done"
        session.last_outcome = outcome_for(result)
        batch.set(self._session_ref(session.sid), self._session_doc(session))

    def _create(
        self,
        draft: ReportDraft,
        keys: list[str],
        found: dict[str, firestore.DocumentSnapshot],
        session: Session | None,
        outcome_for: OutcomeFor,
    ) -> SubmitResult | None:
        now = self.clock()
        code = new_case_code()
        result = SubmitResult(code=code, outcome="created", severity=draft.severity)
        report = {
            "status": Status.NEW.value,
            "category": draft.category,
            "severity": draft.severity,
            "region": draft.region,
            "urls": draft.urls,
            "media": [media.model_dump() for media in draft.media],
            "reporter_count": 0 if draft.not_a_reporter else 1,
            "quarantined": draft.not_a_reporter,
            "source": draft.source,
            "assignee": None,
            "child_in_danger": draft.child_in_danger,
            "description": draft.description,
            "reporter_role": draft.reporter_role,
            "content_keys": keys,
            "group_chat_id": draft.group_chat_id,
            "group_message_ids": draft.group_message_ids,
            "child_request": draft.child_request,
            "fanout_pending": True,
            "created_at": now,
            "updated_at": now,
        }
        batch = self.client.batch()
        report_ref = self.client.collection(REPORTS).document(code)
        batch.create(report_ref, report)
        for key in keys:
            ref = self.client.collection(CONTENT).document(key)
            if key in found:  # points at a closed case: repoint, unless someone else changed it meanwhile
                batch.update(
                    ref,
                    {"report_id": code, "updated_at": now},
                    option=self.client.write_option(last_update_time=found[key].update_time),
                )
            else:
                batch.create(ref, {"report_id": code, "created_at": now, "updated_at": now})
        if not draft.not_a_reporter:
            batch.create(
                report_ref.collection(REPORTERS).document(str(draft.reporter_user_id)),
                self._reporter_doc(draft, code, now, first=True),
            )
        self._session_write(batch, session, result, outcome_for)
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound):
            return None
        return result

    def _reporter_doc(self, draft: ReportDraft, code: str, now: datetime, *, first: bool) -> dict[str, Any]:
        return {
            "user_id": draft.reporter_user_id,
            "chat_id": draft.reporter_chat_id,
            "lang": draft.reporter_lang,
            "report_id": code,
            "source": draft.source,
            "first": first,
            "event_pending": not first,
            "created_at": now,
            # what this reporter answered: fan-out raises the case to the most serious answer of a join
            "answers": {
                "category": draft.category,
                "severity": draft.severity,
                "child_in_danger": draft.child_in_danger,
            },
        }

    def _join(
        self,
        open_case: tuple[str, str],
        draft: ReportDraft,
        keys: list[str],
        found: dict[str, firestore.DocumentSnapshot],
        session: Session | None,
        outcome_for: OutcomeFor,
    ) -> SubmitResult | None:
        code, severity = open_case
        now = self.clock()
        report_ref = self.client.collection(REPORTS).document(code)
        reporter_ref = report_ref.collection(REPORTERS).document(str(draft.reporter_user_id))
        result = SubmitResult(code=code, outcome="joined", severity=severity)
        batch = self.client.batch()
        if draft.not_a_reporter:  # a quarantined post of content already reported: indexed, nobody joins
            batch.update(report_ref, {"quarantined_posts": firestore.Increment(1), "updated_at": now})
        else:
            added = additions(draft, [key for key in keys if key not in found])
            doc = self._reporter_doc(draft, code, now, first=False) | added.reporter_fields()
            batch.create(reporter_ref, doc)
            counters = {name: firestore.Increment(n) for name, n in added.counts().items()}
            batch.update(report_ref, {"reporter_count": firestore.Increment(1), "updated_at": now} | counters)
        for key in keys:
            if key not in found:
                batch.create(
                    self.client.collection(CONTENT).document(key),
                    {"report_id": code, "created_at": now, "updated_at": now},
                )
        self._session_write(batch, session, result, outcome_for)
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except gexc.AlreadyExists:
            with transient_errors():
                already = reporter_ref.get(["user_id"], retry=RETRY, timeout=TIMEOUT).exists
            if not already:
                return None  # another key appeared meanwhile: look again
            result = SubmitResult(code=code, outcome="already_reporter", severity=severity)
            if session is not None:
                batch = self.client.batch()
                self._session_write(batch, session, result, outcome_for)
                with transient_errors():
                    batch.commit(retry=RETRY, timeout=TIMEOUT)
        return result

    def attach_evidence(self, code: str, item: EvidenceItem) -> None:
        """Add a later album part to the case its first part made (idempotent)."""
        now = self.clock()
        keys = [content_key_for_url(url) for url in item.urls]
        keys += [content_key_for_media(media.file_unique_id) for media in item.media]
        with transient_errors():
            self.client.collection(REPORTS).document(code).update(
                {
                    "urls": firestore.ArrayUnion(item.urls),
                    "media": firestore.ArrayUnion([media.model_dump() for media in item.media]),
                    "content_keys": firestore.ArrayUnion(keys),
                    "updated_at": now,
                },
                retry=RETRY,
                timeout=TIMEOUT,
            )
            for key in keys:
                try:
                    self.client.collection(CONTENT).document(key).create(
                        {"report_id": code, "created_at": now, "updated_at": now}, retry=RETRY, timeout=TIMEOUT
                    )
                except gexc.AlreadyExists:
                    continue

    def my_reports(self, user_id: int, limit: int = 10) -> list[MyReport]:
        """The reporter's latest cases with their current status."""
        query = (
            self.client.collection_group(REPORTERS)
            .where(filter=firestore.FieldFilter("user_id", "==", user_id))
            .order_by("created_at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        with transient_errors():
            links = [snap.to_dict() or {} for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]
            refs = [self.client.collection(REPORTS).document(str(link["report_id"])) for link in links]
            reports = {snap.id: snap for snap in self.client.get_all(refs, ["status"], retry=RETRY, timeout=TIMEOUT)}
        mine: list[MyReport] = []
        for link in links:
            snap = reports.get(str(link["report_id"]))
            if snap is not None and snap.exists:
                mine.append(MyReport(code=snap.id, status=str(snap.get("status")), created_at=link["created_at"]))
        return mine

    # --- groups ---------------------------------------------------------------------------------------
    def get_group(self, chat_id: int) -> dict[str, Any] | None:
        """The group's settings: enabled, quarantine, the bot's rights, whether admins were told about them."""
        with transient_errors():
            snap = self.client.collection(GROUPS).document(str(chat_id)).get(retry=RETRY, timeout=TIMEOUT)
        return snap.to_dict() if snap.exists else None

    def update_group(self, chat_id: int, **fields: Any) -> None:
        """Change some settings of a group."""
        with transient_errors():
            self.client.collection(GROUPS).document(str(chat_id)).set(
                fields | {"updated_at": self.clock()}, merge=True, retry=RETRY, timeout=TIMEOUT
            )

    def add_group_notice_code(self, chat_id: int, bucket: int, code: str) -> None:
        """Add a quarantined case to the group's next coalesced notice."""
        now = self.clock()
        with transient_errors():
            self.client.collection(GROUP_NOTICES).document(f"{chat_id}_{bucket}").set(
                {
                    "chat_id": chat_id,
                    "bucket": bucket,
                    "codes": firestore.ArrayUnion([code]),
                    "expires_at": now + timedelta(days=2),
                },
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def set_group_bot_rights(self, chat_id: int, status: str, can_delete: bool) -> None:
        """Remember the bot's own membership and delete right in a group (from my_chat_member)."""
        with transient_errors():
            self.client.collection(GROUPS).document(str(chat_id)).set(
                {"bot_status": status, "bot_can_delete": can_delete, "updated_at": self.clock()},
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )

    # --- outbox ---------------------------------------------------------------------------------------
    def pending_creations(self, older_than: datetime, limit: int = 200) -> list[str]:
        """Cases whose creation event has not been fanned out yet."""
        query = (
            self.client.collection(REPORTS)
            .where(filter=firestore.FieldFilter("fanout_pending", "==", True))
            .where(filter=firestore.FieldFilter("created_at", "<", older_than))
            .order_by("created_at")
            .limit(limit)
        )
        with transient_errors():
            return [snap.id for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def pending_joins(self, older_than: datetime, limit: int = 200) -> list[tuple[str, int]]:
        """(case, reporter) pairs whose join event has not been fanned out yet."""
        query = (
            self.client.collection_group(REPORTERS)
            .where(filter=firestore.FieldFilter("event_pending", "==", True))
            .where(filter=firestore.FieldFilter("created_at", "<", older_than))
            .order_by("created_at")
            .limit(limit)
        )
        with transient_errors():
            rows = [snap.to_dict() or {} for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]
        return [(str(row["report_id"]), int(row["user_id"])) for row in rows]

    def get_report(self, code: str) -> dict[str, Any] | None:
        """The case document, or None."""
        with transient_errors():
            snap = self.client.collection(REPORTS).document(code).get(retry=RETRY, timeout=TIMEOUT)
        return (snap.to_dict() or {}) | {"id": snap.id} if snap.exists else None
