"""Defects found by walking the bot as its users do (issues 14 and 17's QA pass): each test failed on the code
before its fix. The walks use the in-process router on the in-memory ports (tests/unit/fakes.py)."""

from __future__ import annotations

import re

import pytest

from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.services.commands import staff_command_names
from tests.unit.fakes import ADMIN, Desk, text_of

LANGS = ("kk", "ru")


def commands_in(text: str) -> set[str]:
    """The /commands a help text names."""
    return set(re.findall(r"(?<![\w/])/([a-z_]+)", text))


class TestStaffHelpPerRole:
    """/help lists exactly the commands the person may use: the same list as their chat's command menu."""

    @pytest.mark.parametrize("lang", LANGS)
    @pytest.mark.parametrize("role", list(Role))
    def test_help_names_exactly_the_menus_commands(self, role: Role, lang: str) -> None:
        desk = Desk()
        desk.staff_store.staff[7200] = StaffMember(user_id=7200, role=role, regions=("71",), active=True, lang=lang)
        text = text_of(desk.message(7200, "/help"))
        assert commands_in(text) == set(staff_command_names(role.value)) - {"help"}
        assert ("ответьте на карточку" if lang == "ru" else "карточкасына жауап") in text  # how notes are written

    def test_a_regional_officer_is_not_shown_what_they_cannot_use(self) -> None:
        desk = Desk()
        desk.staff_store.staff[7201] = StaffMember(user_id=7201, role=Role.REGIONAL, regions=("71",), active=True)
        text = text_of(desk.message(7201, "/help"))
        for refused in ("/duty", "/hold", "/invite", "/staff", "/revoke"):
            assert refused not in text
        for usable in ("/queue", "/case", "/mute", "/cleanup"):
            assert usable in text

    def test_an_admin_sees_every_command_they_may_use(self) -> None:
        text = text_of(Desk().message(ADMIN, "/help"))
        for command in ("/mute", "/unmute", "/invites", "/hold", "/invite", "/revoke", "/duty"):
            assert command in text
        assert t("ru", "cmd_mute") in text
