"""Nothing a reporter sends in a conversation is dropped (issue 12), on the conversation's in-memory ports.

Their answer goes to whoever may act on the case now: the owner when they can receive it; else the staff the
case is routed to now (the cards' chain); when nobody at all can, the reporter is told kindly and the answer
stays on the case, its history saying it reached no one. A recipient revoked between the answer and its
delivery makes the reporter hear it did not reach, instead of nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from functions.domain.case import Case
from functions.domain.conversation import answer_hearers, may_hear
from functions.domain.incoming import IncomingMessage, Sender
from functions.domain.workflow import Role, StaffMember
from functions.errors import BotRefused
from functions.i18n import t
from functions.services.relay_delivery import failure_job
from tests.unit.fakes import text_of
from tests.unit.services.test_conversation import ADMIN, CODE, OTHER, OWNER, REPORTERS, TestReporterAnswers, World

SPECIALIST, OUTSIDER = 503, 504


def say(world: World, user_id: int, text: str, reply_to: int, lang: str = "ru") -> Any:
    """A reporter's reply to a relayed message, their Telegram set to `lang`."""
    world.update += 1
    ctx = world.sessions.context(world.update, user_id, user_id, lang)
    message = IncomingMessage(
        world.update, user_id, "private", 77, Sender(user_id, lang), text=text, reply_to_message_id=reply_to
    )
    return world.desk.message(message, ctx)


def relayed(world: World) -> int:
    """The owner wrote to all three reporters; the id of the relayed message in the third reporter's chat."""
    message_id = TestReporterAnswers().relayed(world)
    world.bot.calls.clear()
    return message_id


def revoke(world: World, *people: int) -> None:
    for person in people:
        world.store.staff[person] = replace(world.store.staff[person], active=False)


def history(world: World, kind: str) -> list[dict[str, Any]]:
    return [e for e in world.store.events.values() if e.get("type") == kind]


class TestTheAnswerGoesToWhoeverMayActNow:
    def test_owner_revoked_the_answer_reaches_the_staff_the_case_is_routed_to(self) -> None:
        world = World()
        message_id = relayed(world)
        revoke(world, OWNER)
        answer = say(world, REPORTERS[2], "Школа 12, 5 класс", message_id)
        assert text_of(answer) == t("ru", "conv_answer_sent")
        assert [(j.recipient_id, j.argument) for j in world.jobs.sent] == [(OTHER, "routed")]
        assert world.deliver_all() == ["done"]
        [to_other] = [c for c in world.bot.calls if c.params["chat_id"] == OTHER]
        assert "Школа 12, 5 класс" in str(to_other.params["text"])
        assert not history(world, "undelivered")

    def test_owner_marked_unreachable_is_skipped_the_same_way(self) -> None:
        world = World()
        message_id = relayed(world)
        world.store.staff[OWNER] = replace(world.store.staff[OWNER], unreachable=True)
        say(world, REPORTERS[2], "Ответ", message_id)
        assert [j.recipient_id for j in world.jobs.sent] == [OTHER]

    def test_nobody_took_it_and_nobody_wrote_the_routing_hears_it(self) -> None:
        world = World()
        message_id = relayed(world)
        world.store.reports[CODE] |= {"assignee": None, "conv_last_writer": None}
        world.store.staff[SPECIALIST] = StaffMember(user_id=SPECIALIST, role=Role.SPECIALIST, on_duty=True)
        world.store.staff[OUTSIDER] = StaffMember(user_id=OUTSIDER, role=Role.REGIONAL, regions=("02",))
        say(world, REPORTERS[2], "Ответ", message_id)
        assert sorted(j.recipient_id for j in world.jobs.sent) == [OWNER, OTHER, SPECIALIST]
        assert len({j.job_id for j in world.jobs.sent}) == 3
        world.deliver_all()
        assert sorted(c.params["chat_id"] for c in world.bot.calls) == [OWNER, OTHER, SPECIALIST]

    def test_an_admin_who_last_wrote_hears_it_when_the_owner_cannot(self) -> None:
        world = World()
        message_id = relayed(world)
        world.store.staff[ADMIN] = StaffMember(user_id=ADMIN, role=Role.ADMIN)
        world.store.reports[CODE]["conv_last_writer"] = ADMIN
        revoke(world, OWNER)
        say(world, REPORTERS[2], "Ответ", message_id)
        assert [(j.recipient_id, j.argument) for j in world.jobs.sent] == [(ADMIN, None)]

    @pytest.mark.parametrize("lang", ["ru", "kk"])
    def test_nobody_at_all_the_reporter_is_told_kindly_and_the_answer_is_kept(self, lang: str) -> None:
        world = World()
        message_id = relayed(world)
        revoke(world, OWNER, OTHER)
        answer = say(world, REPORTERS[2], "Школа 12", message_id, lang)
        assert text_of(answer) == t(lang, "conv_answer_kept", code=CODE)
        assert world.jobs.sent == []
        [kept] = [e for e in history(world, "message") if e.get("dir") == "in"]
        assert kept["text"] == "Школа 12" and kept["reporter"] == 3
        [unheard] = history(world, "undelivered")
        assert (unheard["dir"], unheard["reporter"], unheard["by"]) == ("in", 3, None)

    def test_a_child_nobody_can_hear_is_told_in_the_childs_voice(self) -> None:
        world = World()
        world.store.reports[CODE] |= {"child_request": True, "reporter_role": "child"}
        message_id = relayed(world)
        revoke(world, OWNER, OTHER)
        answer = say(world, REPORTERS[2], "мне страшно", message_id)
        assert text_of(answer) == t("ru", "conv_answer_kept_child", code=CODE)
        assert len(history(world, "undelivered")) == 1


