"""Issue 11 holes 4 and 10 on in-memory ports: items per report are bounded and counted without reading
earlier ones; new cases per reporter are limited (joins never), and a muted reporter's cases are marked."""

from __future__ import annotations

from typing import Any

from functions.domain.limits import MAX_ITEMS_PER_REPORT
from functions.domain.models import EvidenceItem
from functions.i18n import t
from tests.unit.fakes import Desk, text_of
from tests.unit.services.test_report_flow import flow_press, report


class CountingReads:
    """Counts the calls that read every earlier item of a flow."""

    def __init__(self, desk: Desk) -> None:
        self.calls = 0
        original = desk.store.list_items

        def list_items(sid: str, flow_id: str) -> list[EvidenceItem]:
            self.calls += 1
            return original(sid, flow_id)

        desk.store.list_items = list_items  # type: ignore[method-assign]


class TestBoundedItems:
    def test_adding_items_reads_none_of_the_earlier_ones_and_stops_at_the_bound(self) -> None:
        desk = Desk()
        desk.link(3001, "https://vk.com/video-1_0")
        for action, value in (("cat", "violence"), ("danger", "no"), ("region", "71")):
            flow_press(desk, 3001, action, value)
        reads = CountingReads(desk)
        answers = [text_of(desk.link(3001, f"https://vk.com/video-1_{i}")) for i in range(1, MAX_ITEMS_PER_REPORT + 3)]
        assert reads.calls == 0  # each new item is counted, never re-read with all the others
        # each answer is followed by the summary again, so that «Send» stays one tap away
        assert answers[MAX_ITEMS_PER_REPORT - 2].startswith(t("ru", "evidence_added", count=MAX_ITEMS_PER_REPORT))
        assert answers[-1].startswith(t("ru", "evidence_limit", max=MAX_ITEMS_PER_REPORT))
        assert "Отправить" in answers[-1]
        assert desk.store.count_items("3001:3001", desk.flow_of(3001).flow_id) == MAX_ITEMS_PER_REPORT


class TestLimits:
    def test_the_eleventh_new_case_stores_nothing_and_says_when(self) -> None:
        desk = Desk()
        for i in range(10):
            report(desk, 3101, url=f"https://vk.com/video-2_{i}")
        before: dict[str, Any] = dict(desk.store.reports)
        told = report(desk, 3101, url="https://vk.com/video-2_99")
        assert desk.store.reports == before
        assert told.strip() == t("ru", "limit_reached", minutes=60)
        assert desk.flow_of(3101).step == "confirm"  # the flow is kept: «Send» works again later

    def test_a_join_is_never_limited(self) -> None:
        desk = Desk()
        report(desk, 3201, url="https://vk.com/video-3_0")
        for i in range(10):
            report(desk, 3202, url=f"https://vk.com/video-3_{i + 1}")
        joined = report(desk, 3202, url="https://vk.com/video-3_0")
        assert "мин" not in joined and len(desk.store.reporters[next(iter(desk.store.reports))]) == 2

    def test_a_muted_reporters_case_is_stored_marked(self) -> None:
        desk = Desk()
        desk.store.set_muted(3301, True)
        report(desk, 3301)
        (case,) = desk.store.reports.values()
        assert case["muted"] is True
