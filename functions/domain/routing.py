"""Who receives a case: pure rules, no I/O.

Every case reaches at least one person who may act on it, at once. The usual recipients are the officers of
its region and the specialists on duty (every specialist and admin for an urgent case; child_safety staff and
admins for a restricted one). When none of them can receive it, the chain goes on: every specialist, then the
admins. An empty answer means nobody at all can: fan-out logs it for the alert.
"""

from __future__ import annotations

from collections.abc import Iterable

from functions.domain.escalation import is_restricted
from functions.domain.workflow import Role, StaffMember, may_see


def _reachable(staff: Iterable[StaffMember], category: str, region: str) -> list[StaffMember]:
    return [p for p in staff if p.active and not p.unreachable and may_see(p, category, region)]


def usual_recipients(staff: Iterable[StaffMember], category: str, region: str, severity: str) -> list[StaffMember]:
    """The people a case of this kind goes to when they are there."""
    chosen: list[StaffMember] = []
    for person in _reachable(staff, category, region):
        if is_restricted(category):
            wanted = person.role in {Role.ADMIN, Role.CHILD_SAFETY}
        elif person.role == Role.REGIONAL:
            wanted = region in person.regions
        elif person.role in {Role.SPECIALIST, Role.CHILD_SAFETY}:
            wanted = person.on_duty or severity == "urgent"
        else:
            wanted = severity == "urgent"
        if wanted:
            chosen.append(person)
    return chosen


def route(staff: Iterable[StaffMember], category: str, region: str, severity: str) -> list[StaffMember]:
    """Who gets a card: the usual recipients, else every specialist, else the admins; [] when nobody can."""
    people = list(staff)
    chosen = usual_recipients(people, category, region, severity)
    if chosen:
        return chosen
    reachable = _reachable(people, category, region)
    specialists = [p for p in reachable if p.role in {Role.SPECIALIST, Role.CHILD_SAFETY}]
    if specialists:
        return specialists
    return [p for p in reachable if p.role == Role.ADMIN]


def newly_entitled(
    staff: Iterable[StaffMember], category: str, region: str, severity: str, holders: Iterable[int]
) -> list[StaffMember]:
    """Who should get a card now (after the case was raised or re-categorised) and has none yet."""
    held = set(holders)
    return [p for p in route(staff, category, region, severity) if p.user_id not in held]
