"""Staff use cases on the webhook: onboarding, roles, duty, case buttons, notes and evidence on request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from telegram import CallbackQuery, Message, Update

from functions.domain.categories import RESTRICTED_CATEGORIES
from functions.domain.codes import new_token, normalise_case_code
from functions.domain.events import ReportChanged
from functions.domain.models import OPEN_STATUSES, BotCall, Outcome, Status
from functions.domain.regions import is_region
from functions.domain.workflow import Action, Refusal, Role, StaffMember, check, may_see, target_status
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards
from functions.services.commands import staff_command_call
from functions.services.intake import EventSink, Intake, answer, edit, send
from functions.services.keyboards import button, markup

log = get_logger("staff")

INVITE_TTL: Final = timedelta(hours=72)
MAX_NOTE: Final = 2000
NOTICES: Final = {
    Action.TAKE: "taken",
    Action.ESCALATE: "escalated",
    Action.RESOLVE: "resolved",
    Action.REJECT: "rejected",
    Action.REOPEN: "reopened",
}
MEDIA_METHODS: Final = {
    "photo": "sendPhoto",
    "video": "sendVideo",
    "animation": "sendAnimation",
    "document": "sendDocument",
    "video_note": "sendVideoNote",
    "voice": "sendVoice",
    "audio": "sendAudio",
}
VERB_ACTION: Final = {
    "take": Action.TAKE,
    "esc": Action.ESCALATE,
    "res": Action.RESOLVE,
    "rej": Action.REJECT,
    "reopen": Action.REOPEN,
}


class CaseStorePort(Protocol):
    """What the staff use cases need from storage (CaseStore implements it)."""

    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def put_staff(self, member: StaffMember, invited_by: int | None) -> None: ...
    def update_staff(self, user_id: int, **fields: Any) -> bool: ...
    def all_staff(self) -> list[StaffMember]: ...
    def create_invite(self, code: str, role: Role, regions: list[str], by: int, ttl: timedelta) -> None: ...
    def redeem_invite(self, code: str, user_id: int) -> dict[str, Any] | None: ...
    def get_report(self, code: str) -> tuple[dict[str, Any], Any] | None: ...
    def apply_transition(
        self,
        code: str,
        read_at: Any,
        version: int,
        changes: dict[str, Any],
        event: dict[str, Any],
        outbox: dict[str, Any] | None,
    ) -> bool: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def has_event(self, code: str, event_id: str) -> bool: ...
    def card_of_message(self, chat_id: int, message_id: int) -> str | None: ...
    def move_reporters(self, source: str, target: str) -> int: ...


class Staff:
    """Staff commands and buttons, each authorised from the stored role and regions."""

    def __init__(
        self,
        cases: CaseStorePort,
        events: EventSink,
        reports_topic: str,
        admin_ids: frozenset[int],
        bot_username: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.cases = cases
        self.events = events
        self.reports_topic = reports_topic
        self.admin_ids = admin_ids
        self.bot_username = bot_username
        self.clock = clock

    # --- who ----------------------------------------------------------------------------------------------
    def member(self, user_id: int) -> StaffMember | None:
        """The person's staff record; the first admins (ADMIN_TELEGRAM_IDS) are admins even before /start."""
        stored = self.cases.get_staff(user_id)
        if user_id in self.admin_ids:
            if stored is None:
                return StaffMember(user_id=user_id, role=Role.ADMIN, active=True)
            return StaffMember(**{**stored.__dict__, "role": Role.ADMIN, "active": True})
        return stored if stored is not None and stored.active else None

    def is_admin(self, user_id: int) -> bool:
        """Whether this person is an active administrator."""
        person = self.member(user_id)
        return person is not None and person.role == Role.ADMIN

    # --- commands -----------------------------------------------------------------------------------------
    def command(self, update: Update, message: Message, lang: str, name: str, arg: str) -> Outcome | None:
        """Handle a staff command; None when it is not one for this person (the reporter flow goes on)."""
        user = message.from_user
        assert user is not None
        chat_id = message.chat.id
        if name == "start":
            return self._start(message, lang, arg)
        if message.chat.type != "private":
            return Outcome(body=send(chat_id, t(lang, "private_only"), reply_to=message.message_id))
        person = self.member(user.id)
        lang = person.lang if person is not None and person.lang else lang
        if person is None:
            return Outcome(body=send(chat_id, t(lang, "refuse_no_access")))
        if name == "duty":
            return self._duty(person, chat_id, lang, arg)
        if name == "merge":
            return self._merge(update, person, chat_id, lang, arg)
        if person.role != Role.ADMIN:
            return Outcome(body=send(chat_id, t(lang, "admins_only")))
        if name == "invite":
            return self._invite(person, chat_id, lang, arg)
        if name == "staff":
            return self._list(chat_id, lang)
        if name == "revoke":
            return self._revoke(person, chat_id, lang, arg)
        return None

    def _start(self, message: Message, lang: str, arg: str) -> Outcome | None:
        user = message.from_user
        assert user is not None
        if arg.startswith("inv_"):
            data = self.cases.redeem_invite(arg[4:40], user.id)
            if data is None:
                return Outcome(body=send(message.chat.id, t(lang, "invite_invalid")))
            if data.get("used_by") == user.id:  # their own invite again: Telegram re-sending, or an old link
                stored = self.cases.get_staff(user.id)
                if stored is not None and not stored.active:  # revoked people do not come back this way
                    return Outcome(body=send(message.chat.id, t(lang, "invite_invalid")))
                if stored is not None:
                    role = t(lang, f"staffrole_{stored.role.value}")
                    return Outcome(body=send(message.chat.id, t(lang, "staff_welcome", role=role)))
            member = StaffMember(
                user_id=user.id,
                role=Role(data["role"]),
                regions=tuple(data.get("regions") or ()),
                name=(user.first_name or "")[:64],
                lang=lang,
                on_duty=False,
            )
            self.cases.put_staff(member, invited_by=data.get("created_by"))
            log.info("staff registered", extra={"user_id": user.id, "role": member.role.value})
            return Outcome(
                direct=[staff_command_call(message.chat.id, member.role.value, lang)],
                body=send(message.chat.id, t(lang, "staff_welcome", role=t(lang, f"staffrole_{member.role.value}"))),
            )
        if user.id in self.admin_ids:
            stored = self.cases.get_staff(user.id)
            if stored is None or not stored.active or stored.unreachable:
                member = StaffMember(
                    user_id=user.id,
                    role=Role.ADMIN,
                    name=(user.first_name or "")[:64],
                    lang=stored.lang if stored else lang,
                    on_duty=stored.on_duty if stored else False,
                )
                self.cases.put_staff(member, invited_by=None)
                return Outcome(
                    direct=[staff_command_call(message.chat.id, Role.ADMIN.value, lang)],
                    body=send(message.chat.id, t(lang, "staff_welcome", role=t(lang, "staffrole_admin"))),
                )
            return None
        stored = self.cases.get_staff(user.id)
        if stored is not None and stored.active and stored.unreachable:
            self.cases.update_staff(user.id, unreachable=False)
        return None

    def _duty(self, person: StaffMember, chat_id: int, lang: str, arg: str) -> Outcome:
        if arg not in {"on", "off"}:
            return Outcome(body=send(chat_id, t(lang, "duty_usage")))
        if person.role == Role.REGIONAL:
            return Outcome(body=send(chat_id, t(lang, "duty_specialists_only")))
        if not self.cases.update_staff(person.user_id, on_duty=arg == "on"):
            return Outcome(body=send(chat_id, t(lang, "refuse_no_access")))
        return Outcome(body=send(chat_id, t(lang, "duty_on" if arg == "on" else "duty_off")))

    def _invite(self, person: StaffMember, chat_id: int, lang: str, arg: str) -> Outcome:
        parts = arg.split()
        try:
            role = Role(parts[0]) if parts else None
        except ValueError:
            role = None
        regions = [code for code in (parts[1].split(",") if len(parts) > 1 else []) if code]
        if role is None or any(not is_region(code) for code in regions) or (role == Role.REGIONAL and not regions):
            return Outcome(body=send(chat_id, t(lang, "invite_usage")))
        if role != Role.REGIONAL:
            regions = []
        code = new_token(16)
        self.cases.create_invite(code, role, regions, person.user_id, INVITE_TTL)
        link = f"https://t.me/{self.bot_username or 'bot'}?start=inv_{code}"
        region_names = ", ".join(t(lang, f"region_{r}") for r in regions) or t(lang, "all_regions")
        text = t(lang, "invite_created", role=t(lang, f"staffrole_{role.value}"), regions=region_names, link=link)
        return Outcome(body=send(chat_id, text))

    def _list(self, chat_id: int, lang: str) -> Outcome:
        people = sorted(self.cases.all_staff(), key=lambda p: (not p.active, p.role.value, p.user_id))
        if not people:
            return Outcome(body=send(chat_id, t(lang, "staff_empty")))
        lines = [t(lang, "staff_header")]
        for p in people[:100]:
            regions = ",".join(p.regions) or t(lang, "all_regions")
            flags = []
            if p.on_duty:
                flags.append(t(lang, "staff_flag_duty"))
            if not p.active:
                flags.append(t(lang, "staff_flag_revoked"))
            if p.unreachable:
                flags.append(t(lang, "staff_flag_unreachable"))
            lines.append(
                t(
                    lang,
                    "staff_line",
                    name=p.name or "—",
                    user_id=p.user_id,
                    role=t(lang, f"staffrole_{p.role.value}"),
                    regions=regions,
                    flags=(" · " + ", ".join(flags)) if flags else "",
                )
            )
        return Outcome(body=send(chat_id, "\n".join(lines)[:4096]))

    def _revoke(self, person: StaffMember, chat_id: int, lang: str, arg: str) -> Outcome:
        if not arg.strip().isdigit():
            return Outcome(body=send(chat_id, t(lang, "revoke_usage")))
        target = int(arg.strip())
        if target in self.admin_ids:
            return Outcome(body=send(chat_id, t(lang, "revoke_env_admin")))
        if not self.cases.update_staff(
            target, active=False, on_duty=False, revoked_by=person.user_id, revoked_at=self.clock()
        ):
            return Outcome(body=send(chat_id, t(lang, "revoke_unknown", user_id=target)))
        log.info("staff revoked", extra={"user_id": target, "by": person.user_id})
        return Outcome(body=send(chat_id, t(lang, "revoked", user_id=target)))

    # --- buttons ------------------------------------------------------------------------------------------
    def callback(self, update: Update, query: CallbackQuery, lang: str) -> Outcome:
        """A press on a card button: s:<verb>:<code>[:<arg>]."""
        parts = (query.data or "").split(":")
        message = query.message
        person = self.member(query.from_user.id)
        if person is not None and person.lang:
            lang = person.lang
        if len(parts) not in {3, 4} or message is None or person is None:
            return Outcome(body=answer(query.id, t(lang, "refuse_no_access"), alert=True))
        verb, code, arg = parts[1], normalise_case_code(parts[2]), parts[3] if len(parts) == 4 else ""
        found = self.cases.get_report(code) if code else None
        if found is None or code is None:
            return Outcome(body=answer(query.id, t(lang, "case_not_found"), alert=True))
        report, _ = found
        if not may_see(person, str(report.get("category")), str(report.get("region"))):
            return Outcome(body=answer(query.id, t(lang, "refuse_out_of_scope"), alert=True))
        chat_id, message_id = message.chat.id, message.message_id
        if verb in {"menu", "back"}:
            menu = arg if verb == "menu" else None
            keyboard = cards.card_keyboard(report, person, menu)
            call = BotCall(
                method="editMessageReplyMarkup",
                params={"chat_id": chat_id, "message_id": message_id, "reply_markup": keyboard},
            )
            return Outcome(direct=[call], body=answer(query.id))
        if verb in {"ev", "evok"}:
            return self._evidence(update, query, person, report, lang, confirmed=verb == "evok")
        action = VERB_ACTION.get(verb)
        if action is None:
            return Outcome(body=answer(query.id, t(lang, "refuse_bad_argument"), alert=True))
        return self._transition(update, query, person, code, action, arg, lang)

    def _transition(
        self, update: Update, query: CallbackQuery, person: StaffMember, code: str, action: Action, arg: str, lang: str
    ) -> Outcome:
        message = query.message
        assert message is not None
        done = self.transition(update.update_id, person, code, action, arg)
        if isinstance(done, str):
            return Outcome(body=answer(query.id, done, alert=True))
        owner = person.name if action == Action.TAKE else self._owner_name(done)
        text, keyboard = cards.render_card(done, person, self.clock(), owner)
        status = t(lang, f"status_{done['status']}")
        return Outcome(
            direct=[edit(message.chat.id, message.message_id, text, keyboard)],
            body=answer(query.id, t(lang, "action_done", code=code, status=status)),
        )

    def transition(
        self,
        update_id: int,
        person: StaffMember,
        code: str,
        action: Action,
        arg: str,
        extra: dict[str, Any] | None = None,
        notice: str | None = None,
    ) -> dict[str, Any] | str:
        """Move a case by the state machine: the updated case, or why not (a text in the person's language).

        The write is a precondition write (the case must not have changed since it was read), so of many
        people pressing at once exactly one succeeds; the others re-read and are told what happened.
        """
        lang = person.lang
        for _attempt in range(6):
            found = self.cases.get_report(code)
            if found is None:
                return t(lang, "case_not_found")
            report, read_at = found
            view = cards.case_view(report)
            refusal = check(person, view, action, arg)
            if refusal is not None:
                return self._refusal_text(lang, refusal, report)
            to_status = target_status(action)
            changes: dict[str, Any] = {"status": to_status.value}
            if action == Action.TAKE:
                changes["assignee"] = person.user_id
                changes["taken_at"] = self.clock()
            if action == Action.REOPEN:
                changes["assignee"] = report.get("assignee") or person.user_id
                changes["outcome"] = None
            if action == Action.ESCALATE:
                changes["escalated_to"] = arg
                changes["escalated_at"] = self.clock()
            if action in {Action.RESOLVE, Action.REJECT}:
                changes["outcome"] = arg
                changes["closed_at"] = self.clock()
            changes |= extra or {}
            version = int(report.get("version", 0))
            told = notice or NOTICES[action]
            event = ReportChanged(
                event_id=f"changed-{code}-v{version + 1}",
                report_id=code,
                occurred_at=self.clock(),
                from_status=view.status.value,
                to_status=to_status.value,
            )
            argument = str((extra or {}).get("merged_into") or arg)
            outbox = event.model_dump(mode="json") | {"notice": told, "argument": argument}
            audit = {
                "type": "transition",
                "action": action.value,
                "by": person.user_id,
                "from": view.status.value,
                "to": to_status.value,
                "note": argument or None,
                "update_id": update_id,
            }
            if self.cases.apply_transition(code, read_at, version, changes, audit, outbox):
                log.info("case changed", extra={"report_id": code, "action": action.value, "by": person.user_id})
                self._publish(event, told, argument)
                return report | changes | {"version": version + 1}
        raise TransientError(f"case {code} kept changing")

    def _merge(self, update: Update, person: StaffMember, chat_id: int, lang: str, arg: str) -> Outcome:
        """/merge <duplicate> <main>: the duplicate is rejected into the main case, its reporters move with it."""
        parts = arg.split()
        codes = [normalise_case_code(part) for part in parts]
        if len(codes) != 2 or None in codes or codes[0] == codes[1]:
            return Outcome(body=send(chat_id, t(lang, "merge_usage")))
        duplicate, main = str(codes[0]), str(codes[1])
        found = self.cases.get_report(main)
        if found is None:
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))
        target, _ = found
        if not may_see(person, str(target.get("category")), str(target.get("region"))):
            return Outcome(body=send(chat_id, t(lang, "refuse_out_of_scope")))
        if cards.case_view(target).status not in OPEN_STATUSES:
            return Outcome(body=send(chat_id, t(lang, "merge_main_closed", code=main)))
        done = self.transition(
            update.update_id,
            person,
            duplicate,
            Action.REJECT,
            "duplicate",
            extra={"merged_into": main},
            notice="merged",
        )
        if isinstance(done, str):
            return Outcome(body=send(chat_id, done))
        moved = self.cases.move_reporters(duplicate, main)
        log.info("cases merged", extra={"report_id": duplicate, "into": main, "reporters": moved})
        return Outcome(body=send(chat_id, t(lang, "merged", duplicate=duplicate, main=main, count=moved)))

    def _publish(self, event: ReportChanged, notice: str, arg: str) -> None:
        try:
            self.events.publish(
                self.reports_topic, event, type=event.type, report_id=event.report_id, notice=notice, argument=arg
            )
        except TransientError:
            log.warning("event not published; tick will retry", extra={"report_id": event.report_id})

    def _owner_name(self, report: dict[str, Any]) -> str | None:
        assignee = report.get("assignee")
        if not isinstance(assignee, int):
            return None
        owner = self.cases.get_staff(assignee)
        return owner.name if owner is not None and owner.name else str(assignee)

    def _refusal_text(self, lang: str, refusal: Refusal, report: dict[str, Any]) -> str:
        if refusal == Refusal.TAKEN:
            return t(lang, "refuse_taken", name=self._owner_name(report) or "—")
        if refusal == Refusal.ILLEGAL:
            return t(lang, "refuse_illegal", status=t(lang, f"status_{report.get('status', 'new')}"))
        return t(lang, f"refuse_{refusal.value}")

    def _evidence(
        self,
        update: Update,
        query: CallbackQuery,
        person: StaffMember,
        report: dict[str, Any],
        lang: str,
        *,
        confirmed: bool,
    ) -> Outcome:
        code = str(report["id"])
        chat_id = query.from_user.id
        restricted = str(report.get("category")) in {c.value for c in RESTRICTED_CATEGORIES}
        if restricted and person.role != Role.CHILD_SAFETY:
            return Outcome(body=answer(query.id, t(lang, "refuse_evidence_restricted"), alert=True))
        graphic = bool(report.get("media"))
        acknowledged = (not restricted) and self.cases.has_event(code, f"ack-{person.user_id}")
        message = query.message
        if (restricted or graphic) and not confirmed and not acknowledged and message is not None:
            warning = t(lang, "evidence_confirm_sexual" if restricted else "evidence_confirm_warning")
            keyboard = markup(
                [
                    [button(t(lang, "btn_evidence_confirm"), f"s:evok:{code}")],
                    [button(t(lang, "btn_back"), f"s:back:{code}")],
                ]
            )
            call = BotCall(
                method="editMessageReplyMarkup",
                params={"chat_id": message.chat.id, "message_id": message.message_id, "reply_markup": keyboard},
            )
            return Outcome(direct=[call], body=answer(query.id, warning, alert=True))
        if confirmed and not restricted:
            self.cases.add_event(code, f"ack-{person.user_id}", {"type": "evidence_ack", "by": person.user_id})
        first_time = self.cases.add_event(
            code, f"view-{update.update_id}", {"type": "evidence_view", "by": person.user_id}
        )
        if not first_time:
            return Outcome(body=answer(query.id))  # a re-sent press: the evidence went out already
        log.info("evidence viewed", extra={"report_id": code, "by": person.user_id})
        calls: list[BotCall] = []
        caption = t(lang, "evidence_caption", code=code)
        for media in report.get("media") or []:
            method = MEDIA_METHODS.get(str(media.get("kind")))
            if method is None:
                continue
            field = media["kind"]
            calls.append(
                BotCall(
                    method=method,
                    params={"chat_id": chat_id, field: media["file_id"], "protect_content": True, "caption": caption},
                )
            )
        urls = [str(url) for url in report.get("urls") or []]
        text = t(lang, "evidence_header", code=code)
        if urls:
            text += "\n" + "\n".join(urls[:20])
        calls.insert(
            0,
            BotCall(
                method="sendMessage",
                params={
                    "chat_id": chat_id,
                    "text": text[:4096],
                    "protect_content": True,
                    "link_preview_options": {"is_disabled": True},
                },
            ),
        )
        if confirmed and message is not None:  # put the card's own buttons back
            calls.append(
                BotCall(
                    method="editMessageReplyMarkup",
                    params={
                        "chat_id": message.chat.id,
                        "message_id": message.message_id,
                        "reply_markup": cards.card_keyboard(report, person),
                    },
                )
            )
        return Outcome(direct=calls, body=answer(query.id))

    # --- notes --------------------------------------------------------------------------------------------
    def reply(self, update: Update, message: Message, lang: str) -> Outcome | None:
        """A staff member's reply to a card is a note on the case; None when it is not a reply to a card."""
        user = message.from_user
        replied = message.reply_to_message
        if user is None or replied is None or not message.text:
            return None
        code = self.cases.card_of_message(message.chat.id, replied.message_id)
        if code is None:
            return None
        person = self.member(user.id)
        found = self.cases.get_report(code)
        if person is None or found is None:
            return Outcome(body=send(message.chat.id, t(lang, "refuse_no_access")))
        report, _ = found
        lang = person.lang or lang
        if not may_see(person, str(report.get("category")), str(report.get("region"))):
            return Outcome(body=send(message.chat.id, t(lang, "refuse_out_of_scope")))
        if len(message.text) > MAX_NOTE:
            return Outcome(body=send(message.chat.id, t(lang, "text_too_long", length=len(message.text), max=MAX_NOTE)))
        self.cases.add_event(
            code, f"note-{update.update_id}", {"type": "note", "by": person.user_id, "text": message.text}
        )
        return Outcome(body=send(message.chat.id, t(lang, "note_saved", code=code), reply_to=message.message_id))


def wire(intake: Intake) -> None:
    """Register the staff commands, buttons and notes with the webhook's dispatcher."""
    from functions import bootstrap

    staff = Staff(
        bootstrap.cases(), intake.events, intake.reports_topic, intake.admin_ids, intake.bot_username, intake.clock
    )
    for name in ("start", "invite", "staff", "revoke", "duty", "merge"):
        intake.staff_commands[name] = staff.command
    intake.staff_callbacks["s"] = staff.callback
    intake.on_reply = staff.reply
    intake.is_admin = staff.is_admin


__all__ = ["Staff", "Status", "wire"]
