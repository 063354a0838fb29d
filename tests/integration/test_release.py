"""A revoked officer's open cases go back to someone who may act on them: on the emulators and the Bot API double,
through webhook, fan_out and deliver (and tick for a long list)."""

from __future__ import annotations

from typing import Any

from functions import bootstrap
from functions.domain.time import utcnow
from functions.services.release import REVOKE_PAGE, told
from tests.integration.helpers import code_in, report_link, say
from tests.integration.test_staff import add_staff, buttons, card, press_card
from tests.stack import ADMIN_ID, Stack, wait_for

OFFICER, OTHER, SPECIALIST = 8201, 8202, 8203


def message(stack: Stack, chat_id: int, message_id: int) -> dict[str, Any]:
    return stack.double.get_message(chat_id, message_id) or {}


def offered(stack: Stack, chat_id: int, message_id: int) -> list[str]:
    shown = message(stack, chat_id, message_id)
    return buttons(shown) if shown.get("reply_markup") else []


class TestRevokedOwnersCases:
    def test_both_cases_go_back_to_new_and_reach_the_others_at_once(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",))
        add_staff(OTHER, "regional", ("71",))
        add_staff(SPECIALIST, "specialist", on_duty=True)
        codes = [code_in(report_link(stack, 8250 + n, f"https://youtu.be/rel{n:08d}")) for n in range(2)]
        owned = {}
        for code in codes:
            mine = card(stack, OFFICER, code)
            press_card(stack, OFFICER, mine, "Взять в работу")
            owned[code] = mine["message_id"]
            wait_for(lambda c=code: stack.doc(f"reports/{c}")["assignee"] == OFFICER)  # type: ignore[index]
        others = {code: card(stack, OTHER, code)["message_id"] for code in codes}
        wait_for(lambda: all(stack.doc(f"reports/{c}")["fanout_pending"] is False for c in codes))  # type: ignore[index]

        say(stack, ADMIN_ID, f"/revoke {OFFICER}")
        answer = stack.last_bot_message(ADMIN_ID)["text"]
        assert "Доступ отозван" in answer and "2 открытых обращения" in answer and str(OFFICER) in answer

        for code in codes:
            report = stack.doc(f"reports/{code}")
            assert report is not None and report["status"] == "new" and report["assignee"] is None
            # the other officer's card offers the case again, and they are pushed a message of its own
            wait_for(lambda c=code: "Взять в работу" in offered(stack, OTHER, others[c]))
            for person in (OTHER, SPECIALIST):
                wait_for(
                    lambda c=code, p=person: any(c in t and "снова без ответственного" in t for t in stack.bot_texts(p))
                )
            # the revoked officer's card is the access-changed stub
            wait_for(lambda c=code: "доступ изменён" in str(message(stack, OFFICER, owned[c]).get("text")))
        staff = stack.doc(f"staff/{OFFICER}")
        assert staff is not None and staff["release_pending"] is False
        for code in codes:  # the statistics follow the case back: counted as new, its take no longer timed
            wait_for(lambda c=code: (stack.doc(f"stats_marks/{c}") or {}).get("facts", {}).get("status") == "new")
            assert "take" not in stack.doc(f"stats_marks/{code}")["facts"]["durations"]  # type: ignore[index]

        say(stack, ADMIN_ID, f"/case {codes[0]}")
        wait_for(
            lambda: any("возвращено в очередь: доступ ответственного отозван" in t for t in stack.bot_texts(ADMIN_ID))
        )
        events = [e for e in bootstrap.oversight_store().events_of(codes[0]) if e.get("type") == "released"]
        assert len(events) == 1 and events[0]["by"] == ADMIN_ID and events[0]["owner"] == OFFICER

        press_card(stack, OTHER, message(stack, OTHER, others[codes[0]]), "Взять в работу")
        assert stack.doc(f"reports/{codes[0]}")["assignee"] == OTHER  # type: ignore[index]

    def test_a_long_list_is_finished_by_tick_once_and_the_admin_is_told(self, stack: Stack) -> None:
        owner = 8211
        add_staff(owner, "specialist")
        deliveries = stack.pull_subscription("deliveries")
        now = utcnow()
        total = REVOKE_PAGE + 3
        for n in range(total):
            stack.db.collection("reports").document(f"RL{owner}{n:03d}").set(
                {
                    "id": f"RL{owner}{n:03d}",
                    "status": "escalated" if n % 2 else "in_progress",
                    "category": "violence",
                    "severity": "high",
                    "region": "71",
                    "urls": [],
                    "media": [],
                    "created_at": now,
                    "taken_at": now,
                    "assignee": owner,
                    "version": 1,
                }
            )
        say(stack, ADMIN_ID, f"/revoke {owner}")
        assert "по частям" in stack.last_bot_message(ADMIN_ID)["text"]
        assert stack.doc(f"staff/{owner}")["release_pending"] is True  # type: ignore[index]
        ticker = bootstrap.build(utcnow).ticker()
        assert ticker.run()["released"] == 3
        assert ticker.run()["released"] == 0
        assert stack.doc(f"staff/{owner}")["release_pending"] is False  # type: ignore[index]
        statuses = {stack.doc(f"reports/RL{owner}{n:03d}")["status"] for n in range(total)}  # type: ignore[index]
        assert statuses == {"new"}
        assert all(
            len([e for e in bootstrap.oversight_store().events_of(f"RL{owner}{n:03d}") if e["type"] == "released"]) == 1
            for n in range(total)
        )
        jobs = stack.pull(deliveries, expect=1)
        texts = [j["data"] for j in jobs if j["data"].get("kind") == "text" and j["data"]["recipient_id"] == ADMIN_ID]
        assert len(texts) == 1 and texts[0]["text"] == told("ru", total, owner)
