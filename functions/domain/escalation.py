"""How the answers of several reporters and of staff make one case as serious as its most serious answer.

Pure rules, no I/O. A case is raised, never lowered, by a reporter who joins it: a restricted category is
sticky, a more serious category replaces a milder one, severity only goes up, and "a child is in danger right
now" makes it urgent. Staff who may act on a case can re-categorise it from its card; severity still only goes
up, and only child_safety staff (who are cleared to look at the material) can lift a restriction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from functions.domain.categories import (
    DEFAULT_SEVERITY,
    REPORTER_CATEGORIES,
    RESTRICTED_CATEGORIES,
    Category,
    Severity,
    parse_category,
)
from functions.domain.workflow import Role, StaffMember, may_see

UNREVIEWED: Final = Category.UNREVIEWED.value  # media nobody classified (group posts, a child's request)
UNREVIEWED_SEVERITY: Final = DEFAULT_SEVERITY[Category.UNREVIEWED]
SEVERITY_RANK: Final[dict[str, int]] = {Severity.NORMAL.value: 0, Severity.HIGH.value: 1, Severity.URGENT.value: 2}
# Higher is more serious. Restricted kinds rank above all others, so they are never replaced by a join.
CATEGORY_RANK: Final[dict[str, int]] = {
    Category.OTHER.value: 0,
    Category.BULLYING.value: 1,
    Category.SUBSTANCES.value: 1,
    Category.VIOLENCE.value: 2,
    Category.TEACHER.value: 2,
    Category.DANGEROUS.value: 2,
    Category.SELFHARM.value: 3,
    UNREVIEWED: 4,
    Category.SEXUAL.value: 5,
}


@dataclass(frozen=True)
class Answers:
    """What a case is about and how fast it needs a person, as one reporter (or the case so far) says."""

    category: str
    severity: str
    child_in_danger: bool = False


class Answered(Protocol):
    """Anything that says what a case is about and how urgent it is (a stored Case)."""

    category: str
    severity: str
    child_in_danger: bool


def answers_of(case: Answered) -> Answers:
    """What a stored case says it is about and how urgent it is."""
    return Answers(category=case.category, severity=case.severity, child_in_danger=case.child_in_danger)


def is_restricted(category: str) -> bool:
    """Whether cases of this category are visible only to child_safety staff and admins."""
    return category in {c.value for c in RESTRICTED_CATEGORIES}


def default_severity(category: str) -> str:
    """The severity a category has on its own."""
    parsed = parse_category(category)
    return DEFAULT_SEVERITY[parsed].value if parsed is not None else Severity.NORMAL.value


def higher_severity(a: str, b: str) -> str:
    """The more urgent of two severities (unknown values count as normal)."""
    return a if SEVERITY_RANK.get(a, 0) >= SEVERITY_RANK.get(b, 0) else b


def most_serious(case: Answers, joining: Answers) -> Answers:
    """The case after one more reporter's answers: never lower in any respect."""
    category = case.category
    if CATEGORY_RANK.get(joining.category, 0) > CATEGORY_RANK.get(case.category, 0):
        category = joining.category
    danger = case.child_in_danger or joining.child_in_danger
    severity = higher_severity(case.severity, joining.severity)
    severity = higher_severity(severity, default_severity(category))
    if danger:
        severity = Severity.URGENT.value
    return Answers(category=category, severity=severity, child_in_danger=danger)


def recategorised(case: Answers, category: str) -> Answers:
    """The case after staff chose a category: that category, severity never lower than it was."""
    return Answers(
        category=category,
        severity=higher_severity(case.severity, default_severity(category)),
        child_in_danger=case.child_in_danger,
    )


def staff_categories() -> tuple[str, ...]:
    """The categories staff can choose on a card (the reporters' list; 'unreviewed' is only ever given)."""
    return tuple(c.value for c in REPORTER_CATEGORIES)


def may_recategorise(staff: StaffMember, category: str, region: str, to: str) -> bool:
    """Whether this person may move a case of this category and region to another category.

    Anyone who may see the case may restrict it or move it among unrestricted categories; lifting a
    restriction (e.g. an unreviewed photo that turns out to be a fight) needs child_safety, who may look.
    """
    if to not in staff_categories() or to == category or not may_see(staff, category, region):
        return False
    if is_restricted(category) and not is_restricted(to):
        return staff.role == Role.CHILD_SAFETY
    return True


def unclassified(*, has_media: bool, child_request: bool) -> Answers:
    """The answers of a case nobody classified: a group or quarantine post, or a child's request.

    Links alone stay 'other' (normal; a child's request is urgent). Images and videos that no one cleared has
    looked at are 'unreviewed': restricted like sexual-exploitation material, high (urgent for a child), until
    child_safety staff look and re-categorise them.
    """
    if has_media:
        severity = Severity.URGENT.value if child_request else UNREVIEWED_SEVERITY.value
        return Answers(category=UNREVIEWED, severity=severity)
    severity = Severity.URGENT.value if child_request else Severity.NORMAL.value
    return Answers(category=Category.OTHER.value, severity=severity)
