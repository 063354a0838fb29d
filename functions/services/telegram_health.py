"""Telegram's side of the webhook, seen from tick: getWebhookInfo every few minutes, as one structured log line.

Cloud Monitoring reads the line through log-based metrics (infra/monitoring.tf): `pending_update_count` (updates
Telegram holds because the webhook did not take them) and `recent_error` (Telegram failed to deliver an update
since the previous check). The line carries numbers only: never the webhook URL or Telegram's error text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from functions.log import get_logger

log = get_logger("telegram_health")

EVENT: Final = "telegram_webhook_info"
FAILED_EVENT: Final = "telegram_webhook_info_failed"
EVERY_MINUTES: Final = 5


class WebhookInfoPort(Protocol):
    """Telegram's getWebhookInfo."""

    def webhook_info(self) -> dict[str, Any]: ...


class TelegramHealth:
    """Asks Telegram how the webhook is doing, on the minutes divisible by `every_minutes`."""

    def __init__(
        self, telegram: WebhookInfoPort, clock: Callable[[], datetime], every_minutes: int = EVERY_MINUTES
    ) -> None:
        self.telegram = telegram
        self.clock = clock
        self.every_minutes = every_minutes

    def check(self) -> dict[str, int]:
        """Log Telegram's view of the webhook when a check is due; counts for tick's answer. Never raises."""
        now = self.clock()
        if now.minute % self.every_minutes:
            return {}
        try:
            info = self.telegram.webhook_info()
        except Exception as error:  # Telegram down or the token refused: that is itself worth a line
            log.warning("getWebhookInfo failed", extra={"event": FAILED_EVENT, "error_type": type(error).__name__})
            return {"webhook_checked": 0}
        pending = _int(info.get("pending_update_count"))
        last_error = _int(info.get("last_error_date"))
        age = int(now.timestamp()) - last_error if last_error else None
        recent = age is not None and age <= self.every_minutes * 60
        log.info(
            "telegram webhook info",
            extra={
                "event": EVENT,
                "webhook_set": bool(info.get("url")),
                "pending_update_count": pending,
                "last_error_date": last_error or None,
                "last_error_age_seconds": age,
                "recent_error": recent,
            },
        )
        return {"webhook_checked": 1, "webhook_pending_updates": pending}


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
