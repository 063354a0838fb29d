"""In-memory ports for the use-case unit tests, and the router wired on them as bootstrap wires it.

The fakes keep what the Firestore adapters keep (profiles, sessions and their items, cases, reporters, the
content index, staff, invites, audit events) with the same outcomes, and nothing else: no I/O, no PTB.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from functions.domain.case import Case, CaseWrite
from functions.domain.incoming import IncomingCallback, IncomingMessage, Sender
from functions.domain.limits import Admission, ReportLimits, admit
from functions.domain.models import (
    OPEN_STATUSES,
    EvidenceItem,
    Media,
    MyReport,
    Outcome,
    Profile,
    ReportDraft,
    Session,
)
from functions.domain.urls import content_key_for_media, content_key_for_url, extract_urls
from functions.domain.workflow import RELEASED_FROM, PendingRelease, Role, StaffMember
from functions.services.access import Access
from functions.services.case_actions import CaseActions
from functions.services.child_flow import ChildFlow
from functions.services.evidence import Evidence
from functions.services.group_intake import GroupIntake
from functions.services.notes import Notes
from functions.services.profile import Profiles
from functions.services.quarantine import Quarantine
from functions.services.release import Releases
from functions.services.report_flow import ReportFlow
from functions.services.router import Router, StaffCommand, StaffDesk
from functions.services.sessions import Sessions
from functions.services.staff_admin import COMMANDS as ADMIN_COMMANDS
from functions.services.staff_admin import StaffAdmin
from functions.services.staff_menu import StaffMenu
from functions.services.submit import Submitter

NOW = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)
BOT = "qorgau_bot"
ADMIN = 900


@dataclass(frozen=True)
class FakeQuota:
    """A reporter's limit judged for one more new case."""

    admission: Admission

    @property
    def allowed(self) -> bool:
        return self.admission.allowed

    @property
    def retry_in_minutes(self) -> int:
        return self.admission.retry_in_minutes


