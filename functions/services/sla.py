"""The SLA ladder run by tick: urgent cases nobody took are escalated; waiting cases are reminded of."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain.case_rows import CaseRow
from functions.domain.events import ReportOverdue
from functions.domain.jobs import DeliveryJob
from functions.domain.sla import Thresholds, queue_order, reminder_recipients
from functions.domain.workflow import StaffMember
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services.texts import case_line, chunks

log = get_logger("sla")

LOOKBACK: Final = timedelta(days=30)  # the first sweep ever looks this far back
STATE: Final = "sla"


class LadderStore(Protocol):
    """What the SLA ladder needs from storage (OversightStore implements it)."""

    def all_staff(self) -> list[StaffMember]: ...
    def urgent_untaken(self, created_before: datetime) -> list[CaseRow]: ...
    def untaken_between(self, start: datetime, end: datetime) -> list[CaseRow]: ...
    def stale_between(self, start: datetime, end: datetime) -> list[CaseRow]: ...
    def get_state(self, name: str) -> tuple[dict[str, Any], Any]: ...
    def set_state(self, name: str, fields: dict[str, Any], read_at: Any) -> bool: ...
    def mark_reports(self, changes: dict[str, dict[str, Any]]) -> None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


class Publisher(Protocol):
    """Publishes events and jobs."""

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str: ...
    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


@dataclass
class SlaLadder:
    """Escalation of urgent cases and reminders of waiting ones; every step idempotent."""

    store: LadderStore
    publisher: Publisher
    reports_topic: str
    deliveries_topic: str
    limits: Thresholds

    def escalate(self, now: datetime) -> int:
        """Urgent cases nobody took within the threshold: mark them and publish report.overdue (fan_out
        re-pushes them to every specialist on duty and to the admins). Returns how many were escalated."""
        cutoff = now - timedelta(minutes=self.limits.urgent_take)
        due = [r for r in self.store.urgent_untaken(cutoff) if not r.sla_escalated_at or r.sla_pending]
        if not due:
            return 0
        # Marked first, so that the cards fan_out renders already say so; sla_pending until published.
        self.store.mark_reports(
            {r.code: {"sla_escalated_at": r.sla_escalated_at or now, "sla_pending": True} for r in due}
        )
        done: list[str] = []
        for report in due:
            code = report.code
            created = report.created_at
            waited = int((now - created).total_seconds() // 60) if created is not None else 0
            event = ReportOverdue(event_id=f"overdue-{code}", report_id=code, occurred_at=now, minutes=waited)
            try:
                self.publisher.publish(self.reports_topic, event, type=event.type, report_id=code)
            except TransientError:
                log.warning("escalation not published; next tick tries again", extra={"report_id": code})
                continue
            self.store.add_event(code, "sla-urgent", {"type": "sla", "action": "escalated", "by": None})
            done.append(code)
        self.store.mark_reports({code: {"sla_pending": False} for code in done})
        if done:
            log.info("urgent cases escalated", extra={"report_ids": done[:50], "count": len(done)})
        return len(done)

    def remind(self, now: datetime) -> int:
        """Cases not taken within the take threshold, and cases without change for the stale threshold, go
        into one reminder per person (owner and region). Returns how many cases were reminded of."""
        state, read_at = self.store.get_state(STATE)
        take_end = now - timedelta(minutes=self.limits.take)
        stale_end = now - timedelta(minutes=self.limits.stale)
        take_start = moment(state.get("take_through")) or take_end - LOOKBACK
        stale_start = moment(state.get("stale_through")) or stale_end - LOOKBACK
        items: list[tuple[CaseRow, str]] = []
        if take_start < take_end:
            items += [
                (r, "untaken") for r in self.store.untaken_between(take_start, take_end) if not r.sla_take_reminded_at
            ]
        if stale_start < stale_end:
            items += [
                (r, "stale")
                for r in self.store.stale_between(stale_start, stale_end)
                if r.sla_stale_reminded_for != r.updated_at
            ]
        if items:
            self._send_reminders(items, now)
            marks: dict[str, dict[str, Any]] = {}
            for report, reason in items:
                code = report.code
                if reason == "untaken":
                    marks.setdefault(code, {})["sla_take_reminded_at"] = now
                    self.store.add_event(code, "sla-take", {"type": "sla", "action": "reminded", "by": None})
                else:
                    marks.setdefault(code, {})["sla_stale_reminded_for"] = report.updated_at
                    stamp = int(report.updated_at.timestamp()) if report.updated_at is not None else 0
                    self.store.add_event(code, f"sla-stale-{stamp}", {"type": "sla", "action": "stale", "by": None})
            self.store.mark_reports(marks)
        # Only if nobody moved the watermarks meanwhile; otherwise the next sweep looks at this window again
        # (the marks on the cases keep it from reminding twice).
        watermarks = {"take_through": max(take_start, take_end), "stale_through": max(stale_start, stale_end)}
        self.store.set_state(STATE, watermarks, read_at)
        return len(items)

    def _send_reminders(self, items: list[tuple[CaseRow, str]], now: datetime) -> None:
        staff = self.store.all_staff()
        per_person: dict[int, tuple[StaffMember, list[tuple[CaseRow, str]]]] = {}
        for report, reason in items:
            for person in reminder_recipients(staff, report.view()):
                per_person.setdefault(person.user_id, (person, []))[1].append((report, reason))
        minute = now.astimezone(UTC).strftime("%Y%m%d%H%M")
        jobs: list[DeliveryJob] = []
        for user_id, (person, mine) in per_person.items():
            lang = person.lang
            mine.sort(key=lambda item: queue_order(item[0]))
            lines = [t(lang, "remind_header"), *(case_line(lang, r, reason, now) for r, reason in mine)]
            lines.append(t(lang, "remind_footer"))
            for index, text in enumerate(chunks(lines)):
                jobs.append(
                    DeliveryJob(
                        job_id=f"remind-{minute}-{user_id}-{index}",
                        kind="text",
                        report_id=mine[0][0].code,
                        recipient_id=user_id,
                        event_id=f"remind-{minute}",
                        text=text,
                    )
                )
        if jobs:
            self.publisher.publish_many(self.deliveries_topic, jobs)
            log.info("reminders published", extra={"jobs": len(jobs), "cases": len(items)})


def moment(value: object) -> datetime | None:
    """The value when it is a datetime (a stored watermark), else None."""
    return value if isinstance(value, datetime) else None
