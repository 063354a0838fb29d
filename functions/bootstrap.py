"""The composition root: picks the concrete adapters, built lazily once per instance."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from functions.config import Settings, get_settings
from functions.domain.time import utcnow

if TYPE_CHECKING:
    from functions.adapters.case_store import CaseStore
    from functions.adapters.firestore_store import FirestoreStore
    from functions.adapters.oversight_store import OversightStore
    from functions.adapters.pubsub import PubSubPublisher
    from functions.adapters.telegram_gateway import TelegramGateway
    from functions.services.delivery import Delivery
    from functions.services.fanout import FanOut
    from functions.services.intake import Intake
    from functions.services.parking import Parking
    from functions.services.sla import Sla
    from functions.services.telegram_health import TelegramHealth
    from functions.services.ticker import Ticker

T = TypeVar("T")
_lock = threading.RLock()
_built: dict[str, Any] = {}
Clock = Callable[[], Any]
clock = utcnow


def _once(name: str, factory: Callable[[], T]) -> T:
    found = _built.get(name)
    if found is not None:
        return found
    with _lock:
        if name not in _built:
            _built[name] = factory()
        return _built[name]


def reset() -> None:
    """Forget every built adapter (tests switch settings between sessions)."""
    with _lock:
        _built.clear()
        get_settings.cache_clear()


def settings() -> Settings:
    """This instance's settings."""
    return get_settings()


def store() -> FirestoreStore:
    """The Firestore adapter (imports the Firestore client on first use)."""

    def build() -> FirestoreStore:
        from functions.adapters.firestore_store import FirestoreStore

        config = settings()
        return FirestoreStore(firestore_client(), timedelta(minutes=config.session_ttl_minutes), clock)

    return _once("store", build)


def firestore_client() -> Any:
    """The one Firestore client of this instance."""

    def build() -> Any:
        from google.cloud import firestore

        return firestore.Client(project=settings().google_cloud_project)

    return _once("firestore", build)


def cases() -> CaseStore:
    """Staff, transitions and delivery records."""

    def build() -> CaseStore:
        from functions.adapters.case_store import CaseStore

        return CaseStore(firestore_client(), clock)

    return _once("cases", build)


def publisher() -> PubSubPublisher:
    """The Pub/Sub publisher (imports the Pub/Sub client on first use)."""

    def build() -> PubSubPublisher:
        from functions.adapters.pubsub import PubSubPublisher

        config = settings()
        return PubSubPublisher(config.google_cloud_project, config.publish_timeout_seconds)

    return _once("publisher", build)


def telegram() -> TelegramGateway:
    """The Bot API gateway (imports python-telegram-bot on first use); only for targets that read the token."""
    from functions import topology

    topology.check_secret("telegram_bot_token")

    def build() -> TelegramGateway:
        from functions.adapters.telegram_gateway import TelegramGateway

        config = settings()
        if not config.telegram_bot_token:
            raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
        return TelegramGateway(config.telegram_bot_token, config.telegram_api_root, config.telegram_timeout_seconds)

    return _once("telegram", build)


class LazyPublisher:
    """The publisher, built on the first publish: most updates publish nothing, and its import is costly."""

    def publish(self, topic: str, message: Any, **attributes: str) -> str:
        """Publish one model (see PubSubPublisher.publish)."""
        return publisher().publish(topic, message, **attributes)


def intake() -> Intake:
    """The reporter-facing use cases, wired to their adapters."""

    def build() -> Intake:
        from functions.services.intake import Intake

        config = settings()
        service = Intake(
            store=store(),
            events=LazyPublisher(),
            reports_topic=config.reports_topic,
            admin_ids=config.admin_telegram_ids,
            bot_username=config.telegram_bot_username,
            clock=clock,
            deliveries_topic=config.deliveries_topic,
            bot_can_delete=_bot_can_delete,
        )
        _wire_staff(service)
        return service

    return _once("intake", build)


