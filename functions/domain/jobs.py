"""Delivery jobs published to the deliveries topic; the model is the Pub/Sub payload schema."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel

from functions.domain.events import MessageId, ReportId

SCHEMA_VERSION = 1


class DeliveryJob(BaseModel):
    """Send or edit one thing for one person: a staff card, or a notice to a reporter."""

    schema_version: int = SCHEMA_VERSION
    job_id: MessageId
    # reply: an answer the webhook stored; relay, relay_in: conversation messages; relay_failed: the writer of a
    # parked conversation message hears it (notice: the parked job's kind)
    kind: Literal[
        "card", "notice", "group_notice", "text", "reply", "evidence", "scrub", "relay", "relay_in", "relay_failed"
    ]
    report_id: ReportId
    recipient_id: int
    event_id: MessageId
    lang: str | None = None
    notice: str | None = None
    argument: str | None = None
    text: str | None = None  # kind "text": a message to a staff member, rendered in their language (reminders)
    message_id: int | None = None  # kind "scrub": the bot's message to take the case's content out of


NOTICE_WINDOW_SECONDS: Final = 5  # one coalesced quarantine notice per group per window: ≤ 12/min < 20/min
