"""A child writing to the bot: never asked for evidence or details; kind words, helplines, an offer of an adult."""

from __future__ import annotations

from typing import Protocol

from functions.domain.escalation import unclassified
from functions.domain.incoming import IncomingCallback
from functions.domain.models import EvidenceItem, Outcome, Profile, ReportDraft, Session, SubmitResult
from functions.i18n import t
from functions.services import keyboards as kb
from functions.services.calls import answer, edit, send
from functions.services.flood import limited_outcome
from functions.services.sessions import Context, Sessions
from functions.services.submit import Submitter, merge_items


class ChildStore(Protocol):
    """What the child flow needs from storage (FirestoreStore implements it)."""

    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None: ...
    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]: ...
    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int: ...


class ChildFlow:
    """The child's conversation: an offer of a contact with an adult, a child's request when accepted."""

    def __init__(self, store: ChildStore, sessions: Sessions, submitter: Submitter) -> None:
        self.store = store
        self.sessions = sessions
        self.submitter = submitter

    def start(
        self, ctx: Context, profile: Profile, first: EvidenceItem | None, press: IncomingCallback | None = None
    ) -> Outcome:
        """Kind words and the helplines, with the offer of an adult to talk to (on the pressed message, if any);
        what the child sent while an earlier offer stood goes on with the new one (nothing they sent is lost)."""
        earlier = self.offer_of(ctx)
        session = self.sessions.new(ctx, "child", "child_offer")
        session.region = profile.region
        session.role = "child"
        if earlier is not None:
            for item in self.store.list_items(ctx.sid, earlier.flow_id):
                self.store.add_item(ctx.sid, session.flow_id, item)
        if first is not None:
            self.store.add_item(ctx.sid, session.flow_id, first)
        text, keyboard = self.question(session)
        if press is None:
            return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, text, keyboard)))
        edited = edit(ctx.chat_id, press.message_id, text, keyboard)
        return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))

    @staticmethod
    def offer_of(ctx: Context) -> Session | None:
        """The child's offer standing in this chat, if any."""
        session = ctx.session
        if session is not None and session.kind == "child" and session.step == "child_offer":
            return session
        return None

    def waiting(self, ctx: Context) -> Outcome | None:
        """Words, a sticker or a forward while the offer stands: heard, and pointed to the offer's own buttons
        (never to /report, which would begin again); None when no offer stands."""
        session = self.offer_of(ctx)
        if session is None:
            return None
        lang = session.lang
        text = t(lang, "child_offer_waiting", contact=t(lang, "btn_child_contact"), no=t(lang, "btn_child_no"))
        return Outcome(body=send(ctx.chat_id, text, kb.child_offer(lang, session.flow_id)))

    @staticmethod
    def question(session: Session) -> tuple[str, kb.Keyboard]:
        """The child's offer: kind words, the helplines, a contact with an adult or not now."""
        return t(session.lang, "child_support"), kb.child_offer(session.lang, session.flow_id)

    def collect(self, ctx: Context, child: Session, item: EvidenceItem) -> Outcome:
        """Something the child sends while the offer stands: kept, acknowledged once per album."""
        self.store.add_item(ctx.sid, child.flow_id, item)
        if (
            item.media_group_id is not None
            and self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id) != ctx.update_id
        ):
            return Outcome()
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_got_it")))

    def step(self, ctx: Context, session: Session, press: IncomingCallback, value: str) -> Outcome:
        """The child's answer to the offer: no thanks, or a contact (a child's request for staff)."""
        lang = session.lang
        message_id = press.message_id
        if value == "no":
            session.step = "done"
            edited = edit(ctx.chat_id, message_id, t(lang, "child_no_thanks"))
            return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))
        if value != "contact":
            return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
        items = self.store.list_items(ctx.sid, session.flow_id)
        urls, media = merge_items(items)
        answers = unclassified(has_media=bool(media), child_request=True)  # images: unreviewed, restricted
        draft = ReportDraft(
            category=answers.category,
            severity=answers.severity,
            region=session.region or "",
            urls=urls,
            media=media,
            source="private",
            child_in_danger=False,
            description=None,
            reporter_role="child",
            reporter_user_id=ctx.user_id,
            reporter_chat_id=ctx.chat_id,
            reporter_lang=lang,
            child_request=True,
            index_content=False,
            counted=True,
            muted=bool(ctx.profile is not None and ctx.profile.muted),
        )
        session.last_update_id = ctx.update_id

        def outcome_for(result: SubmitResult) -> str:
            if result.outcome == "limited":
                return limited_outcome(lang, ctx.chat_id, press.callback_id, result, child=True)
            text = t(lang, "child_contact_created", code=result.code)
            return Outcome(
                direct=[edit(ctx.chat_id, message_id, text)], body=answer(press.callback_id)
            ).model_dump_json()

        return self.submitter.submit(draft, session, outcome_for)[1]
