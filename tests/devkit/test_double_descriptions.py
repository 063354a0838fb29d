"""The Bot API double answers setMyDescription / setMyShortDescription within Telegram's limits (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from devkit.botapi_double import DoubleServer
from functions.services.commands import description_calls

TOKEN = "123456:TEST-token_abc"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    double = DoubleServer("127.0.0.1", 0).start()
    with httpx.Client(base_url=double.base_url, timeout=10) as c:
        yield c
    double.stop()


def test_every_description_call_is_accepted(client: httpx.Client) -> None:
    for call in description_calls():
        response = client.post(f"/bot{TOKEN}/{call.method}", json=call.params)
        assert response.json() == {"ok": True, "result": True}, call.method


def test_too_long_descriptions_and_bad_languages_are_refused(client: httpx.Client) -> None:
    long = client.post(f"/bot{TOKEN}/setMyShortDescription", json={"short_description": "x" * 121})
    assert long.status_code == 400
    bad = client.post(f"/bot{TOKEN}/setMyDescription", json={"description": "x", "language_code": "kaz"})
    assert bad.status_code == 400
