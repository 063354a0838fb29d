"""The help-the-child track's part of the composition root: the card's child-track buttons, phone sharing.

Built by ``functions.bootstrap`` (which hands over the case store, access, sessions, publisher and clock).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.config import Settings

if TYPE_CHECKING:
    from functions.adapters.firestore.stores import CaseStore
    from functions.domain.case import Case
    from functions.domain.workflow import StaffMember
    from functions.services.access import Access
    from functions.services.case_actions import CaseActions
    from functions.services.child_help import ChildHelpActions
    from functions.services.phone_sharing import PhoneSharing
    from functions.services.sessions import Sessions


class ChildHelpWiring:
    """The child track's use cases for the webhook's router."""

    def __init__(
        self,
        cases: CaseStore,
        access: Access,
        sessions: Sessions,
        publisher: Any,
        config: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.cases = cases
        self.access = access
        self.sessions = sessions
        self.publisher = publisher
        self.config = config
        self.clock = clock

    def actions(self, transitions: CaseActions) -> ChildHelpActions:
        """The card's child-track buttons; a child outcome that closes both tracks resolves through transitions."""
        from functions.domain.workflow import Action
        from functions.services.child_help import ChildHelpActions

        def resolve(update_id: int, person: StaffMember, code: str, resolution: str) -> Case | str:
            # reporters heard the child outcome already: the transition only refreshes the cards
            return transitions.transition(update_id, person, code, Action.RESOLVE, resolution, notice="child_closed")

        topics = (self.config.reports_topic, self.config.deliveries_topic)
        return ChildHelpActions(self.cases, self.access, self.publisher, self.publisher, topics, self.clock, resolve)

    def phones(self) -> PhoneSharing:
        """A reporter sharing their phone number in a conversation."""
        from functions.services.phone_sharing import PhoneSharing

        return PhoneSharing(self.cases, self.sessions, self.publisher, self.config.deliveries_topic)
