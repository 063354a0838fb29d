"""Pure rules of who may see a case (issue 11 holes 1, 2, 3, 5): raising, re-categorising, routing, access."""

from __future__ import annotations

import itertools

import pytest

from functions.domain.categories import REPORTER_CATEGORIES
from functions.domain.escalation import (
    CATEGORY_RANK,
    SEVERITY_RANK,
    UNREVIEWED,
    Answers,
    is_restricted,
    may_recategorise,
    most_serious,
    recategorised,
    staff_categories,
    unclassified,
)
from functions.domain.routing import newly_entitled, route
from functions.domain.visibility import may_see_content, reporter_argument, shows_content_on_card
from functions.domain.workflow import Role, StaffMember

CATEGORIES = [c.value for c in REPORTER_CATEGORIES]
SEVERITIES = ["normal", "high", "urgent"]


def person(user_id: int, role: str, regions: tuple[str, ...] = (), **kw: bool) -> StaffMember:
    return StaffMember(user_id=user_id, role=Role(role), regions=regions, **kw)


class TestMostSerious:
    def test_a_restricted_category_is_sticky(self) -> None:
        case = Answers("sexual", "urgent")
        for category in CATEGORIES:
            assert most_serious(case, Answers(category, "normal")).category == "sexual"
        assert most_serious(Answers(UNREVIEWED, "high"), Answers("violence", "high")).category == UNREVIEWED
        assert most_serious(Answers(UNREVIEWED, "high"), Answers("sexual", "urgent")).category == "sexual"

    def test_a_more_serious_category_replaces_a_milder_one_and_brings_its_severity(self) -> None:
        raised = most_serious(Answers("violence", "high"), Answers("sexual", "urgent"))
        assert raised == Answers("sexual", "urgent", False)
        assert most_serious(Answers("other", "normal"), Answers("selfharm", "urgent")).category == "selfharm"
        assert most_serious(Answers("violence", "high"), Answers("bullying", "normal")) == Answers("violence", "high")

    def test_danger_now_makes_it_urgent_and_stays(self) -> None:
        raised = most_serious(Answers("bullying", "normal"), Answers("bullying", "urgent", True))
        assert raised == Answers("bullying", "urgent", True)
        assert most_serious(raised, Answers("other", "normal")).child_in_danger is True

    @pytest.mark.parametrize(
        ("case", "joining"),
        list(
            itertools.product(
                [Answers(c, s, d) for c in [*CATEGORIES, UNREVIEWED] for s in SEVERITIES for d in (False, True)],
                [Answers(c, s, d) for c in CATEGORIES for s in SEVERITIES for d in (False, True)][::7],
            )
        ),
    )
    def test_never_lower_in_any_respect(self, case: Answers, joining: Answers) -> None:
        raised = most_serious(case, joining)
        assert CATEGORY_RANK[raised.category] >= CATEGORY_RANK[case.category]
        assert SEVERITY_RANK[raised.severity] >= max(SEVERITY_RANK[case.severity], SEVERITY_RANK[joining.severity])
        assert raised.child_in_danger >= case.child_in_danger
        assert is_restricted(raised.category) >= is_restricted(case.category)
        assert most_serious(raised, joining) == raised  # idempotent: a re-delivered join changes nothing more


class TestRecategorise:
    def test_severity_only_goes_up(self) -> None:
        assert recategorised(Answers("violence", "high"), "sexual") == Answers("sexual", "urgent")
        assert recategorised(Answers("sexual", "urgent"), "bullying").severity == "urgent"
        assert recategorised(Answers("other", "normal"), "bullying") == Answers("bullying", "normal")

    def test_who_may_restrict_and_who_may_lift(self) -> None:
        officer = person(1, "regional", ("71",))
        other_region = person(2, "regional", ("75",))
        cleared = person(3, "child_safety")
        admin = person(4, "admin")
        assert may_recategorise(officer, "violence", "71", "sexual")
        assert may_recategorise(officer, "violence", "71", "bullying")
        assert not may_recategorise(other_region, "violence", "71", "sexual")
        assert not may_recategorise(officer, "violence", "71", "violence")
        assert not may_recategorise(officer, "violence", "71", "no-such")
        assert not may_recategorise(officer, "violence", "71", UNREVIEWED)  # never chosen, only given
        assert may_recategorise(cleared, UNREVIEWED, "71", "violence")
        assert may_recategorise(cleared, "sexual", "71", "bullying")
        assert not may_recategorise(admin, "sexual", "71", "bullying")  # admins are not cleared to look
        assert may_recategorise(admin, UNREVIEWED, "71", "sexual")
        assert not may_recategorise(person(5, "specialist", active=False), "violence", "71", "sexual")
        assert UNREVIEWED not in staff_categories()


