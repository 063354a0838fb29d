"""Fan-out: turn one case event into delivery jobs, one per recipient, exactly once per event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel, ValidationError

from functions.domain.case import Case
from functions.domain.escalation import Answers, answers_of, most_serious
from functions.domain.events import REPORT_EVENT, ReportChanged, ReportCreated, ReportJoined, ReportOverdue
from functions.domain.jobs import DeliveryJob, card_job, event_job
from functions.domain.models import Status
from functions.domain.routing import newly_entitled, route
from functions.domain.sla import escalation_recipients
from functions.domain.visibility import reporter_argument
from functions.domain.workflow import StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services.case_writes import AGAIN, Again, retried

log = get_logger("fanout")

NOTIFY_REPORTERS: Final = frozenset(
    {"taken", "escalated", "resolved", "rejected", "merged", "reopened", "content_removed"}
)
JOIN_REFRESH_BUCKET_SECONDS: Final = 30
REROUTE_NOTICES: Final = frozenset({"recategorised"})  # staff changed who may see the case
RELEASED: Final = "released"  # the owner lost access: the case is new again and needs someone now
RAISE_ATTEMPTS: Final = 8


class FanoutStore(Protocol):
    """What fan-out needs from storage."""

    def get_case(self, code: str) -> Case | None: ...
    def read_case(self, code: str) -> tuple[Case, Any] | None: ...
    def active_staff(self) -> list[StaffMember]: ...
    def card_holders(self, code: str) -> list[int]: ...
    def reporters_of(self, code: str) -> list[dict[str, Any]]: ...
    def fanout_done(self, event_id: str) -> bool: ...
    def mark_fanout_done(self, event_id: str, jobs: int) -> None: ...
    def clear_outbox(self, code: str, event_id: str) -> None: ...
    def clear_join(self, code: str, user_id: int) -> None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def refresh_reporter_count(self, code: str, min_interval: timedelta) -> int | None: ...
    def reporter_of(self, code: str, user_id: int) -> dict[str, Any] | None: ...
    def raise_case(
        self, code: str, read_at: Any, changes: dict[str, Any], audit_id: str, audit: dict[str, Any]
    ) -> bool: ...


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
            jobs = self._joined(event, report)
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
        if report.muted:  # a muted reporter's case is stored and findable, but pushed to nobody
            log.info("case of a muted reporter not pushed", extra={"report_id": event.report_id})
            return []
        people = route(
            self.store.active_staff(),
            report.category,
            report.region,
            report.severity,
        )
        if not people:
            self._unrouted(event.report_id, report)
        return [card_job(event.report_id, p.user_id, event.event_id) for p in people]

    @staticmethod
    def _unrouted(code: str, report: Case) -> None:
        """Nobody at all can receive the case: one structured line (infra counts them and alerts on it)."""
        log.error(
            "case routed to nobody",
            extra={
                "event": "case_unrouted",
                "report_id": code,
                "case_severity": report.severity,
                "region": report.region,
            },
        )

    # --- joins: the case is raised to its most serious answer, and re-routed when that changes it --------------
    def _joined(self, event: ReportJoined, report: Case) -> list[DeliveryJob]:
        code = event.report_id
        reporter = self.store.reporter_of(code, event.reporter_user_id) or {}
        answers = reporter.get("answers")
        if isinstance(answers, dict) and most_serious(answers_of(report), _answers(answers)) != answers_of(report):
            raised = self._raise(code, _answers(answers), event.reporter_user_id)
            if raised is not None:
                if self.rollups is not None:  # the statistics count the case under its raised category
                    self.rollups.sync(code)
                return self._reroute(code, event.event_id, raised)
        return self._refresh(code, event.event_id, bucket=True)

    def _raise(self, code: str, joining: Answers, user_id: int) -> Case | None:
        """Raise the case to the joining reporter's answers if they are more serious: the case after, or None.

        A precondition write on the case (it must not have changed since it was read), re-read and retried on
        a conflict; only a join that raises the case writes it, so a viral case's joins stay increments.
        """

        def attempt(report: Case, read_at: Any) -> Case | Again | None:
            now = answers_of(report)
            raised = most_serious(now, joining)
            if raised == now:
                return None  # already as serious (another join raised it, and re-routes it)
            changes = {
                "category": raised.category,
                "severity": raised.severity,
                "child_in_danger": raised.child_in_danger,
            }
            audit = {"type": "raised", "by": None, "category": raised.category, "severity": raised.severity}
            audit |= {"from_category": now.category, "from_severity": now.severity}
            if not self.store.raise_case(code, read_at, changes, f"raised-{user_id}", audit):
                return AGAIN
            log.info("case raised by a join", extra={"report_id": code, "case_severity": raised.severity})
            return report.model_copy(update=changes)

        return retried(self.store, code, attempt, None, RAISE_ATTEMPTS)

    def _reroute(self, code: str, event_id: str, report: Case) -> list[DeliveryJob]:
        """Who may see the case changed: every card is re-rendered (to the access-changed stub for those who may
        no longer see it) and the newly entitled get one."""
        holders = self.store.card_holders(code)
        jobs = self._refresh(code, event_id)
        category, region, severity = report.category, report.region, report.severity
        staff = self.store.active_staff()
        if not route(staff, category, region, severity):
            self._unrouted(code, report)
        jobs += [
            card_job(code, p.user_id, event_id) for p in newly_entitled(staff, category, region, severity, holders)
        ]
        return jobs

    def _refresh(self, code: str, event_id: str, *, bucket: bool = False) -> list[DeliveryJob]:
        """Card refresh jobs for everyone who holds a card of this case."""
        suffix = event_id
        if bucket:  # many joins of a viral case: at most one refresh per card per bucket
            suffix = f"join-{code}-{int(self.clock().timestamp()) // JOIN_REFRESH_BUCKET_SECONDS}"
        return [card_job(code, holder, event_id, suffix) for holder in self.store.card_holders(code)]

    def _changed(self, event: ReportChanged, report: Case, attributes: dict[str, str]) -> list[DeliveryJob]:
        outbox = report.outbox or {}
        notice = attributes.get("notice") or (
            outbox.get("notice") if outbox.get("event_id") == event.event_id else None
        )
        argument = attributes.get("argument") or (outbox.get("argument") if notice else None)
        if notice in REROUTE_NOTICES:
            jobs = self._reroute(event.report_id, event.event_id, report)
        elif notice == RELEASED:
            jobs = self._released(event.event_id, report)
        else:
            jobs = self._refresh(event.report_id, event.event_id)
        argument = reporter_argument(str(notice), argument)  # reporters never hear where a case was passed
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

    def _released(self, event_id: str, report: Case) -> list[DeliveryJob]:
        """A case handed back (its owner lost access): every card is re-rendered (the revoked owner's to the
        access-changed stub); the people it routes to now get a card, or, holding one, an alert that it needs
        an owner again."""
        code = report.code
        holders = set(self.store.card_holders(code))
        jobs = self._refresh(code, event_id)
        if report.muted:  # a muted reporter's case is pushed to nobody
            return jobs
        people = route(self.store.active_staff(), report.category, report.region, report.severity)
        if not people:
            self._unrouted(code, report)
        return jobs + _pushed(code, event_id, people, holders, lambda p: t(p.lang, "release_alert", code=code))

    def _overdue(self, event: ReportOverdue, report: Case) -> list[DeliveryJob]:
        """An urgent case nobody took in time: every card is refreshed (it now says so); specialists on duty
        and admins without a card get one, and those who have one get a short alert, so that each is pushed."""
        code = event.report_id
        holders = set(self.store.card_holders(code))
        jobs = self._refresh(code, event.event_id)
        if report.status != Status.NEW or report.muted:
            return jobs  # taken meanwhile (the refreshed cards say by whom), or a muted reporter's: no re-push
        people = escalation_recipients(self.store.active_staff(), report.category, report.region)

        def alert(person: StaffMember) -> str:
            return t(person.lang, "sla_alert_urgent", code=code, minutes=event.minutes)

        return jobs + _pushed(code, event.event_id, people, holders, alert)


def _pushed(
    code: str, event_id: str, people: list[StaffMember], holders: set[int], alert: Callable[[StaffMember], str]
) -> list[DeliveryJob]:
    """A card for each of these people without one; a short alert (a message of its own, so that it is pushed)
    for those who hold one already."""
    jobs = []
    for person in people:
        if person.user_id not in holders:
            jobs.append(card_job(code, person.user_id, event_id))
            continue
        jobs.append(event_job(event_id, f"a{person.user_id}", "text", code, person.user_id, text=alert(person)))
    return jobs


def _answers(stored: dict[str, Any]) -> Answers:
    """A reporter's answers as stored on their reporter document."""
    return Answers(
        category=str(stored.get("category") or "other"),
        severity=str(stored.get("severity") or "normal"),
        child_in_danger=bool(stored.get("child_in_danger")),
    )
