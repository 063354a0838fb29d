"""Nothing a reporter sends in a conversation is dropped, and no parked relay is silent (issue 12), on the
emulators and the Bot API double.

- A reporter's answer whose case owner was revoked (or is unreachable) goes to the staff the case is routed to
  now; when nobody at all can receive it the reporter is told kindly, in their language (the child's voice for
  a child), and the answer stays on the case: `/case` shows it and that it reached no one.
- A relay job parked by Pub/Sub's own dead-lettering (deliver died on the last attempt, so none of our parking
  code ran) comes back to deliver at /parked from the deliveries dead-letter topic: the writer is told once.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Final

import httpx
import pytest

from functions import bootstrap
from functions.i18n import t
from tests.integration import test_conversations as conv
from tests.integration.test_relay_gaps import history
from tests.integration.test_staff import add_staff, card
from tests.stack import Stack, wait_for

pytestmark = pytest.mark.integration

OFFICER: Final = 7_170_071  # regional officer of Astana (71), named "Officer 7170071" by add_staff
SPECIALIST: Final = 7_170_100


def conversation(stack: Stack, reporter: int, lang: str, url: str | None) -> str:
    """The officer took the case of `reporter` (a link, or a child's request for contact when `url` is None) and
    wrote to them; the reporter pressed "Answer"."""
    stack.connect_chain()
    add_staff(OFFICER, "regional", ("71",))
    if url is None:
        code = conv.TestChild().child_request(stack, reporter, lang)
        card(stack, OFFICER, code)
    else:
        code = conv.report(stack, reporter, url, lang)
        conv.take(stack, OFFICER, code)
    conv.press_data(stack, OFFICER, f"w:{code}")
    conv.write(stack, OFFICER, "В какой школе это было?")
    conv.relayed(stack, reporter, code)
    conv.press_label(stack, reporter, t(lang, "btn_conv_answer"), lang)
    return code


def dead_letter(stack: Stack, data: dict[str, Any], attributes: dict[str, str]) -> None:
    """Publish a job to the deliveries dead-letter topic as Pub/Sub's dead-letter policy forwards it."""
    wiring = stack._wiring()
    topic = wiring.topic("deliveries-dead-letter")
    wiring.publisher.publish(topic, json.dumps(data).encode(), **attributes).result(timeout=10)


def revoke(user_id: int) -> None:
    assert bootstrap.cases().update_staff(user_id, active=False)


class TestTheAnswerReachesWhoeverMayActNow:
    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_owner_revoked_the_specialist_on_duty_hears_it(self, stack: Stack, lang: str) -> None:
        reporter = 7_171_001 if lang == "ru" else 7_171_002
        code = conversation(stack, reporter, lang, f"https://instagram.com/p/Revoked{lang}7170")
        add_staff(SPECIALIST, "specialist", on_duty=True, lang=lang)
        revoke(OFFICER)
        conv.write(stack, reporter, "Школа 12 routed-7170", lang)
        assert t(lang, "conv_answer_sent") in conv.texts_to(stack, reporter)
        heard = wait_for(lambda: [x for x in conv.texts_to(stack, SPECIALIST) if "routed-7170" in x], timeout=30)
        assert code in heard[0]
        assert not [x for x in conv.texts_to(stack, OFFICER) if "routed-7170" in x]
        to_staff = [str(c["params"]) for c in stack.double.calls(chat_id=SPECIALIST)]
        for needle in (conv.FIRST_NAME, conv.USERNAME, str(reporter)):
            assert not any(needle in text for text in to_staff), needle
        assert not [e for e in history(stack, code) if e.get("type") == "undelivered"]

    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_nobody_at_all_the_reporter_is_told_and_staff_see_it_in_case(self, stack: Stack, lang: str) -> None:
        reporter = 7_172_001 if lang == "ru" else 7_172_002
        code = conversation(stack, reporter, lang, f"https://instagram.com/p/Nobody{lang}7170")
        revoke(OFFICER)
        conv.write(stack, reporter, "Школа 12 kept-7170", lang)
        told = t(lang, "conv_answer_kept", code=code)
        assert conv.texts_to(stack, reporter).count(told) == 1
        events = history(stack, code)
        [kept] = [e for e in events if e.get("type") == "message" and e.get("dir") == "in"]
        assert kept["text"] == "Школа 12 kept-7170"
        [unheard] = [e for e in events if e.get("type") == "undelivered"]
        assert (unheard["dir"], unheard["reporter"]) == ("in", 1)

        add_staff(SPECIALIST, "specialist", on_duty=True, lang=lang)  # someone who may read it later
        conv.write(stack, SPECIALIST, f"/case {code}", lang)
        shown = "\n".join(conv.texts_to(stack, SPECIALIST)[-3:])
        assert "kept-7170" in shown and t(lang, "hist_undelivered_in", n=1) in shown

    def test_a_child_nobody_can_hear_is_told_in_the_childs_voice(self, stack: Stack) -> None:
        child = 7_173_001
        code = conversation(stack, child, "ru", None)
        revoke(OFFICER)
        conv.write(stack, child, "мне страшно kept-child-7170")
        assert t("ru", "conv_answer_kept_child", code=code) in conv.texts_to(stack, child)
        assert [e for e in history(stack, code) if e.get("type") == "undelivered"]


class TestARelayParkedByPubSubItself:
    """Pub/Sub's dead-letter policy moves the job as it was published, with attributes of its own; no hook of
    ours ran. The stack's wiring pushes the deliveries dead-letter topic to deliver's /parked (as Terraform)."""

    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_the_writer_hears_it_once(self, stack: Stack, lang: str) -> None:
        stack.connect_chain()
        add_staff(OFFICER, "regional", ("71",), lang=lang)
        reporter = 7_174_001 if lang == "ru" else 7_174_002
        code = conv.report(stack, reporter, f"https://instagram.com/p/DeadLetter{lang}7170", lang)
        conv.take(stack, OFFICER, code)
        conv.press_data(stack, OFFICER, f"w:{code}", lang)
        stack.drop_subscriptions()  # the job is published but no deliver attempt ever finishes
        stack.push_subscription("reports", "fan_out")
        jobs = stack.pull_subscription("deliveries")
        conv.write(stack, OFFICER, "Вы на связи? deadletter-7170", lang)
        [job] = [m for m in stack.pull(jobs, wait=20) if m["data"].get("kind") == "relay"]
        stack.drop_subscriptions()
        stack.connect_chain()
        attributes = {
            "CloudPubSubDeadLetterSourceDeliveryCount": "10",
            "CloudPubSubDeadLetterSourceSubscription": "deliveries-push",
            "CloudPubSubDeadLetterSourceSubscriptionProject": "demo",
            "CloudPubSubDeadLetterSourceTopicPublishTime": "2026-01-01T00:00:00Z",
        }
        dead_letter(stack, job["data"], attributes)

        told = t(lang, "conv_undelivered_parked", code=code, n=1)
        wait_for(lambda: told in conv.texts_to(stack, OFFICER), timeout=60)
        wait_for(lambda: [e for e in history(stack, code) if e.get("type") == "undelivered"], timeout=10)
        dead_letter(stack, job["data"], attributes)  # Pub/Sub delivers at least once
        [message] = [e for e in history(stack, code) if e.get("type") == "message"]
        assert message.get("undelivered_1") is True
        time.sleep(5)  # the second failure job is handled (nothing to observe: it sends nothing)
        assert conv.texts_to(stack, OFFICER).count(told) == 1
        assert not [x for x in conv.texts_to(stack, reporter) if "deadletter-7170" in x]  # called lost: never sent

    def test_other_parked_jobs_and_garbage_are_acknowledged_quietly(self, stack: Stack) -> None:
        url = stack.functions.target_url("deliver") + "/parked"
        parked_card = {"job_id": "created-R2345678:1", "kind": "card", "report_id": "R2345678", "recipient_id": 1,
                "event_id": "created-R2345678"}  # fmt: skip
        for data in (parked_card, {"kind": "nothing"}, ["not", "an", "object"]):
            raw = base64.b64encode(json.dumps(data).encode()).decode()
            answer = httpx.post(url, json={"message": {"data": raw, "messageId": "1"}, "subscription": "s"})
            assert answer.status_code == 200, answer.text
        assert stack.double.calls() == []
