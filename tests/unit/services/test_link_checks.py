"""The checker run and the takedown buttons on in-memory ports: leases, states, merges, the one notice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.domain.case import Case
from functions.domain.liveness import Answer
from functions.domain.models import Status
from functions.domain.takedown import Takedown, TakedownState
from functions.domain.urls import content_key_for_url
from functions.services.link_checks import CONTENT_REMOVED, LinkChecks, LinkTracking
from tests.unit.fakes import Published

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TT = "https://tiktok.com/video/7301234567890123456"
SHORT = "https://vm.tiktok.com/ZMfake123/"
YT = "https://youtube.com/watch?v=AbCdEfGh1_-"


class Takedowns:
    """The takedown store in memory (what TakedownStore keeps)."""

    def __init__(self) -> None:
        self.records: dict[str, Takedown] = {}
        self.case_docs: dict[str, Case] = {}
        self.content: dict[str, str] = {}
        self.events: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes = 0

    def track(self, records: Sequence[Takedown]) -> list[Takedown]:
        created = [r for r in records if r.record_id not in self.records]
        for record in created:
            self.records[record.record_id] = record
        return created

    def save_link(self, record: Takedown) -> None:
        self.writes += 1
        self.records[record.record_id] = record

    def due_links(self, now: datetime, limit: int) -> list[Takedown]:
        due = [r for r in self.records.values() if r.next_check_at is not None and r.next_check_at <= now]
        return sorted(due, key=lambda r: r.next_check_at or now)[:limit]

    def links_of(self, code: str) -> list[Takedown]:
        return [r for r in self.records.values() if r.case_code == code]

    def cases(self, codes: Iterable[str]) -> dict[str, Case]:
        return {code: self.case_docs[code] for code in codes if code in self.case_docs}

    def set_content_state(self, code: str, state: str | None) -> None:
        self.case_docs[code] = self.case_docs[code].model_copy(update={"content_state": state})

    def case_of_content(self, key: str) -> str | None:
        return self.content.get(key)

    def claim_content(self, key: str, code: str) -> bool:
        return self.content.setdefault(key, code) == code

    def audit(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        if (code, event_id) in self.events:
            return False
        self.events[(code, event_id)] = event
        return True


@dataclass(frozen=True)
class Result:
    canonical: str
    answer: Answer
    status: int | None = None
    resolved_from: str | None = None


class Platforms:
    """A probe answering from a table; a short link resolves to its target."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.short: dict[str, str] = {}
        self.asked: list[list[str]] = []

    def __call__(self, urls: list[str]) -> list[Result]:
        self.asked.append(urls)
        results = []
        for url in urls:
            target = self.short.get(url)
            checked = target or url
            results.append(Result(checked, self.answers.get(checked, Answer.LIVE), 200, url if target else None))
        return results


class World:
    def __init__(self) -> None:
        self.now = T0
        self.store = Takedowns()
        self.platforms = Platforms()
        self.published = Published()
        self.merges: list[tuple[str, str]] = []
        self.checks = LinkChecks(self.store, self.platforms, self.merge, self.published, "reports", lambda: self.now)

    def merge(self, duplicate: str, main: str) -> bool:
        self.merges.append((duplicate, main))
        case = self.store.case_docs[duplicate]
        self.store.case_docs[duplicate] = case.model_copy(update={"status": Status.REJECTED, "merged_into": main})
        return True

    def case(self, code: str, *urls: str, at: datetime = T0) -> Case:
        case = Case(code=code, urls=list(urls), region="71", category="violence", created_at=at, updated_at=at)
        self.store.case_docs[code] = case
        for url in urls:
            self.store.content.setdefault(content_key_for_url(url), code)
        LinkTracking(self.store).track(case)
        return case

    def at(self, delta: timedelta) -> dict[str, int]:
        self.now = T0 + delta
        return self.checks.run()

    def state(self, code: str, url: str) -> TakedownState:
        return next(r for r in self.store.links_of(code) if r.url == url).state

    def notices(self) -> list[dict[str, str]]:
        return [a for _, _, a in self.published.sent if a.get("notice") == CONTENT_REMOVED]


def test_a_link_is_checked_soon_after_intake_then_on_schedule() -> None:
    world = World()
    world.case("QR-1", TT)
    assert world.at(timedelta(minutes=1))["links_checked"] == 0
    assert world.at(timedelta(minutes=6))["links_checked"] == 1
    assert world.state("QR-1", TT) is TakedownState.LIVE
    assert world.at(timedelta(minutes=30))["links_checked"] == 0
    assert world.at(timedelta(hours=1, minutes=1))["links_checked"] == 1


