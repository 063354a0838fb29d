"""The reporter's side of the router, composed for bootstrap: the profile (language first, /my), the report flow,
and what a reporter does to a case of their own (add to it, describe it later, withdraw it).

Built by ``functions.bootstrap``, which hands over the stores, the child flow (its sessions and submitter), the
staff's language hook and the staff's case actions (whose event sink and topic a reporter's changes share).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from functions.domain.models import BotCall

if TYPE_CHECKING:
    from functions.adapters.firestore.stores import CaseStore, FirestoreStore
    from functions.services.case_actions import CaseActions
    from functions.services.child_flow import ChildFlow
    from functions.services.profile import Profiles
    from functions.services.report_flow import ReportFlow


def reporter_side(
    store: FirestoreStore,
    cases: CaseStore,
    children: ChildFlow,
    staff_lang: Callable[[int, str], list[BotCall]],
    actions: CaseActions,
    clock: Callable[[], datetime],
) -> tuple[Profiles, ReportFlow]:
    """Profiles and the report flow, sharing the reporter's own cases."""
    from functions.services.profile import Profiles
    from functions.services.report_flow import ReportFlow
    from functions.services.reporter_cases import ReporterCases

    sessions = children.sessions
    mine = ReporterCases(cases, store, actions.events, actions.reports_topic, clock)
    profiles = Profiles(store, sessions, staff_lang, children, mine)
    return profiles, ReportFlow(store, sessions, children.submitter, children, mine)
