"""Storing reports: a new case or one more reporter on an open one (content index), evidence added later, /my,
the outbox. The submitting service decides and renders; this module only reads and writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import (
    CONTENT,
    REPORTER_QUOTAS,
    REPORTERS,
    REPORTS,
    RETRY,
    TIMEOUT,
    transient_errors,
)
from functions.adapters.firestore.cases import CaseReads
from functions.adapters.firestore.conversations import Conversations
from functions.domain.additions import additions
from functions.domain.case import Case
from functions.domain.limits import DAY, Admission, ReportLimits, admit
from functions.domain.models import (
    OPEN_STATUSES,
    EvidenceItem,
    MyReport,
    ReportDraft,
    Session,
    Status,
)
from functions.domain.urls import content_key_for_media, content_key_for_url

JoinOutcome = Literal["joined", "already_reporter", "changed"]
# what a new case takes over from its draft as it is, field for field
FROM_DRAFT: Final = (
    "category", "severity", "region", "urls", "media", "source", "child_in_danger", "description", "reporter_role",
    "group_chat_id", "group_message_ids", "child_request", "muted",
)  # fmt: skip


@dataclass(frozen=True)
class ContentMatch:
    """What the content index says of a draft: its keys, the key documents found, the open case they name."""

    keys: list[str]
    found: dict[str, Any]
    open_case: tuple[str, str] | None


def content_keys(draft: ReportDraft) -> list[str]:
    """The content-index keys of a draft: one per canonical link and one per media file."""
    keys = [content_key_for_url(url) for url in draft.urls]
    keys += [content_key_for_media(media.file_unique_id) for media in draft.media]
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class Quota:
    """A reporter's limit judged for one more new case, and when their record was read."""

    admission: Admission
    read_at: Any

    @property
    def allowed(self) -> bool:
        """Whether one more new case is allowed now."""
        return self.admission.allowed

    @property
    def retry_in_minutes(self) -> int:
        """When refused: how long until one more is allowed."""
        return self.admission.retry_in_minutes


