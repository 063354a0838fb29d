"""The staff console's part of the composition root: its sessions, queue, case file and dashboard.

Built from bootstrap's services (the same Access, CaseActions, Evidence and Statistics the bot uses), once per
instance; nothing is imported until the first console request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from functions import bootstrap

if TYPE_CHECKING:
    from functions.services.console_case import ConsoleCaseFile
    from functions.services.console_dashboard import ConsoleDashboard
    from functions.services.console_queue import ConsoleQueue
    from functions.services.console_session import ConsoleSessions


@dataclass(frozen=True)
class ConsoleApp:
    """The console's use cases."""

    sessions: ConsoleSessions
    queue: ConsoleQueue
    case_file: ConsoleCaseFile
    dashboard: ConsoleDashboard


def _build() -> ConsoleApp:
    from functions import topology
    from functions.adapters.firestore.console import ConsoleStore
    from functions.adapters.telegram.init_data import InitDataChecker
    from functions.domain.console import session_key
    from functions.services.case_actions import CaseActions
    from functions.services.console_case import ConsoleCaseFile
    from functions.services.console_dashboard import ConsoleDashboard
    from functions.services.console_queue import ConsoleQueue
    from functions.services.console_session import ConsoleSessions
    from functions.services.evidence import Evidence
    from functions.services.stats import Statistics

    topology.check_secret("telegram_bot_token")
    config = bootstrap.settings()
    token = config.telegram_bot_token
    if not token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    services = bootstrap._default
    clock = services.clock
    cases, access, oversight = services.cases(), services.access(), services.oversight_store()
    store = ConsoleStore(bootstrap.firestore_client())
    max_age = timedelta(seconds=config.console_init_data_max_age_seconds)
    sessions = ConsoleSessions(
        InitDataChecker(token, max_age),
        store,
        access,
        session_key(token),
        clock,
        max_age,
        timedelta(minutes=config.console_session_minutes),
    )
    evidence = Evidence(cases, bootstrap.LazyPublisher(), config.deliveries_topic)  # pages go through deliver
    actions = CaseActions(cases, access, evidence, bootstrap.LazyPublisher(), config.reports_topic, clock)
    takedowns = services.takedown().store()
    statistics = Statistics(
        oversight, access, clock, bootstrap.rollups(), config.exports_per_hour, takedowns.links_since
    )
    return ConsoleApp(
        sessions=sessions,
        queue=ConsoleQueue(store, actions, clock),
        case_file=ConsoleCaseFile(oversight, takedowns.links_of, evidence, bootstrap.telegram, clock),
        dashboard=ConsoleDashboard(statistics),
    )


def console() -> ConsoleApp:
    """This instance's console use cases, built on first use."""
    return bootstrap._once(bootstrap._built, "console", _build)
