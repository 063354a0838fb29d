"""The Bot API double counts text and captions as Telegram does: in UTF-16 code units (issue 11 hole 11)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devkit.botapi_double import DoubleServer

TOKEN = "123456:TEST-token_abc"
USER = 500_002


@pytest.fixture(scope="module")
def double() -> Iterator[DoubleServer]:
    server = DoubleServer("127.0.0.1", 0).start()
    server.set_limits(enforce=False)
    yield server
    server.stop()


def api(double: DoubleServer, method: str, **params: Any) -> dict[str, Any]:
    response = httpx.post(f"{double.base_url}/bot{TOKEN}/{method}", json=params, timeout=10)
    return dict(response.json())


def test_a_message_of_emoji_over_4096_utf16_units_is_too_long(double: DoubleServer) -> None:
    assert api(double, "sendMessage", chat_id=USER, text="🔴" * 2048)["ok"]
    refused = api(double, "sendMessage", chat_id=USER, text="🔴" * 2049)  # 2049 characters, 4098 units
    assert refused["ok"] is False and refused["description"] == "Bad Request: message is too long"


def test_a_caption_of_emoji_over_1024_utf16_units_is_too_long(double: DoubleServer) -> None:
    photo = double.register_file("photo")["file_id"]
    assert api(double, "sendPhoto", chat_id=USER, photo=photo, caption="🙂" * 512)["ok"]
    refused = api(double, "sendPhoto", chat_id=USER, photo=photo, caption="🙂" * 513)
    assert refused["ok"] is False and refused["description"] == "Bad Request: message caption is too long"


def test_letters_of_the_basic_plane_count_one(double: DoubleServer) -> None:
    assert api(double, "sendMessage", chat_id=USER, text="қ" * 4096)["ok"]
