"""Staff finding their work: /queue (and its buttons), /case, /find, /hold."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.codes import normalise_case_code
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import Outcome, Status
from functions.domain.sla import queue_order
from functions.domain.statistics import CLOSED_STATUSES, QUEUE_FIELDS
from functions.domain.time import KZ_TZ
from functions.domain.urls import canonical_url, content_key_for_url, extract_urls
from functions.domain.visibility import may_see_content
from functions.domain.workflow import Role, StaffMember, actions_for, may_see
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards, child_help_texts
from functions.services.access import Access
from functions.services.calls import Keyboard, answer, edit, send
from functions.services.conversation_texts import CONVERSATION_EVENTS, history_text, history_who
from functions.services.keyboards import button, markup
from functions.services.texts import chunks

log = get_logger("oversight")

COMMANDS: Final[tuple[str, ...]] = ("queue", "case", "find", "hold")
PAGE_SIZE: Final = 8
SLA_STEPS: Final = frozenset({"escalated", "reminded", "stale", "first_contact_reminded", "first_contact_missed"})
MAX_PAGES: Final = 200


class LookupStore(Protocol):
    """What finding cases needs from storage (OversightStore implements it)."""

    def all_staff(self) -> list[StaffMember]: ...
    def get_case(self, code: str) -> Case | None: ...
    def events_of(self, code: str) -> list[dict[str, Any]]: ...
    def case_of_content(self, key: str) -> str | None: ...
    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[CaseRow]: ...
    def set_legal_hold(self, code: str, on: bool, by: int, event_id: str) -> bool: ...
    def rewind_state(self, name: str, field_name: str, to: datetime) -> None: ...


class CaseLookup:
    """Staff see their work. Every request is authorised from the stored role."""

    def __init__(self, store: LookupStore, access: Access, clock: Callable[[], datetime], retention: timedelta) -> None:
        self.store = store
        self.access = access
        self.clock = clock
        self.retention = retention

    def command(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """Handle /queue, /case, /find, /hold (private chats only: the answers name cases)."""
        person = self.access.in_private(message, lang)
        if isinstance(person, Outcome):
            return person
        if name == "queue":
            return self.queue(person, message.chat_id, 0, None)
        if name in {"case", "find"}:
            return self.find(person, message.chat_id, arg, usage=f"{name}_usage")
        if name == "hold":
            return self.hold(message.update_id, person, message.chat_id, arg)
        return None

    def button(self, press: IncomingCallback, lang: str) -> Outcome:
        """A press on a queue button: turn the page, or open a case."""
        person = self.access.pressing_in_private(press, lang)
        if isinstance(person, Outcome):
            return person
        if press.chat_id is None or not callbacks.queue_shape_ok(press.data):
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_no_access"), alert=True))
        pressed = callbacks.parse_queue(press.data)
        if pressed is not None and pressed.page is not None:
            outcome = self.queue(person, press.chat_id, pressed.page, press.message_id)
            return Outcome(direct=outcome.direct, body=answer(press.callback_id))
        if pressed is not None and pressed.code is not None:
            outcome = self.find(person, press.chat_id, pressed.code, usage="case_usage")
            opened = [*outcome.direct, *([outcome.body] if outcome.body else [])]
            return Outcome(direct=opened, body=answer(press.callback_id))
        return Outcome(body=answer(press.callback_id, t(person.lang, "stale_button")))

    # --- /queue -------------------------------------------------------------------------------------------
    def queue(self, person: StaffMember, chat_id: int, page: int, message_id: int | None) -> Outcome:
        """The open cases this person may act on, urgent first then oldest, one page (a new message or an edit)."""
        lang = person.lang
        regions = tuple(person.regions) if person.role == Role.REGIONAL else None
        rows = self.store.open_cases(regions, QUEUE_FIELDS)
        mine = [r for r in rows if may_see(person, r.category, r.region) and actions_for(person, r.view())]
        mine.sort(key=queue_order)
        if not mine:
            text, keyboard = t(lang, "queue_empty"), None
        else:
            pages = min(MAX_PAGES, math.ceil(len(mine) / PAGE_SIZE))
            page = max(0, min(page, pages - 1))
            shown = mine[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            now = self.clock()
            lines = [t(lang, "queue_header", total=len(mine), page=page + 1, pages=pages)]
            lines += [self._queue_line(lang, r, now) for r in shown]
            text = "\n".join(lines)[:4096]
            keyboard = self._queue_keyboard(shown, page, pages)
        if message_id is not None:
            return Outcome(direct=[edit(chat_id, message_id, text, keyboard)])
        return Outcome(body=send(chat_id, text, keyboard, protect=True))

    @staticmethod
    def _queue_line(lang: str, case: CaseRow, now: datetime) -> str:
        line = t(
            lang,
            "queue_line",
            icon=cards.SEVERITY_ICON.get(case.severity, ""),
            code=case.code,
            category=t(lang, f"cat_{case.category}"),
            region=t(lang, f"region_{case.region}") if case.region else "—",
            age=cards.age_text(lang, case.created_at, now),
            status=t(lang, f"status_{case.status.value}"),
        )
        return f"⏰ {line}" if case.sla_escalated_at and case.status == Status.NEW else line

    @staticmethod
    def _queue_keyboard(shown: list[CaseRow], page: int, pages: int) -> Keyboard:
        icons = cards.SEVERITY_ICON
        opens = [button(f"{icons.get(r.severity, '')} {r.code}", callbacks.queue_case(r.code)) for r in shown]
        rows = [opens[i : i + 2] for i in range(0, len(opens), 2)]
        nav = []
        if page > 0:
            nav.append(button(f"◀ {page}", callbacks.queue_page(page - 1)))
        if page + 1 < pages:
            nav.append(button(f"{page + 2} ▶", callbacks.queue_page(page + 1)))
        if nav:
            rows.append(nav)
        return markup(rows)

    # --- /case, /find -------------------------------------------------------------------------------------
    def find(self, person: StaffMember, chat_id: int, arg: str, usage: str) -> Outcome:
        """A case by its code, or by a link to its content; with the card and the whole history."""
        lang = person.lang
        text = arg.strip()
        if not text:
            return Outcome(body=send(chat_id, t(lang, usage)))
        code = normalise_case_code(text)
        # "Not yours" and "not there" get one answer: an answer that differs would tell that a case exists.
        absent = "case_not_found"
        if code is None and usage == "find_usage":
            links = extract_urls(text) or [u for u in [canonical_url(text)] if u]
            found = self.store.case_of_content(content_key_for_url(links[0])) if links else None
            absent = "find_none"
            if found is None:
                return Outcome(body=send(chat_id, t(lang, absent)))
            code = found
        if code is None:
            return Outcome(body=send(chat_id, t(lang, usage)))
        report = self.store.get_case(code)
        if report is None or not may_see(person, report.category, report.region):
            return Outcome(body=send(chat_id, t(lang, absent)))
        names = {p.user_id: p.name for p in self.store.all_staff()}
        assignee = report.assignee
        owner = (names.get(assignee) or str(assignee)) if assignee is not None else None
        extra = [t(lang, "case_legal_hold")] if report.legal_hold else []
        extra += [t(lang, "case_purged")] if report.purged_at else []
        card_text, entities, keyboard = cards.card_message(report, person, self.clock(), owner, extra=extra)
        content = may_see_content(person, report.category, report.region)
        privileged = person.role == Role.ADMIN or report.assignee == person.user_id  # a shared phone number
        history = [t(lang, "history_header")]
        history += [self._history_line(lang, event, names, content, privileged) for event in self.store.events_of(code)]
        calls = [send(chat_id, part, protect=True) for part in chunks(history)]
        markup_ = keyboard if keyboard["inline_keyboard"] else None
        card = send(chat_id, card_text, markup_, entities=entities, protect=True)
        log.info("case opened", extra={"report_id": code, "by": person.user_id})
        # Sent directly, not in the webhook's answer: each copy's message is recorded for the retention purge.
        return Outcome(direct=[call.model_copy(update={"carries": code}) for call in (*calls, card)])

    @staticmethod
    def _history_line(
        lang: str, event: dict[str, Any], names: dict[int, str], content: bool = True, privileged: bool = False
    ) -> str:
        at = event.get("at")
        when = at.astimezone(KZ_TZ).strftime("%d.%m.%Y %H:%M") if isinstance(at, datetime) else "—"
        by = event.get("by")
        who = (names.get(by) or str(by)) if isinstance(by, int) else t(lang, "who_system")
        kind = str(event.get("type") or "")
        action = str(event.get("action") or "")
        note = event.get("note")
        if kind == "created":
            what = t(lang, "hist_created", source=t(lang, f"source_{note if note == 'group' else 'private'}"))
        elif kind == "transition":
            what = t(lang, "hist_transition", status=t(lang, f"status_{event.get('to', 'new')}"))
            prefix = {"escalate": "esc", "resolve": "res", "reject": "rej"}.get(action)
            if prefix and note:
                what += f" ({t(lang, f'{prefix}_{note}')})"
        elif kind == "note" and not content:
            what = t(lang, "hist_note_hidden")  # a note may describe restricted material
        elif kind == "note":
            what = (
                t(lang, "hist_note", text=str(event["text"])[:500])
                if event.get("text")
                else t(lang, "hist_note_purged")
            )
        elif kind == "recategorised":
            old, new = (t(lang, f"cat_{event.get(k) or 'other'}") for k in ("from", "to"))
            what = t(lang, "hist_recategorised", old=old, new=new)
        elif kind == "raised":
            category = t(lang, f"cat_{event.get('category') or 'other'}")
            what = t(lang, "hist_raised", category=category, severity=t(lang, f"severity_{event.get('severity')}"))
        elif kind in CONVERSATION_EVENTS:
            what = history_text(lang, event)
            who = history_who(lang, event) or who
        elif kind == "child_help":
            what = child_help_texts.history_text(lang, event)
        elif kind == "phone":
            what = child_help_texts.phone_history(lang, event, privileged)
            who = history_who(lang, event | {"type": "message"}) or who
        elif kind == "released":
            what = t(lang, "hist_released")
        elif kind == "evidence_view":
            what = t(lang, "hist_evidence_view")
        elif kind == "sla" and action in SLA_STEPS:
            what = t(lang, f"hist_sla_{action}")
        elif kind == "legal_hold":
            what = t(lang, "hist_hold_on" if action == "on" else "hist_hold_off")
        elif kind == "purged":
            what = t(lang, "hist_purged")
        else:
            what = kind.replace("_", " ") or "—"
        return t(lang, "history_line", time=when, who=who, what=what)

    # --- /hold ----------------------------------------------------------------------------------------------
    def hold(self, update_id: int, person: StaffMember, chat_id: int, arg: str) -> Outcome:
        """Admins put a case under legal hold (kept past retention) or release it."""
        lang = person.lang
        if person.role != Role.ADMIN:
            return Outcome(body=send(chat_id, t(lang, "admins_only")))
        parts = arg.split()
        code = normalise_case_code(parts[0]) if parts else None
        if code is None or len(parts) != 2 or parts[1].lower() not in {"on", "off"}:
            return Outcome(body=send(chat_id, t(lang, "hold_usage")))
        on = parts[1].lower() == "on"
        report = self.store.get_case(code)
        if report is None or not self.store.set_legal_hold(code, on, person.user_id, f"hold-{update_id}"):
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))
        log.info("legal hold", extra={"report_id": code, "on": on, "by": person.user_id})
        if on:
            key = "hold_on_purged" if report.purged_at else "hold_on"
            return Outcome(body=send(chat_id, t(lang, key, code=code)))
        closed_at = report.closed_at
        expired = (
            report.status.value in CLOSED_STATUSES
            and not report.purged_at
            and closed_at is not None
            and closed_at < self.clock() - self.retention
        )
        if expired and closed_at is not None:
            self.store.rewind_state("sla", "purge_through", closed_at)  # tick's next sweep purges it
            return Outcome(body=send(chat_id, t(lang, "hold_off_expired", code=code)))
        return Outcome(body=send(chat_id, t(lang, "hold_off", code=code)))
