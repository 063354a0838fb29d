"""Events published to the reports topic; the model is the Pub/Sub payload schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

SCHEMA_VERSION = 1

# Ids become Firestore document ids and paths: nothing that could be a path ("a/b", "..") is accepted.
ReportId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
MessageId = Annotated[str, Field(pattern=r"^[A-Za-z0-9:_-]{1,300}$")]


class CaseEvent(BaseModel):
    """What every case event carries: its schema, its id (idempotency), its case and when it happened."""

    schema_version: int = SCHEMA_VERSION
    event_id: MessageId
    report_id: ReportId
    occurred_at: datetime


class ReportCreated(CaseEvent):
    """A new case was stored."""

    type: Literal["report.created"] = "report.created"
    severity: str
    region: str
    category: str


class ReportJoined(CaseEvent):
    """Another reporter joined an open case (a duplicate report)."""

    type: Literal["report.joined"] = "report.joined"
    reporter_user_id: int


class ReportChanged(CaseEvent):
    """A case changed status or owner; cards and reporters must hear of it."""

    type: Literal["report.changed"] = "report.changed"
    from_status: str
    to_status: str


class ReportOverdue(CaseEvent):
    """An urgent case was not taken in time (SLA): re-push it to the specialists on duty and the admins."""

    type: Literal["report.overdue"] = "report.overdue"
    minutes: int  # how long it has waited, for the alert's text


ReportEvent = Annotated[ReportCreated | ReportJoined | ReportChanged | ReportOverdue, Field(discriminator="type")]
REPORT_EVENT: TypeAdapter[ReportCreated | ReportJoined | ReportChanged | ReportOverdue] = TypeAdapter(ReportEvent)
