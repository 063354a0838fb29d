"""Statistics roll-ups: what one case adds to the per-day and per-month aggregate documents, the difference a
change makes, which documents /stats reads for a period, and how they add up again. Pure, no I/O.

Layout (collection `stats`, one document per scope and period, every field a counter):
- scopes: `r<region>` (one per region, `rnone` for a case without one) and `all<k>` (the whole country, in
  NATIONAL_SHARDS shards chosen by the case code, so that no national document takes every write);
- periods: a Kazakhstan day (`r71_2026-12-01`) and its month (`r71_2026-12`); the month holds the sum of its days;
- fields: `c.<category>.<severity>.n` (cases created), `.s.<status>`, `.o.<outcome>`; duration histograms
  `h.<g|r>.<kind>.bNN` (g: general categories, r: restricted ones, counted only for those who may see them);
  the chart's days `d.dDD.<g|r>.in` (created that day) and `.out` (closed that day); national documents also
  `g.r<region>.<g|r>` (cases by region) and `g.r<region>.k.<g|r>.<kind>` (cases of a REGION_KINDS duration by
  region: the country's /stats lists them by region without reading twenty regions' documents).
A case counts in the documents of the day it was created (and, once closed, of the day it was closed), so the
figures of a period are those of the cases created in it, plus the closings per day of the chart.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from functions.domain import histograms
from functions.domain.categories import RESTRICTED_CATEGORIES
from functions.domain.regions import is_region
from functions.domain.time import KZ_TZ

NATIONAL_SHARDS: Final = 2  # each takes half the country's writes (~0.5/s at 10,000 reports a day at peak)
NO_REGION: Final = "none"
CLOSED: Final[frozenset[str]] = frozenset({"resolved", "rejected"})
_IDENT: Final = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_DOC_ID: Final = re.compile(r"^(r[0-9a-z]+|all\d+)_(\d{4})-(\d{2})(?:-(\d{2}))?$")
# Fields of a stored case that carry a duration since creation, by histogram kind.
TIME_FIELDS: Final[dict[str, str]] = {"first_contact_at": "contact", "removed_at": "removal"}

Fields = dict[str, int]  # counter field path -> amount
Writes = dict[str, Fields]  # document id -> its counters


def _ident(value: object, default: str) -> str:
    text = str(value) if value is not None else ""
    return text if _IDENT.match(text) else default


def kz_day(moment: datetime) -> date:
    """The Kazakhstan calendar day of a moment."""
    return moment.astimezone(KZ_TZ).date()


@dataclass(frozen=True)
class RollupFacts:
    """What a case contributes to statistics (also kept, as applied, in its roll-up mark)."""

    code: str
    region: str
    category: str
    severity: str
    status: str
    created_day: date
    outcome: str | None = None
    closed_day: date | None = None
    durations: tuple[tuple[str, float], ...] = ()

    @property
    def restricted(self) -> bool:
        """Whether the case is of a restricted category (counted only for those who may see it)."""
        return self.category in {c.value for c in RESTRICTED_CATEGORIES}

    def to_doc(self) -> dict[str, Any]:
        """The facts as a Firestore map (for the roll-up mark)."""
        return {
            "region": self.region,
            "category": self.category,
            "severity": self.severity,
            "status": self.status,
            "created_day": self.created_day.isoformat(),
            "outcome": self.outcome,
            "closed_day": self.closed_day.isoformat() if self.closed_day else None,
            "durations": {kind: minutes for kind, minutes in self.durations},
        }

    @classmethod
    def from_doc(cls, code: str, doc: Mapping[str, Any]) -> RollupFacts:
        """The facts as a mark stored them."""
        closed = doc.get("closed_day")
        durations = doc.get("durations") or {}
        return cls(
            code=code,
            region=str(doc["region"]),
            category=str(doc["category"]),
            severity=str(doc["severity"]),
            status=str(doc["status"]),
            created_day=date.fromisoformat(str(doc["created_day"])),
            outcome=str(doc["outcome"]) if doc.get("outcome") else None,
            closed_day=date.fromisoformat(str(closed)) if closed else None,
            durations=tuple(sorted((str(k), float(v)) for k, v in durations.items())),
        )


def _minutes(start: datetime, end: object) -> float | None:
    return (end - start).total_seconds() / 60 if isinstance(end, datetime) else None


def facts_from_case(code: str, doc: Mapping[str, Any]) -> RollupFacts | None:
    """The roll-up facts of a stored case (None when it has no creation time).

    Durations: time to take (`taken_at`), to resolve (`closed_at` of a resolved case), to first contact
    (`first_contact_at`), to removal (`removed_at`), and any `rollup_durations.<kind>` (minutes) another
    feature stores on the case (e.g. `removal_youtube`).
    """
    created = doc.get("created_at")
    if not isinstance(created, datetime):
        return None
    status = _ident(doc.get("status"), "new")
    closed = doc.get("closed_at") if status in CLOSED else None
    durations: dict[str, float] = {}
    for kind, value in (
        ("take", _minutes(created, doc.get("taken_at"))),
        ("resolve", _minutes(created, closed) if status == "resolved" else None),
        *((kind, _minutes(created, doc.get(name))) for name, kind in TIME_FIELDS.items()),
    ):
        if value is not None:
            durations[kind] = value
    extra = doc.get("rollup_durations")
    if isinstance(extra, Mapping):
        for kind, value in extra.items():
            if _IDENT.match(str(kind)) and isinstance(value, int | float) and not isinstance(value, bool):
                durations[str(kind)] = float(value)
    region = doc.get("region")
    return RollupFacts(
        code=code,
        region=str(region) if is_region(region) else NO_REGION,
        category=_ident(doc.get("category"), "other"),
        severity=_ident(doc.get("severity"), "normal"),
        status=status,
        created_day=kz_day(created),
        outcome=_ident(doc.get("outcome"), "other") if status in CLOSED and doc.get("outcome") else None,
        closed_day=kz_day(closed) if isinstance(closed, datetime) else None,
        durations=tuple(sorted(durations.items())),
    )


# --- the write side -------------------------------------------------------------------------------------------
def shard_of(code: str) -> int:
    """The national shard a case counts in (stable: a function of its code)."""
    return zlib.crc32(code.encode()) % NATIONAL_SHARDS


def day_id(day: date) -> str:
    """A day's period name."""
    return day.isoformat()