def _bot_can_delete(chat_id: int) -> bool | None:
    """Whether the bot may delete messages in a group, asked of Telegram (None when it cannot be told)."""
    from functions.adapters.telegram_gateway import TelegramPermanentError
    from functions.domain.models import BotCall
    from functions.errors import TransientError

    bot_id = int(settings().telegram_bot_token.split(":", 1)[0] or 0)
    try:
        member = telegram().call(BotCall(method="getChatMember", params={"chat_id": chat_id, "user_id": bot_id}))
    except (TelegramPermanentError, TransientError, ValueError):
        return None
    status = member.get("status") if isinstance(member, dict) else None
    return status == "creator" or (status == "administrator" and bool(member.get("can_delete_messages")))


def _wire_staff(service: Intake) -> None:
    """Hook the staff, oversight and safeguarding commands and buttons into the same webhook dispatcher."""
    import importlib

    for name in ("staff", "oversight", "safeguarding"):
        try:
            module = importlib.import_module(f"functions.services.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"functions.services.{name}":
                raise
            continue
        module.wire(service)


def fanout() -> FanOut:
    """The fan-out use case."""

    def build() -> FanOut:
        from functions.services.fanout import FanOut

        return FanOut(cases(), publisher(), settings().deliveries_topic, clock)

    return _once("fanout", build)


def delivery() -> Delivery:
    """The delivery use case, with this process's pacer."""

    def build() -> Delivery:
        from functions.services.delivery import Delivery
        from functions.services.pacing import Pacer

        pacer = Pacer(rate_per_second=settings().deliver_rate_per_second)
        return Delivery(cases(), telegram(), pacer, clock)

    return _once("delivery", build)


def ticker() -> Ticker:
    """The time-driven work."""

    def build() -> Ticker:
        from functions.services.ticker import Ticker

        return Ticker(store(), publisher(), settings().reports_topic, clock)

    return _once("ticker", build)


def parking() -> Parking:
    """Dead-lettering after the configured attempts."""

    def build() -> Parking:
        from functions.services.parking import Parking

        return Parking(cases(), publisher(), settings().max_delivery_attempts)

    return _once("parking", build)


def oversight_store() -> OversightStore:
    """Queries and writes of the oversight features (queues, statistics, SLA, retention)."""

    def build() -> OversightStore:
        from functions.adapters.oversight_store import OversightStore

        return OversightStore(firestore_client(), clock)

    return _once("oversight_store", build)


def sla(on_clock: Clock | None = None) -> Sla:
    """The SLA ladder, reminders, digest and retention purge (a fresh one on another clock, for time travel)."""

    def build(chosen: Clock) -> Sla:
        from functions.adapters.oversight_store import OversightStore
        from functions.domain.oversight import Thresholds
        from functions.services.sla import Sla

        config = settings()
        return Sla(
            store=OversightStore(firestore_client(), chosen),
            publisher=publisher(),
            reports_topic=config.reports_topic,
            deliveries_topic=config.deliveries_topic,
            limits=Thresholds(
                urgent_take=config.sla_urgent_take_minutes,
                take=config.sla_take_minutes,
                stale=config.sla_stale_minutes,
            ),
            digest_hour=config.digest_hour,
            retention=timedelta(days=config.retention_days),
            clock=chosen,
        )

    if on_clock is not None and on_clock is not clock:
        return build(on_clock)
    return _once("sla", lambda: build(clock))


class LazyTelegram:
    """The gateway, built on the first call (tick only needs it every few minutes)."""

    def webhook_info(self) -> dict[str, Any]:
        """Telegram's getWebhookInfo (see TelegramGateway.webhook_info)."""
        return telegram().webhook_info()


def telegram_health() -> TelegramHealth:
    """tick's check of Telegram's side of the webhook."""

    def build() -> TelegramHealth:
        from functions.services.telegram_health import TelegramHealth

        return TelegramHealth(LazyTelegram(), clock)

    return _once("telegram_health", build)
