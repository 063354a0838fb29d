"""What a reporter tells about themselves (/start, role and region), /lang, /cleanup and /my."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from functions.domain.incoming import IncomingCallback
from functions.domain.models import REPORTER_ROLES, BotCall, MyReport, Outcome, Profile, Session
from functions.domain.regions import is_region
from functions.domain.time import KZ_TZ
from functions.i18n import as_lang, t
from functions.services import keyboards as kb
from functions.services.calls import answer, edit, send
from functions.services.sessions import Context, Sessions


class ProfileStore(Protocol):
    """What the profile use cases need from storage (FirestoreStore implements it)."""

    def save_profile(self, profile: Profile) -> None: ...
    def put_session(self, session: Session) -> None: ...
    def my_reports(self, user_id: int, limit: int = 10) -> list[MyReport]: ...


class Profiles:
    """The reporter's profile and preferences."""

    def __init__(
        self, store: ProfileStore, sessions: Sessions, staff_lang: Callable[[int, str], list[BotCall]] | None = None
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.staff_lang = staff_lang  # a staff member's language and command menu follow /lang

    def start(self, ctx: Context) -> Outcome:
        """/start: the welcome, then who the reporter is and where (asked once)."""
        profile = ctx.profile
        if profile is not None and profile.role and profile.region:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "welcome") + "\n\n" + t(ctx.lang, "fallback_hint")))
        session = self.sessions.new(ctx, "profile", "role")
        text = t(ctx.lang, "welcome") + "\n\n" + t(ctx.lang, "ask_role")
        return self.sessions.save(
            ctx, session, Outcome(body=send(ctx.chat_id, text, kb.roles(ctx.lang, session.flow_id)))
        )

    def step(self, ctx: Context, session: Session, press: IncomingCallback, action: str, value: str) -> Outcome:
        """A press in the profile flow: the role, then the region."""
        lang = session.lang
        if action == "role":
            if value not in REPORTER_ROLES:
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.role = value
            session.step = "profile_region"
            keyboard = kb.regions(lang, session.flow_id, "preg", None, with_cancel=False)
            edited = edit(ctx.chat_id, press.message_id, t(lang, "ask_profile_region"), keyboard)
            return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))
        if not is_region(value):
            return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
        profile = ctx.profile or Profile(user_id=ctx.user_id, lang=lang)
        profile.role = session.role
        profile.region = value
        self.store.save_profile(profile)
        session.step = "done"
        edited = edit(ctx.chat_id, press.message_id, t(lang, "profile_saved"))
        return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))

    def cleanup_setting(self, ctx: Context, arg: str) -> Outcome:
        """/cleanup on|off: whether the media a reporter sent are deleted from the chat once stored."""
        if arg not in {"on", "off"}:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "cleanup_usage")))
        profile = ctx.profile or Profile(user_id=ctx.user_id, lang=ctx.lang)
        profile.cleanup = arg == "on"
        self.store.save_profile(profile)
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "cleanup_on" if profile.cleanup else "cleanup_off")))

    @staticmethod
    def lang_menu(ctx: Context) -> Outcome:
        """/lang: the language picker."""
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "lang_choose"), kb.languages()))

    def set_lang(self, ctx: Context, press: IncomingCallback, value: str) -> Outcome:
        """A press on the language picker: the profile and the flow in progress switch language."""
        lang = as_lang(value)
        if lang is None:
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        profile = ctx.profile or Profile(user_id=ctx.user_id)
        profile.lang = lang
        self.store.save_profile(profile)
        if ctx.session is not None and ctx.session.step not in {"done", "cancelled"}:
            ctx.session.lang = lang
            self.store.put_session(ctx.session)
        edited = edit(ctx.chat_id, press.message_id, t(lang, "lang_set"))
        staff = self.staff_lang(ctx.user_id, lang) if self.staff_lang is not None else []
        return Outcome(direct=[edited, *staff], body=answer(press.callback_id))

    def my(self, ctx: Context) -> Outcome:
        """/my: the reporter's own cases and their status."""
        mine = self.store.my_reports(ctx.user_id)
        if not mine:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "my_empty")))
        lines = [t(ctx.lang, "my_header")]
        for report in mine:
            local = report.created_at.astimezone(KZ_TZ)
            lines.append(
                t(
                    ctx.lang,
                    "my_line",
                    code=report.code,
                    status=t(ctx.lang, f"status_{report.status}"),
                    date=local.strftime("%d.%m.%Y"),
                )
            )
        return Outcome(body=send(ctx.chat_id, "\n".join(lines)))
