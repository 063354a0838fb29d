"""Report intake: the reporter conversations in private chats and reports posted in enabled groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

from telegram import CallbackQuery, Message, MessageOriginChannel, Update

from functions.domain.categories import parse_category, severity_for
from functions.domain.codes import new_token
from functions.domain.crisis import mentions_crisis
from functions.domain.events import ReportCreated, ReportJoined
from functions.domain.jobs import DeliveryJob
from functions.domain.models import (
    REPORTER_ROLES,
    BotCall,
    EvidenceItem,
    Media,
    MyReport,
    Outcome,
    Profile,
    ReportDraft,
    Session,
    SubmitResult,
)
from functions.domain.regions import is_region
from functions.domain.time import KZ_TZ
from functions.domain.urls import extract_urls
from functions.errors import TransientError
from functions.i18n import as_lang, lang_from_telegram, t
from functions.log import get_logger
from functions.services import keyboards as kb

log = get_logger("intake")

MAX_DESCRIPTION: Final = 1000
MAX_ITEMS_PER_MESSAGE: Final = 10
MEDIA_KINDS: Final = ("video", "animation", "document", "video_note", "voice", "audio")
UNSUPPORTED: Final = ("sticker", "poll", "location", "venue", "contact", "dice", "game", "story", "invoice")
GROUP_TYPES: Final = frozenset({"group", "supergroup"})
NOTICE_WINDOW_SECONDS: Final = 5  # one coalesced quarantine notice per group per window: ≤ 12/min < 20/min


class IntakeStore(Protocol):
    """What intake needs from storage (FirestoreStore implements it)."""

    def get_profile(self, user_id: int) -> Profile | None: ...
    def load(
        self, sid: str, user_id: int, group_chat_id: int | None = None
    ) -> tuple[Session | None, Profile | None, dict[str, Any] | None]: ...
    def save_profile(self, profile: Profile) -> None: ...
    def get_session(self, sid: str) -> Session | None: ...
    def put_session(self, session: Session) -> None: ...
    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None: ...
    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]: ...
    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int: ...
    def submit_report(
        self, draft: ReportDraft, session: Session | None, outcome_for: Callable[[SubmitResult], str]
    ) -> SubmitResult: ...
    def my_reports(self, user_id: int, limit: int = 10) -> list[MyReport]: ...
    def attach_evidence(self, code: str, item: EvidenceItem) -> None: ...
    def set_group_bot_rights(self, chat_id: int, status: str, can_delete: bool) -> None: ...
    def get_group(self, chat_id: int) -> dict[str, Any] | None: ...
    def update_group(self, chat_id: int, **fields: Any) -> None: ...
    def add_group_notice_code(self, chat_id: int, bucket: int, code: str) -> None: ...


class EventSink(Protocol):
    """Where events go after the state that produced them is committed."""

    def publish(self, topic: str, message: Any, **attributes: str) -> str: ...


StaffCommand = Callable[[Update, Message, str, str, str], Outcome | None]


# --- Bot calls ---------------------------------------------------------------------------------------------
def send(chat_id: int, text: str, keyboard: kb.Keyboard | None = None, reply_to: int | None = None) -> BotCall:
    """A sendMessage without link previews (a preview would spread the content)."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text, "link_preview_options": {"is_disabled": True}}
    if keyboard is not None:
        params["reply_markup"] = keyboard
    if reply_to is not None:
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return BotCall(method="sendMessage", params=params)


def edit(chat_id: int, message_id: int, text: str, keyboard: kb.Keyboard | None = None) -> BotCall:
    """An editMessageText of the bot's own message (idempotent)."""
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "text": text,
        "link_preview_options": {"is_disabled": True},
    }
    if keyboard is not None:
        params["reply_markup"] = keyboard
    return BotCall(method="editMessageText", params=params)


def delete_message(chat_id: int, message_id: int) -> BotCall:
    """A deleteMessage (allowed within 48 hours)."""
    return BotCall(method="deleteMessage", params={"chat_id": chat_id, "message_id": message_id})


def delete_messages(chat_id: int, message_ids: list[int]) -> BotCall:
    """A deleteMessages of up to 100 messages."""
    return BotCall(method="deleteMessages", params={"chat_id": chat_id, "message_ids": sorted(message_ids)[:100]})


