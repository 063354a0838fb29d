"""Statistics rules without I/O: periods, scopes, counts, medians and the small-count rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.domain.case_rows import CaseRow
from functions.domain.statistics import Request, compute, facts_of, parse_request, scope_regions
from tests.unit.builders import NOW, fact, staff


class TestRequests:
    @pytest.mark.parametrize(
        ("arg", "expected"),
        [
            ("", Request(days=30)),
            ("7d", Request(days=7)),
            ("90", Request(days=90)),
            ("12d", Request(days=12)),
            ("400d 71", Request(days=400, region="71")),
            ("71 7d", Request(days=7, region="71")),
            ("30d 75 pii", Request(days=30, region="75", personal=True)),
        ],
    )
    def test_parse(self, arg: str, expected: Request) -> None:
        assert parse_request(arg) == expected

    @pytest.mark.parametrize("arg", ["0d", "732d", "astana", "7d 71 drop"])
    def test_bad(self, arg: str) -> None:
        assert parse_request(arg).bad

    def test_export_periods_stay_short(self) -> None:
        assert parse_request("91d", max_days=90).bad and not parse_request("90d", max_days=90).bad

    def test_scope(self) -> None:
        regional = staff(1, "regional", ("71", "75"))
        assert scope_regions(regional, None) == ("71", "75")
        assert scope_regions(regional, "75") == ("75",)
        assert scope_regions(regional, "79") == ()
        for role in ("specialist", "admin", "child_safety"):
            assert scope_regions(staff(2, role), None) is None
            assert scope_regions(staff(2, role), "79") == ("79",)


class TestStatistics:
    def test_counts_medians_and_days(self) -> None:
        facts = [
            fact(1, taken_at=NOW - timedelta(days=1) + timedelta(minutes=10)),
            fact(2, taken_at=NOW - timedelta(days=1) + timedelta(minutes=30), status="in_progress"),
            fact(3, status="resolved", closed_at=NOW, taken_at=NOW - timedelta(hours=20), region="75"),
            fact(4, status="rejected", closed_at=NOW, region="79", category="other"),
            fact(5, created_at=NOW - timedelta(days=40)),  # outside the period
        ]
        stats = compute(facts, NOW - timedelta(days=30), NOW, None)
        assert stats.total == 4 and not stats.narrow
        assert stats.by_status == {"new": 1, "in_progress": 1, "resolved": 1, "rejected": 1}
        assert stats.by_category == {"bullying": 3, "other": 1}
        assert (stats.by_region["71"], stats.by_region["75"], stats.by_region["10"]) == (2, 1, 0)
        assert len(stats.by_region) == 20 and len(stats.per_day) == 31
        assert sum(r for _, r, _ in stats.per_day) == 4 and sum(c for _, _, c in stats.per_day) == 2
        assert stats.median_take_minutes == 30  # 10, 30 and 240 minutes
        assert stats.median_resolve_hours == 24  # the rejected case does not count as resolved

    def test_small_counts_hidden_only_below_region_level(self) -> None:
        one_region = compute([fact(1), fact(2, category="teacher")], NOW - timedelta(days=7), NOW, ("71",))
        assert one_region.narrow and one_region.shown(2) == "<5" and one_region.shown(0) == "0"
        assert one_region.shown(5) == "5"
        national = compute([fact(1), fact(2, region="75")], NOW - timedelta(days=7), NOW, None)
        assert not national.narrow and national.shown(1) == "1"
        # Every case of one region: a "national" count by category is that region's count.
        lonely = compute([fact(1), fact(2)], NOW - timedelta(days=7), NOW, None)
        assert lonely.narrow

    def test_facts_of_a_stored_case(self) -> None:
        doc = {"id": "R2", "status": "in_progress", "category": "violence", "region": "71", "created_at": NOW}
        found = facts_of(CaseRow.from_document("R2", doc | {"closed_at": NOW}))
        assert found is not None and found.closed_at is None  # a reopened case is not closed
        assert facts_of(CaseRow.from_document("R3", {})) is None
