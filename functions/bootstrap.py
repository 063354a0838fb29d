"""The composition root: picks the concrete adapters and builds every service and the one router.

Everything is built on first use and kept for the instance (clients connect lazily; heavy imports wait for their
code path). `build(clock)` makes another set on another clock, sharing the clients: time travel in local runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from functions.config import Settings, get_settings
from functions.domain.time import utcnow

if TYPE_CHECKING:
    from functions.adapters.firestore.oversight import OversightStore
    from functions.adapters.firestore.rollups import RollupStore
    from functions.adapters.firestore.stores import CaseStore, FirestoreStore
    from functions.adapters.pubsub import PubSubPublisher
    from functions.adapters.telegram.gateway import TelegramGateway
    from functions.services.access import Access
    from functions.services.answers import Answers
    from functions.services.delivery import Delivery
    from functions.services.fanout import FanOut
    from functions.services.parking import Parking
    from functions.services.router import Router
    from functions.services.submit import Submitter
    from functions.services.ticker import Ticker
    from functions.services.timed import TimedOversight
    from functions.takedown_root import TakedownWiring

T = TypeVar("T")
Clock = Callable[[], datetime]
_lock = threading.Lock()
_built: dict[str, Any] = {}


def _once(cache: dict[str, Any], name: str, factory: Callable[[], T]) -> T:
    """The named object of this cache, built on first use (outside the lock: factories use other accessors;
    when two requests race, one object is kept and the other dropped)."""
    found = cache.get(name)
    if found is not None:
        return found
    made = factory()
    with _lock:
        return cache.setdefault(name, made)


def reset() -> None:
    """Forget every built adapter and service (tests switch settings between sessions)."""
    with _lock:
        _built.clear()
        get_settings.cache_clear()


# --- the clients, shared by every clock ----------------------------------------------------------------------
def settings() -> Settings:
    """This instance's settings."""
    return get_settings()


def firestore_client() -> Any:
    """The one Firestore client of this instance."""

    def build() -> Any:
        from google.cloud import firestore

        return firestore.Client(project=settings().google_cloud_project)

    return _once(_built, "firestore", build)


def publisher() -> PubSubPublisher:
    """The Pub/Sub publisher (imports the Pub/Sub client on first use)."""

    def build() -> PubSubPublisher:
        from functions.adapters.pubsub import PubSubPublisher

        config = settings()
        return PubSubPublisher(config.google_cloud_project, config.publish_timeout_seconds)

    return _once(_built, "publisher", build)


def telegram() -> TelegramGateway:
    """The Bot API gateway (imports python-telegram-bot on first use); only for targets that read the token."""
    from functions import topology

    topology.check_secret("telegram_bot_token")

    def build() -> TelegramGateway:
        from functions.adapters.telegram.gateway import TelegramGateway

        config = settings()
        if not config.telegram_bot_token:
            raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
        return TelegramGateway(config.telegram_bot_token, config.telegram_api_root, config.telegram_timeout_seconds)

    return _once(_built, "telegram", build)


class LazyPublisher:
    """The publisher, built on the first publish: most updates publish nothing, and its import is costly."""

    def publish(self, topic: str, message: Any, **attributes: str) -> str:
        """Publish one model (see PubSubPublisher.publish)."""
        return publisher().publish(topic, message, **attributes)

    def publish_many(self, topic: str, messages: Any) -> None:
        """Publish several models and wait for all (see PubSubPublisher.publish_many)."""
        publisher().publish_many(topic, messages)


def bot_can_delete(chat_id: int) -> bool | None:
    """Whether the bot may delete messages in a group, asked of Telegram (None when it cannot be told)."""
    from functions.domain.incoming import bot_may_delete
    from functions.domain.models import BotCall
    from functions.errors import BotRefused, TransientError

    bot_id = int(settings().telegram_bot_token.split(":", 1)[0] or 0)
    try:
        member = telegram().call(BotCall(method="getChatMember", params={"chat_id": chat_id, "user_id": bot_id}))
    except (BotRefused, TransientError, ValueError):
        return None
    if not isinstance(member, dict):
        return False
    return bot_may_delete(member.get("status"), bool(member.get("can_delete_messages")))


