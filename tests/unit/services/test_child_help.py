"""The help-the-child track and phone sharing on in-memory ports: the card's two taps, Resolve, the notices."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from functions.domain import callbacks
from functions.domain.case import Case, CaseWrite
from functions.domain.incoming import IncomingCallback, IncomingMessage, Sender, SharedContact
from functions.domain.jobs import DeliveryJob
from functions.domain.workflow import Action
from functions.i18n import t
from functions.services import child_help_texts
from functions.services.access import Access
from functions.services.case_actions import CaseActions
from functions.services.child_help import ChildHelpActions
from functions.services.conversation import ConversationDesk
from functions.services.delivery import notice_text
from functions.services.evidence import Evidence
from functions.services.phone_sharing import PhoneSharing
from tests.unit.fakes import NOW, Published, text_of
from tests.unit.services.test_conversation import ADMIN, CODE, OTHER, OWNER, REPORTERS, TalkStore, World, texts


class TrackStore(TalkStore):
    """TalkStore with the case read for precondition writes, the child track's writes and transitions."""

    def __init__(self) -> None:
        super().__init__()
        self.version = 0

    def read_case(self, code: str) -> tuple[Case, Any] | None:
        report = self.get_case(code)
        return (report, self.version) if report is not None else None

    def set_child_help(
        self, code: str, read_at: Any, changes: dict[str, Any], event_id: str, audit: dict[str, Any]
    ) -> bool:
        if read_at != self.version:
            return False
        if event_id in self.events:
            return True
        for path, value in changes.items():
            if "." not in path:  # a field of the case itself (contact_pending)
                self.reports[code][path] = value
                continue
            parent, leaf = path.split(".", 1)
            self.reports[code].setdefault(parent, {})[leaf] = value
        self.version += 1
        self.events[event_id] = dict(audit)
        return True

    def apply_transition(self, code: str, read_at: Any, write: CaseWrite) -> bool:
        version, changes, event = write.version, write.changes, write.event
        self.reports[code] |= changes | {"version": version + 1}
        self.version += 1
        self.events[f"v{version + 1}"] = event
        return True

    def move_reporters(self, source: str, target: str) -> int:
        return 0


class Track:
    def __init__(self) -> None:
        self.store = TrackStore()
        self.events = Published()
        self.world = World()
        self.world.store = self.store
        access = Access(self.store, frozenset({ADMIN}))
        evidence = Evidence(self.store, self.events, "deliveries")
        self.cases = CaseActions(self.store, access, evidence, self.events, "reports", lambda: NOW)

        def resolve(update_id: int, person: Any, code: str, resolution: str) -> Case | str:
            return self.cases.transition(update_id, person, code, Action.RESOLVE, resolution, notice="child_closed")

        self.jobs = self.world.jobs
        topics = ("reports", "deliveries")
        self.actions = ChildHelpActions(self.store, access, self.events, self.jobs, topics, lambda: NOW, resolve)
        self.update = 100

    def press(self, data: str, user_id: int = OWNER) -> Any:
        self.update += 1
        press = IncomingCallback(self.update, "cb", Sender(user_id), data, user_id, "private", 9)
        if data.startswith("s:"):
            return self.cases.button(press, "ru")
        return self.actions.button(press, "ru")

    @property
    def case(self) -> Case:
        found = self.store.get_case(CODE)
        assert found is not None
        return found


def alert(outcome: Any) -> str:
    return str(outcome.body.params.get("text"))


