"""Pure rules: severity, case codes, the case state machine, who may see and do what, routing, pacing."""

from __future__ import annotations

import pytest

from functions.domain.categories import Category, Severity, parse_category, severity_for
from functions.domain.codes import new_case_code, normalise_case_code
from functions.domain.models import Status
from functions.domain.platforms import report_pages
from functions.domain.routing import usual_recipients
from functions.domain.workflow import (
    Action,
    CaseView,
    Refusal,
    Role,
    StaffMember,
    actions_for,
    check,
    may_see,
)
from functions.services.pacing import PACE_WAIT_SECONDS, SEND_DEADLINE_SECONDS, Pacer, send_lease

ADMIN = StaffMember(1, Role.ADMIN)
SPECIALIST = StaffMember(2, Role.SPECIALIST, on_duty=True)
OFF_DUTY = StaffMember(3, Role.SPECIALIST)
ASTANA = StaffMember(4, Role.REGIONAL, regions=("71",))
ALMATY = StaffMember(5, Role.REGIONAL, regions=("75",))
CHILD_SAFETY = StaffMember(6, Role.CHILD_SAFETY)
REVOKED = StaffMember(7, Role.SPECIALIST, active=False, on_duty=True)
BLOCKED = StaffMember(8, Role.SPECIALIST, on_duty=True, unreachable=True)
EVERYONE = [ADMIN, SPECIALIST, OFF_DUTY, ASTANA, ALMATY, CHILD_SAFETY, REVOKED, BLOCKED]


def case(status: Status = Status.NEW, category: str = "violence", assignee: int | None = None) -> CaseView:
    return CaseView(status=status, category=category, region="71", assignee=assignee)


class TestSeverity:
    @pytest.mark.parametrize(
        ("category", "expected"),
        [
            (Category.VIOLENCE, Severity.HIGH),
            (Category.BULLYING, Severity.NORMAL),
            (Category.TEACHER, Severity.HIGH),
            (Category.SELFHARM, Severity.URGENT),
            (Category.SEXUAL, Severity.URGENT),
            (Category.OTHER, Severity.NORMAL),
        ],
    )
    def test_default_by_category(self, category: Category, expected: Severity) -> None:
        assert severity_for(category, child_in_danger=False) == expected

    def test_a_child_in_danger_makes_anything_urgent(self) -> None:
        assert all(severity_for(c, child_in_danger=True) == Severity.URGENT for c in Category)

    def test_untrusted_category(self) -> None:
        assert parse_category("violence") == Category.VIOLENCE and parse_category("god") is None


class TestCodes:
    def test_shape_and_normalising(self) -> None:
        code = new_case_code()
        assert normalise_case_code(code) == code and normalise_case_code(f" {code.lower()} ") == code
        assert all(ch not in code for ch in "01OIL")
        assert normalise_case_code("R0000000") is None and normalise_case_code("' OR 1=1") is None


class TestStateMachine:
    def test_take_then_only_the_owner_moves_it(self) -> None:
        assert check(ASTANA, case(), Action.TAKE) is None
        taken = case(Status.IN_PROGRESS, assignee=ASTANA.user_id)
        assert check(SPECIALIST, taken, Action.TAKE) == Refusal.TAKEN
        assert check(SPECIALIST, taken, Action.RESOLVE, "content_removed") == Refusal.NOT_OWNER
        assert check(ASTANA, taken, Action.ESCALATE, "police") is None
        assert check(ADMIN, taken, Action.RESOLVE, "child_helped") is None

    @pytest.mark.parametrize(
        ("status", "action", "argument"),
        [
            (Status.NEW, Action.RESOLVE, "content_removed"),
            (Status.NEW, Action.ESCALATE, "police"),
            (Status.NEW, Action.REOPEN, ""),
            (Status.RESOLVED, Action.TAKE, ""),
            (Status.REJECTED, Action.ESCALATE, "police"),
        ],
    )
    def test_illegal_transitions_are_refused(self, status: Status, action: Action, argument: str) -> None:
        assert check(ADMIN, case(status, assignee=ADMIN.user_id), action, argument) == Refusal.ILLEGAL

    def test_arguments_are_checked(self) -> None:
        taken = case(Status.IN_PROGRESS, assignee=ASTANA.user_id)
        assert check(ASTANA, taken, Action.ESCALATE, "the moon") == Refusal.BAD_ARGUMENT

    def test_reopen_by_owner_or_admin(self) -> None:
        closed = case(Status.RESOLVED, assignee=ASTANA.user_id)
        assert check(ASTANA, closed, Action.REOPEN) is None and check(ADMIN, closed, Action.REOPEN) is None
        assert check(SPECIALIST, closed, Action.REOPEN) == Refusal.NOT_OWNER

    def test_no_access_and_scope(self) -> None:
        assert check(None, case(), Action.TAKE) == Refusal.NO_ACCESS
        assert check(REVOKED, case(), Action.TAKE) == Refusal.NO_ACCESS
        assert check(ALMATY, case(), Action.TAKE) == Refusal.OUT_OF_SCOPE

    def test_buttons_follow_the_rules(self) -> None:
        assert actions_for(ASTANA, case()) == [Action.TAKE, Action.REJECT]
        assert actions_for(ALMATY, case()) == []


