"""The console's queue: the cases a person may see, urgent first then oldest, paged by cursor; its actions.

The page is a Firestore query that starts after the last case shown (no offsets): first the urgent cases, then
the rest. Who may see a row is domain.workflow.may_see, what they may do is actions_for, and a transition is
CaseActions.transition, the very code the card's buttons run (the same precondition write: of two people
taking one case, one wins, whichever screen they pressed on).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from functions.domain.case_rows import CaseRow
from functions.domain.child_help import Need
from functions.domain.codes import normalise_case_code
from functions.domain.console import (
    PAGE_SIZE,
    ApiError,
    Cursor,
    QueueFilter,
    QueueQuery,
    age_bucket,
    age_range,
    encode_cursor,
)
from functions.domain.escalation import is_restricted
from functions.domain.statistics import QUEUE_FIELDS
from functions.domain.workflow import ARGUMENTS, Action, CaseView, Role, StaffMember, actions_for, may_see
from functions.log import get_logger
from functions.services.case_actions import CaseActions

log = get_logger("console")

FIELDS: Final = (*QUEUE_FIELDS, "content_state", "contact_pending", "child_help")  # a row and its tracks' states
MAX_FETCHES: Final = 6  # reads of one page at most (rows this person may not see are skipped)
ACTION_NAMES: Final = {action.value: action for action in Action}


class QueueStore(Protocol):
    """The queue's query (ConsoleStore implements it)."""

    def queue_rows(self, query: QueueQuery, phase: int, after: Cursor | None, limit: int) -> list[CaseRow]: ...


def actions_offered(person: StaffMember, case: CaseView) -> list[dict[str, Any]]:
    """The actions this person may take on the case now, with the arguments each takes."""
    return [
        {"action": action.value, "arguments": list(ARGUMENTS.get(action, ()))} for action in actions_for(person, case)
    ]


def request_number(person: StaffMember, request_id: str) -> int:
    """A stable number for a console request (the audit's update id; a re-sent request gets the same one)."""
    digest = hashlib.sha256(f"console:{person.user_id}:{request_id}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


class ConsoleQueue:
    """The queue and its transitions, authorised from the stored staff record."""

    def __init__(self, store: QueueStore, actions: CaseActions, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.actions = actions
        self.clock = clock

    def scope(self, person: StaffMember, region: str | None) -> tuple[str, ...] | None:
        """The regions the query is limited to (None: all); ApiError for a region not theirs."""
        if person.role == Role.REGIONAL:
            if region is not None and region not in person.regions:
                raise ApiError(403, "region out of scope")
            return (region,) if region else tuple(person.regions)
        return (region,) if region else None

    def page(self, person: StaffMember, wanted: QueueFilter, cursor: Cursor | None) -> dict[str, Any]:
        """One page of the queue and the cursor of the next (None at the end)."""
        regions = self.scope(person, wanted.region)
        now = self.clock()
        since, before = age_range(wanted.age, now)
        query = QueueQuery(wanted, regions, person.user_id, since, before, FIELDS)
        phases = [0, 1] if wanted.severity is None else [0 if wanted.severity == "urgent" else 1]
        if cursor is not None:
            phases = [p for p in phases if p >= cursor.phase]
        shown: list[dict[str, Any]] = []
        last: Cursor | None = None
        reads = 0
        for phase in phases:
            after = cursor if cursor is not None and cursor.phase == phase else None
            while len(shown) < PAGE_SIZE and reads < MAX_FETCHES:
                rows = self.store.queue_rows(query, phase, after, PAGE_SIZE)
                reads += 1
                for case in rows:
                    created = case.created_at
                    if created is None:
                        continue
                    after = Cursor(phase, created, case.code)
                    if may_see(person, case.category, case.region):
                        shown.append(self._row(person, case, now))
                        last = after
                        if len(shown) == PAGE_SIZE:
                            break
                if len(rows) < PAGE_SIZE:
                    break
            if len(shown) == PAGE_SIZE or reads >= MAX_FETCHES:
                break
        full = len(shown) == PAGE_SIZE or reads >= MAX_FETCHES
        next_cursor = last if full and last is not None else (after if reads >= MAX_FETCHES else None)
        log.info("console queue", extra={"by": person.user_id, "rows": len(shown), "reads": reads})
        return {
            "cases": shown,
            "next": encode_cursor(next_cursor) if next_cursor is not None else None,
        }

    @staticmethod
    def _row(person: StaffMember, case: CaseRow, now: datetime) -> dict[str, Any]:
        created = case.created_at
        return {
            "code": case.code,
            "status": case.status.value,
            "severity": case.severity,
            "category": case.category,
            "region": case.region,
            "created_at": created.isoformat() if created else None,
            "age": age_bucket(created, now),
            "mine": case.assignee == person.user_id,
            "assigned": case.assignee is not None,
            "sla_escalated": bool(case.sla_escalated_at) and case.status.value == "new",
            "restricted": is_restricted(case.category),
            "content": case.content_state,
            "child_help_needed": case.child_help is not None and case.child_help.need == Need.NEEDED,
            "contact_pending": case.contact_pending and case.first_contact_at is None,
            "actions": actions_offered(person, case.view()),
        }

    def act(self, person: StaffMember, raw_code: str, body: dict[str, Any]) -> dict[str, Any]:
        """A transition from the console: the case as it is now, or ApiError (409 with the bot's own words)."""
        code = normalise_case_code(raw_code)
        action = ACTION_NAMES.get(str(body.get("action", "")))
        argument = body.get("argument", "")
        request_id = body.get("request_id", "")
        if code is None:
            raise ApiError(404, "case not found")
        if action is None or not isinstance(argument, str) or len(argument) > 40:
            raise ApiError(400, "unknown action or argument")
        if not isinstance(request_id, str) or not 8 <= len(request_id) <= 64:
            raise ApiError(400, "request_id must be 8 to 64 characters")
        found = self.actions.store.read_case(code)
        if found is None or not may_see(person, found[0].category, found[0].region):
            raise ApiError(404, "case not found")  # "not yours" and "not there" answer alike
        done = self.actions.transition(request_number(person, request_id), person, code, action, argument)
        if isinstance(done, str):
            raise ApiError(409, done)
        log.info("console action", extra={"report_id": code, "action": action.value, "by": person.user_id})
        return {"code": code, "status": done.status.value, "actions": actions_offered(person, done.view())}