# --- the stores and services, on one clock ------------------------------------------------------------------
class Services:
    """Every store and service on one clock, each built once on first use."""

    def __init__(self, clock: Clock, cache: dict[str, Any]) -> None:
        self.clock = clock
        self._cache = cache

    def store(self) -> FirestoreStore:
        """Profiles, sessions, evidence, groups and the submission of reports."""

        def build() -> FirestoreStore:
            from functions.safeguarding_root import reporter_store

            return reporter_store(settings(), firestore_client(), self.clock)

        return _once(self._cache, "store", build)

    def cases(self) -> CaseStore:
        """Staff, transitions and delivery records."""

        def build() -> CaseStore:
            from functions.adapters.firestore.stores import CaseStore
            from functions.services.pacing import send_lease

            store = CaseStore(firestore_client(), self.clock)
            store.send_lease = send_lease(settings().telegram_timeout_seconds)
            return store

        return _once(self._cache, "cases", build)

    def oversight_store(self) -> OversightStore:
        """Queries and writes of the oversight features (queues, statistics, SLA, retention)."""

        def build() -> OversightStore:
            from functions.adapters.firestore.oversight import OversightStore

            return OversightStore(firestore_client(), self.clock)

        return _once(self._cache, "oversight_store", build)

    def access(self) -> Access:
        """Staff records as the rules see them (the first admins elevated)."""

        def build() -> Access:
            from functions.services.access import Access

            return Access(self.cases(), settings().admin_telegram_ids)

        return _once(self._cache, "access", build)

    def submitter(self) -> Submitter:
        """Stores reports and publishes their events."""

        def build() -> Submitter:
            from functions.services.submit import Submitter

            return Submitter(self.store(), LazyPublisher(), settings().reports_topic, self.clock)

        return _once(self._cache, "submitter", build)

    def router(self) -> Router:
        """The webhook's one router, with every reporter and staff use case."""
        return _once(self._cache, "router", self._build_router)

    def _build_router(self) -> Router:
        from functions import release_root
        from functions.child_help_root import ChildHelpWiring
        from functions.reporter_root import reporter_side
        from functions.safeguarding_root import case_actions
        from functions.services.child_flow import ChildFlow
        from functions.services.conversation import ConversationDesk
        from functions.services.group_intake import GroupIntake
        from functions.services.quarantine import Quarantine
        from functions.services.reporter_answers import ReporterAnswers
        from functions.services.router import Router, StaffDesk
        from functions.services.sessions import Sessions
        from functions.services.staff_admin import StaffAdmin
        from functions.services.staff_writes import StaffWrites
        from functions.staff_root import LazyStaffDesk, staff_desk

        config = settings()
        store, cases, access, submitter = self.store(), self.cases(), self.access(), self.submitter()
        sessions = Sessions(store, self.clock)
        children = ChildFlow(store, sessions, submitter)
        notices = (LazyPublisher(), config.deliveries_topic)  # where quarantine's group notices go
        quarantine = Quarantine(store, sessions, submitter, *notices, self.clock, access.is_admin, bot_can_delete)
        released = release_root.releases(cases, LazyPublisher(), config, self.clock)  # a revoked owner's cases
        admin = StaffAdmin(cases, access, config.telegram_bot_username, self.clock, config.console_url, released)
        actions, case_commands = case_actions(config, cases, store, access, LazyPublisher(), self.clock)
        child = ChildHelpWiring(cases, access, sessions, LazyPublisher(), config, self.clock)

        def staff() -> StaffDesk:  # on the first staff command, button or reply (telegram: built on first use)
            oversight, takedown, child_button = self.oversight_store(), self.takedown(), child.actions(actions).button
            parts = (admin, case_commands, child_button, actions.button)
            return staff_desk(
                config, cases, access, oversight, rollups(), takedown, telegram, LazyPublisher(), self.clock, *parts
            )

        writes = StaffWrites(cases, access, sessions, LazyPublisher(), config.deliveries_topic, self.clock)
        answers = ReporterAnswers(cases, sessions, LazyPublisher(), config.deliveries_topic)
        profiles, reports = reporter_side(store, cases, children, admin.menu.set_lang, actions, self.clock)
        return Router(
            bot_username=config.telegram_bot_username,
            sessions=sessions,
            profiles=profiles,
            reports=reports,
            children=children,
            groups=GroupIntake(store, sessions, submitter, quarantine, access.is_admin),
            quarantine=quarantine,
            staff=LazyStaffDesk(staff),
            conversation=ConversationDesk(cases, writes, answers, child.phones()),
        )

    def takedown(self) -> TakedownWiring:
        """The takedown track: its store, the checker run (tick), the card's takedown buttons."""
        from functions.takedown_root import TakedownWiring

        wiring = TakedownWiring(settings(), firestore_client, LazyPublisher(), self.clock, self.cases, self.access)
        return _once(self._cache, "takedown", lambda: wiring)

    def fanout(self) -> FanOut:
        """The fan-out use case."""

        def build() -> FanOut:
            from functions.services.fanout import FanOut

            track = self.takedown().tracking().track
            return FanOut(self.cases(), publisher(), settings().deliveries_topic, self.clock, rollups(), track)

        return _once(self._cache, "fanout", build)

    def delivery(self) -> Delivery:
        """The delivery use case, with this process's pacer (wired in deliver_root)."""
        from functions import deliver_root

        def build() -> Delivery:
            return deliver_root.delivery(
                self.cases(), self.takedown().links_of, self.clock, telegram(), publisher(), settings()
            )

        return _once(self._cache, "delivery", build)

    def parking(self) -> Parking:
        """Dead-lettering after the configured attempts."""

        def build() -> Parking:
            from functions.services.parking import Parking

            return Parking(self.cases(), publisher(), settings().max_delivery_attempts)

        return _once(self._cache, "parking", build)

    def timed(self) -> TimedOversight:
        """The SLA ladder, reminders, digest and retention purge."""

        def build() -> TimedOversight:
            from functions.domain.sla import Thresholds
            from functions.services.timed import TimedOversight

            config = settings()
            return TimedOversight(
                store=self.oversight_store(),
                publisher=publisher(),
                reports_topic=config.reports_topic,
                deliveries_topic=config.deliveries_topic,
                limits=Thresholds(config.sla_urgent_take_minutes, config.sla_take_minutes, config.sla_stale_minutes),
                digest_hour=config.digest_hour,
                first_contact_minutes=config.child_first_contact_minutes,
                retention=timedelta(days=config.retention_days),
                clock=self.clock,
                takedowns=self.takedown().store(),
            )

        return _once(self._cache, "timed", build)

    def ticker(self) -> Ticker:
        """The time-driven work: the outbox, then the timed oversight."""

        def build() -> Ticker:
            from functions import release_root
            from functions.services.ticker import Ticker

            counts, links = self.cases(), self.takedown().link_checks()
            released = release_root.releases(self.cases(), publisher(), settings(), self.clock)
            parts = (self.clock, self.timed(), counts, links, released)
            return Ticker(self.store(), publisher(), settings().reports_topic, *parts)

        return _once(self._cache, "ticker", build)


