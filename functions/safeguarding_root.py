"""The reporter-side store with the safeguarding settings: profile expiry and per-reporter limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from functions.config import Settings

if TYPE_CHECKING:
    from google.cloud import firestore

    from functions.adapters.firestore.stores import CaseStore, FirestoreStore
    from functions.services.access import Access
    from functions.services.case_actions import CaseActions
    from functions.services.router import StaffCommand
    from functions.services.submit import EventSink


def reporter_store(config: Settings, client: firestore.Client, clock: Callable[[], datetime]) -> FirestoreStore:
    """Profiles, sessions, evidence, groups and submissions, with the profile TTL and the reporter's limits."""
    from functions.adapters.firestore.stores import FirestoreStore
    from functions.domain.limits import ReportLimits

    ttl = timedelta(minutes=config.session_ttl_minutes)
    profile_ttl = timedelta(days=config.profile_retention_days)
    store = FirestoreStore(client, ttl, clock, profile_ttl)
    store.report_limits = ReportLimits(config.reporter_cases_per_hour, config.reporter_cases_per_day)
    return store


def case_actions(
    config: Settings,
    cases: CaseStore,
    store: FirestoreStore,
    access: Access,
    events: EventSink,
    clock: Callable[[], datetime],
) -> tuple[CaseActions, dict[str, StaffCommand]]:
    """The card's buttons with paced evidence and the reporter's mute; and their commands (/merge, /mute,
    /unmute)."""
    from functions.services.case_actions import CaseActions
    from functions.services.evidence import Evidence
    from functions.services.reporter_mute import COMMANDS, ReporterMute

    mute = ReporterMute(cases, store, access, clock)
    evidence = Evidence(cases, events, config.deliveries_topic)
    actions = CaseActions(cases, access, evidence, events, config.reports_topic, clock, mute)
    commands: dict[str, StaffCommand] = dict.fromkeys(COMMANDS, mute.command)
    commands["merge"] = actions.merge
    return actions, commands
