"""The private report flow: category, danger now?, region, evidence, description, confirm, stored."""

from __future__ import annotations

from typing import Final, Protocol

from functions.domain.categories import Category, parse_category, severity_for
from functions.domain.incoming import IncomingCallback
from functions.domain.limits import MAX_ITEMS_PER_REPORT
from functions.domain.models import OPEN_STATUSES, EvidenceItem, MyReport, Outcome, ReportDraft, Session, SubmitResult
from functions.domain.regions import is_region
from functions.domain.typed_text import typed_note
from functions.errors import TransientError
from functions.i18n import t
from functions.services import keyboards as kb
from functions.services.calls import answer, delete_messages, edit, send
from functions.services.child_flow import ChildFlow
from functions.services.flood import limited_outcome
from functions.services.reporter_cases import ReporterCases
from functions.services.sessions import Context, Sessions
from functions.services.submit import Submitter, merge_items

MAX_DESCRIPTION: Final = 1000
UNKNOWN_REGION: Final = "none"  # the "don't know" button's value; the region is stored as "" (routed nationally)
SEXUAL: Final = Category.SEXUAL.value
LATER: Final = "later_description"  # a description written later for a case of /my
OPEN: Final = frozenset(status.value for status in OPEN_STATUSES)
# The summary's buttons: what each one opens again (back: the danger question, then on as before).
SUMMARY_EDITS: Final = {"desc": "description", "region": "region", "more": "evidence", "back": "danger"}


class ReportStore(Protocol):
    """What the report flow needs from storage (FirestoreStore implements it)."""

    def get_session(self, sid: str) -> Session | None: ...
    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None: ...
    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]: ...
    def count_items(self, sid: str, flow_id: str) -> int: ...
    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int: ...
    def my_reports(self, user_id: int, limit: int = 10) -> list[MyReport]: ...


