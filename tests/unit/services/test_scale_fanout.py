"""Fan-out and tick on in-memory ports: a join refreshes the stored reporter count at most once per window and
never syncs statistics; a creation or change syncs the roll-ups; tick makes the counts of recent joins exact."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from functions.domain.events import ReportChanged, ReportCreated, ReportJoined
from functions.services.fanout import JOIN_REFRESH_BUCKET_SECONDS, FanOut
from functions.services.ticker import COUNT_WINDOW, Ticker
from tests.unit.builders import NOW, FakePublisher
from tests.unit.services.test_fanout import FakeFanoutStore


class CountingStore(FakeFanoutStore):
    """The fan-out store with reporters counted from their documents and a stored count."""

    def __init__(self, reporters: int) -> None:
        super().__init__({"id": "R3", "status": "new", "category": "violence", "region": "71"}, [], holders=[])
        self.reporters = reporters
        self.stored = 1
        self.stored_at: datetime | None = None
        self.writes = 0
        self.clock = NOW

    def refresh_reporter_count(self, code: str, min_interval: timedelta) -> int | None:
        if min_interval and self.stored_at is not None and self.clock - self.stored_at < min_interval:
            return None
        if self.reporters == self.stored:
            return None
        self.stored, self.stored_at, self.writes = self.reporters, self.clock, self.writes + 1
        return self.stored

    def cases_joined_since(self, since: datetime) -> set[str]:
        return {"R3"}


class FakeRollups:
    def __init__(self) -> None:
        self.synced: list[str] = []

    def sync(self, code: str) -> int:
        self.synced.append(code)
        return 1


def joined(n: int) -> dict[str, Any]:
    event = ReportJoined(event_id=f"joined-R3-{n}", report_id="R3", occurred_at=NOW, reporter_user_id=n)
    return event.model_dump(mode="json")


class TestJoins:
    def test_a_burst_of_joins_writes_the_case_once_per_window(self) -> None:
        store, rollups = CountingStore(reporters=1), FakeRollups()
        fanout = FanOut(store, FakePublisher(), "deliveries", lambda: store.clock, rollups)  # type: ignore[arg-type]
        for n in range(100):  # 100 joins over 60 s
            store.reporters += 1
            store.clock = NOW + timedelta(seconds=0.6 * n)
            fanout.handle(joined(n), {})
        assert store.writes <= 60 // JOIN_REFRESH_BUCKET_SECONDS + 1
        assert rollups.synced == []  # a join changes no statistic
        assert store.stored < store.reporters  # the burst's tail is tick's

        ticker = Ticker(store, FakePublisher(), "reports", lambda: store.clock, None, counts=store)  # type: ignore[arg-type]
        assert ticker.recount() == 1 and store.stored == store.reporters == 101
        assert ticker.recount() == 0  # exact already: no write
        assert timedelta(minutes=2) <= COUNT_WINDOW

    def test_creations_and_changes_sync_the_rollups(self) -> None:
        store, rollups = CountingStore(reporters=1), FakeRollups()
        fanout = FanOut(store, FakePublisher(), "deliveries", lambda: NOW, rollups)  # type: ignore[arg-type]
        created = ReportCreated(
            event_id="created-R3", report_id="R3", occurred_at=NOW, severity="high", region="71", category="violence"
        )
        changed = ReportChanged(
            event_id="R3-v1", report_id="R3", occurred_at=NOW, from_status="new", to_status="in_progress"
        )
        fanout.handle(created.model_dump(mode="json"), {})
        fanout.handle(changed.model_dump(mode="json"), {})
        fanout.handle(changed.model_dump(mode="json"), {})  # delivered again: fan-out saw it was done
        assert rollups.synced == ["R3", "R3"]
