"""What of a case each person may be shown: pure rules, no I/O.

Everyone who may see a restricted case (admins, child_safety) sees that it exists, its code, status and
times; its links, media and descriptions only child_safety staff, and only behind the warning. Reporters hear
how their case goes, never where it was passed (a poster of the content may have joined it too).
"""

from __future__ import annotations

from typing import Final

from functions.domain.escalation import is_restricted
from functions.domain.workflow import Role, StaffMember, may_see

# Reporter notices whose argument is never told: where a case was passed stays with the committee.
UNTOLD_ARGUMENTS: Final = frozenset({"escalated"})


def may_see_content(staff: StaffMember, category: str, region: str) -> bool:
    """Whether this person may be shown the links, media and descriptions of such a case (after the warning)."""
    if not may_see(staff, category, region):
        return False
    return not is_restricted(category) or staff.role == Role.CHILD_SAFETY


def shows_content_on_card(category: str) -> bool:
    """Whether a card of this category may list links and the description (never for a restricted case)."""
    return not is_restricted(category)


def reporter_argument(notice: str, argument: str | None) -> str | None:
    """The argument a reporter notice may carry: none for an escalation (where the case went)."""
    return None if notice in UNTOLD_ARGUMENTS else argument
