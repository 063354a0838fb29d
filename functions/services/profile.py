"""What a reporter tells about themselves (/start: language, role and region), /lang, /cleanup and /my."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from functions.domain import callbacks
from functions.domain.deep_links import StartLink, start_link
from functions.domain.incoming import IncomingCallback
from functions.domain.models import OPEN_STATUSES, REPORTER_ROLES, BotCall, MyReport, Outcome, Profile, Session
from functions.domain.regions import is_region
from functions.domain.time import KZ_TZ
from functions.i18n import as_lang, t
from functions.services import keyboards as kb
from functions.services.calls import Keyboard, answer, edit, send
from functions.services.child_flow import ChildFlow
from functions.services.commands import reporter_command_call
from functions.services.report_flow import LATER
from functions.services.reporter_cases import ReporterCases
from functions.services.sessions import Context, Sessions

OPEN: Final = frozenset(status.value for status in OPEN_STATUSES)
LANG_STEP = "lang"  # the first /start's language question (no flow buttons: the language buttons answer it)
UNKNOWN_REGION = "none"  # the "don't know" button's value; stored as "" (asked, not known)
Question = Callable[[Session], tuple[str, Keyboard] | None]


class ProfileStore(Protocol):
    """What the profile use cases need from storage (FirestoreStore implements it)."""

    def save_profile(self, profile: Profile) -> None: ...
    def put_session(self, session: Session) -> None: ...
    def my_reports(self, user_id: int, limit: int = 10) -> list[MyReport]: ...


class Profiles:
    """The reporter's profile and preferences; the first /start asks the language before anything else."""

    def __init__(
        self,
        store: ProfileStore,
        sessions: Sessions,
        staff_lang: Callable[[int, str], list[BotCall]] | None = None,
        children: ChildFlow | None = None,
        withdrawals: ReporterCases | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.staff_lang = staff_lang  # a staff member's language and command menu follow /lang
        self.children = children  # ?start=child and the child's role go straight to the child's path
        self.withdrawals = withdrawals  # "I made a mistake" on a case of /my

    def start(self, ctx: Context, payload: str = "") -> Outcome:
        """/start: the language first (Telegram has no Kazakh interface), then what the deep link or profile needs."""
        link = start_link(payload)
        if ctx.profile is None:  # kept with a session, so that a re-sent /start replays the same answer
            keyboard = kb.languages(payload if link is not None else "")
            session = self.sessions.new(ctx, "profile", LANG_STEP)
            prompt = "lang_first_prompt_child" if link is not None and link.child else "lang_first_prompt"
            return self.sessions.save(ctx, session, Outcome(body=send(ctx.chat_id, t(ctx.lang, prompt), keyboard)))
        return self._go_on(ctx, ctx.profile, link, None)

    def _go_on(self, ctx: Context, profile: Profile, link: StartLink | None, press: IncomingCallback | None) -> Outcome:
        """After the language: the deep link's path, the questions not answered yet, or the welcome."""
        if link is not None and link.region is not None and not profile.region:
            profile.region = link.region
            self.store.save_profile(profile)
        wants_child = link is not None and link.child
        if wants_child and not profile.role:
            profile.role = "child"
            self.store.save_profile(profile)
        if profile.is_child and profile.region is None:  # asked in the child's voice (an adult is never turned)
            session = self.sessions.new(ctx, "profile", "profile_region")
            session.role = "child"
            text, keyboard = self._region_question(ctx.lang, session.flow_id, child=True)
            return self.sessions.save(ctx, session, self._outcome(ctx, press, text, keyboard))
        if wants_child:
            return self._child(ctx, profile, press)
        if profile.is_child:
            return self._show(ctx, press, t(ctx.lang, "child_again"))
        if profile.role and profile.region is not None:
            return self._show(ctx, press, t(ctx.lang, "welcome") + "\n\n" + t(ctx.lang, "fallback_hint"))
        session = self.sessions.new(ctx, "profile", "role")
        text, keyboard = self._role_question(ctx.lang, session.flow_id)
        if profile.role:
            session.role, session.step = profile.role, "profile_region"
            text, keyboard = self._region_question(ctx.lang, session.flow_id)
        return self.sessions.save(ctx, session, self._outcome(ctx, press, text, keyboard))

    @staticmethod
    def _role_question(lang: str, flow_id: str) -> tuple[str, Keyboard]:
        return t(lang, "welcome_start") + "\n\n" + t(lang, "ask_role"), kb.roles(lang, flow_id)

    @staticmethod
    def _region_question(lang: str, flow_id: str, *, child: bool = False) -> tuple[str, Keyboard]:
        """Where the reporter lives, asked once ("don't know" too); a child is asked in the child's voice."""
        keyboard = kb.regions(lang, flow_id, "preg", None, with_cancel=False, unknown=UNKNOWN_REGION)
        return t(lang, "ask_child_region" if child else "ask_profile_region"), keyboard

    def question(self, session: Session) -> tuple[str, Keyboard]:
        """The profile flow's current question (re-rendered after /lang)."""
        if session.step == "role":
            return self._role_question(session.lang, session.flow_id)
        return self._region_question(session.lang, session.flow_id, child=session.role == "child")

    def _child(self, ctx: Context, profile: Profile, press: IncomingCallback | None) -> Outcome:
        if self.children is None:
            return self._show(ctx, press, t(ctx.lang, "child_again"))
        return self.children.start(ctx, profile, None, press)

    @staticmethod
    def _outcome(ctx: Context, press: IncomingCallback | None, text: str, keyboard: Keyboard | None = None) -> Outcome:
        if press is None:
            return Outcome(body=send(ctx.chat_id, text, keyboard))
        return Outcome(direct=[edit(ctx.chat_id, press.message_id, text, keyboard)], body=answer(press.callback_id))

    def _show(self, ctx: Context, press: IncomingCallback | None, text: str) -> Outcome:
        return self._outcome(ctx, press, text)

    def step(self, ctx: Context, session: Session, press: IncomingCallback, action: str, value: str) -> Outcome:
        """A press in the profile flow: the role (a child goes to the child's path), then the region."""
        lang = session.lang
        profile = ctx.profile or Profile(user_id=ctx.user_id, lang=lang)
        if action == "role":
            if value not in REPORTER_ROLES:
                return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
            session.role = value
            if value == "child":  # from here on, everything in the child's voice
                profile.role = "child"
                self.store.save_profile(profile)
                if profile.region is not None:
                    return self._child(ctx, profile, press)
            elif profile.region is not None:  # known from a regional poster's deep link: not asked again
                return self._saved(ctx, session, press, profile)
            session.step = "profile_region"
            text, keyboard = self._region_question(lang, session.flow_id, child=value == "child")
            edited = edit(ctx.chat_id, press.message_id, text, keyboard)
            return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))
        if value != UNKNOWN_REGION and not is_region(value):
            return Outcome(body=answer(press.callback_id, t(lang, "stale_button")))
        profile.region = "" if value == UNKNOWN_REGION else value
        return self._saved(ctx, session, press, profile)

    def _saved(self, ctx: Context, session: Session, press: IncomingCallback, profile: Profile) -> Outcome:
        lang = session.lang
        profile.role = session.role
        self.store.save_profile(profile)
        session.step = "done"
        # a child hears the child's words (never the adult welcome, which lists sexual exploitation)
        text = t(lang, "child_again") if profile.is_child else t(lang, "welcome") + "\n\n" + t(lang, "profile_saved")
        edited = edit(ctx.chat_id, press.message_id, text)
        return self.sessions.save(ctx, session, Outcome(direct=[edited], body=answer(press.callback_id)))

    def cleanup_setting(self, ctx: Context, arg: str) -> Outcome:
        """/cleanup on|off: whether the media a reporter sent are deleted from the chat once stored."""
        if arg not in {"on", "off"}:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "cleanup_usage")))
        profile = ctx.profile or Profile(user_id=ctx.user_id, lang=ctx.lang)
        profile.cleanup = arg == "on"
        self.store.save_profile(profile)
        key = ("cleanup_on" if profile.cleanup else "cleanup_off") + ("_child" if profile.is_child else "")
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, key)))

    @staticmethod
    def lang_menu(ctx: Context) -> Outcome:
        """/lang: the language picker (in the child's voice for a child)."""
        child = ctx.profile is not None and ctx.profile.is_child
        return Outcome(
            body=send(ctx.chat_id, t(ctx.lang, "lang_choose_child" if child else "lang_choose"), kb.languages())
        )

    def set_lang(self, ctx: Context, press: IncomingCallback, value: str, question: Question | None = None) -> Outcome:
        """A press on the language picker: the profile, the chat's command menu (a staff member's language and
        menu), the flow in progress and its question on screen switch language; a first /start goes on."""
        lang = as_lang(value)
        if lang is None:
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        first = ctx.profile is None
        profile = ctx.profile or Profile(user_id=ctx.user_id)
        profile.lang = lang
        self.store.save_profile(profile)
        ctx.lang = lang
        staff = self.staff_lang(ctx.user_id, lang) if self.staff_lang is not None else []
        menus = staff or [reporter_command_call(ctx.chat_id, lang)]
        then = callbacks.lang_then(press.data)
        session = ctx.session
        active = session is not None and session.step not in {"done", "cancelled", LANG_STEP}
        # the first /start (or a deep link) goes on in the chosen language; staff are never asked who they are
        if then or (first and not active and not staff):
            outcome = self._go_on(ctx, profile, start_link(then), press)
            return Outcome(direct=[*menus, *outcome.direct], body=outcome.body)
        text, keyboard = t(lang, "lang_set"), None
        if session is not None and active:
            session.lang = lang
            self.store.put_session(session)
            shown = question(session) if question is not None else None
            if shown is not None:  # the question on screen, again, in the new language
                text, keyboard = text + "\n\n" + shown[0], shown[1]
        edited = edit(ctx.chat_id, press.message_id, text, keyboard)
        return Outcome(direct=[edited, *menus], body=answer(press.callback_id))

    def my(self, ctx: Context, press: IncomingCallback | None = None) -> Outcome:
        """/my: the reporter's own cases and their status, each a button that opens it (child's voice for a child)."""
        child = ctx.profile is not None and ctx.profile.is_child
        mine = self.store.my_reports(ctx.user_id)
        if not mine:
            return self._outcome(ctx, press, t(ctx.lang, "my_empty_child" if child else "my_empty"))
        lines = [t(ctx.lang, "my_header_child" if child else "my_header")]
        rows = []
        for report in mine:
            status = t(ctx.lang, f"reporter_status_{report.status}")  # never where a case was passed
            lines.append(t(ctx.lang, "my_line", code=report.code, status=status, date=_date(report)))
            rows.append([kb.button(f"{report.code} · {status}"[:34], callbacks.my_case(report.code))])
        return self._outcome(ctx, press, "\n".join(lines), kb.markup(rows))

    def my_button(self, ctx: Context, press: IncomingCallback, code: str, verb: str = "") -> Outcome:
        """A /my button: one of the reporter's own cases (what its status means), withdrawing it, or the list."""
        if not code:
            return self.my(ctx, press)
        report = next((r for r in self.store.my_reports(ctx.user_id) if r.code == code), None)
        if report is None or verb not in {"", "w", "wy", "d"}:  # not theirs: nothing about anyone else's case
            return Outcome(body=answer(press.callback_id, t(ctx.lang, "stale_button")))
        lang = ctx.lang
        child = "_child" if ctx.profile is not None and ctx.profile.is_child else ""  # the child's voice
        back = kb.button(t(lang, "btn_flow_back"), callbacks.my_case())
        if verb == "w":  # "I made a mistake": asked once more, it cannot be undone by the reporter
            yes = kb.button(t(lang, "btn_withdraw_yes"), callbacks.my_case(code, "wy"))
            text = t(lang, "withdraw_confirm", code=code)
            return self._outcome(
                ctx, press, text, kb.markup([[yes], [kb.button(t(lang, "btn_flow_back"), callbacks.my_case(code))]])
            )
        if verb == "d" and report.status in OPEN:  # a description written later: the next text
            session = self.sessions.new(ctx, "report", LATER)
            session.report_code = code
            text = t(lang, f"ask_later_description{child}", code=code)
            keyboard = kb.markup([[kb.cancel_button(lang, session.flow_id)]])
            return self.sessions.save(ctx, session, self._outcome(ctx, press, text, keyboard))
        if verb == "wy" and self.withdrawals is not None:
            result = self.withdrawals.withdraw(code, ctx.update_id)
            return self._outcome(ctx, press, t(lang, f"withdraw_{result}", code=code), kb.markup([[back]]))
        text = t(
            lang,
            "my_case",
            code=report.code,
            status=t(lang, f"reporter_status_{report.status}"),
            date=_date(report),
            meaning=t(lang, f"my_status_{report.status}{child}"),
        )
        rows = [[back]]
        # a child's request cannot be withdrawn (the child tells the specialist instead): no button that leads
        # to a refusal
        if report.status in OPEN and self.withdrawals is not None:
            if not child:
                rows.insert(0, [kb.button(t(lang, "btn_withdraw"), callbacks.my_case(code, "w"))])
            rows.insert(0, [kb.button(t(lang, "btn_describe_later"), callbacks.my_case(code, "d"))])
        return self._outcome(ctx, press, text, kb.markup(rows))


def _date(report: MyReport) -> str:
    return report.created_at.astimezone(KZ_TZ).strftime("%d.%m.%Y")
