"""Roll-up rules without I/O: histogram quantiles, what a case adds and what a change moves, which documents a
period reads, and the exactness of statistics from roll-ups against a direct recount of the cases."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain import histograms
from functions.domain.categories import RESTRICTED_CATEGORIES, Category
from functions.domain.regions import REGION_CODES
from functions.domain.rollup_stats import day_start, stats_of
from functions.domain.rollups import (
    NATIONAL_SHARDS,
    RollupFacts,
    Writes,
    add_up,
    add_writes,
    contributions,
    delta,
    facts_from_case,
    kz_day,
    period_days,
    plan,
    scopes_for,
)
from functions.domain.statistics import CaseFacts, compute

NOW = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 20:30 in Kazakhstan
TODAY = kz_day(NOW)
STATUSES = ("new", "in_progress", "escalated", "resolved", "rejected")


def case(rng: random.Random, n: int, days_back: int = 400) -> dict[str, Any]:
    """A stored case as the store keeps it (the fields statistics read)."""
    created = NOW - timedelta(minutes=rng.randint(0, days_back * 24 * 60))
    status = rng.choice(STATUSES)
    doc: dict[str, Any] = {
        "status": status,
        "category": rng.choice([c.value for c in Category]),
        "severity": rng.choice(("urgent", "high", "normal")),
        "region": rng.choice([*REGION_CODES[:5], "71", None]),
        "created_at": created,
    }
    if status != "new":
        doc["taken_at"] = min(NOW, created + timedelta(minutes=rng.expovariate(1 / 90)))
    if status in {"resolved", "rejected"}:
        doc["closed_at"] = min(NOW, doc["taken_at"] + timedelta(hours=rng.expovariate(1 / 30)))
        doc["outcome"] = "content_removed" if status == "resolved" else "not_relevant"
    return doc | {"id": f"R{n:06d}"}


def rollups_of(docs: list[dict[str, Any]]) -> Writes:
    writes: Writes = {}
    for doc in docs:
        facts = facts_from_case(doc["id"], doc)
        assert facts is not None
        add_writes(writes, contributions(facts))
    return writes


def read(writes: Writes, days: int, regions: tuple[str, ...] | None, restricted: bool) -> Any:
    first, last = period_days(TODAY, days)
    triples = [
        (name, writes.get(name, {}), sign)
        for scope in scopes_for(regions)
        for name, sign in plan(scope, first, last, TODAY)
    ]
    return stats_of(add_up(triples, restricted), first, last, NOW, regions), len(triples)


class TestHistograms:
    def test_buckets_follow_the_edges(self) -> None:
        assert histograms.bucket_of(0) == 0 and histograms.bucket_of(-5) == 0
        assert histograms.bucket_of(0.99) == 0 and histograms.bucket_of(1) == 1
        assert histograms.bucket_of(59.9) == histograms.EDGES.index(45)
        assert histograms.bucket_of(10**9) == histograms.BUCKETS - 1
        assert all(b / a <= 2.05 for a, b in zip(histograms.EDGES[3:], histograms.EDGES[4:], strict=False))

    @given(st.lists(st.floats(min_value=0, max_value=600_000), min_size=1, max_size=300))
    def test_the_median_lies_in_the_true_medians_bucket(self, values: list[float]) -> None:
        found = histograms.median(histograms.histogram_of(values))
        assert found is not None
        ordered = sorted(values)
        low = ordered[(len(values) - 1) // 2]
        high = ordered[len(values) // 2]
        lowest = histograms.EDGES[histograms.bucket_of(low)]
        top = histograms.bucket_of(high) + 1
        highest = histograms.EDGES[top] if top < histograms.BUCKETS else float("inf")
        assert lowest <= found <= highest

    def test_merge_adds_and_quantiles_interpolate(self) -> None:
        merged = histograms.merge([histograms.histogram_of([1.2, 1.5]), histograms.histogram_of([1.7, 2.5])])
        assert merged == {1: 3, 2: 1} and histograms.count(merged) == 4
        assert histograms.median(merged) == pytest.approx(1 + 2 / 3)
        assert histograms.quantile({}, 0.5) is None
        assert histograms.share_within(merged, 2) == 0.75
        assert histograms.quantile({histograms.BUCKETS - 1: 3}, 0.9) == histograms.EDGES[-1]


class TestWrites:
    def test_a_new_case_counts_once_in_each_of_its_documents(self) -> None:
        doc = {"status": "new", "category": "violence", "severity": "high", "region": "71", "created_at": NOW}
        facts = facts_from_case("R7K3M9Q", doc)
        assert facts is not None and facts.created_day == date(2026, 12, 1)
        writes = contributions(facts)
        shard = next(name for name in writes if name.startswith("all"))
        assert set(writes) == {"r71_2026-12-01", "r71_2026-12", shard, shard.replace("_2026-12-01", "_2026-12")}
        assert writes["r71_2026-12"] == {"c.violence.high.n": 1, "c.violence.high.s.new": 1, "d.d01.g.in": 1}
        assert writes[shard]["g.r71.g"] == 1

    def test_a_closed_case_counts_on_its_closing_day_and_a_restricted_one_apart(self) -> None:
        created = datetime(2026, 10, 31, 19, 0, tzinfo=UTC)  # 1 November in Kazakhstan
        doc = {
            "status": "resolved",
            "category": "sexual",
            "severity": "urgent",
            "region": "75",
            "created_at": created,
            "taken_at": created + timedelta(minutes=12),
            "closed_at": created + timedelta(days=3),
            "outcome": "child_helped",
        }
        facts = facts_from_case("R1", doc)
        assert facts is not None and facts.restricted and facts.closed_day == date(2026, 11, 4)
        writes = contributions(facts)
        assert writes["r75_2026-11-01"]["h.r.take.b06"] == 1  # 12 minutes: [10, 15)
        assert writes["r75_2026-11-01"]["c.sexual.urgent.o.child_helped"] == 1
        assert writes["r75_2026-11-04"] == {"d.d04.r.out": 1}
        assert writes["r75_2026-11"]["d.d04.r.out"] == 1 and writes["r75_2026-11"]["d.d01.r.in"] == 1

    def test_odd_stored_values_never_make_odd_field_names(self) -> None:
        doc = {"status": "a.b", "category": "`x`", "severity": None, "region": "../71", "created_at": NOW}
        facts = facts_from_case("R2", doc)
        assert facts is not None
        assert (facts.status, facts.category, facts.severity, facts.region) == ("new", "other", "normal", "none")
        assert facts_from_case("R3", {"status": "new"}) is None

    @settings(max_examples=60)
    @given(st.integers(0, 10_000), st.integers(0, 10_000))
    def test_a_change_moves_exactly_the_difference(self, seed_a: int, seed_b: int) -> None:
        before = facts_from_case("R9", case(random.Random(seed_a), 9))
        after = facts_from_case("R9", case(random.Random(seed_b), 9))
        assert before is not None and after is not None
        total: Writes = {}
        add_writes(total, contributions(before))
        add_writes(total, delta(before, after))
        cleaned = {d: {p: n for p, n in f.items() if n} for d, f in total.items()}
        assert {d: f for d, f in cleaned.items() if f} == contributions(after)
        assert delta(after, after) == {}

    def test_the_mark_keeps_the_facts(self) -> None:
        facts = facts_from_case("R4", case(random.Random(4), 4))
        assert facts is not None
        assert RollupFacts.from_doc("R4", facts.to_doc()) == facts


class TestPlan:
    @settings(max_examples=200)
    @given(st.integers(0, 800), st.integers(1, 420), st.integers(0, 3))
    def test_each_day_of_the_period_counts_once_and_no_other(self, back: int, days: int, ahead: int) -> None:
        today = date(2026, 12, 1) - timedelta(days=back)
        last = today - timedelta(days=ahead)
        first = last - timedelta(days=days - 1)
        weight: Counter[date] = Counter()
        for name, sign in plan("r71", first, last, today):
            period = name.split("_")[1]
            if len(period) == 10:
                weight[date.fromisoformat(period)] += sign
                continue
            month = date.fromisoformat(period + "-01")
            day = month
            while day.month == month.month:
                weight[day] += sign
                day += timedelta(days=1)
        for day, value in weight.items():
            if day <= today:
                assert value == (1 if first <= day <= last else 0), (day, first, last)
        assert all(weight[first + timedelta(days=n)] == 1 for n in range(days))

    def test_four_hundred_days_read_few_documents(self) -> None:
        worst = 0
        for back in range(0, 400, 7):
            today = date(2026, 12, 31) - timedelta(days=back)
            first, last = period_days(today, 400)
            worst = max(worst, len(plan("all0", first, last, today)))
        assert worst <= 30
        assert worst * NATIONAL_SHARDS <= 200


class TestExactness:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_statistics_from_rollups_equal_a_direct_recount(self, seed: int) -> None:
        rng = random.Random(seed)
        docs = [case(rng, n) for n in range(1500)]
        writes = rollups_of(docs)
        for days, regions, restricted in [
            (7, None, True),
            (90, None, True),
            (400, None, False),
            (30, ("71",), True),
            (400, (REGION_CODES[1], REGION_CODES[2]), False),
        ]:
            stats, reads = read(writes, days, regions, restricted)
            assert reads <= 200
            first, _ = period_days(TODAY, days)
            wanted = set(regions) if regions is not None else None
            chosen = [
                d
                for d in docs
                if (wanted is None or d["region"] in wanted)
                and (restricted or d["category"] not in RESTRICTED_CATEGORIES)
            ]
            facts = [
                CaseFacts(
                    code=d["id"],
                    status=d["status"],
                    category=d["category"],
                    severity=d["severity"],
                    region=d["region"] or "",
                    created_at=d["created_at"],
                    taken_at=d.get("taken_at"),
                    closed_at=d.get("closed_at"),
                    outcome=d.get("outcome"),
                )
                for d in chosen
            ]
            direct = compute(facts, day_start(first), NOW, regions)
            assert stats.total == direct.total and stats.total > 0
            assert stats.by_status == direct.by_status
            assert stats.by_category == direct.by_category
            assert stats.by_region == direct.by_region
            assert stats.narrow == direct.narrow
            assert (stats.taken, stats.resolved) == (direct.taken, direct.resolved)
            received = Counter(kz_day(f.created_at) for f in facts if f.created_at >= day_start(first))
            closed = Counter(kz_day(f.closed_at) for f in facts if f.closed_at and f.closed_at >= day_start(first))
            assert stats.per_day == [(day, received[day], closed[day]) for day, _, _ in stats.per_day]
            assert len(stats.per_day) == days
            in_period = [f for f in facts if f.created_at >= day_start(first)]
            takes = [(f.taken_at - f.created_at).total_seconds() / 60 for f in in_period if f.taken_at]
            assert stats.median_take_minutes == histograms.median(histograms.histogram_of(takes))
            true_median = statistics.median(takes)
            found = stats.median_take_minutes
            assert found is not None and histograms.bucket_of(found) in {
                histograms.bucket_of(true_median),
                histograms.bucket_of(true_median) + 1,
            }

    def test_restricted_categories_count_only_for_those_who_may_see_them(self) -> None:
        doc = {"status": "new", "category": "sexual", "severity": "urgent", "region": "71", "created_at": NOW}
        writes = rollups_of([doc | {"id": "R1"}, doc | {"id": "R2", "category": "bullying"}])
        hidden, _ = read(writes, 7, None, False)
        shown, _ = read(writes, 7, None, True)
        assert (hidden.total, shown.total) == (1, 2)
        assert "sexual" not in hidden.by_category and shown.by_category["sexual"] == 1
        assert hidden.per_day[-1][1] == 1 and shown.per_day[-1][1] == 2