class TestARecipientLostBeforeDelivery:
    def test_the_owner_revoked_after_the_answer_was_queued_the_reporter_hears_it(self) -> None:
        world = World()
        message_id = relayed(world)
        say(world, REPORTERS[2], "Ответ", message_id)
        jobs = list(world.jobs.sent)
        revoke(world, OWNER)
        assert world.deliver_all() == ["done"]
        assert [c.params["text"] for c in world.bot.calls] == [t("ru", "conv_answer_undelivered", code=CODE)]
        assert world.bot.calls[0].params["chat_id"] == REPORTERS[2]
        [event] = history(world, "undelivered")
        assert (event["dir"], event["reporter"]) == ("in", 3)
        world.jobs.sent = jobs  # Pub/Sub re-delivers: told once
        world.deliver_all()
        assert len(world.bot.calls) == 1

    def test_one_routed_recipient_missing_it_tells_the_reporter_nothing(self) -> None:
        world = World()
        message_id = relayed(world)
        world.store.reports[CODE] |= {"assignee": None, "conv_last_writer": None}
        say(world, REPORTERS[2], "Ответ", message_id)
        world.bot.fail[OTHER] = BotRefused("forbidden", "Forbidden: bot was blocked by the user")
        assert world.deliver_all() == ["done", "done"]
        assert [c.params["chat_id"] for c in world.bot.calls] == [OWNER]
        assert not history(world, "undelivered")

    def test_a_routed_copy_parked_tells_the_reporter_nothing(self) -> None:
        world = World()
        message_id = relayed(world)
        world.store.reports[CODE] |= {"assignee": None, "conv_last_writer": None}
        say(world, REPORTERS[2], "Ответ", message_id)
        routed = [j for j in world.jobs.sent if j.recipient_id == OTHER]
        assert world.relay.handle(failure_job(routed[0])) == "done"
        assert world.bot.calls == [] and not history(world, "undelivered")


class TestHearers:
    def case(self, **fields: Any) -> Case:
        return Case.from_document(CODE, {"status": "in_progress", "category": "violence", "region": "71"} | fields)

    def test_owner_first_then_last_writer_then_routing(self) -> None:
        owner = StaffMember(user_id=OWNER, role=Role.REGIONAL, regions=("71",))
        officer = StaffMember(user_id=OTHER, role=Role.REGIONAL, regions=("71",))
        staff = {OWNER: owner, OTHER: officer}
        every = lambda: list(staff.values())  # noqa: E731
        assert answer_hearers(self.case(assignee=OWNER), staff.get, every) == ([owner], False)
        assert answer_hearers(self.case(conv_last_writer=OTHER), staff.get, every) == ([officer], False)
        staff[OWNER] = replace(owner, active=False)
        assert answer_hearers(self.case(assignee=OWNER), staff.get, lambda: [officer]) == ([officer], True)
        assert answer_hearers(self.case(assignee=OWNER), staff.get, lambda: []) == ([], True)

    def test_a_non_admin_who_wrote_before_someone_else_took_it_may_not_hear_it(self) -> None:
        officer = StaffMember(user_id=OTHER, role=Role.REGIONAL, regions=("71",))
        assert not may_hear(officer, self.case(assignee=OWNER, conv_last_writer=OTHER))
        assert may_hear(officer, self.case(conv_last_writer=OTHER))
        assert not may_hear(replace(officer, regions=("02",)), self.case())