class ReporterSide:
    """The reporter-side store (what FirestoreStore keeps)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.profiles: dict[int, Profile] = {}
        self.sessions: dict[str, Session] = {}
        self.items: dict[tuple[str, str], dict[int, EvidenceItem]] = {}
        self.albums: dict[tuple[str, str], int] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.group_notices: dict[tuple[int, int], list[str]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.reporters: dict[str, dict[int, dict[str, Any]]] = {}
        self.content: dict[str, str] = {}
        self.touched: list[int] = []
        self.quotas: dict[int, list[datetime]] = {}
        self.limits = ReportLimits(per_hour=10, per_day=30)

    # --- profiles and sessions
    def get_profile(self, user_id: int) -> Profile | None:
        return self.profiles.get(user_id)

    def save_profile(self, profile: Profile) -> None:
        self.profiles[profile.user_id] = profile.model_copy()

    def load(
        self, sid: str, user_id: int, group_chat_id: int | None = None
    ) -> tuple[Session | None, Profile | None, dict[str, Any] | None]:
        group = dict(self.groups[group_chat_id]) if group_chat_id in self.groups else None
        return self.get_session(sid), self.get_profile(user_id), group

    def get_session(self, sid: str) -> Session | None:
        found = self.sessions.get(sid)
        return found.model_copy(deep=True) if found is not None else None

    def put_session(self, session: Session) -> None:
        self.sessions[session.sid] = session.model_copy(deep=True)

    def add_item(self, sid: str, flow_id: str, item: EvidenceItem) -> None:
        self.items.setdefault((sid, flow_id), {})[item.message_id] = item

    def list_items(self, sid: str, flow_id: str) -> list[EvidenceItem]:
        return [item for _, item in sorted(self.items.get((sid, flow_id), {}).items())]

    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int:
        return self.albums.setdefault((sid, media_group_id), update_id)

    def count_items(self, sid: str, flow_id: str) -> int:
        return len(self.items.get((sid, flow_id), {}))

    def touch_profile(self, profile: Profile) -> None:
        self.touched.append(profile.user_id)

    def set_muted(self, user_id: int, muted: bool) -> None:
        stored = self.profiles.get(user_id) or Profile(user_id=user_id)
        self.profiles[user_id] = stored.model_copy(update={"muted": muted})

    def quota_for(self, draft: ReportDraft) -> Any:
        if not draft.counted:
            return None
        return FakeQuota(admit(self.quotas.get(draft.reporter_user_id, []), self.clock(), self.limits))

    # --- reports
    def match_content(self, draft: ReportDraft, *, look: bool) -> FakeMatch:
        keys = _keys(draft) if draft.index_content else []
        found = {k: c for k in keys if (c := self.content.get(k))} if look else {}
        open_code = next((c for c in found.values() if self.reports[c]["status"] in OPEN_STATUSES), None)
        return FakeMatch(keys, found, (open_code, self.reports[open_code]["severity"]) if open_code else None)

    def create_case(
        self, code: str, draft: ReportDraft, match: FakeMatch, session: Session | None, quota: Any = None
    ) -> bool:
        if quota is not None:
            self.quotas[draft.reporter_user_id] = list(quota.admission.times)
        if code in self.reports or any(self.content.get(k) not in {None, match.found.get(k)} for k in match.keys):
            return False  # a key appeared (or was repointed) since it was looked up: look again
        self.reports[code] = {
            "id": code,
            "status": "new",
            "category": draft.category,
            "severity": draft.severity,
            "region": draft.region,
            "urls": list(draft.urls),
            "media": [m.model_dump() for m in draft.media],
            "reporter_count": 1,
            "source": draft.source,
            "child_request": draft.child_request,
            "muted": draft.muted,
            "description": draft.description,
            "created_at": self.clock(),
        }
        self.reporters[code] = {draft.reporter_user_id: {"chat_id": draft.reporter_chat_id, "first": True}}
        self.content |= dict.fromkeys(match.keys, code)
        if session is not None:
            self.put_session(session)
        return True

    def join_case(self, code: str, draft: ReportDraft, match: FakeMatch, session: Session | None) -> str:
        if draft.reporter_user_id in self.reporters[code]:
            return "already_reporter"
        self.reporters[code][draft.reporter_user_id] = {"chat_id": draft.reporter_chat_id, "first": False}
        self.reports[code]["reporter_count"] += 1
        self.content |= {k: code for k in match.keys if k not in self.content}
        if session is not None:
            self.put_session(session)
        return "joined"

    def my_reports(self, user_id: int, limit: int = 10) -> list[MyReport]:
        mine = [code for code, people in self.reporters.items() if user_id in people]
        return [
            MyReport(code=c, status=self.reports[c]["status"], created_at=self.reports[c]["created_at"])
            for c in mine[:limit]
        ]

    def attach_evidence(self, code: str, item: EvidenceItem) -> None:
        report = self.reports[code]
        report["urls"] = list(dict.fromkeys([*report["urls"], *item.urls]))
        report["media"] += [m.model_dump() for m in item.media if m.model_dump() not in report["media"]]

    # --- groups
    def set_group_bot_rights(self, chat_id: int, status: str, can_delete: bool) -> None:
        self.groups.setdefault(chat_id, {}).update(bot_status=status, bot_can_delete=can_delete)

    def update_group(self, chat_id: int, **fields: Any) -> None:
        self.groups.setdefault(chat_id, {}).update(fields)

    def add_group_notice_code(self, chat_id: int, bucket: int, code: str) -> None:
        codes = self.group_notices.setdefault((chat_id, bucket), [])
        if code not in codes:
            codes.append(code)


@dataclass(frozen=True)
class FakeMatch:
    """What the in-memory content index says of a draft."""

    keys: list[str]
    found: dict[str, str]
    open_case: tuple[str, str] | None


def _keys(draft: ReportDraft) -> list[str]:
    keys = [content_key_for_url(url) for url in draft.urls]
    keys += [content_key_for_media(m.file_unique_id) for m in draft.media]
    return list(dict.fromkeys(keys))


class StaffSide:
    """The staff-side store (what CaseStore keeps), sharing the cases of a ReporterSide."""

    def __init__(self, reporter_side: ReporterSide, clock: Callable[[], datetime]) -> None:
        self.cases = reporter_side
        self.clock = clock
        self.staff: dict[int, StaffMember] = {}
        self.marks: dict[int, dict[str, Any]] = {}  # staff fields a StaffMember does not carry (release marker)
        self.invites: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.cards: dict[tuple[int, int], str] = {}
        self.transitions: list[tuple[str, dict[str, Any]]] = []
        self.stale_reads = 0  # how many transitions to refuse as "changed since read" (the take race)

    def get_staff(self, user_id: int) -> StaffMember | None:
        return self.staff.get(user_id)

    def put_staff(self, member: StaffMember, invited_by: int | None) -> None:
        self.staff[member.user_id] = replace(member, active=True, unreachable=False)

    def update_staff(self, user_id: int, **fields: Any) -> bool:
        if user_id not in self.staff:
            return False
        known = {k: v for k, v in fields.items() if k in StaffMember.__dataclass_fields__}
        self.staff[user_id] = replace(self.staff[user_id], **known)
        self.marks.setdefault(user_id, {}).update({k: v for k, v in fields.items() if k not in known})
        return True

    def open_cases_of(self, user_id: int, limit: int) -> list[str]:
        open_statuses = {s.value for s in RELEASED_FROM}
        reports = self.cases.reports.items()
        return [c for c, r in reports if r.get("assignee") == user_id and r.get("status") in open_statuses][:limit]

    def pending_releases(self, limit: int = 20) -> list[PendingRelease]:
        marked = [(u, m) for u, m in self.marks.items() if m.get("release_pending")]
        return [PendingRelease(user_id=u, by=int(m.get("revoked_by") or 0)) for u, m in marked][:limit]

    def finish_release(self, user_id: int) -> int | None:
        mark = self.marks.get(user_id, {})
        if not mark.get("release_pending"):
            return None
        mark["release_pending"] = False
        return sum(1 for r in self.cases.reports.values() if r.get("released_from") == user_id)

    def all_staff(self) -> list[StaffMember]:
        return list(self.staff.values())

    def create_invite(self, code: str, role: Role, regions: list[str], by: int, ttl: timedelta) -> None:
        self.invites[code] = {
            "role": role.value,
            "regions": regions,
            "created_by": by,
            "used_by": None,
            "expires_at": self.clock() + ttl,
        }

    def open_invites(self, limit: int = 50) -> list[dict[str, Any]]:
        live = [v | {"code": k} for k, v in self.invites.items() if v["used_by"] is None]
        return sorted(live, key=lambda row: row["expires_at"])[:limit]

    def cancel_invite(self, code: str) -> bool:
        return self.invites.pop(code, None) is not None

    def redeem_invite(self, code: str, user_id: int) -> dict[str, Any] | None:
        invite = self.invites.get(code)
        if invite is None or invite["used_by"] not in {None, user_id}:
            return None
        found = dict(invite)
        invite["used_by"] = user_id
        return found

    def read_case(self, code: str) -> tuple[Case, Any] | None:
        report = self.cases.reports.get(code)
        return (Case.from_document(code, report), report.get("version", 0)) if report is not None else None

    def get_case(self, code: str) -> Case | None:
        found = self.read_case(code)
        return found[0] if found is not None else None

    def apply_transition(self, code: str, read_at: Any, write: CaseWrite) -> bool:
        version, changes, event, outbox = write.version, write.changes, write.event, write.outbox
        report = self.cases.reports[code]
        if self.stale_reads:
            self.stale_reads -= 1
            return False
        if report.get("version", 0) != version:
            return False
        report |= changes | {"version": version + 1, "outbox": outbox}
        self.transitions.append((code, event))
        return True

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        trail = self.events.setdefault(code, {})
        if event_id in trail:
            return False
        trail[event_id] = event
        return True

    def has_event(self, code: str, event_id: str) -> bool:
        return event_id in self.events.get(code, {})

    def mark_muted(self, code: str, muted: bool) -> None:
        self.cases.reports[code]["muted"] = muted

    def card_of_message(self, chat_id: int, message_id: int) -> str | None:
        return self.cards.get((chat_id, message_id))

    def count_reporters(self, code: str) -> int:
        return len(self.cases.reporters.get(code, {}))

    def move_reporters(self, source: str, target: str) -> int:
        moving = self.cases.reporters.pop(source, {})
        self.cases.reporters.setdefault(target, {}).update(moving)
        return len(moving)


class Published:
    """An event sink that keeps what was published (topic, message, attributes)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, BaseModel, dict[str, str]]] = []
        self.down = False

    def publish(self, topic: str, message: Any, **attributes: str) -> str:
        if self.down:
            from functions.errors import TransientError

            raise TransientError("pubsub down")
        self.sent.append((topic, message, attributes))
        return str(len(self.sent))

    def of_type(self, kind: str) -> list[BaseModel]:
        return [m for _, m, a in self.sent if getattr(m, "type", None) == kind or a.get("type") == kind]