class Submissions(Conversations, CaseReads):
    """Cases as reporters make them; the session is written in the same transaction."""

    report_limits: ReportLimits | None = None  # new cases per reporter (set by bootstrap)

    # --- reports --------------------------------------------------------------------------------------
    def match_content(self, draft: ReportDraft, *, look: bool) -> ContentMatch:
        """The draft's content keys and, when asked to look, the open case they point at.

        The first attempt does not look (a new report costs writes only: the batch that creates the case
        creates its keys and fails when one exists); a retry looks.
        """
        keys = content_keys(draft) if draft.index_content else []
        found = self._lookup_content(keys) if look else {}
        return ContentMatch(keys=keys, found=found, open_case=self._open_case_of(found))

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

    def quota_for(self, draft: ReportDraft) -> Quota | None:
        """The reporter's record of new cases, judged for one more (None: this draft does not count)."""
        limits = self.report_limits
        if not draft.counted or limits is None:
            return None
        ref = self.client.collection(REPORTER_QUOTAS).document(str(draft.reporter_user_id))
        with transient_errors():
            snap = ref.get(retry=RETRY, timeout=TIMEOUT)
        times = [t for t in ((snap.to_dict() or {}).get("times") or []) if isinstance(t, datetime)]
        return Quota(admit(times, self.clock(), limits), snap.update_time if snap.exists else None)

    def _write_quota(self, batch: firestore.WriteBatch, draft: ReportDraft, quota: Quota) -> None:
        """One more new case on the reporter's record, in the case's batch, with a precondition: two
        submissions of one person at once cannot both take the last place."""
        ref = self.client.collection(REPORTER_QUOTAS).document(str(draft.reporter_user_id))
        doc = {"times": list(quota.admission.times), "expires_at": self.clock() + DAY}
        if quota.read_at is not None:
            batch.update(ref, doc, option=self.client.write_option(last_update_time=quota.read_at))
        else:
            batch.create(ref, doc)

    def create_case(
        self, code: str, draft: ReportDraft, match: ContentMatch, session: Session | None, quota: Quota | None = None
    ) -> bool:
        """Store a new case with its content keys, first reporter and the session, in one atomic batch.

        Hot documents are never read-modify-written: the case and its keys are created with `create()`
        (first one wins). False when a key or the code exists already, or changed since it was read: the
        caller looks again.
        """
        now = self.clock()
        report = Case(
            code=code,
            status=Status.NEW,
            **{name: getattr(draft, name) for name in FROM_DRAFT},
            reporter_count=0 if draft.not_a_reporter else 1,
            quarantined=draft.not_a_reporter,
            assignee=None,
            content_keys=match.keys,
            contact_pending=draft.child_request,  # domain.child_track.contact_pending of a new case
            fanout_pending=True,
            created_at=now,
            updated_at=now,
        ).to_document()
        batch = self.client.batch()
        report_ref = self.client.collection(REPORTS).document(code)
        batch.create(report_ref, report)
        for key in match.keys:
            ref = self.client.collection(CONTENT).document(key)
            if key in match.found:  # points at a closed case: repoint, unless someone else changed it meanwhile
                batch.update(
                    ref,
                    {"report_id": code, "updated_at": now},
                    option=self.client.write_option(last_update_time=match.found[key].update_time),
                )
            else:
                batch.create(ref, {"report_id": code, "created_at": now, "updated_at": now})
        if not draft.not_a_reporter:  # a quarantined post's author is no reporter of its case
            batch.create(
                report_ref.collection(REPORTERS).document(str(draft.reporter_user_id)),
                self._reporter_doc(draft, code, now, first=True),
            )
            if quota is not None:
                self._write_quota(batch, draft, quota)
        if session is not None:
            batch.set(self._session_ref(session.sid), self._session_doc(session))
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound):
            return False
        return True

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

    def join_case(self, code: str, draft: ReportDraft, match: ContentMatch, session: Session | None) -> JoinOutcome:
        """One more reporter on an open case (a per-reporter document and a server-side increment), with the
        session, in one batch: 'joined', 'already_reporter' (nothing written), or 'changed' (look again)."""
        now = self.clock()
        report_ref = self.client.collection(REPORTS).document(code)
        reporter_ref = report_ref.collection(REPORTERS).document(str(draft.reporter_user_id))
        batch = self.client.batch()
        if draft.not_a_reporter:  # a quarantined post of content already reported: indexed, nobody joins
            batch.update(report_ref, {"quarantined_posts": firestore.Increment(1), "updated_at": now})
        else:  # the joiner's answers and additions on their own document; the case document is not written:
            # reporters and additions are tallied from these documents (cards, fan-out's and tick's refresh),
            # so a viral case is no hot document
            added = additions(draft, [key for key in match.keys if key not in match.found])
            batch.create(reporter_ref, self._reporter_doc(draft, code, now, first=False) | added.reporter_fields())
        for key in match.keys:
            if key not in match.found:
                batch.create(
                    self.client.collection(CONTENT).document(key),
                    {"report_id": code, "created_at": now, "updated_at": now},
                )
        if session is not None:
            batch.set(self._session_ref(session.sid), self._session_doc(session))
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except gexc.AlreadyExists:
            with transient_errors():
                already = reporter_ref.get(["user_id"], retry=RETRY, timeout=TIMEOUT).exists
            return "already_reporter" if already else "changed"  # changed: another key appeared meanwhile
        return "joined"

    def attach_evidence(self, code: str, item: EvidenceItem) -> None:
        """Add a later album part to the case its first part made (idempotent)."""
        now = self.clock()
        keys = [content_key_for_url(url) for url in item.urls]
        keys += [content_key_for_media(media.file_unique_id) for media in item.media]
        added = {"urls": item.urls, "media": [media.model_dump() for media in item.media], "content_keys": keys}
        update: dict[str, Any] = {name: firestore.ArrayUnion(values) for name, values in added.items() if values}
        with transient_errors():  # (an empty ArrayUnion is refused: a links-only item has no media)
            self.client.collection(REPORTS).document(code).update(
                update | {"updated_at": now}, retry=RETRY, timeout=TIMEOUT
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

    # --- outbox ---------------------------------------------------------------------------------------
    def pending_creations(self, older_than: datetime, limit: int = 200) -> list[str]:
        """Cases whose creation event has not been fanned out yet."""
        query = _pending(self.client.collection(REPORTS), "fanout_pending", older_than, limit)
        with transient_errors():
            return [snap.id for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def pending_joins(self, older_than: datetime, limit: int = 200) -> list[tuple[str, int]]:
        """(case, reporter) pairs whose join event has not been fanned out yet."""
        query = _pending(self.client.collection_group(REPORTERS), "event_pending", older_than, limit)
        with transient_errors():
            rows = [snap.to_dict() or {} for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]
        return [(str(row["report_id"]), int(row["user_id"])) for row in rows]


def _pending(source: Any, flag: str, older_than: datetime, limit: int) -> Any:
    """The oldest documents still flagged for the outbox, created before the grace period ended."""
    return (
        source.where(filter=firestore.FieldFilter(flag, "==", True))
        .where(filter=firestore.FieldFilter("created_at", "<", older_than))
        .order_by("created_at")
        .limit(limit)
    )
