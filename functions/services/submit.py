"""Storing a report (a new case, or joining an open one) and publishing its event after the commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from functions.domain.events import ReportCreated, ReportJoined
from functions.domain.models import EvidenceItem, Media, Outcome, ReportDraft, Session, SubmitResult
from functions.errors import TransientError
from functions.log import get_logger

log = get_logger("intake")

OutcomeFor = Callable[[SubmitResult], str]


class SubmitStore(Protocol):
    """What submitting needs from storage (FirestoreStore implements it)."""

    def submit_report(self, draft: ReportDraft, session: Session | None, outcome_for: OutcomeFor) -> SubmitResult: ...


class EventSink(Protocol):
    """Where events go after the state that produced them is committed."""

    def publish(self, topic: str, message: Any, **attributes: str) -> str: ...


def merge_items(items: list[EvidenceItem]) -> tuple[list[str], list[Media]]:
    """All links and media of a flow, without repeats."""
    urls: list[str] = []
    media: dict[str, Media] = {}
    for item in items:
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
        """Store the report and publish its event.

        Args:
            draft: the case to store.
            session: the flow, stored with the answer (for the replay of a re-sent update).
            outcome_for: the answer (Outcome as JSON) for what storing did.

        Returns:
            What storing did and the answer to send.
        """

        def confirmed(result: SubmitResult) -> str:  # the confirmation must reach the reporter: never lost to a 429
            return (
                Outcome.model_validate_json(outcome_for(result))
                .model_copy(update={"must_arrive": True})
                .model_dump_json()
            )

        result = self.store.submit_report(draft, session, confirmed)
        self.publish(result, draft)
        return result, Outcome.model_validate_json(confirmed(result))

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
        elif result.outcome == "joined":
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