def month_id(day: date) -> str:
    """The period name of a day's month."""
    return f"{day.year:04d}-{day.month:02d}"


def doc_id(scope: str, period: str) -> str:
    """The roll-up document of a scope and a period."""
    return f"{scope}_{period}"


# Durations also counted by region in the national documents (the help-the-child track's lines by region).
REGION_KINDS: Final = frozenset({"help_needed", "help_given"})


def _add(writes: Writes, doc: str, path: str, amount: int = 1) -> None:
    fields = writes.setdefault(doc, {})
    fields[path] = fields.get(path, 0) + amount


def contributions(facts: RollupFacts) -> Writes:
    """Every counter this case adds to, and by how much (always 1)."""
    writes: Writes = {}
    vis = "r" if facts.restricted else "g"
    cell = f"c.{facts.category}.{facts.severity}"
    for scope in (f"r{facts.region}", f"all{shard_of(facts.code)}"):
        for period in (day_id(facts.created_day), month_id(facts.created_day)):
            doc = doc_id(scope, period)
            _add(writes, doc, f"{cell}.n")
            _add(writes, doc, f"{cell}.s.{facts.status}")
            if facts.outcome:
                _add(writes, doc, f"{cell}.o.{facts.outcome}")
            for kind, minutes in facts.durations:
                _add(writes, doc, f"h.{vis}.{kind}.{histograms.bucket_key(histograms.bucket_of(minutes))}")
            _add(writes, doc, f"d.d{facts.created_day.day:02d}.{vis}.in")
            if scope.startswith("all"):
                _add(writes, doc, f"g.r{facts.region}.{vis}")
                for kind in sorted({kind for kind, _ in facts.durations} & REGION_KINDS):
                    _add(writes, doc, f"g.r{facts.region}.k.{vis}.{kind}")
        if facts.closed_day is not None:
            for period in (day_id(facts.closed_day), month_id(facts.closed_day)):
                _add(writes, doc_id(scope, period), f"d.d{facts.closed_day.day:02d}.{vis}.out")
    return writes


def delta(before: RollupFacts | None, after: RollupFacts | None) -> Writes:
    """The counter changes that take the roll-ups from `before` to `after` (zeros dropped)."""
    writes: Writes = {}
    for facts, sign in ((after, 1), (before, -1)):
        if facts is None:
            continue
        for doc, fields in contributions(facts).items():
            for path, amount in fields.items():
                _add(writes, doc, path, sign * amount)
    cleaned = {doc: {p: n for p, n in fields.items() if n} for doc, fields in writes.items()}
    return {doc: fields for doc, fields in cleaned.items() if fields}


def add_writes(into: Writes, more: Writes) -> None:
    """Add one set of counter changes into another (a rebuild sums every case's contributions)."""
    for doc, fields in more.items():
        for path, amount in fields.items():
            _add(into, doc, path, amount)


# --- the read side ----------------------------------------------------------------------------------------------
def period_days(today: date, days: int) -> tuple[date, date]:
    """The Kazakhstan days of 'the last N days': today and the N-1 days before it."""
    return today - timedelta(days=max(1, days) - 1), today


def scopes_for(regions: tuple[str, ...] | None) -> list[str]:
    """The scopes to read: every national shard, or each region's."""
    if regions is None:
        return [f"all{k}" for k in range(NATIONAL_SHARDS)]
    return [f"r{code}" for code in regions]


