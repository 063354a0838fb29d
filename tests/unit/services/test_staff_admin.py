"""Staff onboarding and administration on in-memory ports: invites, the first admins, /staff, /revoke, /duty."""

from __future__ import annotations

import re

from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from tests.unit.fakes import ADMIN, Desk, text_of


def invite(desk: Desk, arg: str) -> str:
    text = text_of(desk.message(ADMIN, f"/invite {arg}"))
    found = re.search(r"start=inv_([0-9a-z]+)", text)
    assert found, text
    return found.group(1)


class TestInvites:
    def test_an_invite_link_registers_its_holder_with_the_role_and_regions(self) -> None:
        desk = Desk()
        code = invite(desk, "regional 71,75")
        welcome = desk.message(7001, f"/start inv_{code}")
        assert t("ru", "staff_welcome", role=t("ru", "staffrole_regional")) in text_of(welcome)
        assert [c.method for c in welcome.direct] == ["setMyCommands", "sendMessage"]
        told = welcome.direct[1].params  # the inviter hears that their invite was used (issue 11 hole 9)
        assert told["chat_id"] == ADMIN and "Person 7001" in told["text"]
        member = desk.staff_store.staff[7001]
        assert member.role == Role.REGIONAL and member.regions == ("71", "75") and member.name == "Person 7001"

    def test_an_invite_works_once_and_a_bad_one_is_refused(self) -> None:
        desk = Desk()
        code = invite(desk, "specialist")
        desk.message(7002, f"/start inv_{code}")
        assert text_of(desk.message(7003, f"/start inv_{code}")) == t("ru", "invite_invalid")
        assert 7003 not in desk.staff_store.staff
        again = text_of(desk.message(7002, f"/start inv_{code}"))
        assert again == t("ru", "staff_welcome", role=t("ru", "staffrole_specialist"))

    def test_a_revoked_person_does_not_come_back_with_their_old_invite(self) -> None:
        desk = Desk()
        code = invite(desk, "specialist")
        desk.message(7004, f"/start inv_{code}")
        desk.message(ADMIN, "/revoke 7004")
        assert text_of(desk.message(7004, f"/start inv_{code}")) == t("ru", "invite_invalid")

    def test_a_bad_invite_command_gets_the_usage(self) -> None:
        desk = Desk()
        for arg in ("", "king", "regional", "regional 99"):
            assert text_of(desk.message(ADMIN, f"/invite {arg}")) == t("ru", "invite_usage"), arg


class TestAdministration:
    def test_only_admins_administer_and_only_in_private(self) -> None:
        desk = Desk()
        desk.staff_store.put_staff(StaffMember(user_id=7010, role=Role.SPECIALIST), invited_by=ADMIN)
        assert text_of(desk.message(7010, "/invite specialist")) == t("ru", "admins_only")
        assert text_of(desk.message(7011, "/staff")) == t("ru", "refuse_no_access")
        in_group = desk.message(ADMIN, "/staff", chat_id=-5, chat_type="group")
        assert text_of(in_group) == t("ru", "private_only")

    def test_staff_lists_people_with_their_flags(self) -> None:
        desk = Desk()
        desk.staff_store.put_staff(StaffMember(user_id=7012, role=Role.SPECIALIST, name="Айгуль"), invited_by=ADMIN)
        desk.message(7012, "/duty on")
        listed = text_of(desk.message(ADMIN, "/staff"))
        assert "Айгуль" in listed and t("ru", "staff_flag_duty") in listed

    def test_revoke_takes_access_away_but_never_from_the_first_admins(self) -> None:
        desk = Desk()
        desk.staff_store.put_staff(StaffMember(user_id=7013, role=Role.SPECIALIST), invited_by=ADMIN)
        assert text_of(desk.message(ADMIN, "/revoke 7013")) == t("ru", "revoked", user_id=7013)
        assert desk.staff_store.staff[7013].active is False
        assert text_of(desk.message(7013, "/duty on")) == t("ru", "refuse_no_access")
        assert text_of(desk.message(ADMIN, f"/revoke {ADMIN}")) == t("ru", "revoke_env_admin")
        assert text_of(desk.message(ADMIN, "/revoke 12345")) == t("ru", "revoke_unknown", user_id=12345)

    def test_duty_is_for_specialists(self) -> None:
        desk = Desk()
        desk.staff_store.put_staff(StaffMember(user_id=7014, role=Role.REGIONAL, regions=("71",)), invited_by=ADMIN)
        assert text_of(desk.message(7014, "/duty on")) == t("ru", "duty_specialists_only")
        desk.staff_store.put_staff(StaffMember(user_id=7015, role=Role.SPECIALIST), invited_by=ADMIN)
        assert text_of(desk.message(7015, "/duty maybe")) == t("ru", "duty_usage")
        assert text_of(desk.message(7015, "/duty on")) == t("ru", "duty_on") and desk.staff_store.staff[7015].on_duty
