"""The console's case file: the facts, the content track, the conversation, notes, the audit, the actions.

No media is ever put in the page (it cannot be protected there): evidence is sent to the person's own chat by
the bot with protect_content, by services.evidence (audited, as the card's button). A restricted case shows
only that it exists and its status, except to child_safety staff; its links and media never reach the page,
even for them (they ask for them in their chat, behind the bot's warning).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from functions.domain.case import Case
from functions.domain.codes import normalise_case_code
from functions.domain.console import ApiError
from functions.domain.escalation import is_restricted
from functions.domain.incoming import IncomingCallback, Sender
from functions.domain.models import BotCall
from functions.domain.takedown import Takedown
from functions.domain.visibility import may_see_content
from functions.domain.workflow import Role, StaffMember, may_see
from functions.log import get_logger
from functions.services.case_lookup import CaseLookup
from functions.services.console_queue import actions_offered, request_number
from functions.services.conversation_texts import CONVERSATION_EVENTS
from functions.services.evidence import Evidence
from functions.services.evidence_pages import page_count

log = get_logger("console")


class CaseFileStore(Protocol):
    """What the case file reads (OversightStore implements it)."""

    def get_case(self, code: str) -> Case | None: ...
    def events_of(self, code: str) -> list[dict[str, Any]]: ...
    def all_staff(self) -> list[StaffMember]: ...


class BotCalls(Protocol):
    """Makes Bot API calls (TelegramGateway implements it)."""

    def call(self, call: BotCall) -> Any: ...


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class ConsoleCaseFile:
    """One case on one screen, authorised from the stored staff record."""

    def __init__(
        self,
        store: CaseFileStore,
        links: Callable[[str], Sequence[Takedown]],
        evidence: Evidence,
        bot: Callable[[], BotCalls],
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.links = links
        self.evidence = evidence
        self.bot = bot
        self.clock = clock

    def _visible(self, person: StaffMember, raw_code: str) -> Case:
        code = normalise_case_code(raw_code)
        case = self.store.get_case(code) if code else None
        if case is None or not may_see(person, case.category, case.region):
            raise ApiError(404, "case not found")  # "not yours" and "not there" answer alike
        return case

    def case_file(self, person: StaffMember, raw_code: str) -> dict[str, Any]:
        """Everything about one case this person may be shown."""
        case = self._visible(person, raw_code)
        lang = person.lang
        base = {
            "code": case.code,
            "status": case.status.value,
            "created_at": _iso(case.created_at),
            "restricted": is_restricted(case.category),
        }
        if is_restricted(case.category) and person.role != Role.CHILD_SAFETY:
            log.info("console case opened (status only)", extra={"report_id": case.code, "by": person.user_id})
            return base | {"status_only": True}
        names = {p.user_id: p.name for p in self.store.all_staff()}
        content = may_see_content(person, case.category, case.region)
        history, conversation, notes = [], [], []
        for event in self.store.events_of(case.code):
            at = event.get("at")
            line = {
                "at": _iso(at) if isinstance(at, datetime) else None,
                "kind": str(event.get("type") or ""),
                "text": CaseLookup._history_line(lang, event, names, content),
            }
            history.append(line)
            if line["kind"] in CONVERSATION_EVENTS:
                conversation.append(line)
            elif line["kind"] == "note":
                notes.append(line)
        links: list[dict[str, Any]] = [
            {
                "url": record.url if not is_restricted(case.category) else None,
                "platform": record.platform,
                "state": record.state.value,
                "removed_at": _iso(record.removed_at),
                "reported": bool(record.reported_at),
            }
            for record in self.links(case.code)
        ]
        owner = (names.get(case.assignee) or str(case.assignee)) if case.assignee is not None else None
        log.info("console case opened", extra={"report_id": case.code, "by": person.user_id})
        return base | {
            "status_only": False,
            "facts": {
                "category": case.category,
                "severity": case.severity,
                "region": case.region,
                "source": case.source,
                "reporter_count": case.reporter_count,
                "reporter_role": case.reporter_role,
                "child_in_danger": case.child_in_danger,
                "owner": owner,
                "mine": case.assignee == person.user_id,
                "taken_at": _iso(case.taken_at),
                "escalated_to": case.escalated_to,
                "outcome": case.outcome,
                "closed_at": _iso(case.closed_at),
                "legal_hold": case.legal_hold,
                "description": case.description if not is_restricted(case.category) else None,
                "media_count": len(case.media) + case.added_media,
            },
            "child_track": {
                "requested": case.child_request,
                "first_contact_at": _iso(case.first_contact_at),
                "pending": case.child_request and case.first_contact_at is None,
            },
            "links": links,
            "conversation": conversation,
            "notes": notes,
            "history": history,
            "actions": actions_offered(person, case.view()),
            "evidence": content,
        }

    def send_evidence(self, person: StaffMember, raw_code: str, body: dict[str, Any]) -> dict[str, Any]:
        """The case's links and media sent to the person's own chat by the bot (protected, audited)."""
        case = self._visible(person, raw_code)
        request_id = body.get("request_id", "")
        if not isinstance(request_id, str) or not 8 <= len(request_id) <= 64:
            raise ApiError(400, "request_id must be 8 to 64 characters")
        if not may_see_content(person, case.category, case.region):
            raise ApiError(403, "evidence of this case is not for you")
        press = IncomingCallback(
            update_id=request_number(person, f"evidence:{request_id}"),
            callback_id="console",
            sender=Sender(user_id=person.user_id),
            data="",
        )  # no card: the page asked for the confirmation itself
        outcome = self.evidence.show(press, person, case, person.lang, confirmed=True)
        calls = [call for call in outcome.direct if call.params.get("chat_id") == person.user_id]
        bot = self.bot() if calls else None
        for call in calls:
            if bot is not None:
                bot.call(call)
        log.info("console evidence sent", extra={"report_id": case.code, "by": person.user_id, "calls": len(calls)})
        return {"sent": len(calls), "queued": page_count(case)}  # the pages go out through deliver, paced
