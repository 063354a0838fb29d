"""The declared topology (functions/topology.py) is what the targets really do, checked on the emulators."""

from __future__ import annotations

import pytest

from devkit.botapi_double.builders import make_text_update
from functions import bootstrap, topology
from functions.domain.jobs import DeliveryJob
from functions.errors import TransientError
from tests.integration.helpers import say
from tests.stack import ADMIN_ID, Stack

GROUP = -100_778


def test_a_report_made_in_a_group_queues_its_notice_from_the_webhook(stack: Stack) -> None:
    """The webhook publishes the group notice to deliveries itself (issue 16: its grant was missing)."""
    deliveries = stack.pull_subscription("deliveries")
    stack.double.set_chat_member(GROUP, stack.double.bot_id, {"status": "administrator", "can_delete_messages": True})
    say(stack, ADMIN_ID, "/quarantine on", chat_id=GROUP)
    say(stack, 9501, "https://vk.com/wall-78_1", chat_id=GROUP)
    jobs = [m for m in stack.pull(deliveries, wait=10) if m["data"].get("kind") == "group_notice"]
    assert len(jobs) == 1
    assert topology.take_violations() == []


def test_an_undeclared_publish_fails_as_in_the_cloud_and_is_recorded(stack: Stack) -> None:
    job = DeliveryJob(job_id="j-1", kind="group_notice", report_id="R", recipient_id=GROUP, event_id="e-1")
    with topology.acting_as("deliver"), pytest.raises(TransientError, match="may not publish"):
        bootstrap.publisher().publish(bootstrap.settings().exports_topic, job)
    with topology.acting_as("fan_out"), pytest.raises(TransientError, match="may not read"):
        bootstrap.telegram()
    assert topology.take_violations() == ["deliver publish exports", "fan_out read telegram_bot_token"]


def test_outside_a_target_nothing_is_checked(stack: Stack) -> None:
    assert topology.current_target() is None
    job = DeliveryJob(job_id="j-2", kind="group_notice", report_id="R", recipient_id=GROUP, event_id="e-2")
    assert bootstrap.publisher().publish(bootstrap.settings().deliveries_topic, job)
    assert topology.take_violations() == []


def test_ticks_health_check_reads_telegrams_view_of_the_webhook(stack: Stack) -> None:
    """tick may read the token (declared) and getWebhookInfo reports a failed delivery as a recent error."""
    from datetime import UTC, datetime, timedelta

    from functions.services.telegram_health import TelegramHealth
    from tests.stack import SECRET

    url = f"{stack.functions.url}/telegram_webhook"
    stack.double.set_webhook(url, "not-the-secret")
    try:
        refused = stack.double.post_update(make_text_update(9502, "/start", 9502, update_id=990_001))
    finally:
        stack.double.set_webhook(url, SECRET)
    assert refused["status"] == 403
    clock = datetime.now(UTC)
    now = clock + timedelta(minutes=-clock.minute % 5)  # the next minute a check is due
    with topology.acting_as("tick"):
        counts = TelegramHealth(bootstrap.telegram(), lambda: now).check()
    assert counts == {"webhook_checked": 1, "webhook_pending_updates": 0}
    info = bootstrap.telegram().webhook_info()
    assert info["url"] == url and info["last_error_message"].startswith("Wrong response from the webhook: 403")
    assert topology.take_violations() == []
