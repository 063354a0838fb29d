"""Typed records of the domain: profiles, flow sessions, evidence, cases and reporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class Status(StrEnum):
    """Where a case is in its workflow."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    REJECTED = "rejected"


OPEN_STATUSES: frozenset[Status] = frozenset({Status.NEW, Status.IN_PROGRESS, Status.ESCALATED})

REPORTER_ROLES: tuple[str, ...] = ("parent", "teacher", "psychologist", "school_head", "official", "child", "other")


class Profile(BaseModel):
    """What a reporter told us once about themselves; no names, no usernames."""

    user_id: int
    lang: str = "ru"
    role: str | None = None
    region: str | None = None
    cleanup: bool = True  # delete the media a reporter sent from the chat once the report is stored
    muted: bool = False  # staff muted this reporter (through a case): their posts are stored, never pushed
    expires_at: datetime | None = None  # the profile is deleted (Firestore TTL) after this much inactivity

    @property
    def is_child(self) -> bool:
        """The user said they are under 18."""
        return self.role == "child"


class Media(BaseModel):
    """A piece of evidence kept by reference: Telegram's file_id, never a copy."""

    kind: str
    file_id: str
    file_unique_id: str


class EvidenceItem(BaseModel):
    """One message's worth of evidence collected during a flow."""

    message_id: int
    urls: list[str] = Field(default_factory=list)
    media: list[Media] = Field(default_factory=list)
    media_group_id: str | None = None


class BotCall(BaseModel):
    """One Bot API call to make: a method and its parameters."""

    method: str
    params: dict[str, Any]
    carries: str | None = None  # the case whose content this message carries: where it went is recorded

    def as_webhook_body(self) -> dict[str, Any]:
        """The call in the method-in-response-body form Telegram executes for a webhook answer."""
        return {"method": self.method, **self.params}


@dataclass(frozen=True)
class FileUpload:
    """Bytes to upload as a file in a Bot API call (the gateway sends them as multipart)."""

    data: bytes
    filename: str


class Outcome(BaseModel):
    """What handling one update produced: calls to make now and one call for the webhook answer."""

    direct: list[BotCall] = Field(default_factory=list)
    body: BotCall | None = None
    must_arrive: bool = False  # the body is made as a direct call (a 429 there is seen and retried by deliver)


FlowKind = Literal["profile", "report", "group_region", "child", "compose", "answer"]


class Session(BaseModel):
    """A conversation in progress with one user in one chat; expires by TTL."""

    sid: str
    chat_id: int
    user_id: int
    flow_id: str
    kind: FlowKind
    step: str
    lang: str = "ru"
    category: str | None = None
    child_in_danger: bool | None = None
    danger_answer: str | None = None
    region: str | None = None
    description: str | None = None
    role: str | None = None
    report_code: str | None = None
    target: str | None = None  # compose: whom the message goes to (first, all, n<position>)
    started_by_update: int | None = None
    last_update_id: int | None = None
    last_outcome: str | None = None  # JSON: Firestore cannot store a keyboard's nested arrays
    cleanup: bool = True
    created_at: datetime | None = None
    expires_at: datetime | None = None


class ReportDraft(BaseModel):
    """Everything a new case is made of, ready to be stored."""

    category: str
    severity: str
    region: str
    urls: list[str]
    media: list[Media]
    source: Literal["private", "group"]
    child_in_danger: bool = False
    description: str | None = None
    reporter_role: str | None = None
    reporter_user_id: int
    reporter_chat_id: int
    reporter_lang: str = "ru"
    group_chat_id: int | None = None
    group_message_ids: list[int] = Field(default_factory=list)
    child_request: bool = False
    index_content: bool = True  # False: never joins or becomes the case of this content (a child's request)
    counted: bool = False  # True: a new case counts towards the reporter's limits (reports from private chats)
    muted: bool = False  # the reporter is muted: the case is stored, its cards are not sent
    not_a_reporter: bool = False  # quarantine: the user posted the content, so never a reporter of its case


class SubmitResult(BaseModel):
    """What storing a report did: a new case, joined an open one, or the reporter was already on it."""

    code: str
    outcome: Literal["created", "joined", "already_reporter", "limited"]
    severity: str
    retry_in_minutes: int = 0  # "limited": nothing was stored; one more new case is allowed after this


class MyReport(BaseModel):
    """One line of /my."""

    code: str
    status: str
    created_at: datetime
