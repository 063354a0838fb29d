"""Staff onboarding and administration: /start with an invite, /invite, /invites, /staff, /revoke, /duty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from functions.domain import callbacks
from functions.domain.codes import new_token
from functions.domain.incoming import IncomingCallback, IncomingMessage
from functions.domain.models import BotCall, Outcome
from functions.domain.regions import is_region
from functions.domain.time import KZ_TZ
from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services.access import Access
from functions.services.calls import answer, edit, send
from functions.services.commands import staff_command_call
from functions.services.console_menu import close_console, open_console
from functions.services.keyboards import button, markup
from functions.services.release import told
from functions.services.staff_menu import StaffMenu, remove_menu

log = get_logger("staff")

INVITE_TTL: Final = timedelta(hours=72)
COMMANDS: Final[tuple[str, ...]] = ("start", "invite", "invites", "staff", "revoke", "duty")
MAX_LISTED_INVITES: Final = 20


class StaffStore(Protocol):
    """What staff administration needs from storage (CaseStore implements it)."""

    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def put_staff(self, member: StaffMember, invited_by: int | None) -> None: ...
    def update_staff(self, user_id: int, **fields: Any) -> bool: ...
    def all_staff(self) -> list[StaffMember]: ...
    def create_invite(self, code: str, role: Role, regions: list[str], by: int, ttl: timedelta) -> None: ...
    def redeem_invite(self, code: str, user_id: int) -> dict[str, Any] | None: ...
    def open_invites(self, limit: int = 50) -> list[dict[str, Any]]: ...
    def cancel_invite(self, code: str) -> bool: ...


class Release(Protocol):
    """Hands a revoked person's open cases back (services/release.py's Releases)."""

    def on_revoke(self, owner: int, by: int) -> int | None: ...


class StaffAdmin:
    """Invites, roles, duty; each authorised from the stored role."""

    def __init__(
        self,
        store: StaffStore,
        access: Access,
        bot_username: str,
        clock: Callable[[], datetime],
        console_url: str = "",
        releases: Release | None = None,
    ) -> None:
        self.store = store
        self.releases = releases
        self.console_url = console_url  # staff chats' menu button opens the console (services/console_menu.py)
        self.access = access
        self.admin_ids = access.admin_ids
        self.bot_username = bot_username
        self.clock = clock
        self.menu = StaffMenu(store, access)  # staff /help, and the menu following /lang

    def command(self, message: IncomingMessage, lang: str, name: str, arg: str) -> Outcome | None:
        """Handle a staff command; None when it is not one for this person (the reporter flow goes on)."""
        if name == "start":
            return self._start(message, lang, arg)
        person = self.access.in_private(message, lang)
        if isinstance(person, Outcome):
            return person
        lang = person.lang
        chat_id = message.chat_id
        if name == "duty":
            return self._duty(person, chat_id, lang, arg)
        if person.role != Role.ADMIN:
            return Outcome(body=send(chat_id, t(lang, "admins_only")))
        if name == "invite":
            return self._invite(person, chat_id, lang, arg)
        if name == "invites":
            return self._open_invites(chat_id, lang)
        if name == "staff":
            return self._list(chat_id, lang)
        if name == "revoke":
            return self._revoke(person, chat_id, lang, arg)
        return None

    def _start(self, message: IncomingMessage, lang: str, arg: str) -> Outcome | None:
        user = message.sender
        chat_id = message.chat_id
        if not message.private:  # an invite is redeemed, and a role announced, only in a private chat
            if arg.startswith("inv_"):
                return Outcome(body=send(chat_id, t(lang, "private_only"), reply_to=message.message_id))
            return None
        if arg.startswith("inv_"):
            data = self.store.redeem_invite(arg[4:40], user.user_id)
            if data is None:
                return Outcome(body=send(chat_id, t(lang, "invite_invalid")))
            if data.get("used_by") == user.user_id:  # their own invite again: Telegram re-sending, or an old link
                stored = self.store.get_staff(user.user_id)
                if stored is not None and not stored.active:  # revoked people do not come back this way
                    return Outcome(body=send(chat_id, t(lang, "invite_invalid")))
                if stored is not None:
                    role = t(lang, f"staffrole_{stored.role.value}")
                    return Outcome(body=send(chat_id, t(lang, "staff_welcome", role=role)))
            member = StaffMember(
                user_id=user.user_id,
                role=Role(data["role"]),
                regions=tuple(data.get("regions") or ()),
                name=user.first_name[:64],
                lang=lang,
                on_duty=False,
            )
            self.store.put_staff(member, invited_by=data.get("created_by"))
            log.info("staff registered", extra={"user_id": user.user_id, "role": member.role.value})
            return Outcome(
                direct=[
                    staff_command_call(chat_id, member.role.value, lang),
                    *self._console_menu(chat_id, lang),
                    *self._tell_inviter(data, member),
                ],
                body=send(chat_id, t(lang, "staff_welcome", role=t(lang, f"staffrole_{member.role.value}"))),
            )
        if user.user_id in self.admin_ids:
            stored = self.store.get_staff(user.user_id)
            if stored is None or not stored.active or stored.unreachable:
                member = StaffMember(
                    user_id=user.user_id,
                    role=Role.ADMIN,
                    name=user.first_name[:64],
                    lang=stored.lang if stored else lang,
                    on_duty=stored.on_duty if stored else False,
                )
                self.store.put_staff(member, invited_by=None)
                return Outcome(
                    direct=[staff_command_call(chat_id, Role.ADMIN.value, lang), *self._console_menu(chat_id, lang)],
                    body=send(chat_id, t(lang, "staff_welcome", role=t(lang, "staffrole_admin"))),
                )
            return None
        stored = self.store.get_staff(user.user_id)
        if stored is not None and stored.active and stored.unreachable:
            self.store.update_staff(user.user_id, unreachable=False)
        return None

    def _console_menu(self, chat_id: int, lang: str) -> list[BotCall]:
        call = open_console(chat_id, self.console_url, lang)
        return [call] if call is not None else []

    def _duty(self, person: StaffMember, chat_id: int, lang: str, arg: str) -> Outcome:
        if arg not in {"on", "off"}:
            return Outcome(body=send(chat_id, t(lang, "duty_usage")))
        if person.role == Role.REGIONAL:
            return Outcome(body=send(chat_id, t(lang, "duty_specialists_only")))
        if not self.store.update_staff(person.user_id, on_duty=arg == "on"):
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
        self.store.create_invite(code, role, regions, person.user_id, INVITE_TTL)
        link = f"https://t.me/{self.bot_username or 'bot'}?start=inv_{code}"
        region_names = ", ".join(t(lang, f"region_{r}") for r in regions) or t(lang, "all_regions")
        text = t(lang, "invite_created", role=t(lang, f"staffrole_{role.value}"), regions=region_names, link=link)
        return Outcome(body=send(chat_id, text))

    def _list(self, chat_id: int, lang: str) -> Outcome:
        people = sorted(self.store.all_staff(), key=lambda p: (not p.active, p.role.value, p.user_id))
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
        marker = {"release_pending": True} if self.releases is not None else {}  # tick finishes what this leaves
        if not self.store.update_staff(
            target, active=False, on_duty=False, revoked_by=person.user_id, revoked_at=self.clock(), **marker
        ):
            return Outcome(body=send(chat_id, t(lang, "revoke_unknown", user_id=target)))
        log.info("staff revoked", extra={"user_id": target, "by": person.user_id})
        calls = [remove_menu(target), close_console(target)]
        text = t(lang, "revoked", user_id=target)
        if self.releases is not None:
            released = self.releases.on_revoke(target, person.user_id)
            if released is None:
                text += "\n" + t(lang, "release_later")
            elif released:
                text += "\n" + told(lang, released, target)
        return Outcome(direct=calls, body=send(chat_id, text))

    def _tell_inviter(self, invite: dict[str, Any], member: StaffMember) -> list[BotCall]:
        """The message that tells whoever made the invite that it was used, in their language."""
        inviter = invite.get("created_by")
        if not isinstance(inviter, int) or inviter == member.user_id:
            return []
        stored = self.store.get_staff(inviter)
        lang = stored.lang if stored is not None and stored.lang else "ru"
        role = t(lang, f"staffrole_{member.role.value}")
        return [send(inviter, t(lang, "invite_used_notice", name=member.name or "—", role=role))]

    # --- open invites -------------------------------------------------------------------------------------
    def _open_invites(self, chat_id: int, lang: str) -> Outcome:
        """/invites: the invites nobody used yet, each with a button that cancels it."""
        invites = self.store.open_invites(MAX_LISTED_INVITES)
        if not invites:
            return Outcome(body=send(chat_id, t(lang, "invites_empty")))
        lines = [t(lang, "invites_header", count=len(invites))]
        rows = []
        for n, invite in enumerate(invites, 1):  # numbered: a button names its line (whole on a phone)
            role = t(lang, f"staffrole_{invite.get('role', 'specialist')}")
            regions = ", ".join(t(lang, f"region_{r}") for r in invite.get("regions") or []) or t(lang, "all_regions")
            until = invite["expires_at"].astimezone(KZ_TZ).strftime("%d.%m %H:%M")
            lines.append(t(lang, "invites_line", n=n, role=role, regions=regions, until=until))
            label = t(lang, "btn_invite_cancel", n=n, until=until)
            rows.append([button(label, callbacks.invite_cancel(str(invite["code"])))])
        return Outcome(body=send(chat_id, "\n".join(lines)[:4096], markup(rows)))

    def button(self, press: IncomingCallback, lang: str) -> Outcome:
        """A press on an invite's cancel button (administrators, in their own private chat)."""
        person = self.access.pressing_in_private(press, lang)
        if isinstance(person, Outcome):
            return person
        code = callbacks.parse_invite_cancel(press.data)
        if person.role != Role.ADMIN or code is None or press.chat_id is None:
            return Outcome(body=answer(press.callback_id, t(person.lang, "admins_only"), alert=True))
        if not self.store.cancel_invite(code):
            return Outcome(body=answer(press.callback_id, t(person.lang, "invite_invalid"), alert=True))
        log.info("invite cancelled", extra={"by": person.user_id})
        listing = self._open_invites(press.chat_id, person.lang).body
        assert listing is not None
        text = str(listing.params["text"])
        keyboard = listing.params.get("reply_markup") or markup([])
        return Outcome(
            direct=[edit(press.chat_id, press.message_id, text, keyboard)],
            body=answer(press.callback_id, t(person.lang, "invite_cancelled")),
        )
