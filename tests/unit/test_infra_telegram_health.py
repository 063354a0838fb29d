"""tick's getWebhookInfo check: the structured line the log-based metrics read (infra/monitoring.tf)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.log import JsonFormatter
from functions.services import telegram_health
from functions.services.telegram_health import TelegramHealth
from tests.unit.test_infra import log_counters, resource

NOW = datetime(2026, 12, 1, 10, 15, tzinfo=UTC)


class FakeTelegram:
    def __init__(self, info: dict[str, Any] | Exception) -> None:
        self.info = info
        self.calls = 0

    def webhook_info(self) -> dict[str, Any]:
        self.calls += 1
        if isinstance(self.info, Exception):
            raise self.info
        return self.info


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(JsonFormatter().format(record)))


@pytest.fixture
def lines() -> Iterator[list[dict[str, Any]]]:
    handler = Lines()
    logger = telegram_health.log
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def test_a_due_check_logs_pending_updates_and_a_recent_error(lines: list[dict[str, Any]]) -> None:
    info = {
        "url": "https://secret.example/hook",
        "pending_update_count": 37,
        "last_error_date": int(NOW.timestamp()) - 120,
        "last_error_message": "Wrong response from the webhook: 503 Service Unavailable",
    }
    counts = TelegramHealth(FakeTelegram(info), lambda: NOW).check()
    assert counts == {"webhook_checked": 1, "webhook_pending_updates": 37}
    [line] = lines
    assert line["event"] == "telegram_webhook_info" and line["severity"] == "INFO"
    assert line["pending_update_count"] == 37 and line["recent_error"] is True
    assert line["last_error_age_seconds"] == 120 and line["webhook_set"] is True
    assert "secret.example" not in json.dumps(line) and "503" not in json.dumps(line)


def test_an_old_error_is_not_recent_and_no_error_is_none(lines: list[dict[str, Any]]) -> None:
    old = {"url": "u", "pending_update_count": 0, "last_error_date": int(NOW.timestamp()) - 3600}
    TelegramHealth(FakeTelegram(old), lambda: NOW).check()
    TelegramHealth(FakeTelegram({"url": ""}), lambda: NOW).check()
    assert [line["recent_error"] for line in lines] == [False, False]
    assert lines[1]["last_error_age_seconds"] is None and lines[1]["webhook_set"] is False


def test_checks_only_every_few_minutes() -> None:
    fake = FakeTelegram({"url": "u"})
    for minute in range(10):
        TelegramHealth(fake, lambda m=minute: NOW.replace(minute=m)).check()  # type: ignore[misc]
    assert fake.calls == 2


def test_a_failing_call_is_a_warning_and_never_breaks_tick(lines: list[dict[str, Any]]) -> None:
    counts = TelegramHealth(FakeTelegram(RuntimeError("token https://x")), lambda: NOW).check()
    assert counts == {"webhook_checked": 0}
    assert lines == [
        {**lines[0], "event": "telegram_webhook_info_failed", "error_type": "RuntimeError", "severity": "WARNING"}
    ]
    assert "https://x" not in json.dumps(lines)


def test_the_log_metrics_read_exactly_these_fields() -> None:
    pending = resource("google_logging_metric", "telegram_pending_updates")
    assert f'jsonPayload.event="{telegram_health.EVENT}"' in pending["filter"]
    assert pending["value_extractor"] == "EXTRACT(jsonPayload.pending_update_count)"
    errors = log_counters()["telegram_webhook_errors"]
    assert f'jsonPayload.event="{telegram_health.EVENT}"' in errors["filter"]
    assert "jsonPayload.recent_error=true" in errors["filter"]
    assert f'jsonPayload.event="{telegram_health.FAILED_EVENT}"' in errors["filter"]
