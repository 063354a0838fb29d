"""The child's first-contact deadline, run by tick: a reminder at half of it, then escalation to duty and admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.conversation import first_contact_step
from functions.domain.jobs import DeliveryJob
from functions.domain.sla import escalation_recipients, reminder_recipients
from functions.domain.workflow import StaffMember
from functions.i18n import t
from functions.log import get_logger

log = get_logger("sla")

LOOKBACK: Final = timedelta(days=7)  # a child's request older than this is in the reminders of the SLA ladder


class FirstContactStore(Protocol):
    """What the deadline needs from storage (OversightStore implements it)."""

    def all_staff(self) -> list[StaffMember]: ...
    def child_requests_since(self, since: datetime) -> list[Case]: ...
    def mark_reports(self, changes: dict[str, dict[str, Any]]) -> None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...


class JobSink(Protocol):
    """Publishes delivery jobs and waits for all of them."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


@dataclass
class FirstContactLadder:
    """Children waiting for an adult: nobody may forget them (each step once per case)."""

    store: FirstContactStore
    publisher: JobSink
    deliveries_topic: str
    limit_minutes: int

    def run(self, now: datetime) -> int:
        """Remind and escalate the child requests that need it now; returns how many steps were taken."""
        due = [
            (report, step)
            for report in self.store.child_requests_since(now - LOOKBACK)
            if (step := first_contact_step(report, now, self.limit_minutes)) is not None
        ]
        if not due:
            return 0
        staff = self.store.all_staff()
        jobs: list[DeliveryJob] = []
        marks: dict[str, dict[str, Any]] = {}
        for report, step in due:
            code = report.code
            created = report.created_at
            minutes = int((now - created).total_seconds() // 60) if created is not None else 0
            if step == "escalate":
                people = escalation_recipients(staff, report.category, report.region)
                people += [p for p in reminder_recipients(staff, report.view()) if p not in people]
                key, field = "fc_escalated", "fc_escalated_at"
            else:
                people, key, field = reminder_recipients(staff, report.view()), "fc_reminder", "fc_reminded_at"
            jobs += [
                DeliveryJob(
                    job_id=f"{key}-{code}:{person.user_id}",
                    kind="text",
                    report_id=code,
                    recipient_id=person.user_id,
                    event_id=f"{key}-{code}",
                    text=t(person.lang, key, code=code, minutes=minutes),
                )
                for person in people
            ]
            marks[code] = {field: now}
        if jobs:
            self.publisher.publish_many(self.deliveries_topic, jobs)
        self.store.mark_reports(marks)  # after publishing: a failure publishes again, deliveries are once per job
        for code, fields in marks.items():
            action = "first_contact_missed" if "fc_escalated_at" in fields else "first_contact_reminded"
            self.store.add_event(code, f"sla-{action}", {"type": "sla", "action": action, "by": None})
        log.info("first-contact deadline steps", extra={"report_ids": list(marks)[:50], "jobs": len(jobs)})
        return len(marks)