def with_helplines(outcome: Outcome, chat_id: int, lang: str, *, adult: bool = False) -> Outcome:
    """The same answer with the crisis helplines (in the child's «ты», or «Вы» to an adult): added to the message."""
    text = t(lang, "crisis_helplines_adult" if adult else "crisis_helplines")
    body = outcome.body
    if body is not None and body.method == "sendMessage" and text not in str(body.params.get("text")):
        params = dict(body.params)
        params["text"] = (text + "\n\n" + str(params["text"]))[:4096]
        return Outcome(direct=outcome.direct, body=BotCall(method="sendMessage", params=params))
    if body is None:
        return Outcome(direct=outcome.direct, body=send(chat_id, text))
    return Outcome(direct=[*outcome.direct, send(chat_id, text)], body=body)


def answer(callback_id: str, text: str | None = None, alert: bool = False) -> BotCall:
    """An answerCallbackQuery (stops the button's spinner)."""
    params: dict[str, Any] = {"callback_query_id": callback_id}
    if text:
        params["text"] = text[:200]
        params["show_alert"] = alert
    return BotCall(method="answerCallbackQuery", params=params)


# --- Reading messages ---------------------------------------------------------------------------------------
def evidence_of(message: Message) -> EvidenceItem | None:
    """The links and media a message carries (by reference), or None when it carries neither."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    urls = extract_urls(text, [entity.to_dict() for entity in entities]) if text else []
    origin = message.forward_origin
    if isinstance(origin, MessageOriginChannel) and origin.chat.username:
        urls += extract_urls(f"https://t.me/{origin.chat.username}/{origin.message_id}", None)
    media: list[Media] = []
    if message.photo:
        largest = message.photo[-1]
        media.append(Media(kind="photo", file_id=largest.file_id, file_unique_id=largest.file_unique_id))
    for kind in MEDIA_KINDS:
        attachment = getattr(message, kind, None)
        if attachment is not None and getattr(attachment, "file_unique_id", None):
            media.append(Media(kind=kind, file_id=attachment.file_id, file_unique_id=attachment.file_unique_id))
    urls = list(dict.fromkeys(urls))[:MAX_ITEMS_PER_MESSAGE]
    if not urls and not media:
        return None
    return EvidenceItem(message_id=message.message_id, urls=urls, media=media, media_group_id=message.media_group_id)


def command_of(message: Message, bot_username: str) -> tuple[str, str] | None:
    """(command, argument) of a '/command@bot arg' message addressed to this bot, or None."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    head, _, rest = text.partition(" ")
    name, _, target = head[1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower()[:32], rest.strip()


def merge_items(items: list[EvidenceItem]) -> tuple[list[str], list[Media]]:
    """All links and media of a flow, without repeats."""
    urls: list[str] = []
    media: dict[str, Media] = {}
    for item in items:
        urls.extend(item.urls)
        for piece in item.media:
            media.setdefault(piece.file_unique_id, piece)
    return list(dict.fromkeys(urls)), list(media.values())


def group_draft(ctx: Context, region: str, items: list[EvidenceItem]) -> ReportDraft:
    """A report posted in a group: category and severity are left to staff; the posts are referenced."""
    urls, media = merge_items(items)
    return ReportDraft(
        category="other",
        severity="normal",
        region=region,
        urls=urls,
        media=media,
        source="group",
        reporter_user_id=ctx.user_id,
        reporter_chat_id=ctx.user_id,
        reporter_lang=ctx.lang,
        group_chat_id=ctx.chat_id,
        group_message_ids=[item.message_id for item in items],
    )


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


class Intake:
    """Handles reporter-facing updates and returns the Bot API calls to answer them."""

    def __init__(
        self,
        store: IntakeStore,
        events: EventSink,
        reports_topic: str,
        admin_ids: frozenset[int],
        bot_username: str,
        clock: Callable[[], datetime],
        is_admin: Callable[[int], bool] | None = None,
        deliveries_topic: str = "deliveries",
        bot_can_delete: Callable[[int], bool | None] | None = None,
    ) -> None:
        self.store = store
        self.events = events
        self.reports_topic = reports_topic
        self.admin_ids = admin_ids
        self.bot_username = bot_username
        self.clock = clock
        self.is_admin = is_admin or (lambda user_id: user_id in admin_ids)
        self.staff_commands: dict[str, StaffCommand] = {}
        self.staff_callbacks: dict[str, Callable[[Update, CallbackQuery, str], Outcome]] = {}
        self.on_reply: Callable[[Update, Message, str], Outcome | None] | None = None
        self.deliveries_topic = deliveries_topic
        self.bot_can_delete = bot_can_delete or (lambda _chat_id: None)

    # --- dispatch -----------------------------------------------------------------------------------------
    def handle(self, update: Update) -> Outcome:
        """Answer one update (idempotent on update_id: a re-sent update replays the stored answer)."""
        if update.callback_query is not None:
            return self._callback(update, update.callback_query)
        if update.my_chat_member is not None:
            change = update.my_chat_member
            if change.chat.type in GROUP_TYPES:
                member = change.new_chat_member
                can_delete = bool(getattr(member, "can_delete_messages", False)) or member.status == "creator"
                self.store.set_group_bot_rights(change.chat.id, member.status, can_delete)
            return Outcome()
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return Outcome()
        if message.chat.type == "private":
            return self._private(update, message)
        if message.chat.type in GROUP_TYPES:
            return self._group(update, message)
        return Outcome()

    def _context(
        self, update: Update, chat_id: int, user_id: int, language_code: str | None, *, group: bool = False
    ) -> Context:
        """Who and where, with the session, profile (and group settings) read in one round trip."""
        sid = f"{chat_id}:{user_id}"
        session, profile, settings = self.store.load(sid, user_id, chat_id if group else None)
        lang = session.lang if session is not None else None
        if lang is None:
            lang = profile.lang if profile is not None else lang_from_telegram(language_code)
        return Context(update.update_id, chat_id, user_id, lang, sid, session, profile, settings)

    @staticmethod
    def _replay(ctx: Context) -> Outcome | None:
        session = ctx.session
        if session is not None and session.last_update_id == ctx.update_id and session.last_outcome is not None:
            return Outcome.model_validate_json(session.last_outcome)
        return None

    def _save(self, ctx: Context, session: Session, outcome: Outcome) -> Outcome:
        session.last_update_id = ctx.update_id
        session.last_outcome = outcome.model_dump_json()
        self.store.put_session(session)
        return outcome

    def _new_session(self, ctx: Context, kind: str, step: str) -> Session:
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

    # --- private chat -------------------------------------------------------------------------------------
    def _private(self, update: Update, message: Message) -> Outcome:
        user = message.from_user
        assert user is not None
        ctx = self._context(update, message.chat.id, user.id, user.language_code)
        replay = self._replay(ctx)
        if replay is not None:
            return replay
        outcome = self._private_message(update, message, ctx)
        if mentions_crisis(message.text or message.caption):
            adult = ctx.profile is not None and bool(ctx.profile.role) and not ctx.profile.is_child
            return with_helplines(outcome, ctx.chat_id, ctx.lang, adult=adult)
        return outcome

    def _private_message(self, update: Update, message: Message, ctx: Context) -> Outcome:
        command = command_of(message, self.bot_username)
        if command is not None:
            return self._command(update, message, ctx, *command)
        if message.reply_to_message is not None and self.on_reply is not None:
            staff_outcome = self.on_reply(update, message, ctx.lang)
            if staff_outcome is not None:
                return staff_outcome
        item = evidence_of(message)
        if item is not None:
            return self._content(ctx, item)
        if message.text is not None:
            return self._text(ctx, message.text)
        if any(getattr(message, kind, None) for kind in UNSUPPORTED) or message.forward_origin is not None:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "unsupported_content")))
        return Outcome()  # service messages and future types: nothing to say

    def _command(self, update: Update, message: Message, ctx: Context, name: str, arg: str) -> Outcome:
        if name in self.staff_commands:
            outcome = self.staff_commands[name](update, message, ctx.lang, name, arg)
            if outcome is not None:
                return outcome
        if name == "start":
            return self._start(ctx)
        if name == "help":
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "help")))
        if name == "report":
            return self._start_report(ctx, None)
        if name == "cancel":
            return self._cancel(ctx)
        if name == "my":
            return self._my(ctx)
        if name == "lang":
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "lang_choose"), kb.languages()))
        if name == "cleanup":
            return self._cleanup_setting(ctx, arg)
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "fallback_hint")))

    def _start(self, ctx: Context) -> Outcome:
        profile = ctx.profile
        if profile is not None and profile.role and profile.region:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "welcome") + "\n\n" + t(ctx.lang, "fallback_hint")))
        session = self._new_session(ctx, "profile", "role")
        text = t(ctx.lang, "welcome") + "\n\n" + t(ctx.lang, "ask_role")
        return self._save(ctx, session, Outcome(body=send(ctx.chat_id, text, kb.roles(ctx.lang, session.flow_id))))

    def _cleanup_setting(self, ctx: Context, arg: str) -> Outcome:
        if arg not in {"on", "off"}:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "cleanup_usage")))
        profile = ctx.profile or Profile(user_id=ctx.user_id, lang=ctx.lang)
        profile.cleanup = arg == "on"
        self.store.save_profile(profile)
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "cleanup_on" if profile.cleanup else "cleanup_off")))

    def _start_report(self, ctx: Context, first: EvidenceItem | None) -> Outcome:
        profile = ctx.profile
        if profile is not None and profile.is_child:
            return self._start_child(ctx, profile, first)
        session = self._new_session(ctx, "report", "category")
        if first is not None:
            self.store.add_item(ctx.sid, session.flow_id, first)
        outcome = Outcome(body=send(ctx.chat_id, t(ctx.lang, "ask_category"), kb.categories(ctx.lang, session.flow_id)))
        return self._save(ctx, session, outcome)

    def _cancel(self, ctx: Context) -> Outcome:
        session = ctx.session
        if session is None or session.step in {"done", "cancelled"}:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "nothing_to_cancel")))
        session.step = "cancelled"
        return self._save(ctx, session, Outcome(body=send(ctx.chat_id, t(ctx.lang, "cancelled"))))

    def _my(self, ctx: Context) -> Outcome:
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

    def _active_report(self, ctx: Context) -> Session | None:
        session = ctx.session
        if session is not None and session.kind == "report" and session.step not in {"done", "cancelled"}:
            return session
        return None

    def _content(self, ctx: Context, item: EvidenceItem) -> Outcome:
        child = ctx.session if ctx.session is not None and ctx.session.kind == "child" else None
        if child is not None and child.step == "child_offer":
            self.store.add_item(ctx.sid, child.flow_id, item)
            if (
                item.media_group_id is not None
                and self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id) != ctx.update_id
            ):
                return Outcome()
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_got_it")))
        session = self._active_report(ctx)
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
            return self._start_report(ctx, item)
        self.store.add_item(ctx.sid, session.flow_id, item)
        count = len(self.store.list_items(ctx.sid, session.flow_id))
        if session.step == "evidence":
            text = t(ctx.lang, "evidence_added", count=count)
            return Outcome(body=send(ctx.chat_id, text, kb.evidence_done(ctx.lang, session.flow_id)))
        return Outcome(body=send(ctx.chat_id, t(ctx.lang, "evidence_added", count=count)))

    def _text(self, ctx: Context, text: str) -> Outcome:
        session = self._active_report(ctx)
        if session is None:
            return Outcome(body=send(ctx.chat_id, t(ctx.lang, "fallback_hint")))
        if session.step == "description":
            if len(text) > MAX_DESCRIPTION:
                return Outcome(
                    body=send(ctx.chat_id, t(ctx.lang, "text_too_long", length=len(text), max=MAX_DESCRIPTION))
                )
            session.description = text.strip()
            session.step = "confirm"
            body = send(ctx.chat_id, self._summary(session), kb.confirm(ctx.lang, session.flow_id))
            return self._save(ctx, session, Outcome(body=body))
        if session.step == "evidence":
            return Outcome(
                body=send(ctx.chat_id, t(ctx.lang, "no_link_found"), kb.evidence_done(ctx.lang, session.flow_id))
            )
        text_out, keyboard = self._question(session)
        return Outcome(body=send(ctx.chat_id, text_out, keyboard))

    # --- the questions ------------------------------------------------------------------------------------
    def _question(self, session: Session) -> tuple[str, kb.Keyboard]:
        """The text and keyboard of the session's current step."""
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
        if session.step == "confirm":
            return self._summary(session), kb.confirm(lang, flow)
        if session.step == "role":
            return t(lang, "ask_role"), kb.roles(lang, flow)
        return t(lang, "ask_profile_region"), kb.regions(lang, flow, "preg", None, with_cancel=False)

    def _summary(self, session: Session) -> str:
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

    # --- buttons ------------------------------------------------------------------------------------------
    def _callback(self, update: Update, query: CallbackQuery) -> Outcome:
        data = query.data or ""
        user = query.from_user
        message = query.message
        if message is None or not hasattr(message, "chat") or message.chat is None:
            return Outcome(body=answer(query.id, t(lang_from_telegram(user.language_code), "stale_button")))
        ctx = self._context(update, message.chat.id, user.id, user.language_code)
        replay = self._replay(ctx)
        if replay is not None:
            return replay
        prefix = data.split(":", 1)[0]
        if prefix in self.staff_callbacks:
            return self.staff_callbacks[prefix](update, query, ctx.lang)
        if data.startswith("lang:"):
            return self._set_lang(ctx, query, data[5:])
        parts = data.split(":")
        if len(parts) != 4 or parts[0] != "f":
            return Outcome(body=answer(query.id, t(ctx.lang, "stale_button")))
        _, flow_id, action, value = parts
        session = ctx.session
        if session is None or session.flow_id != flow_id or session.step in {"done", "cancelled"}:
            key = "stale_button"
            if message.chat.type in GROUP_TYPES and (session is None or session.flow_id != flow_id):
                key = "not_your_button"
            return Outcome(body=answer(query.id, t(ctx.lang, key), alert=key == "not_your_button"))
        return self._flow_button(ctx, session, query, message.message_id, action, value)

    def _set_lang(self, ctx: Context, query: CallbackQuery, value: str) -> Outcome:
        lang = as_lang(value)
        if lang is None:
            return Outcome(body=answer(query.id, t(ctx.lang, "stale_button")))
        profile = ctx.profile or Profile(user_id=ctx.user_id)
        profile.lang = lang
        self.store.save_profile(profile)
        if ctx.session is not None and ctx.session.step not in {"done", "cancelled"}:
            ctx.session.lang = lang
            self.store.put_session(ctx.session)
        message = query.message
        assert message is not None
        return Outcome(direct=[edit(ctx.chat_id, message.message_id, t(lang, "lang_set"))], body=answer(query.id))

    def _flow_button(
        self, ctx: Context, session: Session, query: CallbackQuery, message_id: int, action: str, value: str
    ) -> Outcome:
        lang = session.lang
        if action == "cancel":
            session.step = "cancelled"
            outcome = Outcome(direct=[edit(ctx.chat_id, message_id, t(lang, "cancelled"))], body=answer(query.id))
            return self._save(ctx, session, outcome)
        expected = {
            "role": "role",
            "preg": "profile_region",
            "cat": "category",
            "danger": "danger",
            "region": "region",
            "ev": "evidence",
            "desc": "description",
            "confirm": "confirm",
            "greg": "group_region",
            "child": "child_offer",
        }
        if expected.get(action) != session.step:
            return Outcome(body=answer(query.id, t(lang, "stale_button")))
        if session.kind == "group_region":
            return self._group_region(ctx, session, query, message_id, value)
        if session.kind == "profile":
            return self._profile_step(ctx, session, query, message_id, action, value)
        if session.kind == "child":
            return self._child_step(ctx, session, query, message_id, value)
        if action == "cat":
            category = parse_category(value)
            if category is None:
                return Outcome(body=answer(query.id, t(lang, "stale_button")))
            session.category = category.value
            session.step = "danger"
        elif action == "danger":
            if value not in {"yes", "no", "unsure"}:
                return Outcome(body=answer(query.id, t(lang, "stale_button")))
            session.danger_answer = value
            session.child_in_danger = value == "yes"
            profile = ctx.profile
            session.region = profile.region if profile is not None else None
            session.role = profile.role if profile is not None else None
            session.cleanup = profile.cleanup if profile is not None else True
            session.step = "region"
        elif action == "region":
            if not is_region(value):
                return Outcome(body=answer(query.id, t(lang, "stale_button")))
            session.region = value
            session.step = "evidence"
        elif action == "ev":
            if not self.store.list_items(ctx.sid, session.flow_id):
                return Outcome(body=answer(query.id, t(lang, "evidence_needed"), alert=True))
            session.step = "description"
        elif action == "desc":
            session.step = "confirm"
        elif action == "confirm":
            return self._confirm(ctx, session, query, message_id)
        text, keyboard = self._question(session)
        outcome = Outcome(direct=[edit(ctx.chat_id, message_id, text, keyboard)], body=answer(query.id))
        return self._save(ctx, session, outcome)

    def _profile_step(
        self, ctx: Context, session: Session, query: CallbackQuery, message_id: int, action: str, value: str
    ) -> Outcome:
        lang = session.lang
        if action == "role":
            if value not in REPORTER_ROLES:
                return Outcome(body=answer(query.id, t(lang, "stale_button")))
            session.role = value
            session.step = "profile_region"
            text, keyboard = self._question(session)
            outcome = Outcome(direct=[edit(ctx.chat_id, message_id, text, keyboard)], body=answer(query.id))
            return self._save(ctx, session, outcome)
        if not is_region(value):
            return Outcome(body=answer(query.id, t(lang, "stale_button")))
        profile = ctx.profile or Profile(user_id=ctx.user_id, lang=lang)
        profile.role = session.role
        profile.region = value
        self.store.save_profile(profile)
        session.step = "done"
        outcome = Outcome(direct=[edit(ctx.chat_id, message_id, t(lang, "profile_saved"))], body=answer(query.id))
        return self._save(ctx, session, outcome)

    def _confirm(self, ctx: Context, session: Session, query: CallbackQuery, message_id: int) -> Outcome:
        items = self.store.list_items(ctx.sid, session.flow_id)
        urls, media = merge_items(items)
        category = parse_category(session.category)
        if category is None or not is_region(session.region) or not (urls or media):
            return Outcome(body=answer(query.id, t(session.lang, "stale_button")))
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
            text = self._result_text(session.lang, result)
            calls = [edit(ctx.chat_id, message_id, text)]
            if media_messages:  # the report is stored: take the media out of the reporter's chat (< 48 h old)
                calls[0] = edit(ctx.chat_id, message_id, text + "\n\n" + t(session.lang, "cleanup_done"))
                calls.append(delete_messages(ctx.chat_id, media_messages))
            return Outcome(direct=calls, body=answer(query.id)).model_dump_json()

        result = self.store.submit_report(draft, session, outcome_for)
        self._publish(result, draft)
        return Outcome.model_validate_json(outcome_for(result))

    # --- a child writing to the bot -----------------------------------------------------------------------
    def _start_child(self, ctx: Context, profile: Profile, first: EvidenceItem | None) -> Outcome:
        """A child is never asked for evidence or details: kind words, the helplines, and an offer of an adult."""
        session = self._new_session(ctx, "child", "child_offer")
        session.region = profile.region
        session.role = "child"
        if first is not None:
            self.store.add_item(ctx.sid, session.flow_id, first)
        keyboard = kb.markup(
            [
                [kb.button(t(ctx.lang, "btn_child_contact"), kb.flow_data(session.flow_id, "child", "contact"))],
                [kb.button(t(ctx.lang, "btn_child_no"), kb.flow_data(session.flow_id, "child", "no"))],
            ]
        )
        return self._save(ctx, session, Outcome(body=send(ctx.chat_id, t(ctx.lang, "child_support"), keyboard)))

    def _child_step(self, ctx: Context, session: Session, query: CallbackQuery, message_id: int, value: str) -> Outcome:
        lang = session.lang
        if value == "no":
            session.step = "done"
            outcome = Outcome(direct=[edit(ctx.chat_id, message_id, t(lang, "child_no_thanks"))], body=answer(query.id))
            return self._save(ctx, session, outcome)
        if value != "contact":
            return Outcome(body=answer(query.id, t(lang, "stale_button")))
        items = self.store.list_items(ctx.sid, session.flow_id)
        urls, media = merge_items(items)
        draft = ReportDraft(
            category="other",
            severity="urgent",
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
        )
        session.last_update_id = ctx.update_id

        def outcome_for(result: SubmitResult) -> str:
            text = t(lang, "child_contact_created", code=result.code)
            return Outcome(direct=[edit(ctx.chat_id, message_id, text)], body=answer(query.id)).model_dump_json()

        result = self.store.submit_report(draft, session, outcome_for)
        self._publish(result, draft)
        return Outcome.model_validate_json(outcome_for(result))

    @staticmethod
    def _result_text(lang: str, result: SubmitResult) -> str:
        key = {"created": "report_created", "joined": "report_joined", "already_reporter": "report_already_yours"}
        text = t(lang, key[result.outcome], code=result.code)
        if result.severity == "urgent":
            text += "\n\n" + t(lang, "helplines_urgent")
        return text

    def _publish(self, result: SubmitResult, draft: ReportDraft) -> None:
        """Publish the event of a stored report; on failure tick publishes it later (the outbox)."""
        now = self.clock()
        event: ReportCreated | ReportJoined
        if result.outcome == "created":
            event = ReportCreated(
                event_id=f"created-{result.code}",
                report_id=result.code,
                occurred_at=now,
                severity=draft.severity,
                region=draft.region,
                category=draft.category,
            )
        elif result.outcome == "joined":
            event = ReportJoined(
                event_id=f"joined-{result.code}-{draft.reporter_user_id}",
                report_id=result.code,
                occurred_at=now,
                reporter_user_id=draft.reporter_user_id,
            )
        else:
            return
        try:
            self.events.publish(self.reports_topic, event, type=event.type, report_id=result.code)
        except TransientError:
            log.warning(
                "event not published; tick will retry", extra={"report_id": result.code, "event_type": event.type}
            )

    # --- groups -------------------------------------------------------------------------------------------
    def _group(self, update: Update, message: Message) -> Outcome:
        user = message.from_user
        assert user is not None
        command = command_of(message, self.bot_username)
        if command is not None and command[0] in {"enable_group", "disable_group"}:
            lang = lang_from_telegram(user.language_code)
            if not self.is_admin(user.id):
                return Outcome(body=send(message.chat.id, t(lang, "admins_only"), reply_to=message.message_id))
            enabled = command[0] == "enable_group"
            self.store.update_group(message.chat.id, enabled=enabled, changed_by=user.id)
            key = "group_enabled" if enabled else "group_disabled"
            return Outcome(body=send(message.chat.id, t(lang, key)))
        if command is not None and command[0] == "quarantine":
            return self._quarantine_setting(message, user.id, lang_from_telegram(user.language_code), command[1])
        if command is not None and command[0] in self.staff_commands:
            lang = lang_from_telegram(user.language_code)
            outcome = self.staff_commands[command[0]](update, message, lang, command[0], command[1])
            return outcome or Outcome()
        item = evidence_of(message)
        if item is None and not mentions_crisis(message.text):
            return Outcome()  # group chatter: nothing read, nothing said
        ctx = self._context(update, message.chat.id, user.id, user.language_code, group=True)
        group = ctx.group
        if group is None or not group.get("enabled"):
            return Outcome()
        if item is None:  # words of self-harm in an enabled group: the helplines, at once
            return Outcome(
                body=send(
                    message.chat.id,
                    t(lang_from_telegram(user.language_code), "crisis_helplines_adult"),  # «Вы» to the whole group
                    reply_to=message.message_id,
                )
            )
        replay = self._replay(ctx)
        if replay is not None:
            return replay
        if group.get("quarantine"):
            return self._quarantine(ctx, group, item, message)
        pending = ctx.session if ctx.session is not None and ctx.session.kind == "group_region" else None
        if pending is not None and pending.step == "group_region":
            self.store.add_item(ctx.sid, pending.flow_id, item)
            if item.media_group_id is not None:
                return Outcome()  # an album's later parts: the question was asked for its first part
            # The question may have been lost (a group gets 20 bot messages a minute): ask again.
            keyboard = kb.regions(ctx.lang, pending.flow_id, "greg", None, with_cancel=False)
            body = send(ctx.chat_id, t(ctx.lang, "group_ask_region"), keyboard, reply_to=message.message_id)
            return self._save(ctx, pending, Outcome(body=body))
        if item.media_group_id is not None:
            owner = self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id)
            if owner != ctx.update_id:
                flow = ctx.session
                if flow is None or flow.started_by_update != owner:
                    raise TransientError("album part arrived before its report was stored")
                return self._group_album_part(ctx, flow, item, message)
        session = self._new_session(ctx, "group_region", "group_region")
        session.reply_to_message_id = message.message_id
        profile = ctx.profile
        if profile is None or not is_region(profile.region):
            self.store.add_item(ctx.sid, session.flow_id, item)  # kept until the author names the region
            keyboard = kb.regions(ctx.lang, session.flow_id, "greg", None, with_cancel=False)
            body = send(ctx.chat_id, t(ctx.lang, "group_ask_region"), keyboard, reply_to=message.message_id)
            return self._save(ctx, session, Outcome(body=body))
        session.region = profile.region
        return self._submit_group(ctx, session, [item], reply_to=message.message_id)

    def _quarantine_setting(self, message: Message, user_id: int, lang: str, arg: str) -> Outcome:
        """/quarantine on|off, committee administrators only; says at once when the bot lacks delete rights."""
        chat_id = message.chat.id
        if not self.is_admin(user_id):
            return Outcome(body=send(chat_id, t(lang, "admins_only"), reply_to=message.message_id))
        if arg not in {"on", "off"}:
            return Outcome(body=send(chat_id, t(lang, "quarantine_usage")))
        if arg == "off":
            self.store.update_group(chat_id, quarantine=False, changed_by=user_id)
            return Outcome(body=send(chat_id, t(lang, "quarantine_off")))
        can_delete = self.bot_can_delete(chat_id)
        fields: dict[str, Any] = {"quarantine": True, "enabled": True, "changed_by": user_id}
        if can_delete is not None:
            fields["bot_can_delete"] = can_delete
        text = t(lang, "quarantine_on")
        if not can_delete:
            fields["rights_warned"] = True
            text += "\n\n" + t(lang, "quarantine_needs_rights")
        self.store.update_group(chat_id, **fields)
        return Outcome(body=send(chat_id, text))

    def _quarantine(self, ctx: Context, group: dict[str, Any], item: EvidenceItem, message: Message) -> Outcome:
        """Register the post as a report, then (only once it is stored) delete it and coalesce a notice."""
        can_delete = bool(group.get("bot_can_delete"))
        if item.media_group_id is not None:
            owner = self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id)
            if owner != ctx.update_id:
                flow = ctx.session
                if flow is None or flow.started_by_update != owner or not flow.report_code:
                    raise TransientError("album part arrived before its report was stored")
                self.store.attach_evidence(flow.report_code, item)
                return Outcome(body=delete_message(ctx.chat_id, message.message_id) if can_delete else None)
        profile = ctx.profile
        session = self._new_session(ctx, "group_region", "group_region")
        session.region = profile.region if profile is not None and is_region(profile.region) else ""
        warn = not can_delete and not group.get("rights_warned")
        draft = group_draft(ctx, str(session.region), [item])
        session.last_update_id = ctx.update_id

        def outcome_for(result: SubmitResult) -> str:
            if can_delete:
                return Outcome(body=delete_message(ctx.chat_id, message.message_id)).model_dump_json()
            key = "group_report_created" if result.outcome == "created" else "group_report_joined"
            text = t(ctx.lang, key, code=result.code)
            if warn:
                text += "\n\n" + t(ctx.lang, "quarantine_needs_rights")
            return Outcome(body=send(ctx.chat_id, text, reply_to=message.message_id)).model_dump_json()

        result = self.store.submit_report(draft, session, outcome_for)
        self._publish(result, draft)
        if warn:
            self.store.update_group(ctx.chat_id, rights_warned=True)
        if can_delete:
            self._queue_group_notice(ctx.chat_id, result.code)
        return Outcome.model_validate_json(outcome_for(result))

    def _queue_group_notice(self, chat_id: int, code: str) -> None:
        """Add the case to this window's notice; deliver sends one notice per window listing every code."""
        bucket = int(self.clock().timestamp()) // NOTICE_WINDOW_SECONDS
        self.store.add_group_notice_code(chat_id, bucket, code)
        job = DeliveryJob(
            job_id=f"gn-{chat_id}-{bucket}-{code}",
            kind="group_notice",
            report_id=code,
            recipient_id=chat_id,
            event_id=f"gn-{chat_id}-{bucket}",
            argument=str(bucket),
        )
        try:
            self.events.publish(self.deliveries_topic, job)
        except TransientError:
            log.warning("group notice not queued", extra={"report_id": code})

    def _group_album_part(self, ctx: Context, flow: Session, item: EvidenceItem, message: Message) -> Outcome:
        """A later part of an album posted in a group joins the report its first part made."""
        self.store.add_item(ctx.sid, flow.flow_id, item)
        if flow.step == "done" and flow.report_code:
            self.store.attach_evidence(flow.report_code, item)
        return Outcome()

    def _group_region(
        self, ctx: Context, session: Session, query: CallbackQuery, message_id: int, value: str
    ) -> Outcome:
        if query.from_user.id != session.user_id:
            return Outcome(body=answer(query.id, t(ctx.lang, "not_your_button"), alert=True))
        if not is_region(value):
            return Outcome(body=answer(query.id, t(ctx.lang, "stale_button")))
        session.region = value
        items = self.store.list_items(ctx.sid, session.flow_id)
        outcome = self._submit_group(ctx, session, items, edit_message_id=message_id, callback_id=query.id)
        return outcome

    def _submit_group(
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

        result = self.store.submit_report(draft, session, outcome_for)
        self._publish(result, draft)
        return Outcome.model_validate_json(outcome_for(result))
