"""Signing in to the staff console as Telegram would let a person: initData signed with the test bot token."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import httpx

from functions.domain.time import utcnow
from tests.stack import TOKEN, Stack

_QUERIES = itertools.count(1)


def init_data(user_id: int, *, token: str = TOKEN, at: datetime | None = None, lang: str = "ru") -> str:
    """initData for a user, signed as Telegram signs it (the test token unless another is given)."""
    import init_data_py

    user = json.dumps({"id": user_id, "first_name": f"Staff {user_id}", "language_code": lang}, separators=(",", ":"))
    payload = {"query_id": f"AAQ{next(_QUERIES):08d}", "user": user}
    return init_data_py.sign(payload, token, auth_date=at or utcnow())


def console_url(stack: Stack) -> str:
    """Where the console answers (with the trailing slash its relative links need)."""
    return stack.functions.target_url("console") + "/"


def call(
    stack: Stack, method: str, path: str, token: str | None = None, body: Any = None, **params: str
) -> httpx.Response:
    """One API request."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(
        method, console_url(stack) + path, headers=headers, json=body, params=params or None, timeout=20.0
    )


def sign_in(stack: Stack, user_id: int) -> str:
    """A session token for a staff member."""
    response = call(stack, "POST", "api/session", body={"init_data": init_data(user_id)})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])
