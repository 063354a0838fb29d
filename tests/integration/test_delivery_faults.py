"""Delivery under Telegram's limits and failures: every card once, or parked in the dead-letter topic."""

from __future__ import annotations

import time
from datetime import timedelta

from functions import bootstrap
from functions.domain.jobs import DeliveryJob
from functions.domain.time import utcnow
from tests.integration.helpers import code_in, press, report_link, say
from tests.integration.test_security import push
from tests.integration.test_staff import add_staff
from tests.stack import Stack, wait_for


def cards_in(stack: Stack, chat_id: int, code: str) -> int:
    return len([m for m in stack.double.messages(chat_id) if code in str(m.get("text")) and not m.get("deleted")])


class TestDeliveryFaults:
    def test_429_storm_500s_403_and_a_dead_chat(self, stack: Stack) -> None:
        people = list(range(8001, 8013))
        for person in people:
            add_staff(person, "specialist", on_duty=True)
        blocked, dead = people[0], people[1]
        say(stack, 8100, "https://t.me/chan/999")
        for label in ("Другое", "Да, прямо сейчас", "город Астана"):
            press(stack, 8100, label)
        stack.double.set_limits(enforce=True)
        stack.double.set_blocked(blocked, True)
        stack.double.add_fault("500", method="sendMessage", chat_id=dead, count=1000)
        stack.double.add_fault("429", method="sendMessage", count=6, retry_after=1)
        stack.double.add_fault("500", method="sendMessage", count=4)
        stack.double.add_fault("timeout", method="sendMessage", count=1, delay=4)
        parked = stack.pull_subscription("deliveries-dead-letter")
        stack.connect_chain()
        press(stack, 8100, "Отправить")
        code = code_in(stack.last_bot_message(8100)["text"])
        healthy = [p for p in people if p not in (blocked, dead)]
        wait_for(lambda: all(cards_in(stack, p, code) >= 1 for p in healthy), timeout=60, interval=0.5)
        dead_letters = stack.pull(parked, wait=60, expect=1)
        assert [m["data"]["recipient_id"] for m in dead_letters] == [dead]
        wait_for(lambda: stack.doc(f"staff/{blocked}")["unreachable"] is True)  # type: ignore[index]
        time.sleep(2)  # any late re-delivery would show up now
        assert all(cards_in(stack, p, code) == 1 for p in healthy)
        assert cards_in(stack, dead, code) == 0 and cards_in(stack, blocked, code) == 0
        ok_sends = [
            c for c in stack.double.calls("sendMessage") if c["status"] == 200 and code in str(c["params"].get("text"))
        ]
        assert len(ok_sends) == len(healthy)

    def test_pacing_keeps_within_the_per_chat_limit(self, stack: Stack) -> None:
        add_staff(8201, "specialist", on_duty=True)
        codes = [code_in(report_link(stack, 8300 + i, f"https://vk.com/wall-9_{i}")) for i in range(4)]
        stack.double.set_limits(enforce=True)
        stack.connect_chain()
        later = bootstrap.build(lambda: utcnow() + timedelta(minutes=2)).ticker()
        assert later.run()["republished"] == 4  # nobody listened when they were made: the outbox publishes again
        wait_for(lambda: all(cards_in(stack, 8201, c) == 1 for c in codes), timeout=30)
        refused = [c for c in stack.double.calls("sendMessage", chat_id=8201) if c["status"] == 429]
        assert refused == []
        assert bootstrap.settings().deliver_rate_per_second <= 30

    def test_a_job_whose_sender_died_waits_for_its_lease_and_is_never_parked(self, stack: Stack) -> None:
        # deliver was killed while sending a reporter's confirmation (handed over by the webhook after a 429): its
        # lease on the notice stays for minutes, while Pub/Sub re-delivers the job at once. Those attempts find the
        # job taken; they are not failures, so the job must not be parked before the lease lets it be sent.
        chat, job_id = 8401, "reply-84010001-0"
        call = {"method": "sendMessage", "params": {"chat_id": chat, "text": "Обращение R8401AB зарегистрировано"}}
        bootstrap.store().put_reply(job_id, chat, call, 84010001)
        notice = stack.db.collection("notices").document(job_id)
        notice.set({"sent": False, "lease_until": utcnow() + timedelta(minutes=2)})  # the dead attempt's lease
        job = DeliveryJob(job_id=job_id, kind="reply", report_id="reply", recipient_id=chat, event_id="update-1")
        max_attempts = bootstrap.settings().max_delivery_attempts
        answers = [
            push(stack, "deliver", job.model_dump(mode="json"), message_id="m1") for _ in range(max_attempts + 2)
        ]
        assert [a.status_code for a in answers] == [503] * (max_attempts + 2), [a.text for a in answers]
        assert stack.double.messages(chat) == []
        notice.update({"lease_until": utcnow() - timedelta(seconds=1)})  # the lease ran out
        assert push(stack, "deliver", job.model_dump(mode="json"), message_id="m1").status_code == 200
        assert [m["text"] for m in stack.double.messages(chat)] == [call["params"]["text"]]
