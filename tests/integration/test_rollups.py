"""Statistics roll-ups on the Firestore emulator: every change counted exactly once (re-delivered, concurrent,
lost in between), the rebuild from the cases, and the figures read from roll-ups equal to a direct recount."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.adapters.firestore.rollups import MARKS, STATS, RollupStore
from functions.domain import histograms
from functions.domain.categories import RESTRICTED_CATEGORIES, Category
from functions.domain.rollup_stats import day_start
from functions.domain.rollups import kz_day, period_days
from functions.domain.statistics import CaseFacts, compute
from functions.services.rollups import period_figures
from tests.stack import Stack

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
REGIONS = ("71", "75", "79", "10")


def clock() -> datetime:
    return NOW


def seed(stack: Stack, count: int, rng: random.Random) -> dict[str, dict[str, Any]]:
    """Cases written straight into `reports` (what the webhook and staff would have made of them)."""
    cases: dict[str, dict[str, Any]] = {}
    batch = stack.db.batch()
    for n in range(count):
        created = NOW - timedelta(minutes=rng.randint(0, 120 * 24 * 60))
        status = rng.choice(["new", "in_progress", "escalated", "resolved", "rejected"])
        doc: dict[str, Any] = {
            "status": status,
            "category": rng.choice([c.value for c in Category]),
            "severity": rng.choice(["urgent", "high", "normal"]),
            "region": rng.choice(REGIONS),
            "created_at": created,
            "description": "never read by statistics",
        }
        if status != "new":
            doc["taken_at"] = min(NOW, created + timedelta(minutes=rng.expovariate(1 / 60)))
        if status in {"resolved", "rejected"}:
            doc["closed_at"] = min(NOW, doc["taken_at"] + timedelta(hours=rng.expovariate(1 / 20)))
            doc["outcome"] = "child_helped" if status == "resolved" else "duplicate"
        code = f"R{n:05d}"
        cases[code] = doc
        batch.set(stack.db.collection("reports").document(code), doc)
        if n % 400 == 399:
            batch.commit()
            batch = stack.db.batch()
    batch.commit()
    return cases


def recount(cases: dict[str, dict[str, Any]], days: int, regions: tuple[str, ...] | None, restricted: bool) -> Any:
    """The statistics counted straight from the cases (the old way: every case of the period read)."""
    first, _ = period_days(kz_day(NOW), days)
    facts = [
        CaseFacts(
            code=code,
            status=d["status"],
            category=d["category"],
            severity=d["severity"],
            region=d["region"],
            created_at=d["created_at"],
            taken_at=d.get("taken_at"),
            closed_at=d.get("closed_at"),
            outcome=d.get("outcome"),
        )
        for code, d in cases.items()
        if (regions is None or d["region"] in regions) and (restricted or d["category"] not in RESTRICTED_CATEGORIES)
    ]
    stats = compute(facts, day_start(first), NOW, regions)
    closed = Counter(kz_day(f.closed_at) for f in facts if f.closed_at and f.closed_at >= day_start(first))
    takes = [
        (f.taken_at - f.created_at).total_seconds() / 60
        for f in facts
        if f.taken_at and f.created_at >= day_start(first)
    ]
    return stats, closed, histograms.median(histograms.histogram_of(takes))


def assert_equal_to_recount(store: RollupStore, cases: dict[str, dict[str, Any]]) -> None:
    for days, regions, restricted in [
        (7, None, True),
        (90, None, False),
        (30, ("71",), True),
        (120, ("75", "79"), True),
    ]:
        figures = period_figures(store, NOW, days, regions, restricted)
        direct, closed, median_take = recount(cases, days, regions, restricted)
        got = figures.stats
        assert figures.reads <= 200
        assert (got.total, got.by_status, got.by_category, got.by_region) == (
            direct.total,
            direct.by_status,
            direct.by_category,
            direct.by_region,
        )
        assert (got.taken, got.resolved, got.narrow) == (direct.taken, direct.resolved, direct.narrow)
        assert [c for _, _, c in got.per_day] == [closed[day] for day, _, _ in got.per_day]
        assert [r for _, r, _ in got.per_day] == [r for _, r, _ in direct.per_day][-days:]
        assert got.median_take_minutes == median_take


class TestRollups:
    def test_each_change_counts_once_and_the_figures_equal_a_recount(self, stack: Stack) -> None:
        rng = random.Random(15)
        cases = seed(stack, 300, rng)
        store = RollupStore(stack.db, clock)
        assert all(store.sync(code) > 0 for code in cases)
        assert all(store.sync(code) == 0 for code in list(cases)[:50])  # re-delivered: nothing more
        assert_equal_to_recount(store, cases)

        # Staff work on: takes, closings, a reopening; each change synced twice, some concurrently.
        changed = rng.sample(sorted(cases), 60)
        for code in changed:
            doc = cases[code]
            if doc["status"] == "new":
                doc |= {"status": "in_progress", "taken_at": NOW - timedelta(minutes=3)}
            elif doc["status"] in {"resolved", "rejected"}:
                doc |= {"status": "in_progress", "closed_at": None, "outcome": None}
            else:
                doc |= {"status": "resolved", "closed_at": NOW - timedelta(minutes=1), "outcome": "content_removed"}
            stack.db.collection("reports").document(code).set(doc)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(store.sync, changed + changed))
        assert_equal_to_recount(store, cases)

    def test_a_lost_event_is_made_up_by_the_next(self, stack: Stack) -> None:
        cases = seed(stack, 5, random.Random(2))
        store = RollupStore(stack.db, clock)
        code = next(iter(cases))
        store.sync(code)
        doc = cases[code] | {"status": "in_progress", "taken_at": NOW - timedelta(hours=1)}
        stack.db.collection("reports").document(code).set(doc)  # taken: its event never arrives
        doc |= {"status": "resolved", "closed_at": NOW, "outcome": "child_helped"}
        stack.db.collection("reports").document(code).set(doc)  # then resolved
        cases[code] = doc
        assert store.sync(code) > 0
        for other in list(cases)[1:]:
            store.sync(other)
        assert_equal_to_recount(store, cases)

    def test_rebuild_from_the_cases_gives_the_same_counters(self, stack: Stack) -> None:
        cases = seed(stack, 250, random.Random(3))
        store = RollupStore(stack.db, clock)
        for code in cases:
            store.sync(code)
        synced = {s.id: s.to_dict() for s in stack.db.collection(STATS).stream()}
        stack.db.collection(STATS).document("r71_2026-11").set({"c": {"other": {"normal": {"n": 999}}}})  # damage
        assert store.rebuild(flush_every=100) == 250
        rebuilt = {s.id: s.to_dict() for s in stack.db.collection(STATS).stream()}
        assert rebuilt == synced
        assert len(list(stack.db.collection(MARKS).stream())) == 250
        assert all(store.sync(code) == 0 for code in list(cases)[:20])
        assert_equal_to_recount(store, cases)
