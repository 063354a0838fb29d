"""Reports posted in enabled groups: /enable_group, /disable_group, the post, the author's region, albums."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from functions.domain.crisis import mentions_crisis
from functions.domain.incoming import GROUP_TYPES, BotRightsChange, IncomingCallback, IncomingMessage
from functions.domain.models import EvidenceItem, Outcome, Session, SubmitResult
from functions.domain.regions import is_region
from functions.errors import TransientError
from functions.i18n import lang_from_telegram, t
from functions.services import keyboards as kb
from functions.services.calls import answer, edit, send
from functions.services.quarantine import Quarantine, group_draft
from functions.services.sessions import Context, Sessions
from functions.services.submit import Submitter


class GroupStore(Protocol):
    """What group intake needs from storage (FirestoreStore implements it)."""

    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None: ...
    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]: ...
    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int: ...
    def attach_evidence(self, code: str, item: EvidenceItem) -> None: ...
    def set_group_bot_rights(self, chat_id: int, status: str, can_delete: bool) -> None: ...
    def update_group(self, chat_id: int, **fields: Any) -> None: ...


class GroupIntake:
    """Posts with links or media in an enabled group become reports; group chatter is never read."""

    def __init__(
        self,
        store: GroupStore,
        sessions: Sessions,
        submitter: Submitter,
        quarantine: Quarantine,
        is_admin: Callable[[int], bool],
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.submitter = submitter
        self.quarantine = quarantine
        self.is_admin = is_admin

    def bot_rights(self, change: BotRightsChange, bot_username: str = "") -> Outcome:
        """The bot was made (or no longer is) an administrator of a group: remember whether it may delete. Added
        to a group, it says what it does there: how a committee administrator switches it on, or that it works."""
        if change.chat_type not in GROUP_TYPES:
            return Outcome()
        self.store.set_group_bot_rights(change.chat_id, change.status, change.can_delete)
        if not change.joined:
            return Outcome()
        lang = lang_from_telegram(change.language_code)
        group = self.sessions.context(change.update_id, change.chat_id, 0, change.language_code, group=True).group
        text = t(lang, "group_enabled") if group and group.get("enabled") else t(lang, "group_hello", bot=bot_username)
        return Outcome(body=send(change.chat_id, text))

    def set_enabled(self, message: IncomingMessage, enabled: bool) -> Outcome:
        """/enable_group, /disable_group: committee administrators only."""
        user = message.sender
        lang = lang_from_telegram(user.language_code)
        if not self.is_admin(user.user_id):
            return Outcome(body=send(message.chat_id, t(lang, "admins_only"), reply_to=message.message_id))
        self.store.update_group(message.chat_id, enabled=enabled, changed_by=user.user_id)
        return Outcome(body=send(message.chat_id, t(lang, "group_enabled" if enabled else "group_disabled")))

    def post(self, message: IncomingMessage) -> Outcome:
        """A message in a group: a report when it carries links or media and the group is enabled."""
        user = message.sender
        item = message.evidence
        if item is None and not mentions_crisis(message.text):
            return Outcome()  # group chatter: nothing read, nothing said
        ctx = self.sessions.context(message.update_id, message.chat_id, user.user_id, user.language_code, group=True)
        group = ctx.group
        if group is None or not group.get("enabled"):
            return Outcome()
        if item is None:  # words of self-harm in an enabled group: the helplines, at once
            text = t(lang_from_telegram(user.language_code), "crisis_helplines_adult")  # «Вы» to the whole group
            return Outcome(body=send(message.chat_id, text, reply_to=message.message_id))
        replay = self.sessions.replay(ctx)
        if replay is not None:
            return replay
        if group.get("quarantine"):
            return self.quarantine.post(ctx, group, item, message)
        pending = ctx.session if ctx.session is not None and ctx.session.kind == "group_region" else None
        if pending is not None and pending.step == "group_region":
            self.store.add_item(ctx.sid, pending.flow_id, item)
            if item.media_group_id is not None:
                return Outcome()  # an album's later parts: the question was asked for its first part
            # The question may have been lost (a group gets 20 bot messages a minute): ask again.
            keyboard = kb.regions(ctx.lang, pending.flow_id, "greg", None, with_cancel=False)
            body = send(ctx.chat_id, t(ctx.lang, "group_ask_region"), keyboard, reply_to=message.message_id)
            return self.sessions.save(ctx, pending, Outcome(body=body))
        if item.media_group_id is not None:
            owner = self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id)
            if owner != ctx.update_id:
                flow = ctx.session
                if flow is None or flow.started_by_update != owner:
                    raise TransientError("album part arrived before its report was stored")
                return self._album_part(flow, ctx, item)
        session = self.sessions.new(ctx, "group_region", "group_region")
        profile = ctx.profile
        if profile is None or not is_region(profile.region):
            self.store.add_item(ctx.sid, session.flow_id, item)  # kept until the author names the region
            keyboard = kb.regions(ctx.lang, session.flow_id, "greg", None, with_cancel=False)
            body = send(ctx.chat_id, t(ctx.lang, "group_ask_region"), keyboard, reply_to=message.message_id)
            return self.sessions.save(ctx, session, Outcome(body=body))
        session.region = profile.region
        return self._submit(ctx, session, [item], reply_to=message.message_id)

    def _album_part(self, flow: Session, ctx: Context, item: EvidenceItem) -> Outcome:
        """A later part of an album posted in a group joins the report its first part made."""
        self.store.add_item(ctx.sid, flow.flow_id, item)
        if flow.step == "done" and flow.report_code:
            self.store.attach_evidence(flow.report_code, item)
        return Outcome()

    def region(self, ctx: Context, session: Session, press: IncomingCallback, value: str) -> Outcome:
        """The author names the region of their post: the report is stored."""
        if press.sender.user_id != session.user_id:
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "not_your_button"), alert=True))
        if not is_region(value):
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        session.region = value
        items = self.store.list_items(ctx.sid, session.flow_id)
        return self._submit(ctx, session, items, edit_message_id=press.message_id, callback_id=press.callback_id)

    def _submit(
        self,
        ctx: Context,
        session: Session,
        items: list[EvidenceItem],
        *,
        reply_to: int | None = None,
        edit_message_id: int | None = None,
        callback_id: str | None = None,
    ) -> Outcome:
        draft = group_draft(ctx, str(session.region), items)
        session.last_update_id = ctx.update_id

        def outcome_for(result: SubmitResult) -> str:
            key = "group_report_created" if result.outcome == "created" else "group_report_joined"
            text = t(ctx.lang, key, code=result.code)
            if edit_message_id is not None and callback_id is not None:
                return Outcome(
                    direct=[edit(ctx.chat_id, edit_message_id, text)], body=answer(callback_id)
                ).model_dump_json()
            return Outcome(body=send(ctx.chat_id, text, reply_to=reply_to)).model_dump_json()

        return self.submitter.submit(draft, session, outcome_for)[1]