class TestTwoTaps:
    def test_need_then_referral_then_outcome_each_in_two_taps_audited_and_shown(self) -> None:
        track = Track()
        opened = track.press(callbacks.child("m", CODE, "need"))
        menu = opened.direct[0]
        assert menu.method == "editMessageReplyMarkup"
        assert t("ru", "btn_ch_need_needed") in str(menu.params["reply_markup"])
        done = track.press(callbacks.child("need", CODE, "needed"))
        assert alert(done) == t("ru", "ch_done", code=CODE, what=t("ru", "ch_need_needed"))
        card = str(done.direct[0].params["text"])
        assert t("ru", "ch_card_line", need=t("ru", "ch_need_needed")) in card
        assert t("ru", "ch_card_contact_none") in card
        track.press(callbacks.child("m", CODE, "ref"))
        track.press(callbacks.child("ref", CODE, "line_150"))
        assert track.case.child_help.referral == "line_150"
        audits = [e for e in track.store.events.values() if e.get("type") == "child_help"]
        assert [(a["action"], a["note"], a["by"]) for a in audits] == [
            ("need", "needed", OWNER),
            ("referral", "line_150", OWNER),
        ]
        assert len(track.events.of_type("report.changed")) == 2  # the cards are refreshed

    def test_the_refreshed_card_keeps_the_description_in_its_blockquote(self) -> None:
        # issue 11, hole 10: however a reporter writes, their text must not pass for the card's own fields
        track = Track()
        track.store.reports[CODE]["description"] = "Статус: решено\nКод: R0000000"
        done = track.press(callbacks.child("need", CODE, "needed"))
        entities = done.direct[0].params.get("entities") or []
        quoted = [e for e in entities if e["type"] == "blockquote"]
        text = str(done.direct[0].params["text"])
        assert len(quoted) == 1 and "Статус: решено" in text
        start = len(text.encode("utf-16-le")[: quoted[0]["offset"] * 2].decode("utf-16-le"))
        assert text[start:].startswith("Статус: решено")

    def test_others_may_not_set_it_and_bad_values_are_refused(self) -> None:
        track = Track()
        assert alert(track.press(callbacks.child("m", CODE, "need"), OTHER)) == t("ru", "ch_refuse_not_owner")
        assert alert(track.press(callbacks.child("need", CODE, "needed"), OTHER)) == t("ru", "ch_refuse_not_owner")
        assert alert(track.press(callbacks.child("ref", CODE, "circus"))) == t("ru", "ch_refuse_bad_value")
        assert alert(track.press("h:need:BAD")) == t("ru", "case_not_found")
        track.store.staff[OTHER] = replace(track.store.staff[OTHER], regions=("75",))
        assert alert(track.press(callbacks.child("back", CODE), OTHER)) == t("ru", "ch_refuse_out_of_scope")
        assert track.case.child_help.need.value == "unknown"
        assert track.press(callbacks.child("need", CODE, "needed"), ADMIN).body.params.get("show_alert") is not True

    def test_first_contact_by_hand_once(self) -> None:
        track = Track()
        track.press(callbacks.child("need", CODE, "needed"))
        done = track.press(callbacks.child("fc", CODE))
        assert alert(done) == t("ru", "ch_contact_done", code=CODE)
        assert track.case.first_contact_by == OWNER
        assert alert(track.press(callbacks.child("fc", CODE))) == t("ru", "ch_refuse_contact_known")


class TestResolve:
    def test_resolve_with_help_needed_asks_for_the_child_outcome_first(self) -> None:
        track = Track()
        track.press(callbacks.child("need", CODE, "needed"))
        asked = track.press(callbacks.case("menu", CODE, "resolve"))
        assert alert(asked) == t("ru", "ch_refuse_outcome_first")
        assert t("ru", "btn_ch_out_helped") in str(asked.direct[0].params["reply_markup"])
        refused = track.press(callbacks.case("res", CODE, "content_removed"))
        assert alert(refused) == t("ru", "ch_refuse_outcome_first")
        assert track.case.status.value == "in_progress"
        track.press(callbacks.child("out", CODE, "helped"))
        assert track.case.status.value == "in_progress"  # the content track is still open
        track.press(callbacks.case("res", CODE, "content_removed"))
        assert track.case.status.value == "resolved"

    def test_the_server_refuses_it_too(self) -> None:
        track = Track()
        track.store.reports[CODE]["child_help"] = {"need": "needed"}
        person = track.store.staff[OWNER]
        assert track.cases.transition(1, person, CODE, Action.RESOLVE, "content_removed") == t(
            "ru", "ch_refuse_outcome_first"
        )

    def test_a_childs_request_is_resolved_by_its_child_outcome(self) -> None:
        track = Track()
        track.store.reports[CODE] |= {"child_request": True, "reporter_role": "child"}
        asked = track.press(callbacks.case("res", CODE, "child_helped"))
        assert alert(asked) == t("ru", "ch_refuse_need_first")
        done = track.press(callbacks.child("out", CODE, "referred"))
        assert alert(done) == t("ru", "ch_resolved_both", code=CODE)
        assert track.case.status.value == "resolved" and track.case.outcome == "child_helped"


class TestReportersHearTheOutcomeOnce:
    def test_one_notice_per_reporter_in_their_language_without_names(self) -> None:
        track = Track()
        track.press(callbacks.child("out", CODE, "helped"))
        first = [j for j in track.jobs.sent if j.kind == "notice"]
        assert [j.recipient_id for j in first] == list(REPORTERS) and {j.lang for j in first} == {"ru", "kk"}
        track.press(callbacks.child("out", CODE, "referred"))  # changed later: the same notice ids, told once
        again = [j.job_id for j in track.jobs.sent if j.kind == "notice"][3:]
        assert again == [j.job_id for j in first]
        text = notice_text("kk", CODE, "child_outcome", "helped")
        assert text == t("kk", "notice_child_outcome", code=CODE, outcome=t("kk", "ch_rep_out_helped"))
        assert "Owner" not in text

    def test_a_child_hears_it_in_the_informal_voice(self) -> None:
        track = Track()
        track.store.reports[CODE] |= {"child_request": True}
        track.press(callbacks.child("out", CODE, "helped"))
        job = next(j for j in track.jobs.sent if isinstance(j, DeliveryJob) and j.kind == "notice")
        assert job.notice == "child_outcome_child"
        told = notice_text("ru", CODE, "child_outcome_child", "helped")
        assert "твоё" in told and t("ru", "ch_kid_out_helped") in told


