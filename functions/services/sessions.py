"""Who and where an update comes from, the conversation in progress, and the replay of re-sent updates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.domain.codes import new_token
from functions.domain.models import FlowKind, Outcome, Profile, Session
from functions.i18n import lang_from_telegram


class SessionStore(Protocol):
    """What sessions need from storage (FirestoreStore implements it)."""

    def load(
        self, sid: str, user_id: int, group_chat_id: int | None = None
    ) -> tuple[Session | None, Profile | None, dict[str, Any] | None]: ...
    def put_session(self, session: Session) -> None: ...
    def touch_profile(self, profile: Profile) -> None: ...


@dataclass
class Context:
    """One update's who and where."""

    update_id: int
    chat_id: int
    user_id: int
    lang: str
    sid: str
    session: Session | None
    profile: Profile | None = None
    group: dict[str, Any] | None = None


class Sessions:
    """Reads the context of an update in one round trip, stores the answer with the session, replays it."""

    def __init__(self, store: SessionStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def context(
        self, update_id: int, chat_id: int, user_id: int, language_code: str | None, *, group: bool = False
    ) -> Context:
        """Who and where, with the session, profile (and group settings) read in one round trip."""
        sid = f"{chat_id}:{user_id}"
        session, profile, settings = self.store.load(sid, user_id, chat_id if group else None)
        if profile is not None:
            self.store.touch_profile(profile)  # activity keeps the profile (written about once a month)
        if session is not None and session.step not in {"done", "cancelled", "lang"}:
            lang = session.lang  # the flow in progress keeps its language (set_lang switches it too)
        else:  # a finished flow's language never wins over the profile's (/lang after a report)
            lang = profile.lang if profile is not None else lang_from_telegram(language_code)
        return Context(update_id, chat_id, user_id, lang, sid, session, profile, settings)

    @staticmethod
    def replay(ctx: Context) -> Outcome | None:
        """The stored answer when this update was handled already (Telegram re-sends after a timeout)."""
        session = ctx.session
        if session is not None and session.last_update_id == ctx.update_id and session.last_outcome is not None:
            return Outcome.model_validate_json(session.last_outcome)
        return None

    def save(self, ctx: Context, session: Session, outcome: Outcome) -> Outcome:
        """Store the session with this update's answer (for the replay) and return the answer."""
        session.last_update_id = ctx.update_id
        session.last_outcome = outcome.model_dump_json()
        self.store.put_session(session)
        return outcome

    def new(self, ctx: Context, kind: FlowKind, step: str) -> Session:
        """A new flow in this chat, started by this update."""
        return Session(
            sid=ctx.sid,
            chat_id=ctx.chat_id,
            user_id=ctx.user_id,
            flow_id=new_token(6),
            kind=kind,
            step=step,
            lang=ctx.lang,
            started_by_update=ctx.update_id,
            created_at=self.clock(),
        )
