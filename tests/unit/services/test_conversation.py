"""Conversations on in-memory ports: staff writes, reporters' answers, and the relay delivery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.incoming import IncomingCallback, IncomingMessage, Sender
from functions.domain.jobs import DeliveryJob
from functions.domain.models import BotCall, EvidenceItem, Media
from functions.domain.workflow import Role, StaffMember
from functions.errors import BotRefused, TransientError
from functions.i18n import t
from functions.services.access import Access
from functions.services.conversation import ConversationDesk
from functions.services.relay_delivery import RelayDelivery, failure_job
from functions.services.reporter_answers import ReporterAnswers
from functions.services.sessions import Context, Sessions
from functions.services.staff_writes import StaffWrites
from tests.unit.fakes import NOW, ReporterSide, text_of

CODE = "R7K3M9Q"
OWNER, OTHER, ADMIN = 501, 502, 900
REPORTERS = (601, 602, 603)


class TalkStore:
    """What the conversation keeps: cases, reporters, events, refs, notices, staff."""

    def __init__(self) -> None:
        self.reports: dict[str, dict[str, Any]] = {
            CODE: {"id": CODE, "status": "in_progress", "category": "violence", "region": "71", "assignee": OWNER,
                   "reporter_count": 3}
        }  # fmt: skip
        self.reporters = [
            {"user_id": uid, "chat_id": uid, "lang": lang, "first": i == 0, "created_at": datetime(2026, 1, i + 1)}
            for i, (uid, lang) in enumerate(zip(REPORTERS, ("ru", "kk", "ru"), strict=True))
        ]
        self.events: dict[str, dict[str, Any]] = {}
        self.refs: dict[tuple[int, int], dict[str, Any]] = {}
        self.notices: dict[str, bool] = {}
        self.staff = {
            OWNER: StaffMember(user_id=OWNER, role=Role.REGIONAL, regions=("71",), name="Owner Name"),
            OTHER: StaffMember(user_id=OTHER, role=Role.REGIONAL, regions=("71",), name="Other Name"),
        }
        self.holders: list[int] = [OWNER, OTHER]
        self.evidence: list[Any] = []

    def get_case(self, code: str) -> Case | None:
        report = self.reports.get(code)
        return Case.from_document(code, report) if report is not None else None

    def reporters_of(self, code: str) -> list[dict[str, Any]]:
        return list(self.reporters)

    def card_holders(self, code: str) -> list[int]:
        return list(self.holders)

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool:
        if event_id in self.events:
            return False
        self.events[event_id] = dict(event)
        return True

    def get_event(self, code: str, event_id: str) -> dict[str, Any] | None:
        return self.events.get(event_id)

    def update_event(self, code: str, event_id: str, fields: dict[str, Any]) -> None:
        self.events[event_id] |= fields

    def claim_followup(self, code: str, staff_id: int, event_id: str) -> bool:
        marker = self.events.setdefault("followup", {"type": "followup", "by": staff_id, "message": event_id})
        return bool(marker["message"] == event_id)

    def followup_used(self, code: str) -> bool:
        return "followup" in self.events

    def set_last_writer(self, code: str, staff_id: int) -> None:
        self.reports[code]["conv_last_writer"] = staff_id

    def add_evidence(self, code: str, urls: list[str], media: list[Media]) -> None:
        self.evidence += [*urls, *media]

    def mark_urgent(self, code: str, event_id: str) -> bool:
        self.reports[code]["severity"] = "urgent"
        return self.add_event(code, event_id, {"type": "urgent"})

    def relay_ref(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self.refs.get((chat_id, message_id))

    def set_relay_ref(self, chat_id: int, message_id: int, ref: dict[str, Any]) -> None:
        self.refs[(chat_id, message_id)] = ref

    def get_staff(self, user_id: int) -> StaffMember | None:
        return self.staff.get(user_id)

    def active_staff(self) -> list[StaffMember]:
        return [p for p in self.staff.values() if p.active]

    def update_staff(self, user_id: int, **fields: Any) -> bool:
        return True

    def is_reporter(self, code: str, chat_id: int) -> bool:
        return chat_id in REPORTERS

    def claim_notice(self, notice_id: str) -> bool:
        if self.notices.get(notice_id):
            return False
        self.notices[notice_id] = False
        return True

    def finish_notice(self, notice_id: str, sent: bool) -> None:
        self.notices[notice_id] = True

    def release_notice(self, notice_id: str) -> None:
        self.notices.pop(notice_id, None)

    def count_reporters(self, code: str) -> int:
        return len(self.reporters)

    def sync_rollups(self, code: str) -> int:
        self.synced = [*getattr(self, "synced", []), code]
        return 1

    def mark_first_contact(self, code: str, by: int | None, at: datetime) -> bool:
        if "first_contact_at" in self.reports[code]:
            return False
        self.reports[code] |= {"first_contact_at": at, "first_contact_by": by}
        return True


class Jobs:
    def __init__(self) -> None:
        self.sent: list[DeliveryJob] = []

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None:
        self.sent += [m for m in messages if isinstance(m, DeliveryJob)]


class Bot:
    """Records the calls; fails as told."""

    def __init__(self) -> None:
        self.calls: list[BotCall] = []
        self.fail: dict[int, Exception] = {}

    def send(self, chat_id: int, call: BotCall) -> Any:
        if chat_id in self.fail:
            raise self.fail[chat_id]
        self.calls.append(call)
        return {"message_id": 1000 + len(self.calls)}


class World:
    def __init__(self) -> None:
        self.store = TalkStore()
        self.sessions_store = ReporterSide(lambda: NOW)
        self.sessions = Sessions(self.sessions_store, lambda: NOW)
        self.jobs = Jobs()
        access = Access(self.store, frozenset({ADMIN}))
        self.writes = StaffWrites(self.store, access, self.sessions, self.jobs, "deliveries", lambda: NOW)
        self.answers = ReporterAnswers(self.store, self.sessions, self.jobs, "deliveries")
        self.desk = ConversationDesk(self.store, self.writes, self.answers)
        self.bot = Bot()
        self.relay = RelayDelivery(self.store, self.bot.send, lambda: NOW)
        self.update = 1

    def ctx(self, user_id: int) -> Context:
        self.update += 1
        return self.sessions.context(self.update, user_id, user_id, "ru")

    def press(self, user_id: int, data: str) -> Any:
        ctx = self.ctx(user_id)
        sender = Sender(user_id, "ru")
        callback = IncomingCallback(ctx.update_id, str(ctx.update_id), sender, data, user_id, "private", 5)
        return self.desk.button(callback, ctx)

    def say(self, user_id: int, text: str | None, reply_to: int | None = None, **kw: Any) -> Any:
        ctx = self.ctx(user_id)
        message = IncomingMessage(
            ctx.update_id, user_id, "private", 77, Sender(user_id, "ru"), text=text, reply_to_message_id=reply_to, **kw
        )
        return self.desk.message(message, ctx)

    def deliver_all(self) -> list[str]:
        verdicts = [self.relay.handle(job) for job in self.jobs.sent]
        self.jobs.sent.clear()
        return verdicts


def texts(calls: list[BotCall]) -> list[str]:
    return [str(c.params.get("text")) for c in calls]


class TestStaffWrites:
    def test_owner_writes_to_all_and_the_frame_names_no_one(self) -> None:
        world = World()
        asked = world.press(OWNER, f"w:{CODE}")
        assert t("ru", "conv_pick_target", code=CODE, count=3) in str(asked.direct[0].params["text"])
        world.press(OWNER, f"w:{CODE}:all")
        answer = world.say(OWNER, "Кто снимал?")
        assert text_of(answer) == t("ru", "conv_queued_all", code=CODE, count=3)
        assert [j.recipient_id for j in world.jobs.sent] == list(REPORTERS)
        assert world.deliver_all() == ["done"] * 3
        sent = texts(world.bot.calls)
        assert sent[0] == t("ru", "conv_to_reporter", code=CODE, text="Кто снимал?")
        assert sent[1] == t("kk", "conv_to_reporter", code=CODE, text="Кто снимал?")
        assert not any("Owner" in s or str(OWNER) in s for s in map(str, [c.params for c in world.bot.calls]))
        assert world.store.reports[CODE]["conv_last_writer"] == OWNER

    def test_a_re_sent_update_is_delivered_once(self) -> None:
        world = World()
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Вопрос")
        jobs = list(world.jobs.sent)
        world.deliver_all()
        world.jobs.sent = jobs  # Pub/Sub re-delivers the same job
        world.deliver_all()
        assert len(world.bot.calls) == 1

    def test_others_are_refused_once_the_case_is_taken(self) -> None:
        world = World()
        pressed = world.press(OTHER, f"w:{CODE}")
        assert pressed.body.params["text"] == t("ru", "conv_refuse_not_owner")
        assert world.sessions_store.get_session(f"{OTHER}:{OTHER}") is None

    def test_media_or_a_long_text_keeps_the_prompt(self) -> None:
        world = World()
        world.press(OWNER, f"w:{CODE}:first")
        assert text_of(world.say(OWNER, None)) == t("ru", "conv_text_only")
        assert "2000" in text_of(world.say(OWNER, "x" * 2001))
        assert text_of(world.say(OWNER, "ok")) == t("ru", "conv_queued", code=CODE, count=1)

    def test_blocked_reporter_the_writer_hears_it_once(self) -> None:
        world = World()
        world.bot.fail[REPORTERS[0]] = BotRefused("forbidden", "Forbidden: bot was blocked by the user")
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Вы здесь?")
        jobs = list(world.jobs.sent)
        assert world.deliver_all() == ["done"]
        world.jobs.sent = jobs
        world.deliver_all()
        assert texts(world.bot.calls) == [t("ru", "conv_undelivered", code=CODE, n="1")]

    def test_transient_failures_retry(self) -> None:
        world = World()
        world.bot.fail[REPORTERS[0]] = TransientError("timeout")
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Вопрос")
        jobs = list(world.jobs.sent)
        assert world.deliver_all() == ["retry"]
        del world.bot.fail[REPORTERS[0]]
        world.jobs.sent = jobs
        assert world.deliver_all() == ["done"] and len(world.bot.calls) == 1

    def test_closed_case_one_follow_up_by_an_admin(self) -> None:
        world = World()
        world.store.reports[CODE]["status"] = "resolved"
        assert world.press(OWNER, f"w:{CODE}").body.params["text"] == t("ru", "conv_refuse_closed")
        world.press(ADMIN, f"w:{CODE}:first")
        assert text_of(world.say(ADMIN, "Как дела?")) == t("ru", "conv_queued", code=CODE, count=1)
        assert world.press(ADMIN, f"w:{CODE}").body.params["text"] == t("ru", "conv_refuse_followup_used")


class TestReporterAnswers:
    def relayed(self, world: World) -> int:
        world.press(OWNER, f"w:{CODE}:all")
        world.say(OWNER, "Вопрос")
        world.deliver_all()
        return int(next(m for (chat, m) in world.store.refs if chat == REPORTERS[2]))

    def test_a_reply_reaches_the_owner_with_role_and_position_never_a_name(self) -> None:
        world = World()
        message_id = self.relayed(world)
        world.bot.calls.clear()
        answer = world.say(REPORTERS[2], "Школа 12", reply_to=message_id)
        assert text_of(answer) == t("ru", "conv_answer_sent")
        assert [j.recipient_id for j in world.jobs.sent] == [OWNER]
        world.deliver_all()
        [staff_text] = texts(world.bot.calls)
        assert "Школа 12" in staff_text and t("ru", "conv_position", n=3, total=3) in staff_text
        assert world.bot.calls[0].params["protect_content"] is True
        assert world.store.refs[(OWNER, 1001)] == {"report_id": CODE, "side": "staff", "reporter": 3}

    def test_staff_reply_to_an_answer_goes_back_to_that_reporter(self) -> None:
        world = World()
        message_id = self.relayed(world)
        world.say(REPORTERS[1], "Ответ", reply_to=message_id - 1)
        world.deliver_all()
        staff_message = max(m for (chat, m) in world.store.refs if chat == OWNER)
        world.say(OWNER, "Спасибо", reply_to=staff_message)
        assert [j.recipient_id for j in world.jobs.sent] == [REPORTERS[1]]

    def test_media_become_evidence_and_staff_are_told_not_sent(self) -> None:
        world = World()
        message_id = self.relayed(world)
        world.bot.calls.clear()
        video = Media(kind="video", file_id="F1", file_unique_id="U1")
        item = EvidenceItem(message_id=77, media=[video])
        world.say(REPORTERS[0], None, reply_to=message_id - 2, evidence=item)
        assert world.store.evidence == [video]
        world.deliver_all()
        assert [c.method for c in world.bot.calls] == ["sendMessage"]
        assert t("ru", "conv_new_material") in texts(world.bot.calls)[0]

    def test_closed_case_a_kind_answer(self) -> None:
        world = World()
        message_id = self.relayed(world)
        world.store.reports[CODE]["status"] = "resolved"
        world.jobs.sent.clear()
        assert text_of(world.say(REPORTERS[0], "Ещё", reply_to=message_id - 2)) == t(
            "ru", "conv_case_closed", code=CODE
        )
        assert world.jobs.sent == []

    def test_a_child_not_now_and_crisis_words(self) -> None:
        world = World()
        world.store.reports[CODE] |= {"child_request": True, "reporter_role": "child", "severity": "urgent"}
        world.store.reports[CODE]["severity"] = "high"
        message_id = self.relayed(world)
        assert texts(world.bot.calls)[0] == t("ru", "conv_to_child", code=CODE, text="Вопрос")
        assert world.store.reports[CODE]["first_contact_by"] == OWNER
        world.press(REPORTERS[0], f"a:{CODE}:later")
        world.deliver_all()
        assert t("ru", "conv_paused", code=CODE, who=t("ru", "conv_role_unknown") + ", " +
                 t("ru", "conv_position", n=1, total=3)) in texts(world.bot.calls)  # fmt: skip
        world.say(REPORTERS[0], "я больше не хочу жить", reply_to=message_id - 2)
        assert world.store.reports[CODE]["severity"] == "urgent"
        world.deliver_all()
        assert t("ru", "conv_crisis") in texts(world.bot.calls)[-1]

    def test_strangers_replies_are_not_a_conversation(self) -> None:
        world = World()
        message_id = self.relayed(world)
        assert world.say(4444, "hi", reply_to=message_id) is None
        assert world.say(REPORTERS[0], "hi", reply_to=12345) is None


class TestParkedRelay:
    """A relayed message parked after its last attempt: its failure job tells the writer, once, unless it did
    arrive after all; a message called lost can never arrive later."""

    def parked(self, world: World) -> DeliveryJob:
        world.bot.fail[REPORTERS[0]] = TransientError("500")
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Вопрос")
        [job] = world.jobs.sent
        assert world.deliver_all() == ["retry"]  # ... until the last attempt: deliver parks it
        return job

    def test_the_writer_hears_it_once_and_the_message_never_arrives_later(self) -> None:
        world = World()
        job = self.parked(world)
        failure = failure_job(job)
        assert (failure.kind, failure.notice, failure.recipient_id) == ("relay_failed", "relay", REPORTERS[0])
        assert world.relay.handle(failure) == "done" and world.relay.handle(failure) == "done"
        assert texts(world.bot.calls) == [t("ru", "conv_undelivered_parked", code=CODE, n="1")]
        [event] = [e for e in world.store.events.values() if e.get("type") == "undelivered"]
        assert (event["dir"], event["reporter"], event["by"]) == ("out", 1, None)
        del world.bot.fail[REPORTERS[0]]
        assert world.relay.handle(job) == "done"  # a late re-delivery of the parked job sends nothing
        assert len(world.bot.calls) == 1

    def test_a_message_that_did_arrive_is_not_called_lost(self) -> None:
        world = World()
        job = self.parked(world)
        del world.bot.fail[REPORTERS[0]]
        assert world.relay.handle(job) == "done"  # the last attempt got through after all
        assert world.relay.handle(failure_job(job)) == "done"
        assert texts(world.bot.calls) == [t("ru", "conv_to_reporter", code=CODE, text="Вопрос")]

    def test_a_reporters_answer_parked_the_reporter_hears_it_in_their_language(self) -> None:
        world = World()
        message_id = TestReporterAnswers().relayed(world)
        world.bot.fail[OWNER] = TransientError("500")
        world.say(REPORTERS[2], "Ответ", reply_to=message_id)
        [job] = world.jobs.sent
        assert world.deliver_all() == ["retry"]
        assert world.relay.handle(failure_job(job)) == "done"
        assert texts(world.bot.calls)[-1] == t("ru", "conv_answer_undelivered", code=CODE)
        [event] = [e for e in world.store.events.values() if e.get("type") == "undelivered"]
        assert (event["dir"], event["reporter"]) == ("in", 3)
