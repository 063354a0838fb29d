"""Fan-out: turn one case event into delivery jobs, one per recipient, exactly once per event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel, ValidationError

from functions.domain.case import Case
from functions.domain.events import REPORT_EVENT, ReportChanged, ReportCreated, ReportJoined, ReportOverdue
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Status
from functions.domain.sla import escalation_recipients
from functions.domain.workflow import StaffMember, recipients
from functions.i18n import t
from functions.log import get_logger

log = get_logger("fanout")

NOTIFY_REPORTERS: Final = frozenset({"taken", "escalated", "resolved", "rejected", "merged", "content_removed"})
JOIN_REFRESH_BUCKET_SECONDS: Final = 30


class FanoutStore(Protocol):
    """What fan-out needs from storage."""

    def get_case(self, code: str) -> Case | None: ...
    def active_staff(self) -> list[StaffMember]: ...
    def card_holders(self, code: str) -> list[int]: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def fanout_done(self, event_id: str) -> bool: ...
    def mark_fanout_done(self, event_id: str, jobs: int) -> None: ...
    def clear_outbox(self, code: str, event_id: str) -> None: ...
    def clear_join(self, code: str, user_id: int) -> None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def refresh_reporter_count(self, code: str, min_interval: timedelta) -> int | None: ...


class RollupSync(Protocol):
    """Keeps the statistics roll-ups in step with a case (RollupStore implements it)."""

    def sync(self, code: str) -> int: ...


class JobSink(Protocol):
    """Publishes many jobs and waits for all of them."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


class FanOut:
    """Routes case events to staff cards and reporter notices."""

    def __init__(
        self,
        store: FanoutStore,
        jobs: JobSink,
        deliveries_topic: str,
        clock: Callable[[], datetime],
        rollups: RollupSync | None = None,
        track_links: Callable[[Case], int] | None = None,
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.deliveries_topic = deliveries_topic
        self.clock = clock
        self.rollups = rollups
        self.track_links = track_links  # starts the takedown track of a new or joined case's links

    def handle(self, data: dict[str, Any], attributes: dict[str, str]) -> str:
        """Fan one event out; returns a short note. Raises TransientError to have Pub/Sub retry."""
        try:
            event = REPORT_EVENT.validate_python(data)
        except ValidationError:
            log.warning("unreadable event dropped", extra={"field_count": len(data)})
            return "dropped: not an event"
        if self.store.fanout_done(event.event_id):
            return "duplicate"
        report = self.store.get_case(event.report_id)
        if report is None:
            log.warning("event for an unknown case dropped", extra={"report_id": event.report_id})
            return "dropped: no such case"
        if isinstance(event, ReportJoined):  # the case's stored count, at most once per bucket (cards count exactly)
            self.store.refresh_reporter_count(event.report_id, timedelta(seconds=JOIN_REFRESH_BUCKET_SECONDS))
        elif self.rollups is not None and isinstance(event, ReportCreated | ReportChanged):
            self.rollups.sync(event.report_id)  # statistics: the change counted once, however often delivered
        jobs: list[DeliveryJob]
        if self.track_links is not None and isinstance(event, ReportCreated | ReportJoined):
            self.track_links(report)
        if isinstance(event, ReportCreated):
            jobs = self._created(event, report)
        elif isinstance(event, ReportJoined):
            jobs = self._refresh(event.report_id, event.event_id, bucket=True)
        elif isinstance(event, ReportOverdue):
            jobs = self._overdue(event, report)
        else:
            jobs = self._changed(event, report, attributes)
        if jobs:
            self.jobs.publish_many(self.deliveries_topic, jobs)
        self.store.mark_fanout_done(event.event_id, len(jobs))
        if isinstance(event, ReportJoined):
            self.store.clear_join(event.report_id, event.reporter_user_id)
        else:
            self.store.clear_outbox(event.report_id, event.event_id)
        log.info("event fanned out", extra={"report_id": event.report_id, "event_type": event.type, "jobs": len(jobs)})
        return f"{len(jobs)} jobs"

    def _created(self, event: ReportCreated, report: Case) -> list[DeliveryJob]:
        self.store.add_event(
            event.report_id,
            "v000000",
            {"type": "created", "by": None, "from": None, "to": "new", "note": report.source},
        )
        people = recipients(
            self.store.active_staff(),
            report.category,
            report.region,
            report.severity,
        )
        return [
            DeliveryJob(
                job_id=f"{event.event_id}:{p.user_id}",
                kind="card",
                report_id=event.report_id,
                recipient_id=p.user_id,
                event_id=event.event_id,
            )
            for p in people
        ]

    def _refresh(self, code: str, event_id: str, *, bucket: bool = False) -> list[DeliveryJob]:
        """Card refresh jobs for everyone who holds a card of this case."""
        suffix = event_id
        if bucket:  # many joins of a viral case: at most one refresh per card per bucket
            suffix = f"join-{code}-{int(self.clock().timestamp()) // JOIN_REFRESH_BUCKET_SECONDS}"
        return [
            DeliveryJob(
                job_id=f"{suffix}:{holder}", kind="card", report_id=code, recipient_id=holder, event_id=event_id
            )
            for holder in self.store.card_holders(code)
        ]

    def _changed(self, event: ReportChanged, report: Case, attributes: dict[str, str]) -> list[DeliveryJob]:
        outbox = report.outbox or {}
        notice = attributes.get("notice") or (
            outbox.get("notice") if outbox.get("event_id") == event.event_id else None
        )
        argument = attributes.get("argument") or (outbox.get("argument") if notice else None)
        jobs = self._refresh(event.report_id, event.event_id)
        if notice in NOTIFY_REPORTERS:
            for reporter in self.store.reporters_of(event.report_id):
                user_id = int(reporter["user_id"])
                jobs.append(
                    DeliveryJob(
                        job_id=f"{event.event_id}:r{user_id}",
                        kind="notice",
                        report_id=event.report_id,
                        recipient_id=int(reporter.get("chat_id", user_id)),
                        event_id=event.event_id,
                        lang=str(reporter.get("lang") or "ru"),
                        notice=notice,
                        argument=argument or None,
                    )
                )
        return jobs

    def _overdue(self, event: ReportOverdue, report: Case) -> list[DeliveryJob]:
        """An urgent case nobody took in time: every card is refreshed (it now says so); specialists on duty
        and admins without a card get one, and those who have one get a short alert, so that each is pushed."""
        code = event.report_id
        holders = set(self.store.card_holders(code))
        jobs = self._refresh(code, event.event_id)
        if report.status != Status.NEW:
            return jobs  # taken meanwhile: the refreshed cards say by whom
        people = escalation_recipients(self.store.active_staff(), report.category, report.region)
        for person in people:
            if person.user_id not in holders:
                jobs.append(
                    DeliveryJob(
                        job_id=f"{event.event_id}:{person.user_id}",
                        kind="card",
                        report_id=code,
                        recipient_id=person.user_id,
                        event_id=event.event_id,
                    )
                )
                continue
            jobs.append(
                DeliveryJob(
                    job_id=f"{event.event_id}:a{person.user_id}",
                    kind="text",
                    report_id=code,
                    recipient_id=person.user_id,
                    event_id=event.event_id,
                    text=t(person.lang, "sla_alert_urgent", code=code, minutes=event.minutes),
                )
            )
        return jobs
