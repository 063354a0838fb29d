"""The takedown track of one link of a case: the stored record, its state, its checks and its durations. Pure.

One record per link of a case (``takedowns/{case code}_{content key}``), never on the case document: the
platform, who reported it to the platform and when (with the platform's reference when staff typed one), the
history of checks (capped), when the next check is due, and, once confirmed, when it came down. The liveness
rules themselves (what an answer means, the confirmation run, the schedule) are in ``functions.domain.liveness``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.liveness import Answer, LinkState, Observation, Schedule, Verdict, next_check_at, verdict
from functions.domain.urls import content_key_for_url, needs_resolving, platform_of

MAX_HISTORY: Final = 120  # checks kept per record: daily checks for 90 days after close fit, the oldest go first
LIVE_TOO_LONG: Final = timedelta(days=7)


class TakedownState(StrEnum):
    """What staff see of a link."""

    LIVE = "live"
    REPORTED = "reported"  # reported to the platform, still up
    REMOVED = "removed"
    GEO_RESTRICTED = "geo_restricted"  # unavailable in Kazakhstan or otherwise restricted
    PRIVATE = "private"
    UNKNOWN = "unknown"  # not checked yet, or nothing certain so far


class Check(BaseModel):
    """One stored check: when, the answer, the HTTP status (never a body, never the URL)."""

    model_config = ConfigDict(extra="ignore")

    at: datetime
    answer: Answer
    status: int | None = None


class Takedown(BaseModel):
    """The takedown record of one link of one case."""

    model_config = ConfigDict(extra="ignore")

    case_code: str
    url: str
    platform: str = "other"
    region: str = ""
    category: str = "other"
    intake_at: datetime
    case_open: bool = True
    closed_at: datetime | None = None
    reported_at: datetime | None = None
    reported_by: int | None = None
    reference: str | None = None
    checks: list[Check] = Field(default_factory=list)
    state: TakedownState = TakedownState.UNKNOWN
    removed_at: datetime | None = None  # the first "gone" answer of the confirmed run
    confirmed_at: datetime | None = None
    next_check_at: datetime | None = None
    resolved_url: str | None = None  # the canonical target of a short link, once resolved
    merged_into: str | None = None  # the case this link's case was merged into (checks stop)

    @property
    def record_id(self) -> str:
        """The document id."""
        return record_id(self.case_code, self.url)

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> Takedown:
        """The record from its stored document."""
        return cls.model_validate({key: value for key, value in data.items() if value is not None})

    def to_document(self) -> dict[str, Any]:
        """The document to store."""
        return self.model_dump(mode="python")

    def observations(self) -> list[Observation]:
        """The checks as the liveness rules read them."""
        return [Observation(check.at, check.answer) for check in self.checks]

    def verdict(self) -> Verdict:
        """The confirmation rule applied to the checks so far."""
        return verdict(self.observations())


def record_id(case_code: str, url: str) -> str:
    """The id of the record of one link of one case (Firestore-safe)."""
    return f"{case_code}_{content_key_for_url(url)}"


def new_record(case_code: str, url: str, intake_at: datetime, region: str = "", category: str = "other") -> Takedown:
    """The record of a link just taken in: first check soon after intake."""
    record = Takedown(
        case_code=case_code,
        url=url,
        platform=platform_of(url) or ("short_link" if needs_resolving(url) else "other"),
        region=region,
        category=category,
        intake_at=intake_at,
    )
    return record.model_copy(update={"next_check_at": next_check_at(Schedule(intake_at), record.verdict())})


def state_of(current: Verdict, reported: bool) -> TakedownState:
    """What staff see, from the checks' verdict and whether the platform was told."""
    if current.state is LinkState.REMOVED:
        return TakedownState.REMOVED
    if current.state is LinkState.GEO_RESTRICTED:
        return TakedownState.GEO_RESTRICTED
    if current.state is LinkState.PRIVATE:
        return TakedownState.PRIVATE
    if reported:
        return TakedownState.REPORTED
    if current.state in {LinkState.LIVE, LinkState.REMOVAL_PENDING}:
        return TakedownState.LIVE
    return TakedownState.UNKNOWN


