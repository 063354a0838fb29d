"""Statistics rules: periods, scopes, the statistics of a set of cases and the small-count rule. Pure, no I/O."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from functions.domain.case_rows import CaseRow
from functions.domain.categories import Category, Severity
from functions.domain.models import OPEN_STATUSES, Status
from functions.domain.regions import REGION_CODES, is_region
from functions.domain.time import KZ_TZ
from functions.domain.workflow import Role, StaffMember

PERIODS: Final[dict[str, int]] = {"7d": 7, "30d": 30, "90d": 90}
MAX_DAYS: Final = 731  # /stats reads roll-ups: any period up to two years (<= 200 documents)
EXPORT_MAX_DAYS: Final = 90  # /export reads the cases themselves
DEFAULT_PERIOD: Final = "30d"
SMALL_COUNT: Final = 5  # counts 1-4 of a breakdown narrower than a region are shown as "<5"
SMALL_LABEL: Final = "<5"
STATUS_ORDER: Final[tuple[str, ...]] = tuple(s.value for s in Status)
CLOSED_STATUSES: Final[frozenset[str]] = frozenset({Status.RESOLVED.value, Status.REJECTED.value})
OPEN_VALUES: Final[frozenset[str]] = frozenset(s.value for s in OPEN_STATUSES)
_PERIOD_RE: Final = re.compile(r"^(\d{1,3})d?$")
# The fields each oversight read needs (Firestore projections keep 10,000-case reads light).
FACT_FIELDS: Final[tuple[str, ...]] = (
    "status",
    "category",
    "severity",
    "region",
    "created_at",
    "taken_at",
    "closed_at",
    "outcome",
)
QUEUE_FIELDS: Final[tuple[str, ...]] = (*FACT_FIELDS, "assignee", "updated_at", "sla_escalated_at")
EXPORT_FIELDS: Final[tuple[str, ...]] = (
    *FACT_FIELDS,
    "escalated_to",
    "reporter_count",
    "source",
    "child_in_danger",
    "sla_escalated_at",
    "legal_hold",
    "purged_at",
    *("child_request", "child_help", "first_contact_at"),  # the help-the-child track's columns
)


@dataclass(frozen=True)
class Request:
    """What /stats or /export asked for: a period, an optional region and (export) personal data."""

    days: int
    region: str | None = None
    personal: bool = False
    bad: bool = False


def parse_request(arg: str, max_days: int = MAX_DAYS) -> Request:
    """Read '[<N>d] [region code] [pii]' in any order (N from 1 to max_days); bad=True when a word is not understood."""
    days = PERIODS[DEFAULT_PERIOD]
    region: str | None = None
    personal = False
    for word in arg.lower().split():
        match = _PERIOD_RE.match(word)
        if is_region(word):
            region = word
        elif word in {"pii", "personal"}:
            personal = True
        elif match and 1 <= int(match.group(1)) <= max_days:
            days = int(match.group(1))
        else:
            return Request(days=days, bad=True)
    return Request(days=days, region=region, personal=personal)


def scope_regions(person: StaffMember, wanted: str | None) -> tuple[str, ...] | None:
    """The regions whose cases count for this person: None means every region, () means none allowed.

    A regional officer sees their regions (or one of them, when asked); specialists, child-safety staff and
    admins see everything (or one region, when asked).
    """
    if person.role == Role.REGIONAL:
        if wanted is None:
            return tuple(person.regions)
        return (wanted,) if wanted in person.regions else ()
    return None if wanted is None else (wanted,)


@dataclass(frozen=True)
class CaseFacts:
    """The anonymous facts of a case that statistics and exports look at."""

    code: str
    status: str
    category: str
    severity: str
    region: str
    created_at: datetime
    taken_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None


def facts_of(case: CaseRow) -> CaseFacts | None:
    """The facts of a stored case (None when it lacks a creation time)."""
    if case.created_at is None:
        return None
    status = case.status.value
    return CaseFacts(
        code=case.code,
        status=status,
        category=case.category or Category.OTHER.value,
        severity=case.severity or Severity.NORMAL.value,
        region=case.region,
        created_at=case.created_at,
        taken_at=case.taken_at,
        closed_at=case.closed_at if status in CLOSED_STATUSES else None,
        outcome=case.outcome or None,
    )


@dataclass
class Stats:
    """Counts and times of the cases created in a period, within one scope."""

    since: datetime
    until: datetime
    days: int
    narrow: bool  # every counted case is of one region: breakdowns are narrower than a region
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[date, int, int]] = field(default_factory=list)  # (KZ day, received, closed)
    median_take_minutes: float | None = None
    median_resolve_hours: float | None = None
    taken: int = 0
    resolved: int = 0

    def shown(self, count: int) -> str:
        """A count of a breakdown as it may be shown: '<5' for 1-4 when the breakdown is narrower than a region."""
        if self.narrow and 0 < count < SMALL_COUNT:
            return SMALL_LABEL
        return str(count)


def kz_day(moment: datetime) -> date:
    """The Kazakhstan calendar day of a moment."""
    return moment.astimezone(KZ_TZ).date()


def compute(facts: list[CaseFacts], since: datetime, until: datetime, regions: tuple[str, ...] | None) -> Stats:
    """The statistics of the cases created in [since, until) (the caller already applied the scope).

    Args:
        facts: the cases in scope.
        since: start of the period.
        until: end of the period (now).
        regions: the scope's regions (None: all), to list regions without cases as zero bars.

    Returns:
        Counts by status, category, region and day, and the median times to take and to resolve.
    """
    chosen = [f for f in facts if since <= f.created_at < until]
    in_regions = regions if regions is not None else REGION_CODES
    # A breakdown is narrower than a region when the scope is one region, or when every counted case happens
    # to be of one region (then a "national" count by category is that region's count).
    narrow = len(in_regions) == 1 or len({f.region for f in chosen}) <= 1
    stats = Stats(since=since, until=until, days=max(1, (until - since).days), narrow=narrow, total=len(chosen))
    statuses = Counter(f.status for f in chosen)
    stats.by_status = {s: statuses[s] for s in STATUS_ORDER if statuses[s]}
    categories = Counter(f.category for f in chosen)
    stats.by_category = {c.value: categories[c.value] for c in Category if categories[c.value]}
    region_counts = Counter(f.region for f in chosen)
    stats.by_region = {code: region_counts[code] for code in in_regions}
    first, last = kz_day(since), kz_day(until)
    received = Counter(kz_day(f.created_at) for f in chosen)
    closed = Counter(kz_day(f.closed_at) for f in chosen if f.closed_at is not None)
    stats.per_day = [
        (day, received[day], closed[day]) for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]
    takes = [(f.taken_at - f.created_at).total_seconds() / 60 for f in chosen if f.taken_at is not None]
    resolves = [
        (f.closed_at - f.created_at).total_seconds() / 3600
        for f in chosen
        if f.closed_at is not None and f.status == Status.RESOLVED
    ]
    stats.taken, stats.resolved = len(takes), len(resolves)
    stats.median_take_minutes = statistics.median(takes) if takes else None
    stats.median_resolve_hours = statistics.median(resolves) if resolves else None
    return stats
