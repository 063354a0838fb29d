"""An /export handed from the webhook to the export target; the model is the Pub/Sub payload schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pydantic import BaseModel

SCHEMA_VERSION: Final = 1
PAGE_SIZE: Final = 1000  # cases read per page (one query each, a cursor between them)
LEASE_SECONDS: Final = 300  # an attempt owns the export this long after its last page (renewed every page)


class ExportJob(BaseModel):
    """One export: who asked, where the file goes, what it covers, and the message that shows its progress."""

    schema_version: int = SCHEMA_VERSION
    export_id: str  # "x<update_id>": a re-sent update names the same export, never a second file
    user_id: int
    chat_id: int
    lang: str = "ru"
    days: int
    region: str | None = None
    personal: bool = False
    message_id: int | None = None  # the "preparing…" message the progress edits (None: the target sends one)


@dataclass(frozen=True)
class PeriodCases:
    """The cases an export reads, page by page: created in [since, until), of some regions (None: all), with
    only these fields."""

    since: datetime
    until: datetime
    regions: tuple[str, ...] | None
    fields: tuple[str, ...]