class TestWhoSees:
    def test_sexual_exploitation_only_for_child_safety_and_admins(self) -> None:
        assert may_see(CHILD_SAFETY, "sexual", "71") and may_see(ADMIN, "sexual", "71")
        assert not may_see(SPECIALIST, "sexual", "71") and not may_see(ASTANA, "sexual", "71")

    def test_routing_of_a_normal_case(self) -> None:
        chosen = {p.user_id for p in usual_recipients(EVERYONE, "violence", "71", "high")}
        assert chosen == {SPECIALIST.user_id, ASTANA.user_id}

    def test_routing_of_an_urgent_case(self) -> None:
        chosen = {p.user_id for p in usual_recipients(EVERYONE, "selfharm", "71", "urgent")}
        assert chosen == {ADMIN.user_id, SPECIALIST.user_id, OFF_DUTY.user_id, ASTANA.user_id, CHILD_SAFETY.user_id}

    def test_routing_of_sexual_exploitation(self) -> None:
        chosen = {p.user_id for p in usual_recipients(EVERYONE, "sexual", "71", "urgent")}
        assert chosen == {ADMIN.user_id, CHILD_SAFETY.user_id}


class TestPlatforms:
    def test_each_platform_once(self) -> None:
        pages = report_pages(
            ["https://tiktok.com/video/1", "https://tiktok.com/video/2", "https://youtube.com/watch?v=abcdefghijk"]
        )
        assert [name for name, _ in pages] == ["tiktok", "youtube"]


class TestPacer:
    def test_a_send_lease_outlasts_the_longest_send(self) -> None:
        # a lease shorter than a slow but live send would let a second attempt make the same card twice
        for timeout in (3.0, 10.0, 60.0):
            longest = SEND_DEADLINE_SECONDS + PACE_WAIT_SECONDS + timeout
            assert send_lease(timeout).total_seconds() > longest
        assert send_lease(10.0).total_seconds() <= 120  # a dead sender's job waits no longer than it did

    def test_spacing_per_chat_group_and_overall(self) -> None:
        now = [0.0]
        pacer = Pacer(rate_per_second=10, clock=lambda: now[0], sleep=lambda s: None)
        assert pacer.reserve(1, 10) == 0.0
        assert pacer.reserve(2, 10) == pytest.approx(0.1)  # overall: 10 per second
        assert pacer.reserve(1, 10) == pytest.approx(1.0)  # one per second in a chat
        assert pacer.reserve(-100, 10) == pytest.approx(0.2)
        assert pacer.reserve(-100, 10) == pytest.approx(3.2)  # 20 per minute in a group
        assert pacer.reserve(3, 10) == pytest.approx(0.3)  # a slot booked far ahead holds nobody else back
        assert pacer.reserve(1, 0.5) is None  # too long a wait: back to Pub/Sub

    def test_never_more_than_the_rate_in_any_second(self) -> None:
        now = [0.0]
        pacer = Pacer(rate_per_second=29, clock=lambda: now[0], sleep=lambda s: None)
        slots = sorted(pacer.reserve(chat, 60) or 0.0 for chat in range(1, 300))
        assert max(sum(1 for s in slots if start <= s < start + 1 - 1e-9) for start in slots) <= 29

    def test_retry_after_pauses_the_chat_and_everyone(self) -> None:
        now = [0.0]
        pacer = Pacer(rate_per_second=10, clock=lambda: now[0], sleep=lambda s: None)
        pacer.back_off(5, 4.0, everyone=True)
        assert pacer.reserve(6, 10) == pytest.approx(4.0) and pacer.reserve(5, 10) == pytest.approx(4.1)
