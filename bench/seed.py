"""A bulk writer of cases for the scale benchmarks: N cases over D days (as the webhook and staff would have left
them), with their statistics roll-ups computed by the same rules the rebuild uses (functions.domain.rollups)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from functions.adapters.firestore.rollups import MARKS, STATS
from functions.domain.categories import DEFAULT_SEVERITY, Category
from functions.domain.codes import ALPHABET
from functions.domain.regions import REGION_CODES
from functions.domain.rollups import Writes, add_writes, contributions, facts_from_case

BUSY_REGIONS: Final = ("71", "75", "79")
STAFF_ID: Final = 900_001
REGION_WEIGHTS: Final = [8 if code in BUSY_REGIONS else 2 for code in REGION_CODES]


@dataclass
class Seeded:
    """What a seed wrote and how long it took."""

    cases: int
    rollup_docs: int
    seconds: float
    cases_per_second: float


def code_of(n: int) -> str:
    """A unique case code for the n-th seeded case (R + six characters of the case-code alphabet)."""
    body = ""
    for _ in range(6):
        n, digit = divmod(n, len(ALPHABET))
        body += ALPHABET[digit]
    return "R" + body


def busy_region(rng: random.Random) -> str:
    """A region code, the three cities four times as likely as a region."""
    return rng.choices(REGION_CODES, REGION_WEIGHTS)[0]


def created_within(rng: random.Random, now: datetime, days: int) -> datetime:
    """A creation time spread evenly over the last `days` days."""
    return now - timedelta(minutes=rng.uniform(1, days * 24 * 60))


def write_in_batches(db: Any, documents: Iterable[tuple[str, dict[str, Any]]], size: int = 500) -> float:
    """Write (code, document) pairs into `reports`, `size` to a batch; the seconds it took."""
    started = time.perf_counter()
    batch, pending = db.batch(), 0
    for code, document in documents:
        batch.set(db.collection("reports").document(code), document)
        pending += 1
        if pending == size:
            batch.commit()
            batch, pending = db.batch(), 0
    batch.commit()
    return time.perf_counter() - started


def cases(count: int, days: int, now: datetime, seed: int = 20261201) -> Iterator[tuple[str, dict[str, Any]]]:
    """(code, document) of `count` cases created over the last `days` days: busier cities, every category,
    older cases mostly closed."""
    rng = random.Random(seed)
    categories = list(Category)
    for n in range(count):
        created = created_within(rng, now, days)
        age_days = (now - created).total_seconds() / 86400
        category = rng.choice(categories)
        danger = rng.random() < 0.03
        roll = rng.random() * min(1.0, 0.3 + age_days / 10)
        status = "new" if roll < 0.05 else "in_progress" if roll < 0.15 else "escalated" if roll < 0.2 else ""
        if not status:
            status = "resolved" if rng.random() < 0.85 else "rejected"
        taken = created + timedelta(minutes=rng.lognormvariate(3.5, 1.2)) if status != "new" else None
        closed = (
            (taken or created) + timedelta(hours=rng.lognormvariate(3.0, 1.0))
            if status in ("resolved", "rejected")
            else None
        )
        taken = min(taken, now) if taken else None
        closed = min(closed, now) if closed else None
        yield (
            code_of(n),
            {
                "status": status,
                "category": category.value,
                "severity": "urgent" if danger else DEFAULT_SEVERITY[category].value,
                "region": busy_region(rng),
                "urls": [f"https://t.me/chan/{n}"],
                "media": [],
                "reporter_count": 1 + int(rng.random() < 0.2),
                "source": "group" if rng.random() < 0.5 else "private",
                "assignee": STAFF_ID if taken else None,
                "child_in_danger": danger,
                "description": None,
                "content_keys": [f"u-bench-{n}"],
                "fanout_pending": False,
                "created_at": created,
                "updated_at": closed or taken or created,
                "taken_at": taken,
                "closed_at": closed,
                "outcome": ("content_removed" if status == "resolved" else "not_relevant") if closed else None,
                "version": 1 + int(taken is not None) + int(closed is not None),
            },
        )


def rollups_of(count: int, days: int, now: datetime) -> Writes:
    """The roll-ups of `count` generated cases, computed in memory by the rebuild's rules (nothing written)."""
    rollups: Writes = {}
    for code, doc in cases(count, days, now):
        facts = facts_from_case(code, doc)
        if facts is not None:
            add_writes(rollups, contributions(facts))
    return rollups


def put_rollups(db: Any, rollups: Writes, ops_per_second: int = 20_000) -> None:
    """Write roll-up documents as plain values into an empty `stats` collection (a seed, not an update)."""
    from google.cloud.firestore_v1.bulk_writer import BulkWriterOptions

    writer = db.bulk_writer(BulkWriterOptions(initial_ops_per_second=ops_per_second, max_ops_per_second=ops_per_second))
    for name, fields in rollups.items():
        root: dict[str, Any] = {}
        for path, amount in fields.items():
            node = root
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = amount
        writer.set(db.collection(STATS).document(name), root)
    writer.close()


def seed(db: Any, count: int, days: int, now: datetime, *, marks: bool = False, ops_per_second: int = 20_000) -> Seeded:
    """Write the cases with Firestore's BulkWriter and their roll-ups (and, with marks=True, the roll-up marks).

    Args:
        db: a Firestore client (the emulator's).
        count: how many cases.
        days: over how many days before now.
        now: the end of the period.
        marks: also write each case's roll-up mark (what sync compares with; a rebuild writes them too).
        ops_per_second: the bulk writer's ceiling (the emulator takes more than production's ramp of 500/s).

    Returns:
        Counts and the time it took.
    """
    from google.cloud.firestore_v1.bulk_writer import BulkWriterOptions

    started = time.perf_counter()
    writer = db.bulk_writer(BulkWriterOptions(initial_ops_per_second=ops_per_second, max_ops_per_second=ops_per_second))
    rollups: Writes = {}
    for code, doc in cases(count, days, now):
        writer.set(db.collection("reports").document(code), doc)
        facts = facts_from_case(code, doc)
        if facts is None:
            continue
        add_writes(rollups, contributions(facts))
        if marks:
            writer.set(db.collection(MARKS).document(code), {"facts": facts.to_doc(), "at": now})
    writer.close()
    put_rollups(db, rollups, ops_per_second)
    seconds = time.perf_counter() - started
    return Seeded(cases=count, rollup_docs=len(rollups), seconds=seconds, cases_per_second=count / seconds)
