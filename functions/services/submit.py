"""Storing a report (a new case, or joining an open one) and publishing its event after the commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from functions.domain.codes import new_case_code
from functions.domain.events import ReportCreated, ReportJoined
from functions.domain.limits import MAX_ITEMS_PER_REPORT
from functions.domain.models import EvidenceItem, Media, Outcome, ReportDraft, Session, SubmitResult
from functions.errors import TransientError
from functions.log import get_logger
from functions.services.meanwhile import soon

log = get_logger("intake")

OutcomeFor = Callable[[SubmitResult], str]
SUBMIT_ATTEMPTS: Final = 5


class ContentMatch(Protocol):
    """What the content index says of a draft (the store's own record, handed back to it)."""

    @property
    def open_case(self) -> tuple[str, str] | None:
        """(code, severity) of the open case of the same content, if any."""
        ...


class SubmitStore(Protocol):
    """What submitting needs from storage (FirestoreStore implements it)."""

    def match_content(self, draft: ReportDraft, *, look: bool) -> Any: ...
    def create_case(
        self, code: str, draft: ReportDraft, match: Any, session: Session | None, quota: Any = None
    ) -> bool: ...
    def quota_for(self, draft: ReportDraft) -> Any: ...
    def join_case(self, code: str, draft: ReportDraft, match: Any, session: Session | None) -> str: ...
    def put_session(self, session: Session) -> None: ...


class EventSink(Protocol):
    """Where events go after the state that produced them is committed."""

    def publish(self, topic: str, message: Any, **attributes: str) -> str: ...


def merge_items(items: list[EvidenceItem]) -> tuple[list[str], list[Media]]:
    """All links and media of a flow, without repeats (the first MAX_ITEMS_PER_REPORT messages)."""
    urls: list[str] = []
    media: dict[str, Media] = {}
    for item in sorted(items, key=lambda item: item.message_id)[:MAX_ITEMS_PER_REPORT]:
        urls.extend(item.urls)
        for piece in item.media:
            media.setdefault(piece.file_unique_id, piece)
    return list(dict.fromkeys(urls)), list(media.values())


class Submitter:
    """Stores a draft with the session and its answer in one transaction, then publishes (the outbox retries)."""

    def __init__(self, store: SubmitStore, events: EventSink, reports_topic: str, clock: Callable[[], datetime]):
        self.store = store
        self.events = events
        self.reports_topic = reports_topic
        self.clock = clock

    def submit(
        self, draft: ReportDraft, session: Session | None, outcome_for: OutcomeFor
    ) -> tuple[SubmitResult, Outcome]:
        """Store the report (a new case with a code made here, or one more reporter) and publish its event.

        Args:
            draft: the case to store.
            session: the flow, stored with the answer in the same write (for the replay of a re-sent update).
            outcome_for: the answer (Outcome as JSON) for what storing did.

        Returns:
            What storing did and the answer to send.

        Raises:
            TransientError: the same content kept changing under concurrent reports (Telegram retries).
        """

        result = self._store(draft, session, outcome_for)
        soon(lambda: self.publish(result, draft))  # the webhook makes its answers while Pub/Sub acknowledges
        return result, _confirmation(outcome_for, result)

    def _store(self, draft: ReportDraft, session: Session | None, outcome_for: OutcomeFor) -> SubmitResult:
        for attempt in range(SUBMIT_ATTEMPTS):
            match: ContentMatch = self.store.match_content(draft, look=attempt > 0)
            if match.open_case is None:
                quota = self.store.quota_for(draft)  # None: does not count (groups, quarantine)
                if quota is not None and not quota.allowed:
                    if attempt == 0 and draft.index_content and (draft.urls or draft.media):
                        continue  # the first try does not look: joining an open case is never limited
                    return SubmitResult(
                        code="", outcome="limited", severity=draft.severity, retry_in_minutes=quota.retry_in_minutes
                    )  # nothing stored, not even the session: «Send» works again later
                result = SubmitResult(code=new_case_code(), outcome="created", severity=draft.severity)
                answered = _answered(session, result, outcome_for)
                if self.store.create_case(result.code, draft, match, answered, quota):
                    return result
                continue
            code, severity = match.open_case
            result = SubmitResult(code=code, outcome="joined", severity=severity)
            joined = self.store.join_case(code, draft, match, _answered(session, result, outcome_for))
            if joined == "joined":
                return result
            if joined == "already_reporter":
                result = SubmitResult(code=code, outcome="already_reporter", severity=severity)
                answered = _answered(session, result, outcome_for)
                if answered is not None:
                    self.store.put_session(answered)
                return result
        raise TransientError("submit: too many concurrent changes to the same content")

    def publish(self, result: SubmitResult, draft: ReportDraft) -> None:
        """Publish the event of a stored report; on failure tick publishes it later (the outbox)."""
        now = self.clock()
        event: ReportCreated | ReportJoined
        if result.outcome == "created":
            event = ReportCreated(
                event_id=f"created-{result.code}",
                report_id=result.code,
                occurred_at=now,
                severity=draft.severity,
                region=draft.region,
                category=draft.category,
            )
        elif result.outcome == "joined" and not draft.not_a_reporter:
            event = ReportJoined(
                event_id=f"joined-{result.code}-{draft.reporter_user_id}",
                report_id=result.code,
                occurred_at=now,
                reporter_user_id=draft.reporter_user_id,
            )
        else:
            return
        try:
            self.events.publish(self.reports_topic, event, type=event.type, report_id=result.code)
        except TransientError:
            log.warning(
                "event not published; tick will retry", extra={"report_id": result.code, "event_type": event.type}
            )


def _answered(session: Session | None, result: SubmitResult, outcome_for: OutcomeFor) -> Session | None:
    """The session as it is stored with the report: done, with its case and its answer (for the replay)."""
    if session is None:
        return None
    session.report_code = result.code
    session.step = "done"
    session.last_outcome = _confirmation(outcome_for, result).model_dump_json()  # a replay must arrive too
    return session


def _confirmation(outcome_for: OutcomeFor, result: SubmitResult) -> Outcome:
    """The answer to a stored report: it must reach the reporter, so it is made as a direct call (a 429 or a
    failure there goes to deliver), never left to ride in the webhook's answer, which Telegram drops silently."""
    return Outcome.model_validate_json(outcome_for(result)).model_copy(update={"must_arrive": True})
