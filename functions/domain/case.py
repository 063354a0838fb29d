"""A stored case, typed: one reader (from its document) and one writer (to its document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.child_help import ChildHelp
from functions.domain.models import Media, Status
from functions.domain.workflow import CaseView


class Case(BaseModel):
    """One incident as staff see it; every field has the default a document without it means."""

    model_config = ConfigDict(extra="ignore")

    code: str
    status: Status = Status.NEW
    category: str = "other"
    severity: str = "normal"
    region: str = ""
    urls: list[str] = Field(default_factory=list)
    media: list[Media] = Field(default_factory=list)
    reporter_count: int = 1
    source: str = "private"
    assignee: int | None = None
    child_in_danger: bool = False
    description: str | None = None
    reporter_role: str | None = None
    content_keys: list[str] = Field(default_factory=list)
    group_chat_id: int | None = None
    group_message_ids: list[int] = Field(default_factory=list)
    child_request: bool = False
    muted: bool = False  # the reporter was muted: the case is stored but pushed to nobody
    fanout_pending: bool = False
    outbox: dict[str, Any] | None = None
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    taken_at: datetime | None = None
    escalated_to: str | None = None
    escalated_at: datetime | None = None
    outcome: str | None = None
    closed_at: datetime | None = None
    merged_into: str | None = None
    sla_escalated_at: datetime | None = None
    legal_hold: bool = False
    purged_at: datetime | None = None
    # who may see it (issue 11): a quarantined post's author is no reporter; joiners' additions are counted
    quarantined: bool = False
    quarantined_posts: int = 0
    contributors: int = 0
    added_links: int = 0
    added_media: int = 0
    added_descriptions: int = 0
    # conversations (issue 12): who of the staff wrote to the reporters last; the child's first contact
    conv_last_writer: int | None = None
    first_contact_at: datetime | None = None
    first_contact_by: int | None = None
    fc_reminded_at: datetime | None = None
    fc_escalated_at: datetime | None = None
    # the help-the-child track beside the content track (domain.child_help); first contact is the two fields above
    child_help: ChildHelp = Field(default_factory=ChildHelp)
    # the tracks at a glance, for the console's queue filters (child_track.contact_pending, takedown.content_state)
    contact_pending: bool = False
    content_state: str | None = None

    @classmethod
    def from_document(cls, code: str, data: dict[str, Any]) -> Case:
        """The case from its stored document (fields the document lacks take their defaults)."""
        fields = {name: value for name, value in data.items() if name in cls.model_fields and value is not None}
        return cls.model_validate(fields | {"code": code})

    def to_document(self) -> dict[str, Any]:
        """The document to store: the fields this case was made with (the code is the document's id)."""
        data = self.model_dump(mode="python", exclude={"code"}, exclude_unset=True)
        if "status" in data:
            data["status"] = self.status.value
        return data

    def view(self) -> CaseView:
        """The rule-relevant facts."""
        return CaseView(status=self.status, category=self.category, region=self.region, assignee=self.assignee)

    @property
    def is_open(self) -> bool:
        """New, in progress or escalated."""
        return self.status in {Status.NEW, Status.IN_PROGRESS, Status.ESCALATED}


@dataclass(frozen=True)
class CaseWrite:
    """One precondition write of a case read at `version`: its changed fields, the audit event it creates (as
    version + 1) and the outbox of the event fan-out sends (None: nothing to fan out)."""

    version: int
    changes: dict[str, Any]
    event: dict[str, Any]
    outbox: dict[str, Any] | None
