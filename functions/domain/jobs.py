"""Delivery jobs published to the deliveries topic; the model is the Pub/Sub payload schema."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel

from functions.domain.events import MessageId, ReportId

JobKind = Literal[
    "card", "notice", "group_notice", "text", "reply", "evidence", "scrub", "relay", "relay_in", "relay_failed"
]

SCHEMA_VERSION = 1


class DeliveryJob(BaseModel):
    """Send or edit one thing for one person: a staff card, or a notice to a reporter."""

    schema_version: int = SCHEMA_VERSION
    job_id: MessageId
    # reply: an answer the webhook stored; relay, relay_in: conversation messages; relay_failed: the writer of a
    # parked conversation message hears it (notice: the parked job's kind)
    kind: JobKind
    report_id: ReportId
    recipient_id: int
    event_id: MessageId
    lang: str | None = None
    notice: str | None = None
    argument: str | None = None
    text: str | None = None  # kind "text": a message to a staff member, rendered in their language (reminders)
    message_id: int | None = None  # kind "scrub": the bot's message to take the case's content out of


def card_job(code: str, recipient: int, event_id: str, key: str | None = None) -> DeliveryJob:
    """The job that sends (or re-renders) one person's card of a case; its id is <key>:<recipient>, the key
    being the event's id unless given (a bucket of joins refreshes each card once)."""
    return DeliveryJob(
        job_id=f"{key or event_id}:{recipient}", kind="card", report_id=code, recipient_id=recipient, event_id=event_id
    )


def event_job(event_id: str, tag: str, kind: JobKind, code: str, chat_id: int, **fields: Any) -> DeliveryJob:
    """A job an event makes for one chat; its id is <event id>:<tag> (the tag names the recipient, so a
    re-delivered event makes the same job)."""
    return DeliveryJob(
        job_id=f"{event_id}:{tag}", kind=kind, report_id=code, recipient_id=chat_id, event_id=event_id, **fields
    )


NOTICE_WINDOW_SECONDS: Final = 5  # one coalesced quarantine notice per group per window: ≤ 12/min < 20/min
