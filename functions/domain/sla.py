"""Service-level rules: queue order, thresholds, when an open case is overdue and who hears of it. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.domain.case_rows import CaseRow
from functions.domain.categories import Severity
from functions.domain.models import Status
from functions.domain.time import KZ_TZ
from functions.domain.workflow import CaseView, Role, StaffMember, may_see


def queue_order(case: CaseRow) -> tuple[int, datetime]:
    """Urgent first, then oldest."""
    created = case.created_at
    return (
        0 if case.severity == Severity.URGENT else 1,
        created if created is not None else datetime.max.replace(tzinfo=KZ_TZ),
    )


@dataclass(frozen=True)
class Thresholds:
    """The service levels (minutes), from configuration."""

    urgent_take: int = 15
    take: int = 24 * 60
    stale: int = 7 * 24 * 60


def overdue_reason(case: CaseRow, now: datetime, limits: Thresholds) -> str | None:
    """Why an open case is overdue now ('urgent', 'untaken' or 'stale'), or None when it is not."""
    created = case.created_at
    if case.status == Status.NEW and created is not None:
        age = now - created
        if case.severity == Severity.URGENT and age >= timedelta(minutes=limits.urgent_take):
            return "urgent"
        if age >= timedelta(minutes=limits.take):
            return "untaken"
        return None
    updated = case.updated_at
    stale = updated is not None and now - updated >= timedelta(minutes=limits.stale)
    return "stale" if stale and case.status in {Status.IN_PROGRESS, Status.ESCALATED} else None


def escalation_recipients(staff: list[StaffMember], category: str, region: str) -> list[StaffMember]:
    """Who an urgent case nobody took is re-pushed to: every specialist on duty and every admin who may see it."""
    return [
        person
        for person in staff
        if person.active
        and not person.unreachable
        and may_see(person, category, region)
        and (person.role == Role.ADMIN or (person.role in {Role.SPECIALIST, Role.CHILD_SAFETY} and person.on_duty))
    ]


def reminder_recipients(staff: list[StaffMember], case: CaseView) -> list[StaffMember]:
    """Who hears that a case waits too long: its owner and its region's officers; when there is neither, the
    specialists on duty; when nobody is on duty either, the admins."""
    category, region = case.category, case.region
    reachable = [p for p in staff if p.active and not p.unreachable and may_see(p, category, region)]
    owner = case.assignee
    chosen = [p for p in reachable if p.user_id == owner or (p.role == Role.REGIONAL and region in p.regions)]
    if not chosen:
        chosen = [p for p in reachable if p.role in {Role.SPECIALIST, Role.CHILD_SAFETY} and p.on_duty]
    if not chosen:
        chosen = [p for p in reachable if p.role == Role.ADMIN]
    return chosen


def digest_recipients(staff: list[StaffMember]) -> list[StaffMember]:
    """Who gets the daily digest: every reachable regional officer and specialist (child-safety included)."""
    return [
        p
        for p in staff
        if p.active and not p.unreachable and p.role in {Role.REGIONAL, Role.SPECIALIST, Role.CHILD_SAFETY}
    ]
