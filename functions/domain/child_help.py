"""The help-the-child track of a case, beside the content track: need, referral, first contact, outcome.

The stored part; the rules on a whole case are in domain.child_track. The content track is the case's status
and outcome (unchanged); this track is `Case.child_help` plus the case's `first_contact_at` / `first_contact_by`
(set when a staff message first reaches a reporter through the relay, or by hand).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict


class Need(StrEnum):
    """Whether a child needs help."""

    UNKNOWN = "unknown"
    NOT_NEEDED = "not_needed"
    NEEDED = "needed"


REFERRALS: Final[tuple[str, ...]] = (
    "school_psychologist",
    "school_management",
    "line_111",
    "line_150",
    "police",
    "guardianship",
    "health_care",
)
CHILD_OUTCOMES: Final[tuple[str, ...]] = ("helped", "referred", "declined", "unreachable")
HELP_GIVEN: Final = frozenset({"helped", "referred"})  # the outcomes /stats counts as "help given"
FIELDS: Final = ("need", "referral", "outcome")


class ChildHelp(BaseModel):
    """The track as stored on the case document (`child_help`); every field has the default of an untouched case."""

    model_config = ConfigDict(extra="ignore")

    need: Need = Need.UNKNOWN
    referral: str | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
