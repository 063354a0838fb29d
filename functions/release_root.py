"""Releasing a revoked person's open cases, composed for bootstrap: /revoke's first page and tick's rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from functions.config import Settings

if TYPE_CHECKING:
    from functions.adapters.firestore.stores import CaseStore
    from functions.services.release import Releases
    from functions.services.submit import EventSink


def releases(cases: CaseStore, events: EventSink, config: Settings, clock: Callable[[], datetime]) -> Releases:
    """The release use case on the case store, publishing case events and the admin's final message."""
    from functions.services.release import Releases

    return Releases(cases, events, config.reports_topic, config.deliveries_topic, clock)
