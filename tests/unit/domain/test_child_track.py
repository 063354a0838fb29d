"""The help-the-child track's rules: when it applies, when it is closed, who sets it, how Resolve waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.domain import callbacks, child_stats
from functions.domain.case import Case
from functions.domain.child_help import CHILD_OUTCOMES, REFERRALS, Need
from functions.domain.child_track import (
    ChildRefusal,
    applies,
    auto_resolution,
    changes_for,
    contact_pending,
    content_applies,
    help_given,
    minutes_to_contact,
    offers_track,
    refusal,
    resolve_blocker,
    track_closed,
    waiting_for_contact,
)
from functions.domain.workflow import Role, StaffMember

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
OWNER = StaffMember(user_id=5, role=Role.REGIONAL, regions=("71",))
OTHER = StaffMember(user_id=6, role=Role.REGIONAL, regions=("71",))
FAR = StaffMember(user_id=7, role=Role.REGIONAL, regions=("75",))
ADMIN = StaffMember(user_id=1, role=Role.ADMIN)


def case(**fields: Any) -> Case:
    data = {"status": "in_progress", "category": "bullying", "region": "71", "assignee": 5, "created_at": T0}
    return Case.from_document("R7K3M9Q", data | fields)


class TestWhenTheTrackApplies:
    def test_an_ordinary_case_has_no_child_track_until_help_is_marked_needed(self) -> None:
        assert not applies(case()) and track_closed(case()) and resolve_blocker(case()) is None
        needed = case(child_help={"need": "needed"})
        assert applies(needed) and not track_closed(needed)
        assert resolve_blocker(needed) == ChildRefusal.OUTCOME_FIRST

    def test_a_childs_own_request_needs_a_word_on_the_need_or_an_outcome(self) -> None:
        request = case(child_request=True)
        assert applies(request) and resolve_blocker(request) == ChildRefusal.NEED_FIRST
        assert resolve_blocker(case(child_request=True, child_help={"need": "not_needed"})) is None
        assert resolve_blocker(case(child_request=True, child_help={"need": "needed", "outcome": "helped"})) is None

    def test_an_outcome_closes_the_track(self) -> None:
        assert track_closed(case(child_help={"need": "needed", "outcome": "declined"}))

    def test_the_content_track_of_a_childs_request_without_material_does_not_apply(self) -> None:
        assert not content_applies(case(child_request=True))
        assert content_applies(case(child_request=True, urls=["https://t.me/x/1"]))
        assert content_applies(case())


class TestWhoSetsIt:
    def test_the_owner_and_admins_while_open(self) -> None:
        report = case()
        assert refusal(OWNER, report, "need", "needed") is None
        assert refusal(ADMIN, report, "referral", "line_111") is None
        assert refusal(OTHER, report, "need", "needed") == ChildRefusal.NOT_OWNER
        assert refusal(FAR, report, "need", "needed") == ChildRefusal.OUT_OF_SCOPE
        assert refusal(None, report, "need", "needed") == ChildRefusal.NO_ACCESS
        assert refusal(OWNER, case(status="resolved"), "need", "needed") == ChildRefusal.CLOSED
        assert offers_track(OWNER, report) and not offers_track(OTHER, report)
        assert not offers_track(OWNER, case(status="rejected"))

    def test_only_values_from_the_lists(self) -> None:
        assert all(refusal(OWNER, case(), "referral", value) is None for value in REFERRALS)
        assert all(refusal(OWNER, case(), "outcome", value) is None for value in CHILD_OUTCOMES)
        assert refusal(OWNER, case(), "referral", "helped") == ChildRefusal.BAD_VALUE
        assert refusal(OWNER, case(), "need", "maybe") == ChildRefusal.BAD_VALUE
        assert refusal(OWNER, case(), "colour", "red") == ChildRefusal.BAD_VALUE

    def test_first_contact_by_hand_once(self) -> None:
        assert refusal(OWNER, case(), "contact", "") is None
        assert refusal(OWNER, case(first_contact_at=T0), "contact", "") == ChildRefusal.CONTACT_KNOWN
        assert refusal(OWNER, case(child_request=True), "contact", "") == ChildRefusal.CONTACT_BY_RELAY


class TestWhatAChoiceWrites:
    def test_a_referral_or_an_outcome_means_help_is_needed(self) -> None:
        assert changes_for(case(), "referral", "police", T0 + timedelta(minutes=30)) == {
            "child_help.referral": "police",
            "child_help.need": "needed",
            "rollup_durations.help_needed": 30,  # the statistics count the child from now on
            "contact_pending": True,  # the console's "first contact pending" filter
        }
        assert changes_for(case(), "outcome", "helped", T0)["child_help.outcome_at"] == T0

    def test_the_roll_up_durations_follow_the_track(self) -> None:
        later = T0 + timedelta(hours=2)
        given = changes_for(case(child_help={"need": "needed"}), "outcome", "referred", later)
        assert given["rollup_durations.help_given"] == 120 and "rollup_durations.help_needed" not in given
        declined = changes_for(case(child_help={"need": "needed", "outcome": "helped"}), "outcome", "declined", later)
        assert declined["rollup_durations.help_given"] is None
        cleared = changes_for(case(child_help={"need": "needed", "outcome": "helped"}), "need", "not_needed", later)
        assert cleared["rollup_durations.help_needed"] is None and cleared["rollup_durations.help_given"] is None
        again = changes_for(case(child_help={"need": "needed", "outcome": "helped"}), "referral", "police", later)
        assert not [k for k in again if k.startswith("rollup_durations")]  # nothing changed for the statistics

    def test_first_contact_pending_follows_the_track(self) -> None:
        assert changes_for(case(), "need", "needed", T0)["contact_pending"] is True
        assert changes_for(case(), "need", "not_needed", T0)["contact_pending"] is False
        met = case(first_contact_at=T0)
        assert changes_for(met, "need", "needed", T0)["contact_pending"] is False
        child = case(child_request=True)
        assert contact_pending(child) and changes_for(child, "need", "unknown", T0)["contact_pending"] is True
        assert changes_for(child, "need", "not_needed", T0)["contact_pending"] is False

    def test_not_needed_clears_the_referral_and_the_outcome(self) -> None:
        changes = changes_for(case(), "need", "not_needed", T0)
        assert changes["child_help.outcome"] is None and changes["child_help.referral"] is None

    def test_the_stored_track_reads_back(self) -> None:
        report = case(child_help={"need": "needed", "referral": "line_150", "outcome": None})
        assert report.child_help.need == Need.NEEDED and report.child_help.referral == "line_150"
        assert case().child_help.need == Need.UNKNOWN


class TestResolutionAndFigures:
    def test_a_childs_request_resolves_with_its_child_outcome(self) -> None:
        helped = case(child_request=True, child_help={"need": "needed", "outcome": "referred"})
        assert auto_resolution(helped) == "child_helped"
        declined = case(child_request=True, child_help={"need": "needed", "outcome": "declined"})
        assert auto_resolution(declined) == "resolved_other"
        assert auto_resolution(case(child_help={"need": "needed", "outcome": "helped"})) is None  # content stays
        assert auto_resolution(case(child_request=True, status="new", child_help={"outcome": "helped"})) is None

    def test_time_to_first_contact_and_help_given(self) -> None:
        assert minutes_to_contact(case(first_contact_at=T0 + timedelta(minutes=42))) == 42
        assert minutes_to_contact(case()) is None
        assert help_given(case(child_help={"need": "needed", "outcome": "helped"}))
        assert not help_given(case(child_help={"need": "needed", "outcome": "unreachable"}))

    def test_waiting_for_first_contact(self) -> None:
        assert waiting_for_contact(case(child_request=True))
        assert not waiting_for_contact(case(child_request=True, first_contact_at=T0))
        assert not waiting_for_contact(case())
        assert not waiting_for_contact(case(child_help={"need": "needed"}, status="resolved"))


class TestCallbacks:
    @pytest.mark.parametrize(
        ("verb", "arg"),
        [("m", "need"), ("m", "ref"), ("m", "out"), ("fc", ""), ("back", "")]
        + [("ref", r) for r in REFERRALS]
        + [("out", o) for o in CHILD_OUTCOMES]
        + [("need", n.value) for n in Need],
    )
    def test_round_trip_within_64_bytes(self, verb: str, arg: str) -> None:
        data = callbacks.child(verb, "R7K3M9Q", arg)
        assert callbacks.fits(data)
        pressed = callbacks.parse_child(data)
        assert pressed is not None and (pressed.verb, pressed.code, pressed.arg) == (verb, "R7K3M9Q", arg)

    def test_other_shapes_are_not_child_buttons(self) -> None:
        for data in ("h:zap:R7K3M9Q", "h::", "s:res:R7K3M9Q:x", "h:need", "h:need::x:y"):
            assert callbacks.parse_child(data) is None
        assert callbacks.parse_talk(callbacks.share_phone("R7K3M9Q")) is not None


class TestFigures:
    def test_quantiles_interpolate_between_ranks(self) -> None:
        assert child_stats.quantile([], 0.5) is None
        assert child_stats.quantile([10.0], 0.9) == 10
        assert child_stats.quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
        assert child_stats.quantile(list(map(float, range(1, 11))), 0.9) == pytest.approx(9.1)

    def test_by_region_and_for_all(self) -> None:
        cases = [
            case(first_contact_at=T0 + timedelta(minutes=20), child_help={"need": "needed", "outcome": "helped"}),
            case(first_contact_at=T0 + timedelta(minutes=40), child_help={"need": "needed", "outcome": "declined"}),
            case(region="75", child_help={"need": "needed", "outcome": "referred"}),
            case(region="", first_contact_at=T0 + timedelta(minutes=90)),
            case(region="75"),
        ]
        figures = child_stats.by_region(cases)
        astana, far, everyone = figures["71"], figures["75"], figures[child_stats.ALL]
        assert (astana.needed, astana.given, astana.share_given) == (2, 1, 0.5)
        assert astana.contact_quantile(0.5) == 30 and far.contacts == [] and far.share_given == 1
        assert (everyone.needed, everyone.given, len(everyone.contacts)) == (3, 2, 3)
        assert child_stats.ChildFigures().share_given is None
