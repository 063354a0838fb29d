"""The retention purge run by tick: closed cases past the retention period lose personal data and evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain.case_rows import CaseRow
from functions.domain.jobs import DeliveryJob, card_job
from functions.log import get_logger
from functions.services.sla import STATE, moment

log = get_logger("sla")

EPOCH: Final = datetime(2024, 1, 1, tzinfo=UTC)
PURGE_BATCH: Final = 200


class RetentionStore(Protocol):
    """What the purge needs from storage (OversightStore implements it)."""

    def card_holders(self, code: str) -> list[int]: ...
    def closed_between(self, start: datetime, end: datetime, limit: int) -> list[CaseRow]: ...
    def get_state(self, name: str) -> tuple[dict[str, Any], Any]: ...
    def set_state(self, name: str, fields: dict[str, Any], read_at: Any) -> bool: ...
    def purge_case(self, code: str) -> bool: ...
    def messages_of(self, code: str) -> list[dict[str, Any]]: ...


class JobSink(Protocol):
    """Publishes delivery jobs."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


@dataclass
class Retention:
    """Purges closed cases past the period (legal holds excepted) and refreshes their cards."""

    store: RetentionStore
    publisher: JobSink
    deliveries_topic: str
    retention: timedelta
    purge_links: Callable[[str], int] | None = None  # deletes a purged case's takedown records (their links)

    def purge(self, now: datetime) -> int:
        """Closed cases past the retention period lose reporter personal data and evidence references (legal
        holds excepted); their staff cards are refreshed so they no longer show links. Returns how many."""
        state, read_at = self.store.get_state(STATE)
        start = moment(state.get("purge_through")) or EPOCH
        end = now - self.retention
        if start >= end:
            return 0
        rows = self.store.closed_between(start, end, PURGE_BATCH)
        purged = [r.code for r in rows if not r.legal_hold and not r.purged_at]
        purged = [code for code in purged if self.store.purge_case(code)]
        if self.purge_links is not None:
            for code in purged:
                self.purge_links(code)
        self.refresh_cards(purged)
        last = rows[-1].closed_at if len(rows) == PURGE_BATCH else None
        self.store.set_state(STATE, {"purge_through": last or end}, read_at)
        if purged:
            log.info("cases purged", extra={"report_ids": purged[:50], "count": len(purged)})
        return len(purged)

    def refresh_cards(self, codes: list[str]) -> None:
        """Every message the bot sent with a purged case's content is taken back: each card is re-rendered
        (a short stub for whoever may no longer see the case: revoked, moved, out of scope), and each other
        recorded message (evidence, /case copies and histories) is edited to a stub or deleted."""
        jobs = [card_job(code, holder, f"purged-{code}") for code in codes for holder in self.store.card_holders(code)]
        jobs += [
            DeliveryJob(
                job_id=f"purged-{code}:m{sent['chat_id']}_{sent['message_id']}",
                kind="scrub",
                report_id=code,
                recipient_id=int(sent["chat_id"]),
                event_id=f"purged-{code}",
                message_id=int(sent["message_id"]),
                argument=str(sent.get("kind") or "text"),
            )
            for code in codes
            for sent in self.store.messages_of(code)
        ]
        if jobs:
            self.publisher.publish_many(self.deliveries_topic, jobs)
