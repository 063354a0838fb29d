"""`make chat` plays a reporter by default and says whom it plays and how to switch (issue 14)."""

from __future__ import annotations

from devkit.chat import ADMIN_ID, OFFICER_ID, REPORTER_ID, arguments, banner


def test_the_default_is_a_reporter_not_the_admin() -> None:
    who, args = arguments([])
    assert who == "reporter" and args.user == REPORTER_ID != ADMIN_ID


def test_admin_and_officer_are_options() -> None:
    assert arguments(["--as", "admin"])[1].user == ADMIN_ID
    assert arguments(["--as", "officer"])[1].user == OFFICER_ID
    assert arguments(["--user", "1001"])[0] == "admin"
    assert arguments(["--user", "4242"])[0] == "custom"


def test_the_banner_names_the_user_and_how_to_switch() -> None:
    text = banner("reporter", REPORTER_ID, "ru")
    assert "3001" in text and "a reporter" in text
    assert "--as admin" in text and "--as officer" in text and "--as reporter" not in text