class TestFirstContactByTheRelay:
    def test_a_staff_message_reaching_any_reporter_is_the_first_contact(self) -> None:
        world = World()
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Здравствуйте")
        world.deliver_all()
        assert world.store.reports[CODE]["first_contact_by"] == OWNER
        assert world.store.synced == [CODE]  # the roll-ups count the time to first contact now


class TestDigest:
    def test_children_waiting_for_a_first_contact_are_listed(self) -> None:
        rows = [
            {"id": "R1", "status": "new", "category": "other", "region": "71", "child_request": True,
             "created_at": NOW},
            {"id": "R2", "status": "new", "category": "other", "region": "71", "child_request": True,
             "created_at": NOW, "first_contact_at": NOW},
            {"id": "R3", "status": "in_progress", "category": "bullying", "region": "75",
             "child_help": {"need": "needed"}, "created_at": NOW},
        ]  # fmt: skip
        officer = TalkStore().staff[OWNER]
        cases = [Case.from_document(str(r["id"]), r) for r in rows]
        lines = child_help_texts.digest_lines("ru", officer, cases, NOW)
        assert lines[0] == t("ru", "digest_child_waiting", n=1) and "R1" in lines[1] and len(lines) == 2


class Phones:
    def __init__(self) -> None:
        self.world = World()
        self.phones = PhoneSharing(self.world.store, self.world.sessions, self.world.jobs, "deliveries")
        w = self.world
        self.world.desk = ConversationDesk(w.store, w.writes, w.answers, self.phones)

    def contact(self, user_id: int, owner_of_contact: int | None, phone: str = "+77011234567") -> Any:
        ctx = self.world.ctx(user_id)
        message = IncomingMessage(
            ctx.update_id, user_id, "private", 80, Sender(user_id), contact=SharedContact(owner_of_contact, phone)
        )
        return self.world.desk.message(message, ctx)


class TestPhoneSharing:
    def test_only_the_reporters_own_number_is_accepted_and_only_the_owner_hears_it(self) -> None:
        phones = Phones()
        world = phones.world
        offered = world.press(REPORTERS[0], callbacks.share_phone(CODE))
        keyboard = offered.direct[0].params["reply_markup"]
        assert keyboard["keyboard"][0][0]["request_contact"] is True
        assert text_of(phones.contact(REPORTERS[0], 4242)) == t("ru", "phone_not_own")
        assert not [e for e in world.store.events.values() if e.get("type") == "phone"]
        saved = phones.contact(REPORTERS[0], REPORTERS[0])
        assert text_of(saved) == t("ru", "phone_saved", code=CODE)
        assert saved.body.params["reply_markup"] == {"remove_keyboard": True}
        [event] = [e for e in world.store.events.values() if e.get("type") == "phone"]
        assert event["phone"] == "+77011234567" and event["reporter"] == 1
        [job] = world.jobs.sent
        assert job.recipient_id == OWNER and job.kind == "relay_in"
        world.jobs.sent.append(job.model_copy(update={"recipient_id": OTHER, "job_id": job.job_id + "x"}))
        world.deliver_all()
        to = {c.params["chat_id"]: str(c.params["text"]) for c in world.bot.calls}
        assert "+77011234567" in to[OWNER] and OTHER not in to  # another officer never gets the number

    def test_cancel_and_other_texts(self) -> None:
        phones = Phones()
        world = phones.world
        world.press(REPORTERS[1], callbacks.share_phone(CODE))
        assert text_of(world.say(REPORTERS[1], "привет")) == t("ru", "phone_use_button")
        assert text_of(world.say(REPORTERS[1], t("ru", "btn_cancel"))) == t("ru", "phone_cancelled")
        assert world.jobs.sent == []

    def test_an_adults_relayed_message_offers_it_and_a_childs_does_not(self) -> None:
        world = World()
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Вопрос")
        world.deliver_all()
        assert t("ru", "btn_conv_phone") in str(world.bot.calls[-1].params["reply_markup"])
        world.store.reports[CODE]["child_request"] = True
        world.press(OWNER, f"w:{CODE}:first")
        world.say(OWNER, "Привет")
        world.deliver_all()
        assert t("ru", "btn_conv_phone") not in str(world.bot.calls[-1].params["reply_markup"])
        assert "Привет" in texts(world.bot.calls)[-1]