def test_removed_after_two_checks_cards_refreshed_and_reporters_told_once() -> None:
    world = World()
    world.case("QR-1", TT, YT)
    assert world.store.case_docs["QR-1"].content_state is None  # nothing checked yet
    world.at(timedelta(minutes=6))
    assert world.store.case_docs["QR-1"].content_state == "live"  # the console's "content live" filter
    world.platforms.answers[TT] = Answer.GONE
    world.at(timedelta(hours=1, minutes=1))
    assert world.state("QR-1", TT) is TakedownState.LIVE  # one "gone" answer is only a candidate
    world.at(timedelta(hours=2, minutes=2))
    assert world.state("QR-1", TT) is TakedownState.REMOVED
    assert world.notices() == []  # the YouTube link is still up
    refreshes = [a for _, _, a in world.published.sent if a["report_id"] == "QR-1"]
    assert refreshes and all(a["notice"] == "" for a in refreshes)
    world.platforms.answers[YT] = Answer.GONE
    world.at(timedelta(hours=6, minutes=1))
    world.at(timedelta(hours=7, minutes=2))
    assert world.state("QR-1", YT) is TakedownState.REMOVED
    assert len(world.notices()) == 1
    assert world.store.case_docs["QR-1"].content_state == "removed"
    assert [m.event_id for _, m, a in world.published.sent if a.get("notice") == CONTENT_REMOVED] == ["removed-QR-1"]
    assert world.at(timedelta(days=3))["links_checked"] == 0  # confirmed removals are never checked again
    assert ("QR-1", f"takedown-removed-QR-1_{content_key_for_url(TT)}") in world.store.events


def test_unknown_storm_never_removes() -> None:
    world = World()
    world.case("QR-1", TT)
    world.platforms.answers[TT] = Answer.UNKNOWN
    for minutes in range(6, 60 * 30, 15):
        world.at(timedelta(minutes=minutes))
    assert world.state("QR-1", TT) is TakedownState.UNKNOWN
    assert world.notices() == []


def test_an_overlapping_run_does_not_check_the_leased_links_twice() -> None:
    world = World()
    world.case("QR-1", TT)
    world.now = T0 + timedelta(minutes=6)
    leased = world.store.due_links(world.now, 10)
    for record in leased:
        world.store.save_link(record.model_copy(update={"next_check_at": world.now + timedelta(minutes=10)}))
    assert world.checks.run()["links_checked"] == 0


def test_a_short_link_to_the_content_of_an_earlier_case_is_merged_into_it() -> None:
    world = World()
    world.case("QR-1", TT)
    world.case("QR-2", SHORT, at=T0 + timedelta(hours=2))
    world.platforms.short[SHORT] = TT
    counts = world.at(timedelta(hours=2, minutes=6))
    assert counts["cases_merged"] == 1 and world.merges == [("QR-2", "QR-1")]
    record = next(r for r in world.store.links_of("QR-2"))
    assert record.resolved_url == TT
    world.at(timedelta(hours=3, minutes=6))
    assert next(r for r in world.store.links_of("QR-2")).merged_into == "QR-1"


def test_a_short_link_first_then_the_full_link_case_is_merged_into_the_short_links_case() -> None:
    world = World()
    world.case("QR-1", SHORT)
    world.platforms.short[SHORT] = TT
    world.at(timedelta(minutes=6))
    assert world.store.content[content_key_for_url(TT)] == "QR-1"  # later reports of the full link join QR-1
    assert world.merges == []


def test_links_of_a_purged_case_stop_and_a_closed_case_is_checked_for_90_days() -> None:
    world = World()
    world.case("QR-1", TT)
    world.at(timedelta(minutes=6))
    closed = world.store.case_docs["QR-1"].model_copy(update={"status": Status.RESOLVED, "closed_at": T0})
    world.store.case_docs["QR-1"] = closed
    world.at(timedelta(hours=1, minutes=1))
    assert world.at(timedelta(days=95))["links_checked"] == 1  # overdue: one last check
    assert next(r for r in world.store.links_of("QR-1")).next_check_at is None
    del world.store.case_docs["QR-1"]
    world.case("QR-2", YT)
    world.store.case_docs["QR-2"] = world.store.case_docs["QR-2"].model_copy(update={"purged_at": T0})
    assert world.at(timedelta(days=96))["links_checked"] == 0
    assert next(r for r in world.store.links_of("QR-2")).next_check_at is None
