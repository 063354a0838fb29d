"""The rules of the help-the-child track on a whole case: who sets it, when it is closed, how Resolve waits.

A case is resolved when both tracks are closed or not applicable: the content track (status and outcome) and
the child track (domain.child_help, with the case's first contact).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from functions.domain.case import Case
from functions.domain.child_help import CHILD_OUTCOMES, HELP_GIVEN, REFERRALS, Need
from functions.domain.models import OPEN_STATUSES, Status
from functions.domain.workflow import Role, StaffMember, may_see

ROLLUP: Final = "rollup_durations"  # the statistics' roll-ups read durations of a case from here (domain.rollups)
KINDS: Final = ("help_needed", "help_given")  # the two the child track stores


class ChildRefusal(StrEnum):
    """Why the track may not be set now, or why Resolve waits (each has a catalog text ch_refuse_<value>)."""

    NO_ACCESS = "no_access"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_OWNER = "not_owner"
    CLOSED = "closed"
    BAD_VALUE = "bad_value"
    CONTACT_KNOWN = "contact_known"
    CONTACT_BY_RELAY = "contact_by_relay"  # a child's own request: met only when a staff message reaches the child
    OUTCOME_FIRST = "outcome_first"  # Resolve: help is needed and its outcome is not set yet
    NEED_FIRST = "need_first"  # Resolve: a child's own request, and nobody said whether help is needed


def choices(field: str) -> tuple[str, ...]:
    """The values one field of the track takes."""
    if field == "need":
        return tuple(need.value for need in Need)
    return REFERRALS if field == "referral" else CHILD_OUTCOMES if field == "outcome" else ()


def applies(case: Case) -> bool:
    """Whether the case is a child case: a child's own request for an adult, or help marked as needed."""
    need = case.child_help.need
    return need == Need.NEEDED or (case.child_request and need != Need.NOT_NEEDED)


def track_closed(case: Case) -> bool:
    """The track is closed (an outcome) or not applicable (not needed; unknown on a case that is not a child's
    own request — most content cases never need it)."""
    if case.child_help.outcome:
        return True
    return not applies(case)


def content_applies(case: Case) -> bool:
    """Whether the content track has anything to do: every case but a child's own request without material."""
    return not case.child_request or bool(case.urls or case.media)


def resolve_blocker(case: Case) -> ChildRefusal | None:
    """Why Resolve on the content track must wait for the child track (None: it may go ahead)."""
    if track_closed(case):
        return None
    return ChildRefusal.OUTCOME_FIRST if case.child_help.need == Need.NEEDED else ChildRefusal.NEED_FIRST


def refusal(staff: StaffMember | None, case: Case, field: str, value: str) -> ChildRefusal | None:
    """None when this person may set this field of the track to this value now, else why not.

    The owner and admins, while the case is open (a closed case is reopened first); field "contact" records the
    first contact by hand, once — never on a child's own request, whose first-contact deadline is met only by a
    staff message reaching the child.
    """
    if staff is None or not staff.active:
        return ChildRefusal.NO_ACCESS
    if not may_see(staff, case.category, case.region):
        return ChildRefusal.OUT_OF_SCOPE
    if case.status not in OPEN_STATUSES:
        return ChildRefusal.CLOSED
    if staff.role != Role.ADMIN and case.assignee != staff.user_id:
        return ChildRefusal.NOT_OWNER
    if field == "contact":
        if case.child_request:  # the child is anonymous: only the bot reaches them, and its deadline needs that
            return ChildRefusal.CONTACT_BY_RELAY
        return ChildRefusal.CONTACT_KNOWN if case.first_contact_at is not None else None
    if value not in choices(field):
        return ChildRefusal.BAD_VALUE
    return None


def changes_for(case: Case, field: str, value: str, now: datetime) -> dict[str, object]:
    """The stored fields one choice writes (dotted paths of `child_help`): a referral or an outcome means help is
    needed; "not needed" clears the referral and the outcome. The statistics' roll-ups count the track through
    two durations on the case (`rollup_durations.help_needed`, `.help_given`: minutes from intake to when help
    was marked needed, and given; cleared when that is no longer so)."""
    if field == "need":
        changes: dict[str, object] = {"child_help.need": value}
        if value != Need.NEEDED.value:
            changes |= {"child_help.referral": None, "child_help.outcome": None, "child_help.outcome_at": None}
    else:
        changes = {f"child_help.{field}": value, "child_help.need": Need.NEEDED.value}
        if field == "outcome":
            changes["child_help.outcome_at"] = now
    needed = changes["child_help.need"] == Need.NEEDED.value
    outcome = changes.get("child_help.outcome", case.child_help.outcome) if needed else None
    minutes = round(max(0.0, (now - case.created_at).total_seconds() / 60), 1) if case.created_at else 0.0
    was_needed, was_given = case.child_help.need == Need.NEEDED, help_given(case)
    if not needed or not was_needed:
        changes[f"{ROLLUP}.help_needed"] = minutes if needed else None
    if (outcome in HELP_GIVEN) != was_given or field == "need":
        changes[f"{ROLLUP}.help_given"] = minutes if outcome in HELP_GIVEN else None
    need = Need(str(changes["child_help.need"]))
    changes["contact_pending"] = contact_pending(
        case.model_copy(update={"child_help": case.child_help.model_copy(update={"need": need})})
    )
    return changes


def offers_track(staff: StaffMember, case: Case) -> bool:
    """Whether this person's card shows the track's buttons (the press is checked again on the server)."""
    if not may_see(staff, case.category, case.region) or case.status not in OPEN_STATUSES:
        return False
    return staff.role == Role.ADMIN or case.assignee == staff.user_id


def waiting_for_contact(case: Case) -> bool:
    """A child case still open whose reporter no staff message has reached yet (the digest lists them)."""
    return applies(case) and case.first_contact_at is None and case.status in OPEN_STATUSES


def contact_pending(case: Case) -> bool:
    """Whether a child case has had no first contact yet: stored on the case as `contact_pending` (the console's
    queue filter) at intake, on each change of the track and at the first contact (then False)."""
    return applies(case) and case.first_contact_at is None


def minutes_to_contact(case: Case) -> float | None:
    """Minutes from intake to the first contact, or None when there was none (or no intake time)."""
    if case.first_contact_at is None or case.created_at is None:
        return None
    return max(0.0, (case.first_contact_at - case.created_at).total_seconds() / 60)


def help_given(case: Case) -> bool:
    """Help was needed and given (an outcome that counts)."""
    return case.child_help.need == Need.NEEDED and case.child_help.outcome in HELP_GIVEN


def auto_resolution(case: Case) -> str | None:
    """The content-track resolution a case takes when its child outcome closes it and it has no content track
    (a child's own request): None when the case stays open for its content."""
    if content_applies(case) or case.status not in {Status.IN_PROGRESS, Status.ESCALATED}:
        return None
    return "child_helped" if case.child_help.outcome in HELP_GIVEN else "resolved_other"
