"""The child track in /stats from roll-ups built as fan-out builds them: the scope's lines and the by-region ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.domain.rollups import (
    Writes,
    add_up,
    add_writes,
    contributions,
    facts_from_case,
    kz_day,
    period_days,
    plan,
    scopes_for,
)
from functions.i18n import t
from functions.services import child_stats

NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)


class Rollups:
    """Roll-up documents by id, as the counters of some cases add up (dotted paths, as the write side has them)."""

    def __init__(self, cases: dict[str, dict[str, Any]]) -> None:
        writes: Writes = {}
        for code, doc in cases.items():
            facts = facts_from_case(code, doc)
            assert facts is not None
            add_writes(writes, contributions(facts))
        self.docs = writes
        self.asked: list[str] = []

    def read(self, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        self.asked += list(names)
        return {name: dict(self.docs[name]) for name in names if name in self.docs}


def case(region: str, hours_ago: float, **fields: Any) -> dict[str, Any]:
    created = NOW - timedelta(hours=hours_ago)
    return {"status": "in_progress", "category": "bullying", "severity": "high", "region": region,
            "created_at": created} | fields  # fmt: skip


CASES = {
    "R1": case("71", 5, first_contact_at=NOW - timedelta(hours=4, minutes=30),
               rollup_durations={"help_needed": 10.0, "help_given": 200.0}),
    "R2": case("71", 3, first_contact_at=NOW - timedelta(hours=1), rollup_durations={"help_needed": 5.0}),
    "R3": case("75", 2, rollup_durations={"help_needed": 1.0, "help_given": 50.0}),
    "R4": case("75", 1),
}  # fmt: skip


def totals(store: Rollups, regions: tuple[str, ...] | None) -> Any:
    today = kz_day(NOW)
    first, last = period_days(today, 7)
    wanted = [read for scope in scopes_for(regions) for read in plan(scope, first, last, today)]
    found = store.read([name for name, _ in wanted])
    return add_up(((name, found.get(name, {}), sign) for name, sign in wanted), True)


class TestScope:
    def test_time_to_first_contact_and_help_needed_and_given(self) -> None:
        lines = child_stats.scope_lines("ru", totals(Rollups(CASES), None))
        assert lines[0] == t("ru", "stats_ch_header")
        assert "p90" in lines[1] and "(контактов: 2)" in lines[1]
        assert lines[2] == t("ru", "stats_ch_help", needed=3, given=2, share="67%")

    def test_nothing_to_say_without_children(self) -> None:
        assert child_stats.scope_lines("kk", totals(Rollups({"R4": CASES["R4"]}), None)) == []


class TestByRegion:
    def test_each_region_where_a_child_needed_help_in_one_read(self) -> None:
        store = Rollups(CASES)
        lines, reads = child_stats.region_lines("ru", store, NOW, 7, None, True)
        astana = t("ru", "stats_ch_region", region=t("ru", "region_71"), needed=2, given=1, share="50%")
        far = t("ru", "stats_ch_region", region=t("ru", "region_75"), needed=1, given=1, share="100%")
        assert lines == [t("ru", "stats_ch_by_region"), far, astana] or lines == [
            t("ru", "stats_ch_by_region"),
            astana,
            far,
        ]
        assert reads == len(store.asked) and reads <= 20 * 7

    def test_the_whole_country_counts_by_region_from_the_national_documents_read_already(self) -> None:
        store = Rollups(CASES)
        by_regions, _ = child_stats.region_lines("ru", store, NOW, 7, None, True)
        national = totals(store, None)  # what /stats read for the country (the national shards)
        asked = len(store.asked)
        lines, reads = child_stats.region_lines("ru", store, NOW, 7, None, True, national)
        assert lines == by_regions and reads == 0 and len(store.asked) == asked

    def test_a_scope_of_one_region_has_no_breakdown(self) -> None:
        assert child_stats.region_lines("ru", Rollups(CASES), NOW, 7, ("71",), True) == ([], 0)
