"""Scale on the emulators through the whole chain: a viral case is no hot document (joins never write the case,
cards count exactly, tick makes the stored count exact), and /stats follows the cases through fan-out's
roll-ups, each event counted once even when it is delivered again."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from google.cloud import pubsub_v1

from functions import bootstrap
from functions.domain.events import ReportCreated
from functions.domain.time import utcnow
from tests.integration.helpers import code_in, report_link, say
from tests.integration.test_staff import add_staff, card, press_card
from tests.stack import ADMIN_ID, PROJECT, Stack, wait_for

VIRAL = "https://www.tiktok.com/@x/video/7322222222222222222"


def stats_text(stack: Stack, arg: str = "7d") -> str:
    say(stack, ADMIN_ID, f"/stats {arg}")
    return str(stack.last_bot_message(ADMIN_ID)["text"])


def marks(stack: Stack) -> dict[str, Any]:
    return {snap.id: snap.to_dict() for snap in stack.db.collection("stats_marks").stream()}


class TestViralCase:
    def test_joins_never_write_the_case_and_the_card_counts_every_reporter(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9601, "regional", ("71",))
        first = code_in(report_link(stack, 9700, VIRAL))
        card(stack, 9601, first)
        ref = stack.db.collection("reports").document(first)
        wait_for(lambda: ref.get().get("fanout_pending") is False)
        seen = {ref.get().update_time}
        done = threading.Event()

        def watch() -> None:  # every write of the case document while people join
            while not done.is_set():
                seen.add(ref.get().update_time)
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        users = list(range(9701, 9713))
        with ThreadPoolExecutor(6) as pool:
            texts = list(pool.map(lambda user: report_link(stack, user, VIRAL), users))
        assert {code_in(text) for text in texts} == {first}
        wait_for(lambda: "Сообщили: 13" in str(card(stack, 9601, first)["text"]), timeout=30)
        done.set()
        watcher.join()
        reporters = list(ref.collection("reporters").stream())
        assert len(reporters) == 13
        assert len(seen) - 1 <= 2, "the case is written at most once per 30-second refresh, never per join"
        httpx.post(f"{stack.functions.url}/tick", json={}, timeout=60).raise_for_status()
        assert ref.get().get("reporter_count") == 13  # tick made the stored count exact

    def test_joiners_who_add_a_description_do_not_write_the_case_and_the_card_counts_them(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9602, "regional", ("71",))
        link = "https://www.tiktok.com/@x/video/7322222222222222299"
        first = code_in(report_link(stack, 9730, link))
        card(stack, 9602, first)
        ref = stack.db.collection("reports").document(first)
        wait_for(lambda: ref.get().get("fanout_pending") is False)
        seen = {ref.get().update_time}
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                seen.add(ref.get().update_time)
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        users = list(range(9731, 9739))
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda user: report_link(stack, user, link, description=f"видел это {user}"), users))
        wanted = "Дополнили: 8 (ссылок: 0, медиа: 0, описаний: 8)"
        wait_for(lambda: wanted in str(card(stack, 9602, first)["text"]), timeout=30)
        done.set()
        watcher.join()
        assert len(seen) - 1 <= 2, "additions are tallied from the reporters' documents, never written per join"
        httpx.post(f"{stack.functions.url}/tick", json={}, timeout=60).raise_for_status()
        stored = ref.get().to_dict() or {}
        assert (stored["reporter_count"], stored["contributors"], stored["added_descriptions"]) == (9, 8, 8)

    def test_merge_moves_reporters_with_one_write_of_the_count(self, stack: Stack) -> None:
        main = code_in(report_link(stack, 9720, "https://t.me/scalechan/1"))
        duplicate = code_in(report_link(stack, 9721, "https://t.me/scalechan/2"))
        moved = bootstrap.cases().move_reporters(duplicate, main)
        assert moved == 1 and stack.doc(f"reports/{main}")["reporter_count"] == 2  # type: ignore[index]


class TestStatsThroughFanOut:
    def test_reports_and_a_take_are_counted_once_even_when_delivered_again(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9611, "regional", ("71",))
        codes = [code_in(report_link(stack, 9730 + i, f"https://t.me/scalechan/{10 + i}")) for i in range(3)]
        wait_for(lambda: set(codes) <= set(marks(stack)), timeout=30)
        summary = stats_text(stack)
        assert "Всего обращений: 3" in summary
        press_card(stack, 9611, card(stack, 9611, codes[0]), "Взять в работу")
        wait_for(lambda: (marks(stack)[codes[0]]["facts"] or {}).get("status") == "in_progress", timeout=30)
        counters = {snap.id: snap.to_dict() for snap in stack.db.collection("stats").stream()}

        publisher = pubsub_v1.PublisherClient()
        again = ReportCreated(
            event_id=f"created-{codes[1]}",
            report_id=codes[1],
            occurred_at=utcnow(),
            severity="high",
            region="71",
            category="violence",
        )
        publisher.publish(  # delivered again: fan-out sees it was done
            publisher.topic_path(PROJECT, "reports"), again.model_dump_json().encode()
        ).result()
        # and the same change under another event id: the roll-up mark says it was counted
        bootstrap.fanout().handle(again.model_dump(mode="json") | {"event_id": "created-again"}, {})
        time.sleep(2)
        assert {snap.id: snap.to_dict() for snap in stack.db.collection("stats").stream()} == counters
        summary = stats_text(stack)
        assert "Всего обращений: 3" in summary
        assert "Медиана до взятия в работу" in summary and "(взято: 1)" in summary


class TestExportQuota:
    def test_a_person_exports_at_most_three_times_an_hour(self, stack: Stack) -> None:
        stack.connect_chain()  # exports → the export target

        def files() -> int:
            return len([c for c in stack.double.calls("sendDocument", chat_id=ADMIN_ID) if c["status"] == 200])

        for _ in range(3):
            say(stack, ADMIN_ID, "/export 7d")
        wait_for(lambda: files() == 3, timeout=60)
        say(stack, ADMIN_ID, "/export 7d")
        assert "Лимит выгрузок в час: 3" in str(stack.last_bot_message(ADMIN_ID)["text"])
        time.sleep(2)
        assert files() == 3