def _month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def plan(scope: str, first: date, last: date, today: date) -> list[tuple[str, int]]:
    """The documents to read for [first, last] in one scope, each with its sign (+1 add, -1 subtract).

    A month wholly inside is its month document; a month partly inside is either its days inside, or the month
    minus its days outside (days after `today` hold nothing) — whichever reads fewer documents.
    """
    reads: list[tuple[str, int]] = []
    month = first.replace(day=1)
    while month <= last:
        end = _month_end(month)
        low, high = max(first, month), min(last, end)
        inside = [low + timedelta(days=n) for n in range((high - low).days + 1)]
        outside = [month + timedelta(days=n) for n in range((low - month).days)]
        outside += [high + timedelta(days=n) for n in range(1, (min(end, today) - high).days + 1)]
        if 1 + len(outside) <= len(inside):
            reads.append((doc_id(scope, month_id(month)), 1))
            reads += [(doc_id(scope, day_id(day)), -1) for day in outside]
        else:
            reads += [(doc_id(scope, day_id(day)), 1) for day in inside]
        month = end + timedelta(days=1)
    return reads


def _nest(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A document given as dotted paths (as the write side builds them) as nested maps (as Firestore returns it)."""
    root: dict[str, Any] = {}
    for path, value in doc.items():
        node = root
        *parents, leaf = str(path).split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return root


def _maps(value: Any) -> Iterable[tuple[str, Any]]:
    return value.items() if isinstance(value, Mapping) else ()


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass
class Totals:
    """What a set of roll-up documents adds up to, as one viewer may see it."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)
    region_kinds: dict[str, dict[str, int]] = field(default_factory=dict)  # region -> REGION_KINDS kind -> cases
    per_day: dict[date, list[int]] = field(default_factory=dict)  # day -> [created, closed]
    histograms: dict[str, histograms.Histogram] = field(default_factory=dict)


def _bump(counter: dict[str, int], key: str, amount: int) -> None:
    counter[key] = counter.get(key, 0) + amount


def add_document(totals: Totals, doc_name: str, doc: Mapping[str, Any], sign: int, restricted_visible: bool) -> None:
    """Add (sign 1) or subtract (sign -1) one roll-up document into the totals.

    Args:
        totals: what is being added up.
        doc_name: the document's id (its scope and period).
        doc: the document's fields as read (nested maps, or dotted paths).
        sign: +1 or -1 (a month minus its days outside the period).
        restricted_visible: whether this viewer may see restricted categories.
    """
    parsed = _DOC_ID.match(doc_name)
    if parsed is None:
        return
    if any("." in str(key) for key in doc):
        doc = _nest(doc)
    scope, year, month = parsed.group(1), int(parsed.group(2)), int(parsed.group(3))
    restricted = {c.value for c in RESTRICTED_CATEGORIES}
    visible = ("g", "r") if restricted_visible else ("g",)
    for category, severities in _maps(doc.get("c")):
        if category in restricted and not restricted_visible:
            continue
        for severity, cell in _maps(severities):
            if not isinstance(cell, Mapping):
                continue
            created = sign * _count(cell.get("n"))
            totals.total += created
            _bump(totals.by_category, category, created)
            _bump(totals.by_severity, severity, created)
            if scope.startswith("r"):
                _bump(totals.by_region, scope[1:], created)
            for status, n in _maps(cell.get("s")):
                _bump(totals.by_status, status, sign * _count(n))
            for outcome, n in _maps(cell.get("o")):
                _bump(totals.by_outcome, outcome, sign * _count(n))
    for vis in visible:
        for kind, buckets in _maps(_maps_get(doc.get("h"), vis)):
            histogram = totals.histograms.setdefault(kind, {})
            for key, n in _maps(buckets):
                index = histograms.bucket_index(key)
                if index is not None:
                    histogram[index] = histogram.get(index, 0) + sign * _count(n)
    for day_key, classes in _maps(doc.get("d")):
        try:
            day = date(year, month, int(day_key[1:]))
        except ValueError:
            continue
        for vis in visible:
            counts = _maps_get(classes, vis)
            if isinstance(counts, Mapping):
                row = totals.per_day.setdefault(day, [0, 0])
                row[0] += sign * _count(counts.get("in"))
                row[1] += sign * _count(counts.get("out"))
    for region_key, classes in _maps(doc.get("g")):
        for vis in visible:
            _bump(totals.by_region, region_key[1:], sign * _count(_maps_get(classes, vis)))
            for kind, n in _maps(_maps_get(_maps_get(classes, "k"), vis)):
                _bump(totals.region_kinds.setdefault(region_key[1:], {}), str(kind), sign * _count(n))


def _maps_get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def add_up(docs: Iterable[tuple[str, Mapping[str, Any], int]], restricted_visible: bool) -> Totals:
    """The totals of (document id, fields, sign) triples; zero entries dropped."""
    totals = Totals()
    for name, doc, sign in docs:
        add_document(totals, name, doc, sign, restricted_visible)
    for counter in (totals.by_status, totals.by_category, totals.by_severity, totals.by_outcome, totals.by_region):
        for key in [k for k, n in counter.items() if not n]:
            del counter[key]
    totals.histograms = {kind: histograms.merge([h]) for kind, h in totals.histograms.items()}
    return totals
