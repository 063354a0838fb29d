"""The private report flow: category, danger now?, region, evidence, description, confirm, stored."""

from __future__ import annotations

from typing import Final, Protocol

from functions.domain.categories import parse_category, severity_for
from functions.domain.incoming import IncomingCallback
from functions.domain.models import EvidenceItem, Outcome, ReportDraft, Session, SubmitResult
from functions.domain.regions import is_region
from functions.errors import TransientError
from functions.i18n import t
from functions.services import keyboards as kb
from functions.services.calls import answer, delete_messages, edit, send
from functions.services.child_flow import ChildFlow
from functions.services.sessions import Context, Sessions
from functions.services.submit import Submitter, merge_items

MAX_DESCRIPTION: Final = 1000


class ReportStore(Protocol):
    """What the report flow needs from storage (FirestoreStore implements it)."""

    def get_session(self, sid: str) -> Session | None: ...
    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None: ...
    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]: ...
    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int: ...


class ReportFlow:
    """A reporter's guided report in a private chat; a child is taken to the child flow instead."""

    def __init__(self, store: ReportStore, sessions: Sessions, submitter: Submitter, children: ChildFlow) -> None:
        self.store = store
        self.sessions = sessions
        self.submitter = submitter
        self.children = children

    def start(self, ctx: Context, first: EvidenceItem | None) -> Outcome:
        """/report, or a first link or media: a new flow, asking the category."""
        profile = ctx.profile
        if profile is not None and profile.is_child:
            return self.children.start(ctx, profile, first)
        session = self.sessions.new(ctx, "report", "category")
        if first is not None:
            self.store.add_item(ctx.sid, session.flow_id, first)
        outcome = Outcome(body=send(ctx.chat_id, t(ctx.lang, "ask_category"), kb.categories(ctx.lang, session.flow_id)))
        return self.sessions.save(ctx, session, outcome)

    def cancel(self, ctx: Context) -> Outcome:
        """/cancel: the flow in progress ends."""
        session = ctx.session
        if session is None or session.step in {"done", "cancelled"}:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "nothing_to_cancel")))
        session.step = "cancelled"
        return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, t(ctx.lang, "cancelled"))))

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

    def content(self, ctx: Context, item: EvidenceItem) -> Outcome:
        """Links or media sent in the private chat: evidence of the flow in progress, or a new report."""
        child = ctx.session if ctx.session is not None and ctx.session.kind == "child" else None
        if child is not None and child.step == "child_offer":
            return self.children.collect(ctx, child, item)
        session = self.active(ctx)
        if item.media_group_id is not None:
            owner = self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id)
            if owner != ctx.update_id:
                # A later part of an album: keep it with the flow the first part opened, say nothing.
                flow = session or self.store.get_session(ctx.sid)
                if flow is None or flow.step in {"done", "cancelled"}:
                    raise TransientError("album part arrived before its flow was stored")
                self.store.add_item(ctx.sid, flow.flow_id, item)
                return Outcome()
        if session is None:
            return self.start(ctx, item)
        self.store.add_item(ctx.sid, session.flow_id, item)
        count = len(self.store.list_items(ctx.sid, session.flow_id))
        if session.step == "evidence":
            text = t(ctx.lang, "evidence_added", count=count)
            return Outcome(body=send(ctx.chat_id, text, kb.evidence_done(ctx.lang, session.flow_id)))
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "evidence_added", count=count)))

    def text(self, ctx: Context, text: str) -> Outcome:
        """Plain text: the description when asked for, else the current question again."""
        session = self.active(ctx)
        if session is None:
            child = ctx.profile is not None and ctx.profile.is_child
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_free_text" if child else "fallback_hint")))
        if session.step == "description":
            if len(text) > MAX_DESCRIPTION:
                return Outcome(
                    body=send(ctx.chat_id, t(ctx.lang, "text_too_long", length=len(text), max=MAX_DESCRIPTION))
                )
            session.description = text.strip()
            session.step = "confirm"
            body = send(ctx.chat_id, self.summary(session), kb.confirm(ctx.lang, session.flow_id))
            return self.sessions.save(ctx, session, Outcome(body=body))
        if session.step == "evidence":
            return Outcome(
                body=send(ctx.chat_id, t(ctx.lang, "no_link_found"), kb.evidence_done(ctx.lang, session.flow_id))
            )
        text_out, keyboard = self.question(session)
        return Outcome(body=send(ctx.chat_id, text_out, keyboard))

    def question(self, session: Session) -> tuple[str, kb.Keyboard]:
        """The text and keyboard of the flow's current step."""
        lang, flow = session.lang, session.flow_id
        if session.step == "category":
            return t(lang, "ask_category"), kb.categories(lang, flow)
        if session.step == "danger":
            return t(lang, "ask_danger"), kb.danger(lang, flow)
        if session.step == "region":
            text = t(lang, "ask_region")
            if session.child_in_danger:
                text = t(lang, "danger_call_police") + "\n\n" + text
            return text, kb.regions(lang, flow, "region", session.region)
        if session.step == "evidence":
            count = len(self.store.list_items(session.sid, flow))
            text = t(lang, "ask_evidence")
            if count:
                text += "\n" + t(lang, "evidence_count", count=count)
            return text, kb.evidence_done(lang, flow)
        if session.step == "description":
            return t(lang, "ask_description", max=MAX_DESCRIPTION), kb.skip_description(lang, flow)
        return self.summary(session), kb.confirm(lang, flow)

    def summary(self, session: Session) -> str:
        """What will be sent, for the reporter to confirm."""
        lang = session.lang
        count = len(self.store.list_items(session.sid, session.flow_id))
        return t(
            lang,
            "confirm_summary",
            category=t(lang, f"cat_{session.category}"),
            danger=t(lang, f"danger_{session.danger_answer or 'unsure'}"),
            region=t(lang, f"region_{session.region}"),
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
            session.region = profile.region if profile is not None else None
            session.role = profile.role if profile is not None else None
            session.cleanup = profile.cleanup if profile is not None else True
            session.step = "region"
        elif action == "region":
            if not is_region(value):
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.region = value
            session.step = "evidence"
        elif action == "ev":
            if not self.store.list_items(ctx.sid, session.flow_id):
                return Outcome(body=answer(press.callback_id, t(lang, "evidence_needed"), alert=True))
            session.step = "description"
        elif action == "desc":
            session.step = "confirm"
        elif action == "confirm":
            return self.confirm(ctx, session, press)
        text, keyboard = self.question(session)
        edited = edit(ctx.chat_id, press.message_id, text, keyboard)
        return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))

    def confirm(self, ctx: Context, session: Session, press: IncomingCallback) -> Outcome:
        """Send: the case is stored (or joined), the reporter gets its code; the media leave the chat."""
        message_id = press.message_id
        items = self.store.list_items(ctx.sid, session.flow_id)
        urls, media = merge_items(items)
        category = parse_category(session.category)
        if category is None or not is_region(session.region) or not (urls or media):
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
        )
        session.last_update_id = ctx.update_id

        media_messages = [item.message_id for item in items if item.media] if session.cleanup else []

        def outcome_for(result: SubmitResult) -> str:
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