def with_check(record: Takedown, at: datetime, answer: Answer, status: int | None = None) -> Takedown:
    """The record after one more check: history (capped), state, removal times, the next check."""
    checks = [*record.checks, Check(at=at, answer=answer, status=status)][-MAX_HISTORY:]
    updated = record.model_copy(update={"checks": checks})
    return refreshed(updated)


def refreshed(record: Takedown) -> Takedown:
    """The derived fields (state, removal times, next check) recomputed from the record's facts."""
    current = record.verdict()
    schedule = Schedule(record.intake_at, None if record.case_open else (record.closed_at or record.intake_at))
    due = None if record.merged_into else next_check_at(schedule, current)
    return record.model_copy(
        update={
            "state": state_of(current, record.reported_at is not None),
            "removed_at": current.removed_at,
            "confirmed_at": current.confirmed_at,
            "next_check_at": due,
        }
    )


def reported(record: Takedown, by: int, at: datetime, reference: str | None = None) -> Takedown:
    """The record once staff say the platform was told (the first time is kept; a reference can come later)."""
    update: dict[str, Any] = {}
    if record.reported_at is None:
        update |= {"reported_at": at, "reported_by": by}
    if reference:
        update["reference"] = reference
    return refreshed(record.model_copy(update=update))


def check_now(record: Takedown, at: datetime) -> Takedown:
    """The record with its next check due at once (staff pressed "check now"); a confirmed removal stays."""
    if record.state is TakedownState.REMOVED or record.merged_into:
        return record
    return record.model_copy(update={"next_check_at": at})


def case_changed(record: Takedown, is_open: bool, closed_at: datetime | None) -> Takedown:
    """The record after its case opened or closed (the 90-day rule counts from the close)."""
    if record.case_open == is_open and record.closed_at == closed_at:
        return record
    return refreshed(record.model_copy(update={"case_open": is_open, "closed_at": closed_at}))


def time_to_removal(record: Takedown, *, from_notice: bool = False) -> timedelta | None:
    """How long the link stayed up: from the case's creation, or from the platform notice (None if unknown)."""
    if record.state is not TakedownState.REMOVED or record.removed_at is None:
        return None
    start = record.reported_at if from_notice else record.intake_at
    if start is None:
        return None
    return max(timedelta(0), record.removed_at - start)


def all_removed(records: Iterable[Takedown]) -> bool:
    """Whether every link of a case is confirmed removed (False for a case without tracked links)."""
    tracked = [record for record in records if not record.merged_into]
    return bool(tracked) and all(record.state is TakedownState.REMOVED for record in tracked)


def content_state(records: Iterable[Takedown]) -> str | None:
    """The content track at a glance, stored on the case as `content_state` (the console's queue filter): "removed"
    when every link is confirmed removed, "live" when one is known to be up, None while nothing is certain."""
    tracked = [record for record in records if not record.merged_into]
    if all_removed(tracked):
        return "removed"
    up = any(record.state in {TakedownState.LIVE, TakedownState.REPORTED} for record in tracked)
    return "live" if up else None


def live_since(record: Takedown, now: datetime) -> timedelta | None:
    """How long a link still up has been known (None when it is not up as far as the checks tell)."""
    if record.state not in {TakedownState.LIVE, TakedownState.REPORTED} or record.merged_into:
        return None
    return now - record.intake_at


def live_longest(records: Iterable[Takedown], now: datetime, limit: int = 5) -> list[Takedown]:
    """The links still up the longest, oldest first."""
    up = [(since, record) for record in records if (since := live_since(record, now)) is not None]
    up.sort(key=lambda pair: pair[0], reverse=True)
    return [record for _, record in up[:limit]]


def short_duration(delta: timedelta) -> tuple[int, int, int]:
    """A duration as (days, hours, minutes), for "removed after 2 d 4 h"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    return minutes // (24 * 60), minutes // 60 % 24, minutes % 60


def by_case(records: Sequence[Takedown]) -> dict[str, list[Takedown]]:
    """Records grouped by their case, in order."""
    grouped: dict[str, list[Takedown]] = {}
    for record in records:
        grouped.setdefault(record.case_code, []).append(record)
    return grouped
