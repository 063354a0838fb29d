"""The case state machine and who may do what: pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from functions.domain.categories import RESTRICTED_CATEGORIES
from functions.domain.models import Status


class Role(StrEnum):
    """Staff roles."""

    ADMIN = "admin"
    SPECIALIST = "specialist"
    REGIONAL = "regional"
    CHILD_SAFETY = "child_safety"


class Action(StrEnum):
    """What staff can do to a case."""

    TAKE = "take"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    REJECT = "reject"
    REOPEN = "reopen"


ESCALATION_TARGETS: Final[tuple[str, ...]] = ("police", "prosecutor", "platform", "psychologist")
RESOLUTIONS: Final[tuple[str, ...]] = ("content_removed", "child_helped", "referred_111", "resolved_other")
REJECTIONS: Final[tuple[str, ...]] = ("not_relevant", "duplicate")
ARGUMENTS: Final[dict[Action, tuple[str, ...]]] = {
    Action.ESCALATE: ESCALATION_TARGETS,
    Action.RESOLVE: RESOLUTIONS,
    Action.REJECT: REJECTIONS,
}

TRANSITIONS: Final[dict[Action, tuple[frozenset[Status], Status]]] = {
    Action.TAKE: (frozenset({Status.NEW}), Status.IN_PROGRESS),
    Action.ESCALATE: (frozenset({Status.IN_PROGRESS}), Status.ESCALATED),
    Action.RESOLVE: (frozenset({Status.IN_PROGRESS, Status.ESCALATED}), Status.RESOLVED),
    Action.REJECT: (frozenset({Status.NEW, Status.IN_PROGRESS, Status.ESCALATED}), Status.REJECTED),
    Action.REOPEN: (frozenset({Status.RESOLVED, Status.REJECTED}), Status.IN_PROGRESS),
}
# The system's own transition (no button offers it): an owner who lost access hands their open cases back.
RELEASED_FROM: Final = frozenset({Status.IN_PROGRESS, Status.ESCALATED})
RELEASED_TO: Final = Status.NEW


@dataclass(frozen=True)
class StaffMember:
    """A staff member as stored: the only source of their rights."""

    user_id: int
    role: Role
    regions: tuple[str, ...] = ()
    active: bool = True
    on_duty: bool = False
    name: str = ""
    lang: str = "ru"
    unreachable: bool = False


@dataclass(frozen=True)
class CaseView:
    """The facts of a case the rules look at."""

    status: Status
    category: str
    region: str
    assignee: int | None


class Refusal(StrEnum):
    """Why an action was refused (each has a catalog text: refuse_<value>)."""

    NO_ACCESS = "no_access"
    OUT_OF_SCOPE = "out_of_scope"
    ILLEGAL = "illegal"
    NOT_OWNER = "not_owner"
    TAKEN = "taken"
    BAD_ARGUMENT = "bad_argument"


def may_see(staff: StaffMember, category: str, region: str) -> bool:
    """Whether this person may see a case of this category and region at all."""
    if not staff.active:
        return False
    if category in {c.value for c in RESTRICTED_CATEGORIES}:
        return staff.role in {Role.ADMIN, Role.CHILD_SAFETY}
    if staff.role == Role.REGIONAL:
        return region in staff.regions
    return True


def check(staff: StaffMember | None, case: CaseView, action: Action, argument: str = "") -> Refusal | None:
    """None when the action is allowed now, else why not."""
    if staff is None or not staff.active:
        return Refusal.NO_ACCESS
    if not may_see(staff, case.category, case.region):
        return Refusal.OUT_OF_SCOPE
    allowed_from, _ = TRANSITIONS[action]
    if action in ARGUMENTS and argument not in ARGUMENTS[action]:
        return Refusal.BAD_ARGUMENT
    if case.status not in allowed_from:
        if action == Action.TAKE and case.status in {Status.IN_PROGRESS, Status.ESCALATED}:
            return Refusal.TAKEN
        return Refusal.ILLEGAL
    if action == Action.TAKE or staff.role == Role.ADMIN:
        return None
    if action == Action.REJECT and case.status == Status.NEW:
        return None  # anyone who may act on a new case may reject it as not relevant
    if case.assignee != staff.user_id:
        return Refusal.NOT_OWNER
    return None


def target_status(action: Action) -> Status:
    """The status an allowed action moves the case to."""
    return TRANSITIONS[action][1]


def actions_for(staff: StaffMember, case: CaseView) -> list[Action]:
    """The actions to offer as buttons on this person's card."""
    return [action for action in Action if check(staff, case, action, ARGUMENTS.get(action, ("",))[0]) is None]


def releasable(case: CaseView, owner: int) -> bool:
    """Whether the case goes back to the queue when `owner` loses access: it is open, taken, and still theirs."""
    return case.status in RELEASED_FROM and case.assignee == owner


@dataclass(frozen=True)
class PendingRelease:
    """A revoked person whose open cases are still being handed back, and the admin who revoked them."""

    user_id: int
    by: int