_default = Services(utcnow, _built)


def build(clock: Clock) -> Services:
    """A separate set of stores and services on another clock (time travel in local runs and tests)."""
    return Services(clock, {})


# --- this instance's services, on the real clock --------------------------------------------------------------
def store() -> FirestoreStore:
    """Profiles, sessions, evidence, groups and the submission of reports."""
    return _default.store()


def cases() -> CaseStore:
    """Staff, transitions and delivery records."""
    return _default.cases()


def oversight_store() -> OversightStore:
    """Queries and writes of the oversight features."""
    return _default.oversight_store()


def submitter() -> Submitter:
    """Stores reports and publishes their events."""
    return _default.submitter()


def router() -> Router:
    """The webhook's one router."""
    return _default.router()


def fanout() -> FanOut:
    """The fan-out use case."""
    return _default.fanout()


def answers() -> Answers:
    """The webhook's own sends (what Telegram cannot take now goes to deliver)."""
    from functions.services.answers import Answers

    topic, track = settings().deliveries_topic, cases().track_message  # track: /case copies, for the purge
    return _once(_built, "answers", lambda: Answers(telegram(), store(), LazyPublisher(), topic, track))


def rollups() -> RollupStore:
    """The statistics roll-ups (counters per scope and period, and the per-case marks)."""
    from functions.adapters.firestore.rollups import RollupStore

    return _once(_built, "rollups", lambda: RollupStore(firestore_client(), utcnow))


def delivery() -> Delivery:
    """The delivery use case."""
    return _default.delivery()


def parking() -> Parking:
    """Dead-lettering after the configured attempts."""
    return _default.parking()


def ticker() -> Ticker:
    """The time-driven work."""
    return _default.ticker()


def timed(on_clock: Clock | None = None) -> TimedOversight:
    """The timed oversight (a fresh one on another clock, for time travel)."""
    return (build(on_clock) if on_clock is not None else _default).timed()
