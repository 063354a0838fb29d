"""A row of an oversight query: the fields of a stored case that the query selected (a Firestore projection), typed.

The queue, the digest, the SLA ladder, the retention purge and the export read many cases at once but only a few
fields of each (`domain.statistics.QUEUE_FIELDS`, `EXPORT_FIELDS`, …). A row holds those fields; every field the
query left out has the default a document without it means (as in `Case`), so a caller reads only what its query
selected. A slotted row, not a whole `Case`: the queue and the digest hold up to 20,000 of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final

from pydantic import TypeAdapter

from functions.domain.case import Case
from functions.domain.child_help import ChildHelp
from functions.domain.models import Status
from functions.domain.workflow import CaseView


@dataclass(frozen=True, slots=True)
class CaseRow:
    """The projected part of one stored case."""

    code: str
    status: Status = Status.NEW
    category: str = "other"
    severity: str = "normal"
    region: str = ""
    assignee: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    taken_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    escalated_to: str | None = None
    reporter_count: int = 1
    source: str = "private"
    child_in_danger: bool = False
    legal_hold: bool = False
    purged_at: datetime | None = None
    # the SLA ladder's own bookkeeping (services.sla): escalated, an escalation not yet published, reminders sent
    sla_escalated_at: datetime | None = None
    sla_pending: bool = False
    sla_take_reminded_at: datetime | None = None
    sla_stale_reminded_for: datetime | None = None
    # the help-the-child track (None: the document has none) and the tracks' states of the console's queue
    child_request: bool = False
    child_help: ChildHelp | None = None
    first_contact_at: datetime | None = None
    content_state: str | None = None
    contact_pending: bool = False

    @classmethod
    def from_document(cls, code: str, data: dict[str, Any]) -> CaseRow:
        """The row from a (projected) case document; fields it lacks take their defaults."""
        chosen = {name: value for name, value in data.items() if name in NAMES and value is not None}
        return _ADAPTER.validate_python(chosen | {"code": code})

    def view(self) -> CaseView:
        """The rule-relevant facts."""
        return CaseView(status=self.status, category=self.category, region=self.region, assignee=self.assignee)

    def case(self) -> Case:
        """The row as a whole case (what the query did not select takes its default), for the rules on a Case."""
        values = {name: getattr(self, name) for name in NAMES}
        return Case.model_validate({name: value for name, value in values.items() if value is not None})


NAMES: Final[frozenset[str]] = frozenset(f.name for f in fields(CaseRow))
_ADAPTER: Final = TypeAdapter(CaseRow)
