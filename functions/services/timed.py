"""The time-driven oversight run by tick, at most once a minute: the SLA ladder, the digest, the retention purge."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.sla import Thresholds
from functions.domain.takedown import Takedown
from functions.domain.workflow import StaffMember
from functions.errors import TransientError
from functions.log import get_logger
from functions.services.digest import MARKER_TTL, Digest
from functions.services.first_contact import FirstContactLadder
from functions.services.retention import Retention
from functions.services.sla import SlaLadder

log = get_logger("sla")


class TimedStore(Protocol):
    """What the time-driven oversight needs from storage, all steps together (OversightStore implements it)."""

    def all_staff(self) -> list[StaffMember]: ...
    def card_holders(self, code: str) -> list[int]: ...
    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[CaseRow]: ...
    def cases_created(
        self, since: datetime, until: datetime, regions: tuple[str, ...] | None, fields: Sequence[str] | None
    ) -> list[CaseRow]: ...
    def urgent_untaken(self, created_before: datetime) -> list[CaseRow]: ...
    def untaken_between(self, start: datetime, end: datetime) -> list[CaseRow]: ...
    def stale_between(self, start: datetime, end: datetime) -> list[CaseRow]: ...
    def closed_between(self, start: datetime, end: datetime, limit: int) -> list[CaseRow]: ...
    def claim_marker(self, name: str, ttl: timedelta) -> bool: ...
    def has_marker(self, name: str) -> bool: ...
    def get_state(self, name: str) -> tuple[dict[str, Any], Any]: ...
    def set_state(self, name: str, fields: dict[str, Any], read_at: Any) -> bool: ...
    def mark_reports(self, changes: dict[str, dict[str, Any]]) -> None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def purge_case(self, code: str) -> bool: ...
    def messages_of(self, code: str) -> list[dict[str, Any]]: ...
    def child_requests_since(self, since: datetime) -> list[Case]: ...


class Publisher(Protocol):
    """Publishes events and jobs."""

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str: ...
    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


class TakedownRecords(Protocol):
    """The takedown records the digest and retention use (TakedownStore)."""

    def links_since(self, since: datetime, regions: tuple[str, ...] | None = None) -> list[Takedown]: ...
    def purge_links(self, code: str) -> int: ...


@dataclass
class TimedOversight:
    """SLA ladder, reminders, digest and retention; every step idempotent, run at most once per minute."""

    store: TimedStore
    publisher: Publisher
    reports_topic: str
    deliveries_topic: str
    limits: Thresholds
    digest_hour: int
    retention: timedelta
    clock: Callable[[], datetime]
    takedowns: TakedownRecords | None = None  # the takedown records: the digest's links, retention's purge
    first_contact_minutes: int = 60

    def ladder(self) -> SlaLadder:
        """The SLA ladder on this store."""
        return SlaLadder(self.store, self.publisher, self.reports_topic, self.deliveries_topic, self.limits)

    def children(self) -> FirstContactLadder:
        """The child's first-contact deadline on this store."""
        return FirstContactLadder(self.store, self.publisher, self.deliveries_topic, self.first_contact_minutes)

    def daily(self) -> Digest:
        """The digest at this digest hour."""
        links = self.takedowns.links_since if self.takedowns is not None else None
        return Digest(self.store, self.publisher, self.deliveries_topic, self.limits, self.digest_hour, links)

    def keeping(self) -> Retention:
        """The retention purge for this period."""
        purge = self.takedowns.purge_links if self.takedowns is not None else None
        return Retention(self.store, self.publisher, self.deliveries_topic, self.retention, purge)

    def escalate(self, now: datetime) -> int:
        """Escalate urgent cases nobody took (see SlaLadder.escalate)."""
        return self.ladder().escalate(now)

    def remind(self, now: datetime) -> int:
        """Remind of cases waiting too long (see SlaLadder.remind)."""
        return self.ladder().remind(now)

    def digest(self, now: datetime) -> int:
        """Publish the day's digests when it is time (see Digest.run)."""
        return self.daily().run(now)

    def purge(self, now: datetime) -> int:
        """Purge closed cases past retention (see Retention.purge)."""
        return self.keeping().purge(now)

    def run(self) -> dict[str, int]:
        """Do this minute's oversight work once; a second run in the same minute does nothing.

        Raises:
            TransientError: when a step failed (the others still ran; the next minute tries again).
        """
        now = self.clock()
        minute = now.astimezone(UTC).strftime("%Y%m%d%H%M")
        if not self.store.claim_marker(f"sla-{minute}", MARKER_TTL):
            return {"escalated": 0, "reminded": 0, "first_contact": 0, "digests": 0, "purged": 0}
        counts: dict[str, int] = {}
        failed: TransientError | None = None
        steps: tuple[tuple[str, Callable[[datetime], int]], ...] = (
            ("escalated", self.ladder().escalate),
            ("reminded", self.ladder().remind),
            ("first_contact", self.children().run),
            ("digests", self.daily().run),
            ("purged", self.keeping().purge),
        )
        for name, step in steps:
            try:
                counts[name] = step(now)
            except TransientError as error:
                log.warning("oversight step failed; next minute tries again", extra={"step": name})
                counts[name] = 0
                failed = failed or error
        if failed is not None:
            raise failed
        return counts
