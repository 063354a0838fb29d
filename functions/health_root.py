"""tick's check of Telegram's side of the webhook, composed from bootstrap's gateway (built lazily, once)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions import bootstrap
from functions.domain.time import utcnow

if TYPE_CHECKING:
    from functions.services.telegram_health import TelegramHealth


class LazyTelegram:
    """The gateway, built on the first call (tick only needs it every few minutes)."""

    def webhook_info(self) -> dict[str, Any]:
        """Telegram's getWebhookInfo (see TelegramGateway.webhook_info)."""
        return bootstrap.telegram().webhook_info()


def telegram_health() -> TelegramHealth:
    """tick's check of Telegram's side of the webhook."""

    def make() -> TelegramHealth:
        from functions.services.telegram_health import TelegramHealth

        return TelegramHealth(LazyTelegram(), utcnow)

    return bootstrap._once(bootstrap._built, "telegram_health", make)
