"""The one router of the webhook: every Incoming goes to the use case that owns it (built by bootstrap)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

from functions.domain import callbacks
from functions.domain.crisis import mentions_crisis
from functions.domain.incoming import (
    GROUP_TYPES,
    BotRightsChange,
    Incoming,
    IncomingCallback,
    IncomingMessage,
    command_of,
)
from functions.domain.models import Outcome, Session
from functions.i18n import lang_from_telegram, t
from functions.services.calls import Keyboard, answer, send, with_helplines
from functions.services.child_flow import ChildFlow
from functions.services.commands import reporter_help
from functions.services.conversation import PREFIXES as TALK_PREFIXES
from functions.services.conversation import ConversationDesk
from functions.services.group_intake import GroupIntake
from functions.services.profile import Profiles
from functions.services.quarantine import Quarantine
from functions.services.report_flow import ReportFlow
from functions.services.sessions import Context, Sessions

StaffCommand = Callable[[IncomingMessage, str, str, str], Outcome | None]
StaffButton = Callable[[IncomingCallback, str], Outcome]
StaffReply = Callable[[IncomingMessage, str], Outcome | None]

STEP_OF_ACTION: Final = {
    "role": "role",
    "preg": "profile_region",
    "cat": "category",
    "danger": "danger",
    "region": "region",
    "ev": "evidence",
    "desc": "description",
    "confirm": "confirm",
    "edit": "confirm",
    "add": "category",
    "greg": "group_region",
    "child": "child_offer",
}


@dataclass(frozen=True)
class StaffDesk:
    """The staff side of the webhook: commands by name (tried before the reporter's), buttons by prefix, notes."""

    commands: Mapping[str, StaffCommand] = field(default_factory=dict)
    buttons: Mapping[str, StaffButton] = field(default_factory=dict)
    reply: StaffReply | None = None


class StaffSide(Protocol):
    """What the router asks of the staff side (a StaffDesk, or one that bootstrap builds on first use)."""

    @property
    def commands(self) -> Mapping[str, StaffCommand]: ...
    @property
    def buttons(self) -> Mapping[str, StaffButton]: ...
    @property
    def reply(self) -> StaffReply | None: ...


@dataclass(frozen=True)
class Router:
    """Answers one update (idempotent on update_id: a re-sent update replays the stored answer)."""

    bot_username: str
    sessions: Sessions
    profiles: Profiles
    reports: ReportFlow
    children: ChildFlow
    groups: GroupIntake
    quarantine: Quarantine
    staff: StaffSide
    conversation: ConversationDesk | None = None

    def handle(self, incoming: Incoming | None) -> Outcome:
        """The Bot API calls that answer this update."""
        if isinstance(incoming, IncomingCallback):
            return self._button(incoming)
        if isinstance(incoming, BotRightsChange):
            return self.groups.bot_rights(incoming, self.bot_username)
        if isinstance(incoming, IncomingMessage) and not incoming.sender.is_bot:
            if incoming.edited:  # an edit is never read again; in a private chat, the person is told so
                return self._edited(incoming) if incoming.private else Outcome()
            if incoming.private:
                return self._private(incoming)
            if incoming.in_group:
                return self._group(incoming)
        return Outcome()

    # --- private chat -------------------------------------------------------------------------------------
    def _private(self, message: IncomingMessage) -> Outcome:
        user = message.sender
        ctx = self.sessions.context(message.update_id, message.chat_id, user.user_id, user.language_code)
        replay = self.sessions.replay(ctx)
        if replay is not None:
            return replay
        outcome = self._private_message(message, ctx)
        if mentions_crisis(message.text or message.caption):
            adult = ctx.profile is not None and bool(ctx.profile.role) and not ctx.profile.is_child
            return with_helplines(outcome, ctx.chat_id, ctx.lang, adult=adult)
        return outcome

    def _edited(self, message: IncomingMessage) -> Outcome:
        """An edited message in a private chat: what was sent first stands; a correction is sent anew."""
        user = message.sender
        ctx = self.sessions.context(message.update_id, message.chat_id, user.user_id, user.language_code)
        child = ctx.profile is not None and ctx.profile.is_child
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "edit_not_seen_child" if child else "edit_not_seen")))

    def _private_message(self, message: IncomingMessage, ctx: Context) -> Outcome:
        command = command_of(message.text, self.bot_username)
        if command is not None:
            return self._command(message, ctx, *command)
        if self.conversation is not None:
            talk = self.conversation.message(message, ctx)
            if talk is not None:
                return talk
        if message.reply_to_message_id is not None and self.staff.reply is not None:
            staff_outcome = self.staff.reply(message, ctx.lang)
            if staff_outcome is not None:
                return staff_outcome
        if message.evidence is not None:
            typed = None if message.forwarded else message.text or message.caption  # a forward's text is not theirs
            return self.reports.content(ctx, message.evidence, typed)
        if message.text is not None:
            return self.reports.text(ctx, message.text, forwarded=message.forwarded)
        if message.unsupported or message.forwarded:
            waiting = self.children.waiting(ctx)  # a child's offer on screen: pointed to its buttons
            if waiting is not None:
                return waiting
            child = ctx.profile is not None and ctx.profile.is_child
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_free_text" if child else "unsupported_content")))
        return Outcome()  # service messages and future types: nothing to say

    def _command(self, message: IncomingMessage, ctx: Context, name: str, arg: str) -> Outcome:
        staff_command = self.staff.commands.get(name)
        if staff_command is not None:
            outcome = staff_command(message, ctx.lang, name, arg)
            if outcome is not None:
                return outcome
        child = ctx.profile is not None and ctx.profile.is_child
        if name == "start":
            return self.profiles.start(ctx, arg)
        if name == "help":
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_help") if child else reporter_help(ctx.lang)))
        if name == "report":
            return self.reports.start(ctx, None)
        if name == "cancel":
            return self.reports.cancel(ctx)
        if name == "my":
            return self.profiles.my(ctx)
        if name == "lang":
            return self.profiles.lang_menu(ctx)
        if name == "cleanup":
            return self.profiles.cleanup_setting(ctx, arg)
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_free_text" if child else "fallback_hint")))

    # --- buttons ------------------------------------------------------------------------------------------
    def _button(self, press: IncomingCallback) -> Outcome:
        user = press.sender
        if press.chat_id is None:
            return Outcome(body=answer(press.callback_id, t(lang_from_telegram(user.language_code), "stale_button")))
        ctx = self.sessions.context(press.update_id, press.chat_id, user.user_id, user.language_code)
        replay = self.sessions.replay(ctx)
        if replay is not None:
            return replay
        if self.conversation is not None and callbacks.prefix_of(press.data) in TALK_PREFIXES:
            return self.conversation.button(press, ctx)
        staff_button = self.staff.buttons.get(callbacks.prefix_of(press.data))
        if staff_button is not None:
            return staff_button(press, ctx.lang)
        mine = callbacks.parse_my(press.data)
        if mine is not None:
            return self.profiles.my_button(ctx, press, *mine)
        lang = callbacks.parse_lang(press.data)
        if lang is not None:
            return self.profiles.set_lang(ctx, press, lang, self._question)
        flow = callbacks.parse_flow(press.data)
        if flow is None:
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        session = ctx.session
        if session is not None and session.flow_id == flow.flow_id and session.step == "done" and session.report_code:
            # a second tap on Send (a slow phone): the report went, and its code says so
            text = t(session.lang, "already_sent", code=session.report_code)
            return Outcome(body=answer(press.callback_id, text))
        if session is None or session.flow_id != flow.flow_id or session.step in {"done", "cancelled"}:
            key = "stale_button"
            if press.chat_type in GROUP_TYPES and (session is None or session.flow_id != flow.flow_id):
                key = "not_your_button"
            return Outcome(body=answer(press.callback_id, t(ctx.lang, key), alert=key == "not_your_button"))
        return self._flow_button(ctx, session, press, flow)

    def _flow_button(
        self, ctx: Context, session: Session, press: IncomingCallback, flow: callbacks.FlowPress
    ) -> Outcome:
        if flow.action == "cancel":
            return self.reports.cancel_button(ctx, session, press)
        if STEP_OF_ACTION.get(flow.action) != session.step:
            return Outcome(body=answer(press.callback_id, t(session.lang, "stale_button")))
        if session.kind == "group_region":
            return self.groups.region(ctx, session, press, flow.value)
        if session.kind == "profile":
            return self.profiles.step(ctx, session, press, flow.action, flow.value)
        if session.kind == "child":
            return self.children.step(ctx, session, press, flow.value)
        return self.reports.step(ctx, session, press, flow.action, flow.value)

    def _question(self, session: Session) -> tuple[str, Keyboard] | None:
        """The question a flow in progress has on screen (re-rendered after /lang)."""
        if session.kind == "report":
            return self.reports.question(session)
        if session.kind == "profile":
            return self.profiles.question(session)
        if session.kind == "child":
            return self.children.question(session)
        return None

    # --- groups -------------------------------------------------------------------------------------------
    def _group(self, message: IncomingMessage) -> Outcome:
        command = command_of(message.text, self.bot_username)
        if command is not None:
            name, arg = command
            if name in {"enable_group", "disable_group"}:
                return self.groups.set_enabled(message, enabled=name == "enable_group")
            lang = lang_from_telegram(message.sender.language_code)
            if name == "quarantine":
                return self.quarantine.setting(message, lang, arg)
            staff_command = self.staff.commands.get(name)
            if staff_command is not None:
                return staff_command(message, lang, name, arg) or Outcome()
        return self.groups.post(message)
