"""Anonymous conversations between staff and the reporters of a case: who may write, to whom, pure rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from functions.domain.case import Case
from functions.domain.models import OPEN_STATUSES
from functions.domain.routing import route
from functions.domain.workflow import CaseView, Role, StaffMember, may_see

MAX_MESSAGE: Final = 2000  # characters of one relayed message (a Telegram message holds 4096, the frame included)
FIRST: Final = "first"
ALL: Final = "all"


class WriteRefusal(StrEnum):
    """Why a staff member may not write to the reporters of a case (each has a catalog text conv_refuse_<value>)."""

    NO_ACCESS = "no_access"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_OWNER = "not_owner"
    CLOSED = "closed"
    FOLLOWUP_USED = "followup_used"


def write_refusal(
    staff: StaffMember | None, case: CaseView, *, holds_card: bool, followup_used: bool
) -> WriteRefusal | None:
    """None when this person may write to the case's reporters now, else why not.

    The owner and admins may write while the case is open; before it is taken, anyone it was routed to (who holds
    its card). Once it is closed only an admin may write, once (a follow-up, audited).
    """
    if staff is None or not staff.active:
        return WriteRefusal.NO_ACCESS
    if not may_see(staff, case.category, case.region):
        return WriteRefusal.OUT_OF_SCOPE
    if case.status not in OPEN_STATUSES:
        if staff.role != Role.ADMIN:
            return WriteRefusal.CLOSED
        return WriteRefusal.FOLLOWUP_USED if followup_used else None
    if staff.role == Role.ADMIN or case.assignee == staff.user_id:
        return None
    if case.assignee is None and holds_card:
        return None
    return WriteRefusal.NOT_OWNER


def offers_writing(staff: StaffMember, case: CaseView) -> bool:
    """Whether the card of this person shows "write to the reporter" (the press is checked again on the server)."""
    if not may_see(staff, case.category, case.region):
        return False
    if case.status not in OPEN_STATUSES:
        return staff.role == Role.ADMIN
    return staff.role == Role.ADMIN or case.assignee in {None, staff.user_id}


@dataclass(frozen=True)
class Reporter:
    """A reporter of a case as the conversation sees them: a position, a chat and a language, never a name."""

    position: int  # 1 for the first reporter, in the order they reported
    user_id: int
    chat_id: int
    lang: str


def _moment(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else 0.0


def ordered(reporters: list[dict[str, Any]]) -> list[Reporter]:
    """The case's reporters numbered from 1: the first reporter first, the others in the order they joined."""
    rows = sorted(reporters, key=lambda r: (not r.get("first"), _moment(r.get("created_at")), int(r["user_id"])))
    return [
        Reporter(
            position=index,
            user_id=int(row["user_id"]),
            chat_id=int(row.get("chat_id") or row["user_id"]),
            lang=str(row.get("lang") or "ru"),
        )
        for index, row in enumerate(rows, start=1)
    ]


def target_value(value: str) -> str | None:
    """A write target from a button or a stored session: 'first', 'all' or 'n<position>'; None when it is none."""
    if value in {FIRST, ALL}:
        return value
    if value.startswith("n") and value[1:].isdigit() and 0 < int(value[1:]) < 100_000:
        return value
    return None


def chosen(reporters: list[Reporter], target: str) -> list[Reporter]:
    """The reporters a message to this target goes to."""
    if not reporters:
        return []
    if target == ALL:
        return reporters
    if target.startswith("n") and target[1:].isdigit():
        position = int(target[1:])
        return [r for r in reporters if r.position == position]
    return reporters[:1]


def position_of(reporters: list[Reporter], user_id: int) -> int | None:
    """This user's position among the case's reporters, or None when they are not one."""
    return next((r.position for r in reporters if r.user_id == user_id), None)


def answer_recipient(case: Case) -> int | None:
    """Who hears a reporter's answer first: the case's owner, else whoever of the staff wrote to them last."""
    return case.assignee if case.assignee is not None else case.conv_last_writer


def may_hear(person: StaffMember | None, case: Case) -> bool:
    """Whether this staff member can receive a reporter's answer of this case now: active, reachable, allowed to
    see the case, and its owner, an admin, or anyone while it is not taken."""
    if person is None or not person.active or person.unreachable:
        return False
    if not may_see(person, case.category, case.region):
        return False
    return case.assignee in {None, person.user_id} or person.role == Role.ADMIN


def answer_hearers(
    case: Case, staff: Callable[[int], StaffMember | None], everyone: Callable[[], Iterable[StaffMember]]
) -> tuple[list[StaffMember], bool]:
    """Who a reporter's answer goes to now, and whether they are the case's routing (not one named person).

    The owner (else whoever last wrote) when they can hear it; when they were revoked, are unreachable or nobody
    wrote, the staff the case is routed to now, by the cards' chain (region officers and specialists on duty,
    else every specialist, else the admins). An empty list: nobody at all can receive it.
    """
    for user_id in dict.fromkeys((case.assignee, case.conv_last_writer)):
        if user_id is not None:
            person = staff(user_id)
            if person is not None and may_hear(person, case):
                return [person], False
    return route(everyone(), case.category, case.region, case.severity), True


def speaks_to_child(case: Case) -> bool:
    """Messages of this case are framed for a child (the informal voice): a child's own request for contact."""
    return case.child_request or case.reporter_role == "child"


def first_contact_step(case: Case, now: datetime, limit_minutes: int) -> str | None:
    """What a child's request for contact needs now: 'escalate' once the first-contact deadline passed with no
    staff message having reached the child, 'remind' at half of it, else None (each step once)."""
    if not case.child_request or case.first_contact_at is not None or not case.is_open or case.created_at is None:
        return None
    waited = (now - case.created_at).total_seconds() / 60
    if waited >= limit_minutes:
        return None if case.fc_escalated_at else "escalate"
    if waited >= limit_minutes / 2 and not case.fc_reminded_at:
        return "remind"
    return None
