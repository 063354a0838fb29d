"""The takedown track's part of the composition root: its store, the checker run, the staff actions, the probe.

Built by ``functions.bootstrap`` (which hands over the shared client, publisher, clock and services); nothing
heavy is imported until first used, and the HTTP client only when tick checks links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.config import Settings
from functions.domain.workflow import Action, Role, StaffMember

if TYPE_CHECKING:
    from functions.adapters.firestore.stores import CaseStore
    from functions.adapters.firestore.takedowns import TakedownStore
    from functions.services.access import Access
    from functions.services.link_checks import LinkChecks, LinkTracking, Probe
    from functions.services.submit import EventSink
    from functions.services.takedown_actions import TakedownActions

# Who merges two cases when a short link shows they are one (audited as the system, not as a person).
SYSTEM: StaffMember = StaffMember(user_id=0, role=Role.ADMIN, name="Qorgau")


class TakedownWiring:
    """The takedown objects on one clock, each built once."""

    def __init__(
        self,
        config: Settings,
        client: Callable[[], Any],
        events: EventSink,
        clock: Callable[[], datetime],
        cases: Callable[[], CaseStore],
        access: Callable[[], Access],
    ) -> None:
        self.config = config
        self.client = client
        self.events = events
        self.clock = clock
        self.cases = cases
        self.access = access
        self._store: TakedownStore | None = None

    def store(self) -> TakedownStore:
        """The takedown records in Firestore."""
        if self._store is None:
            from functions.adapters.firestore.takedowns import TakedownStore

            self._store = TakedownStore(self.client(), self.clock)
        return self._store

    def tracking(self) -> LinkTracking:
        """Starts the track of a case's links (fan-out)."""
        from functions.services.link_checks import LinkTracking

        return LinkTracking(self.store())

    def links_of(self, code: str) -> Sequence[Any]:
        """The records a card shows."""
        return self.store().links_of(code)

    def probe(self) -> Probe:
        """The link checker adapter, configured from the environment, callable from synchronous code."""
        from functions.adapters.link_checker import DEFAULT_USER_AGENT, CheckerConfig, blocking_probe, static_resolver

        config = self.config
        checker = CheckerConfig(
            user_agent=config.link_check_user_agent or DEFAULT_USER_AGENT,
            api_base_url=config.platform_api_base_url,
            allow_private_networks=config.link_check_allow_private_networks,
            per_platform_concurrency=config.link_check_per_platform_concurrency,
            per_platform_interval_seconds=config.link_check_per_platform_interval_seconds,
        )
        resolver = static_resolver(config.link_check_static_address) if config.link_check_static_address else None
        return blocking_probe(checker, resolver)

    def link_checks(self, probe: Probe | None = None) -> LinkChecks:
        """One checker run's use case (tick); tests pass their own probe."""
        from functions.services.link_checks import LinkChecks

        return LinkChecks(
            self.store(),
            probe or self.probe(),
            self.merge,
            self.events,
            self.config.reports_topic,
            self.clock,
            self.config.link_check_batch,
        )

    def actions(self) -> TakedownActions:
        """The card's takedown buttons and /ref."""
        from functions.services.takedown_actions import TakedownActions

        return TakedownActions(self.store(), self.access(), self.events, self.config.reports_topic, self.clock)

    def merge(self, duplicate: str, main: str) -> bool:
        """Merge a later case into an earlier one as /merge does (rejected as a duplicate, reporters moved)."""
        from functions.services.case_actions import CaseActions
        from functions.services.evidence import Evidence

        store = self.cases()
        topic = self.config.reports_topic
        evidence = Evidence(store, self.events, self.config.deliveries_topic)
        actions = CaseActions(store, self.access(), evidence, self.events, topic, self.clock)
        done = actions.transition(
            0, SYSTEM, duplicate, Action.REJECT, "duplicate", extra={"merged_into": main}, notice="merged"
        )
        if isinstance(done, str):
            return False
        store.move_reporters(duplicate, main)
        return True
