"""Report categories, severities and the rule that makes a case urgent."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Severity(StrEnum):
    """How fast a case needs a person."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class Category(StrEnum):
    """What a report is about (DESIGN.md, reference facts)."""

    VIOLENCE = "violence"
    BULLYING = "bullying"
    TEACHER = "teacher"
    SELFHARM = "selfharm"
    SEXUAL = "sexual"
    DANGEROUS = "dangerous"
    SUBSTANCES = "substances"
    OTHER = "other"
    UNREVIEWED = "unreviewed"  # media nobody classified (group posts, a child's request): never a reporter's choice


DEFAULT_SEVERITY: Final[dict[Category, Severity]] = {
    Category.VIOLENCE: Severity.HIGH,
    Category.BULLYING: Severity.NORMAL,
    Category.TEACHER: Severity.HIGH,
    Category.SELFHARM: Severity.URGENT,
    Category.SEXUAL: Severity.URGENT,
    Category.DANGEROUS: Severity.HIGH,
    Category.SUBSTANCES: Severity.NORMAL,
    Category.OTHER: Severity.NORMAL,
    Category.UNREVIEWED: Severity.HIGH,
}

# Sexual-exploitation material, and media nobody cleared has looked at yet, are visible only to the role
# cleared for it (admins see that such a case exists, not its content).
RESTRICTED_CATEGORIES: Final[frozenset[Category]] = frozenset({Category.SEXUAL, Category.UNREVIEWED})
# What a reporter can choose ("unreviewed" is only ever given to a case nobody classified).
REPORTER_CATEGORIES: Final[tuple[Category, ...]] = tuple(c for c in Category if c != Category.UNREVIEWED)


def severity_for(category: Category, child_in_danger: bool) -> Severity:
    """The severity of a new case: the category's default, or urgent when a child is in danger now."""
    if child_in_danger:
        return Severity.URGENT
    return DEFAULT_SEVERITY[category]


def parse_category(value: object) -> Category | None:
    """The category named by untrusted input, or None."""
    try:
        return Category(str(value))
    except ValueError:
        return None
