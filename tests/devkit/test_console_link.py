"""`make chat`'s console link: initData in the fragment, signed with the local bot token, as Telegram passes it."""

from __future__ import annotations

import json
import urllib.parse
from datetime import timedelta

import pytest

from devkit.chat import console_link
from devkit.dev_stack import LOCAL_TOKEN
from functions.adapters.telegram.init_data import InitDataChecker
from functions.domain.console import InitDataRefused
from functions.domain.time import utcnow


def test_the_link_signs_the_chosen_user_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    link = console_link({"functions": {"console": "http://127.0.0.1:8085/"}}, 1001, "kk", dark=True)
    assert link is not None and link.startswith("http://127.0.0.1:8085/#")
    fragment = urllib.parse.parse_qs(link.split("#", 1)[1])
    opened = InitDataChecker(LOCAL_TOKEN, timedelta(minutes=5)).check(fragment["tgWebAppData"][0], utcnow())
    assert opened.user_id == 1001 and opened.language == "kk"
    assert fragment["tgWebAppColorScheme"] == ["dark"] and json.loads(fragment["tgWebAppThemeParams"][0])
    with pytest.raises(InitDataRefused, match="forged"):
        InitDataChecker("1:another", timedelta(minutes=5)).check(fragment["tgWebAppData"][0], utcnow())
    with pytest.raises(InitDataRefused, match="expired"):
        InitDataChecker(LOCAL_TOKEN, timedelta(minutes=5)).check(
            fragment["tgWebAppData"][0], utcnow() + timedelta(minutes=6)
        )


def test_no_link_without_a_running_console() -> None:
    assert console_link({"functions": {}}, 1001, "ru") is None