class TestUnclassified:
    def test_media_nobody_classified_is_restricted_links_are_not(self) -> None:
        assert unclassified(has_media=True, child_request=False) == Answers(UNREVIEWED, "high")
        assert unclassified(has_media=True, child_request=True) == Answers(UNREVIEWED, "urgent")
        assert unclassified(has_media=False, child_request=False) == Answers("other", "normal")
        assert unclassified(has_media=False, child_request=True) == Answers("other", "urgent")
        assert is_restricted(UNREVIEWED) and is_restricted("sexual") and not is_restricted("violence")


class TestRoute:
    STAFF = (
        person(1, "regional", ("71",)),
        person(2, "regional", ("75",)),
        person(3, "specialist", on_duty=True),
        person(4, "specialist"),
        person(5, "admin"),
        person(6, "child_safety"),
    )

    @staticmethod
    def ids(people: list[StaffMember]) -> set[int]:
        return {p.user_id for p in people}

    def test_usual_recipients(self) -> None:
        assert self.ids(route(self.STAFF, "violence", "71", "high")) == {1, 3}
        assert self.ids(route(self.STAFF, "violence", "71", "urgent")) == {1, 3, 4, 5, 6}
        assert self.ids(route(self.STAFF, "sexual", "71", "urgent")) == {5, 6}
        assert self.ids(route(self.STAFF, UNREVIEWED, "71", "high")) == {5, 6}

    def test_the_fallback_chain(self) -> None:
        no_duty = [p for p in self.STAFF if p.user_id != 3]
        assert self.ids(route(no_duty, "violence", "79", "normal")) == {4, 6}  # no officer, nobody on duty
        admins_only = [p for p in self.STAFF if p.role in {Role.ADMIN, Role.REGIONAL}]
        assert self.ids(route(admins_only, "violence", "79", "normal")) == {5}
        unreachable = [person(7, "specialist", unreachable=True), person(8, "admin", active=False)]
        assert route(unreachable, "violence", "79", "normal") == []
        assert route([person(1, "regional", ("71",))], "sexual", "71", "urgent") == []  # may not see it

    def test_everyone_routed_may_see_it(self) -> None:
        from functions.domain.workflow import may_see

        for category, region, severity in itertools.product([*CATEGORIES, UNREVIEWED], ["71", "79"], SEVERITIES):
            for chosen in route(self.STAFF, category, region, severity):
                assert may_see(chosen, category, region)

    def test_newly_entitled_skips_card_holders(self) -> None:
        assert self.ids(newly_entitled(self.STAFF, "sexual", "71", "urgent", [1, 3, 5])) == {6}


class TestAccess:
    def test_restricted_content_only_to_child_safety(self) -> None:
        assert may_see_content(person(6, "child_safety"), "sexual", "71")
        assert not may_see_content(person(5, "admin"), "sexual", "71")
        assert not may_see_content(person(5, "admin"), UNREVIEWED, "71")
        assert may_see_content(person(5, "admin"), "violence", "71")
        assert not may_see_content(person(2, "regional", ("75",)), "violence", "71")
        assert not shows_content_on_card("sexual") and shows_content_on_card("violence")

    def test_reporters_never_hear_where_a_case_went(self) -> None:
        assert reporter_argument("escalated", "police") is None
        assert reporter_argument("resolved", "content_removed") == "content_removed"
