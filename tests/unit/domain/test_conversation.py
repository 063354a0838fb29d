"""Conversation rules: who may write to a case's reporters, to whom a message goes, who hears an answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.conversation import (
    WriteRefusal,
    answer_recipient,
    chosen,
    first_contact_step,
    offers_writing,
    ordered,
    position_of,
    speaks_to_child,
    target_value,
    write_refusal,
)
from functions.domain.models import Status
from functions.domain.workflow import CaseView, Role, StaffMember

OFFICER = StaffMember(user_id=1, role=Role.REGIONAL, regions=("71",))
OTHER = StaffMember(user_id=2, role=Role.REGIONAL, regions=("71",))
ELSEWHERE = StaffMember(user_id=3, role=Role.REGIONAL, regions=("75",))
ADMIN = StaffMember(user_id=4, role=Role.ADMIN)


def case(status: Status, assignee: int | None = None, category: str = "violence") -> CaseView:
    return CaseView(status=status, category=category, region="71", assignee=assignee)


class TestWriteRefusal:
    def test_before_take_anyone_it_was_routed_to(self) -> None:
        assert write_refusal(OFFICER, case(Status.NEW), holds_card=True, followup_used=False) is None
        refused = write_refusal(OFFICER, case(Status.NEW), holds_card=False, followup_used=False)
        assert refused == WriteRefusal.NOT_OWNER

    def test_once_taken_only_the_owner_and_admins(self) -> None:
        taken = case(Status.IN_PROGRESS, assignee=1)
        assert write_refusal(OFFICER, taken, holds_card=True, followup_used=False) is None
        assert write_refusal(OTHER, taken, holds_card=True, followup_used=False) == WriteRefusal.NOT_OWNER
        assert write_refusal(ADMIN, taken, holds_card=False, followup_used=False) is None
        assert write_refusal(ADMIN, case(Status.ESCALATED, 1), holds_card=False, followup_used=False) is None

    def test_closed_cases_only_an_admin_once(self) -> None:
        for status in (Status.RESOLVED, Status.REJECTED):
            closed = case(status, assignee=1)
            assert write_refusal(OFFICER, closed, holds_card=True, followup_used=False) == WriteRefusal.CLOSED
            assert write_refusal(ADMIN, closed, holds_card=False, followup_used=False) is None
            assert write_refusal(ADMIN, closed, holds_card=False, followup_used=True) == WriteRefusal.FOLLOWUP_USED

    def test_scope_and_access_come_first(self) -> None:
        assert write_refusal(None, case(Status.NEW), holds_card=True, followup_used=False) == WriteRefusal.NO_ACCESS
        revoked = StaffMember(user_id=1, role=Role.REGIONAL, regions=("71",), active=False)
        assert write_refusal(revoked, case(Status.NEW), holds_card=True, followup_used=False) == WriteRefusal.NO_ACCESS
        assert (
            write_refusal(ELSEWHERE, case(Status.NEW), holds_card=True, followup_used=False)
            == WriteRefusal.OUT_OF_SCOPE
        )
        restricted = case(Status.NEW, category="sexual")
        assert write_refusal(OFFICER, restricted, holds_card=True, followup_used=False) == WriteRefusal.OUT_OF_SCOPE

    def test_the_card_offers_writing_where_it_may_be_allowed(self) -> None:
        assert offers_writing(OFFICER, case(Status.NEW))
        assert offers_writing(OFFICER, case(Status.IN_PROGRESS, 1))
        assert not offers_writing(OTHER, case(Status.IN_PROGRESS, 1))
        assert not offers_writing(OFFICER, case(Status.RESOLVED, 1))
        assert offers_writing(ADMIN, case(Status.RESOLVED, 1))
        assert not offers_writing(ELSEWHERE, case(Status.NEW))


class TestReporters:
    ROWS: ClassVar[list[dict[str, Any]]] = [
        {"user_id": 30, "chat_id": 30, "lang": "ru", "first": False, "created_at": datetime(2026, 1, 3, tzinfo=UTC)},
        {"user_id": 10, "chat_id": 10, "lang": "kk", "first": True, "created_at": datetime(2026, 1, 1, tzinfo=UTC)},
        {"user_id": 20, "chat_id": 20, "first": False, "created_at": datetime(2026, 1, 2, tzinfo=UTC)},
    ]

    def test_numbered_first_reporter_first_then_by_joining(self) -> None:
        people = ordered(self.ROWS)
        assert [(r.position, r.user_id, r.lang) for r in people] == [(1, 10, "kk"), (2, 20, "ru"), (3, 30, "ru")]
        assert position_of(people, 30) == 3 and position_of(people, 99) is None

    def test_targets(self) -> None:
        people = ordered(self.ROWS)
        assert [r.user_id for r in chosen(people, "first")] == [10]
        assert [r.user_id for r in chosen(people, "all")] == [10, 20, 30]
        assert [r.user_id for r in chosen(people, "n2")] == [20]
        assert chosen(people, "n9") == [] and chosen([], "all") == []

    @pytest.mark.parametrize(("value", "expected"), [("first", "first"), ("all", "all"), ("n3", "n3"), ("n", None),
                                                     ("n0", None), ("x", None), ("n-1", None), ("", None)])  # fmt: skip
    def test_target_values_from_buttons(self, value: str, expected: str | None) -> None:
        assert target_value(value) == expected

    def test_who_hears_an_answer(self) -> None:
        assert answer_recipient(Case(code="R1", assignee=5, conv_last_writer=6)) == 5
        assert answer_recipient(Case(code="R1", conv_last_writer=6)) == 6
        assert answer_recipient(Case(code="R1")) is None

    def test_child_voice(self) -> None:
        assert speaks_to_child(Case(code="R1", child_request=True))
        assert speaks_to_child(Case(code="R1", reporter_role="child"))
        assert not speaks_to_child(Case(code="R1", reporter_role="parent"))


class TestFirstContactStep:
    START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

    def child(self, **fields: Any) -> Case:
        return Case(code="R1", child_request=True, created_at=self.START, **fields)

    @pytest.mark.parametrize(("minutes", "step"), [(10, None), (30, "remind"), (59, "remind"), (60, "escalate")])
    def test_the_ladder(self, minutes: int, step: str | None) -> None:
        assert first_contact_step(self.child(), self.START + timedelta(minutes=minutes), 60) == step

    def test_each_step_once_and_met_only_by_a_first_contact(self) -> None:
        later = self.START + timedelta(minutes=45)
        assert first_contact_step(self.child(fc_reminded_at=later), later, 60) is None
        assert first_contact_step(self.child(fc_escalated_at=later), later + timedelta(hours=1), 60) is None
        assert first_contact_step(self.child(first_contact_at=later), later + timedelta(hours=1), 60) is None
        assert first_contact_step(self.child(status=Status.RESOLVED), later + timedelta(hours=1), 60) is None
        adult = Case(code="R2", created_at=self.START)
        assert first_contact_step(adult, later + timedelta(hours=1), 60) is None


class TestConversationCallbacks:
    def test_round_trip_within_64_bytes(self) -> None:
        for data in (
            callbacks.write("R7K3M9Q"),
            callbacks.write("R7K3M9Q", "all"),
            callbacks.write("R7K3M9Q", "n99999"),
            callbacks.answer("R7K3M9Q"),
            callbacks.answer("R7K3M9Q", later=True),
        ):
            assert callbacks.fits(data)
            pressed = callbacks.parse_talk(data)
            assert pressed is not None and pressed.code == "R7K3M9Q"
        assert callbacks.parse_talk(callbacks.write("R7K3M9Q", "n2")) == callbacks.TalkPress("w", "R7K3M9Q", "n2")
        assert callbacks.parse_talk(callbacks.answer("R7K3M9Q", later=True)) == callbacks.TalkPress(
            "a", "R7K3M9Q", "later"
        )

    def test_odd_data_is_refused(self) -> None:
        for data in ("w", "w:", "a:R1:x:y", "s:take:R1", "x:R1"):
            assert callbacks.parse_talk(data) is None