@dataclass
class Desk:
    """The router on in-memory ports, with handles on every fake."""

    clock_at: list[datetime] = field(default_factory=lambda: [NOW])
    can_delete: bool | None = True

    def __post_init__(self) -> None:
        clock = self.clock
        self.store = ReporterSide(clock)
        self.staff_store = StaffSide(self.store, clock)
        self.events = Published()
        self.access = Access(self.staff_store, frozenset({ADMIN}))
        submitter = Submitter(self.store, self.events, "reports", clock)
        sessions = Sessions(self.store, clock)
        children = ChildFlow(self.store, sessions, submitter)
        quarantine = Quarantine(
            self.store, sessions, submitter, self.events, "deliveries", clock, self.access.is_admin, self._can_delete
        )
        self.actions = CaseActions(
            self.staff_store,
            self.access,
            Evidence(self.staff_store, self.events, "deliveries"),
            self.events,
            "reports",
            clock,
        )
        self.releases = Releases(self.staff_store, self.events, "reports", "deliveries", clock)
        admin = StaffAdmin(self.staff_store, self.access, BOT, clock, releases=self.releases)
        commands: dict[str, StaffCommand] = dict.fromkeys(ADMIN_COMMANDS, admin.command)
        commands["merge"] = self.actions.merge
        staff_menu = StaffMenu(self.staff_store, self.access)
        commands["help"] = staff_menu.help
        self.router = Router(
            bot_username=BOT,
            sessions=sessions,
            profiles=Profiles(self.store, sessions, staff_menu.set_lang, children),
            reports=ReportFlow(self.store, sessions, submitter, children),
            children=children,
            groups=GroupIntake(self.store, sessions, submitter, quarantine, self.access.is_admin),
            quarantine=quarantine,
            staff=StaffDesk(
                commands=commands,
                buttons={"s": self.actions.button},
                reply=Notes(self.staff_store, self.access).reply,
            ),
        )
        self._updates = itertools.count(1)
        self._messages = itertools.count(100)

    def clock(self) -> datetime:
        return self.clock_at[0]

    def _can_delete(self, chat_id: int) -> bool | None:
        return self.can_delete

    # --- playing people
    def message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        lang: str | None = "ru",
        evidence: EvidenceItem | None = None,
        reply_to: int | None = None,
        update_id: int | None = None,
        **extra: Any,
    ) -> Outcome:
        """The user sends a message; the router's answer."""
        incoming = IncomingMessage(
            update_id=update_id if update_id is not None else next(self._updates),
            chat_id=chat_id if chat_id is not None else user_id,
            chat_type=chat_type,
            message_id=next(self._messages),
            sender=Sender(user_id=user_id, language_code=lang, first_name=f"Person {user_id}"),
            text=text,
            reply_to_message_id=reply_to,
            evidence=evidence,
            **extra,
        )
        return self.router.handle(incoming)

    def link(self, user_id: int, url: str, **kw: Any) -> Outcome:
        """The user sends a link (read as the adapter reads it: canonical links in one evidence item)."""
        item = EvidenceItem(message_id=next(self._messages), urls=extract_urls(url, None))
        return self.message(user_id, url, evidence=item, **kw)

    def media(self, user_id: int, unique: str, *, album: str | None = None, **kw: Any) -> Outcome:
        """The user sends a photo."""
        piece = Media(kind="photo", file_id=f"file-{unique}", file_unique_id=unique)
        item = EvidenceItem(message_id=next(self._messages), media=[piece], media_group_id=album)
        return self.message(user_id, None, evidence=item, **kw)

    def press(
        self,
        user_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        message_id: int = 50,
        update_id: int | None = None,
        lang: str | None = "ru",
    ) -> Outcome:
        """The user presses a button with this callback data."""
        incoming = IncomingCallback(
            update_id=update_id if update_id is not None else next(self._updates),
            callback_id=f"cb-{user_id}-{message_id}",
            sender=Sender(user_id=user_id, language_code=lang),
            data=data,
            chat_id=chat_id if chat_id is not None else user_id,
            chat_type=chat_type,
            message_id=message_id,
        )
        return self.router.handle(incoming)

    def flow_of(self, user_id: int, chat_id: int | None = None) -> Session:
        """The user's session in the chat."""
        session = self.store.get_session(f"{chat_id if chat_id is not None else user_id}:{user_id}")
        assert session is not None
        return session


def text_of(outcome: Outcome) -> str:
    """Every text the answer sends or edits, or the button answer's notice, joined."""
    calls = [*outcome.direct, *([outcome.body] if outcome.body else [])]
    menus = {"deleteMyCommands", "setChatMenuButton"}
    return "\n".join(str(c.params.get("text", "")) for c in calls if c.method not in menus)


def buttons_of(outcome: Outcome) -> list[str]:
    """The callback data of every button the answer shows."""
    calls = [*outcome.direct, *([outcome.body] if outcome.body else [])]
    rows = [row for c in calls for row in (c.params.get("reply_markup") or {}).get("inline_keyboard", [])]
    return [b["callback_data"] for row in rows for b in row]
