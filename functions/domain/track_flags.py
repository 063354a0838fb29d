"""The tracks at a glance that the console's queue filters on (`contact_pending`, `content_state`), as a case
stored before they existed must get them: pure rules for the backfill (scripts/backfill_track_flags.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from functions.domain.case import Case
from functions.domain.child_track import contact_pending
from functions.domain.takedown import Takedown, content_state

FIELDS: Final = ("contact_pending", "content_state")
CASE_FIELDS: Final = ("child_request", "child_help", "first_contact_at", *FIELDS)  # what the rules read


def wanted(case: Case, records: Iterable[Takedown]) -> dict[str, Any]:
    """The two fields as the live code keeps them: the child track's (no first contact yet on a child case) and
    the content track's (from the case's takedown records)."""
    return {"contact_pending": contact_pending(case), "content_state": content_state(records)}


def changes(stored: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The fields to write: those the document lacks or holds with another value (none: already right)."""
    return {name: value for name, value in values.items() if name not in stored or stored[name] != value}
