"""Time-driven work run by tick: re-publish the outbox, then the oversight steps (SLA, digest, retention)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from functions.domain.case import Case
from functions.domain.events import REPORT_EVENT, ReportCreated, ReportJoined
from functions.errors import TransientError
from functions.log import get_logger
from functions.services.submit import EventSink
from functions.services.timed import TimedOversight

log = get_logger("tick")

OUTBOX_GRACE: Final = timedelta(seconds=60)
COUNT_WINDOW: Final = timedelta(minutes=10)  # joins of the last minutes: their case's stored count is made exact


class OutboxStore(Protocol):
    """What the outbox sweep needs from storage."""

    def pending_creations(self, older_than: datetime, limit: int = 200) -> list[str]: ...
    def pending_joins(self, older_than: datetime, limit: int = 200) -> list[tuple[str, int]]: ...
    def get_case(self, code: str) -> Case | None: ...


class CountStore(Protocol):
    """Refreshing the stored reporter counts of cases that people joined (CaseStore implements it)."""

    def cases_joined_since(self, since: datetime) -> set[str]: ...
    def refresh_reporter_count(self, code: str, min_interval: timedelta) -> int | None: ...


class LinkCheckRun(Protocol):
    """The liveness checks due now (LinkChecks); never raises for a transient failure."""

    def run(self) -> dict[str, int]: ...


class ReleaseRun(Protocol):
    """Goes on releasing revoked people's open cases (services/release.py's Releases)."""

    def run(self) -> dict[str, int]: ...


class Ticker:
    """Runs every minute from Cloud Scheduler; every step is idempotent."""

    def __init__(
        self,
        store: OutboxStore,
        events: EventSink,
        reports_topic: str,
        clock: Callable[[], datetime],
        oversight: TimedOversight,
        counts: CountStore | None = None,
        links: LinkCheckRun | None = None,
        releases: ReleaseRun | None = None,
    ) -> None:
        self.store = store
        self.events = events
        self.reports_topic = reports_topic
        self.clock = clock
        self.oversight = oversight
        self.counts = counts
        self.links = links
        self.releases = releases

    def run(self) -> dict[str, int]:
        """Do the time-driven work due now; returns counts per kind of work.

        The oversight steps run at most once per minute (a second call in the same minute does nothing twice).

        Raises:
            TransientError: when an oversight step failed; the next minute's call does it.
        """
        counts = {"republished": self.republish(), "recounted": self.recount()}
        if self.releases is not None:  # before the SLA steps: a released case is new again
            counts |= self.releases.run()
        counts |= self.oversight.run()
        if self.links is not None:
            counts |= self.links.run()
        return counts

    def recount(self) -> int:
        """Make the stored reporter count exact for the cases joined in the last minutes (fan-out refreshes it at
        most every 30 s during a burst; this catches the burst's tail). Cards always count exactly."""
        if self.counts is None:
            return 0
        written = 0
        try:
            for code in sorted(self.counts.cases_joined_since(self.clock() - COUNT_WINDOW)):
                if self.counts.refresh_reporter_count(code, timedelta(0)) is not None:
                    written += 1
        except TransientError:
            log.warning("reporter counts not refreshed; next tick tries again", extra={"written": written})
        return written

    def republish(self) -> int:
        """Publish again the events of cases and joins that were stored but not fanned out in time."""
        cutoff = self.clock() - OUTBOX_GRACE
        count = 0
        for code in self.store.pending_creations(cutoff):
            report = self.store.get_case(code)
            if report is None:
                continue
            outbox = report.outbox
            event = (
                REPORT_EVENT.validate_python(outbox)
                if outbox
                else ReportCreated(
                    event_id=f"created-{code}",
                    report_id=code,
                    occurred_at=report.created_at or self.clock(),
                    severity=report.severity,
                    region=report.region,
                    category=report.category,
                )
            )
            attributes = {"type": event.type, "report_id": code}
            if outbox:
                attributes |= {"notice": str(outbox.get("notice") or ""), "argument": str(outbox.get("argument") or "")}
            count += self._publish(event, attributes)
        for code, user_id in self.store.pending_joins(cutoff):
            joined = ReportJoined(
                event_id=f"joined-{code}-{user_id}", report_id=code, occurred_at=self.clock(), reporter_user_id=user_id
            )
            count += self._publish(joined, {"type": joined.type, "report_id": code})
        if count:
            log.info("outbox re-published", extra={"events": count})
        return count

    def _publish(self, event: Any, attributes: dict[str, str]) -> int:
        try:
            self.events.publish(self.reports_topic, event, **attributes)
        except TransientError:
            log.warning("re-publish failed; next tick tries again", extra={"report_id": attributes["report_id"]})
            return 0
        return 1