class ReportFlow:
    """A reporter's guided report in a private chat; a child is taken to the child flow instead."""

    def __init__(
        self,
        store: ReportStore,
        sessions: Sessions,
        submitter: Submitter,
        children: ChildFlow,
        mine: ReporterCases | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.submitter = submitter
        self.children = children
        self.mine = mine  # a reporter's own open case: "add to it, or a new report?"; a description written later

    def start(self, ctx: Context, first: EvidenceItem | None, note: str | None = None) -> Outcome:
        """/report, or a first link or media (acknowledged at once; the words typed with it are the description)."""
        profile = ctx.profile
        if profile is not None and profile.is_child:
            return self.children.start(ctx, profile, first)
        earlier = self.active(ctx)
        session = self.sessions.new(ctx, "report", "category")
        text = t(ctx.lang, "ask_category")
        if first is None and earlier is not None and earlier.step != LATER:  # /report half-way: begin again,
            kept = self.store.list_items(ctx.sid, earlier.flow_id)  # keeping what was sent (never lost)
            for item in kept:
                self.store.add_item(ctx.sid, session.flow_id, item)
            session.description = earlier.description
            if kept:
                text = t(ctx.lang, "flow_restarted_kept", count=len(kept)) + "\n\n" + text
        if first is not None:
            self.store.add_item(ctx.sid, session.flow_id, first)
            session.description = note
            session.report_code = self._open_case_of(ctx.user_id)
            ack = t(ctx.lang, "received_ack") + ("\n" + t(ctx.lang, "note_kept") if note else "")
            if session.report_code is not None:  # more about the same thing, or something new?
                text = t(ctx.lang, "add_or_new", code=session.report_code)
            text = ack + "\n\n" + text
        keyboard = kb.categories(ctx.lang, session.flow_id, add_to=session.report_code)
        return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, text, keyboard)))

    def _open_case_of(self, user_id: int) -> str | None:
        """The reporter's latest open case, if any (only when cases can be added to)."""
        if self.mine is None:
            return None
        return next((r.code for r in self.store.my_reports(user_id, 5) if r.status in OPEN), None)

    def _add_to_case(self, ctx: Context, session: Session, press: IncomingCallback, code: str) -> Outcome:
        """ "Add to case R…": the flow's links and media go to the reporter's open case (audited, cards refreshed)."""
        lang = session.lang
        if self.mine is None or code != session.report_code:
            return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
        items = self.store.list_items(ctx.sid, session.flow_id)
        added = self.mine.add(code, items, ctx.update_id)
        if added == "full":  # the case holds as many items as a report may: told kindly, nothing changed
            return Outcome(
                body=answer(press.callback_id, t(lang, "evidence_limit", max=MAX_ITEMS_PER_REPORT), alert=True)
            )
        if added == "not_open":  # closed meanwhile: a new report, then
            session.report_code = None
            edited = edit(ctx.chat_id, press.message_id, t(lang, "add_closed", code=code), *self.question(session)[1:])
            return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))
        session.step = "done"
        calls = [edit(ctx.chat_id, press.message_id, t(lang, "added_to_case", code=code))]
        cleanup = ctx.profile.cleanup if ctx.profile is not None else True
        media = [item.message_id for item in items if item.media] if cleanup else []
        if media:
            calls.append(delete_messages(ctx.chat_id, media))
        return self.sessions.save(ctx, session, Outcome(direct=calls, body=answer(press.callback_id)))

    def later_description(self, ctx: Context, session: Session, text: str) -> Outcome:
        """The description a reporter writes later for a case of theirs (asked from /my)."""
        if len(text) > MAX_DESCRIPTION:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "text_too_long", length=len(text), max=MAX_DESCRIPTION)))
        code = str(session.report_code)
        done = self.mine.describe(code, text.strip(), ctx.update_id) if self.mine is not None else "not_open"
        session.step = "done"
        reply = t(ctx.lang, "described_later" if done == "done" else "withdraw_not_open", code=code)
        return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, reply)))

    def cancel(self, ctx: Context) -> Outcome:
        """/cancel: the flow in progress ends."""
        session = ctx.session
        if session is None or session.step in {"done", "cancelled"}:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "nothing_to_cancel")))
        session.step = "cancelled"
        key = "child_no_thanks" if session.kind == "child" else "cancelled"  # a child: kind words, the helplines
        return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, t(ctx.lang, key))))

    def cancel_button(self, ctx: Context, session: Session, press: IncomingCallback) -> Outcome:
        """The Cancel button of any flow."""
        session.step = "cancelled"
        edited = edit(ctx.chat_id, press.message_id, t(session.lang, "cancelled"))
        return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))

    @staticmethod
    def active(ctx: Context) -> Session | None:
        """The report flow in progress, if any."""
        session = ctx.session
        if session is not None and session.kind == "report" and session.step not in {"done", "cancelled"}:
            return session
        return None

    def content(self, ctx: Context, item: EvidenceItem, typed: str | None = None) -> Outcome:
        """Links or media sent in the private chat: evidence of the flow in progress, or a new report."""
        child = ctx.session if ctx.session is not None and ctx.session.kind == "child" else None
        if child is not None and child.step == "child_offer":
            return self.children.collect(ctx, child, item)
        session = self.active(ctx)
        if session is not None and session.step == LATER:  # a link instead of the description: a new report
            session = None
        note = typed_note(typed, MAX_DESCRIPTION)
        if item.media_group_id is not None:
            owner = self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id)
            if owner != ctx.update_id:
                # A later part of an album: keep it with the flow the first part opened, say nothing.
                flow = session or self.store.get_session(ctx.sid)
                if flow is None or flow.step in {"done", "cancelled"}:
                    raise TransientError("album part arrived before its flow was stored")
                if self.store.count_items(ctx.sid, flow.flow_id) < MAX_ITEMS_PER_REPORT:
                    self.store.add_item(ctx.sid, flow.flow_id, item)
                return Outcome()
        if session is None:
            return self.start(ctx, item, note)
        count = self.store.count_items(ctx.sid, session.flow_id)  # a count, not a read of every earlier item
        described = False
        if count >= MAX_ITEMS_PER_REPORT:
            text = t(ctx.lang, "evidence_limit", max=MAX_ITEMS_PER_REPORT)
        else:
            self.store.add_item(ctx.sid, session.flow_id, item)
            count += 1
            described = bool(note) and not session.description
            if described:
                session.description = note
            # an album's first part: the rest is on its way, so no count yet (it would be short)
            album = item.media_group_id is not None
            text = t(ctx.lang, "album_added") if album else t(ctx.lang, "evidence_added", count=count)
            if item.media and session.category == SEXUAL:  # kept as file_id only; asked for no more
                text = t(ctx.lang, "sexual_media_arrived") + "\n" + text
        keyboard = None
        if session.step in {"evidence", "confirm"}:  # the question stays answerable under the new count
            question, keyboard = self.question(session)
            if item.media_group_id is None:  # (an album's count is shown once it is whole: its buttons only)
                text += "\n\n" + question
        outcome = Outcome(body=send(ctx.chat_id, text, keyboard))
        # the session is written only when it changed: a press racing this message keeps its step
        return self.sessions.save(ctx, session, outcome) if described else outcome

    def text(self, ctx: Context, text: str, *, forwarded: bool = False) -> Outcome:
        """Plain text: the description when asked for, else kept as the description with the question again (a
        forwarded text is someone else's words: only the question again)."""
        session = self.active(ctx)
        if session is None:
            waiting = self.children.waiting(ctx)  # a child's words while the offer stands: its buttons again
            if waiting is not None:
                return waiting
            child = ctx.profile is not None and ctx.profile.is_child
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_free_text" if child else "fallback_hint")))
        if session.step == LATER:
            return self.later_description(ctx, session, text)
        if session.step == "description":
            if len(text) > MAX_DESCRIPTION:
                return Outcome(
                    body=send(ctx.chat_id, t(ctx.lang, "text_too_long", length=len(text), max=MAX_DESCRIPTION))
                )
            session.description = text.strip()
            session.step = "confirm"
            body = send(ctx.chat_id, *self.question(session))
            return self.sessions.save(ctx, session, Outcome(body=body))
        if forwarded:
            question, keyboard = self.question(session)
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "choose_button") + "\n\n" + question, keyboard))
        return self._typed_at_a_button(ctx, session, text)

    def _typed_at_a_button(self, ctx: Context, session: Session, text: str) -> Outcome:
        """Words typed where a press is expected: kept as (or added to) the description, then the press asked for
        with the question's own buttons; too long, and nothing changes."""
        lang, words = session.lang, text.strip()
        joined = f"{session.description}\n{words}" if session.description else words
        if len(joined) > MAX_DESCRIPTION:
            return Outcome(body=send(ctx.chat_id, t(lang, "text_too_long", length=len(joined), max=MAX_DESCRIPTION)))
        note = t(lang, "note_added" if session.description else "note_kept")
        session.description = joined
        if session.step == "evidence":
            key = "no_link_found_sexual" if session.category == SEXUAL else "no_link_found"
            body = send(ctx.chat_id, note + "\n" + t(lang, key), kb.evidence_done(lang, session.flow_id))
            return self.sessions.save(ctx, session, Outcome(body=body))
        question, keyboard = self.question(session)
        ask = "" if session.step == "confirm" else "\n" + t(lang, "choose_button")  # the summary shows it all
        body = send(ctx.chat_id, note + ask + "\n\n" + question, keyboard)
        return self.sessions.save(ctx, session, Outcome(body=body))

    def question(self, session: Session) -> tuple[str, kb.Keyboard]:
        """The text and keyboard of the flow's current step."""
        lang, flow = session.lang, session.flow_id
        sexual = session.category == SEXUAL
        if session.step == "category":
            return t(lang, "ask_category"), kb.categories(lang, flow, add_to=session.report_code)
        if session.step == LATER:
            return t(lang, "ask_later_description", code=session.report_code), kb.markup(
                [[kb.cancel_button(lang, flow)]]
            )
        if session.step == "danger":
            text = t(lang, "ask_danger")
            if sexual:  # hotline practice: the link only, never the images
                text = t(lang, "sexual_link_only") + "\n\n" + text
            return text, kb.danger(lang, flow)
        if session.step == "region":
            text = t(lang, "ask_region")
            if session.child_in_danger:
                text = t(lang, "danger_call_police") + "\n\n" + text
            preferred = session.region if is_region(session.region) else None
            return text, kb.regions(lang, flow, "region", preferred, unknown=UNKNOWN_REGION)
        if session.step == "evidence":
            count = self.store.count_items(session.sid, flow)
            text = t(lang, "ask_link_only" if sexual else "ask_more" if count else "ask_evidence")
            if count:
                text += "\n" + t(lang, "evidence_count", count=count)
            return text, kb.evidence_done(lang, flow)
        if session.step == "description":
            return t(lang, "ask_description", max=MAX_DESCRIPTION), kb.skip_description(lang, flow)
        text = self.summary(session)
        if session.child_in_danger:
            text = t(lang, "danger_call_police") + "\n\n" + text
        return text, kb.confirm(lang, flow, sexual=sexual)

    def summary(self, session: Session) -> str:
        """What will be sent, for the reporter to confirm."""
        lang = session.lang
        count = min(self.store.count_items(session.sid, session.flow_id), MAX_ITEMS_PER_REPORT)
        return t(
            lang,
            "confirm_summary",
            category=t(lang, f"cat_{session.category}"),
            danger=t(lang, f"danger_{session.danger_answer or 'unsure'}"),
            region=t(lang, f"region_{session.region}") if session.region else t(lang, "summary_region_unknown"),
            count=count,
            description=session.description or t(lang, "description_none"),
        )

    def step(self, ctx: Context, session: Session, press: IncomingCallback, action: str, value: str) -> Outcome:
        """A press on one of the flow's questions: record the answer, ask the next one."""
        lang = session.lang
        if action == "cat":
            category = parse_category(value)
            if category is None:
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.category = category.value
            session.step = "danger"
        elif action == "danger":
            if value not in {"yes", "no", "unsure"}:
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.danger_answer = value
            session.child_in_danger = value == "yes"
            profile = ctx.profile
            if session.region is None:  # the profile's region is the default: asked once, changed on the summary
                session.region = profile.region if profile is not None else None
            session.role = profile.role if profile is not None else None
            session.cleanup = profile.cleanup if profile is not None else True
            session.step = "region" if session.region is None else self._after_region(session)
        elif action == "region":
            if value != UNKNOWN_REGION and not is_region(value):
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.region = "" if value == UNKNOWN_REGION else value
            session.step = self._after_region(session)
        elif action == "ev":
            if not self.store.count_items(ctx.sid, session.flow_id):
                key = "link_needed" if session.category == SEXUAL else "evidence_needed"
                return Outcome(body=answer(press.callback_id, t(lang, key), alert=True))
            session.step = "confirm"
        elif action == "desc":
            session.step = "confirm"
        elif action == "edit":
            if value not in SUMMARY_EDITS:
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.step = SUMMARY_EDITS[value]
        elif action == "confirm":
            return self.confirm(ctx, session, press)
        elif action == "add":
            return self._add_to_case(ctx, session, press, value)
        text, keyboard = self.question(session)
        edited = edit(ctx.chat_id, press.message_id, text, keyboard)
        return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))

    def _after_region(self, session: Session) -> str:
        """Evidence when the flow started without any (/report), else straight to the summary."""
        return "confirm" if self.store.count_items(session.sid, session.flow_id) else "evidence"

    def confirm(self, ctx: Context, session: Session, press: IncomingCallback) -> Outcome:
        """Send: the case is stored (or joined), the reporter gets its code; the media leave the chat."""
        message_id = press.message_id
        items = self.store.list_items(ctx.sid, session.flow_id)
        urls, media = merge_items(items)
        category = parse_category(session.category)
        region_ok = session.region == "" or is_region(session.region)  # "": the reporter does not know
        if category is None or not region_ok or not (urls or media):
            return Outcome(body=answer(press.callback_id, t(session.lang, "stale_button")))
        draft = ReportDraft(
            category=category.value,
            severity=severity_for(category, bool(session.child_in_danger)).value,
            region=str(session.region),
            urls=urls,
            media=media,
            source="private",
            child_in_danger=bool(session.child_in_danger),
            description=session.description,
            reporter_role=session.role,
            reporter_user_id=ctx.user_id,
            reporter_chat_id=ctx.chat_id,
            reporter_lang=session.lang,
            counted=True,
            muted=bool(ctx.profile is not None and ctx.profile.muted),
        )
        session.last_update_id = ctx.update_id

        media_messages = [item.message_id for item in items if item.media] if session.cleanup else []

        def outcome_for(result: SubmitResult) -> str:
            if result.outcome == "limited":
                return limited_outcome(session.lang, ctx.chat_id, press.callback_id, result)
            text = result_text(session.lang, result)
            calls = [edit(ctx.chat_id, message_id, text)]
            if media_messages:  # the report is stored: take the media out of the reporter's chat (< 48 h old)
                calls[0] = edit(ctx.chat_id, message_id, text + "\n\n" + t(session.lang, "cleanup_done"))
                calls.append(delete_messages(ctx.chat_id, media_messages))
            return Outcome(direct=calls, body=answer(press.callback_id)).model_dump_json()

        return self.submitter.submit(draft, session, outcome_for)[1]


def result_text(lang: str, result: SubmitResult) -> str:
    """What the reporter hears once the report is stored: its code, and the helplines when it is urgent."""
    key = {"created": "report_created", "joined": "report_joined", "already_reporter": "report_already_yours"}
    text = t(lang, key[result.outcome], code=result.code)
    if result.outcome == "created":  # who sees it, how long, the platform's button (the /help line naming the
        # police is left out: a reporter's chat never says where a case may be passed, issue 11)
        who, _next, how_long, button = t(lang, "help_expectations").split("\n")
        text += "\n\n" + "\n".join((who, how_long, button))
    if result.severity == "urgent":
        text += "\n\n" + t(lang, "helplines_urgent")
    return text
