"""The staff console's use cases on in-memory ports: sign-in and authentication, the queue's paging and
authorisation, the menu button and the cards' console link; and its pure rules (tokens, cursor, filters)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from functions.config import get_settings
from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.console import (
    PAGE_SIZE,
    ApiError,
    Cursor,
    InitDataRefused,
    OpenedApp,
    QueueFilter,
    QueueQuery,
    age_bucket,
    decode_cursor,
    encode_cursor,
    issue_token,
    parse_filter,
    session_key,
    token_user,
)
from functions.domain.workflow import Role, StaffMember
from functions.services import cards
from functions.services.case_actions import CaseActions
from functions.services.console_menu import close_console, open_console
from functions.services.console_queue import ConsoleQueue
from functions.services.console_session import ConsoleSessions
from functions.services.evidence import Evidence
from tests.unit.fakes import ADMIN, NOW, Desk, Published

KEY = session_key("1:test")


class Checker:
    """initData as the adapter reads it: 'user:<id>:<digest>', 'old' is too old, anything else forged."""

    def check(self, init_data: str, now: datetime) -> OpenedApp:
        if init_data == "old":
            raise InitDataRefused("expired")
        parts = init_data.split(":")
        if len(parts) != 3 or parts[0] != "user":
            raise InitDataRefused("forged")
        return OpenedApp(user_id=int(parts[1]), digest=parts[2])


class Opened:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def claim_init_data(self, digest: str, user_id: int, at: datetime, expires_at: datetime) -> bool:
        if digest in self.seen:
            return False
        self.seen.add(digest)
        return True


def sessions(desk: Desk, clock: list[datetime]) -> ConsoleSessions:
    return ConsoleSessions(
        Checker(), Opened(), desk.access, KEY, lambda: clock[0], timedelta(minutes=5), timedelta(minutes=30)
    )


class TestSignIn:
    def test_staff_sign_in_once_per_initdata_and_are_re_read_on_every_request(self) -> None:
        desk, clock = Desk(), [NOW]
        desk.staff_store.put_staff(StaffMember(user_id=5001, role=Role.SPECIALIST), invited_by=ADMIN)
        desk_sessions = sessions(desk, clock)
        signed = desk_sessions.sign_in("user:5001:h1")
        assert signed["user"] == {"id": 5001, "role": "specialist", "regions": [], "lang": "ru"}
        person = desk_sessions.authenticate(f"Bearer {signed['token']}")
        assert person.user_id == 5001
        with pytest.raises(ApiError, match="already used"):
            desk_sessions.sign_in("user:5001:h1")
        desk.staff_store.update_staff(5001, active=False)
        with pytest.raises(ApiError, match="no staff access") as refused:
            desk_sessions.authenticate(f"Bearer {signed['token']}")
        assert refused.value.status == 403

    @pytest.mark.parametrize(
        ("init_data", "status", "error"),
        [
            ("old", 401, "initData expired"),
            ("x", 401, "initData forged"),
            ("", 400, "missing"),
            ("user:42:h", 403, "not a staff"),
        ],
    )
    def test_refusals(self, init_data: str, status: int, error: str) -> None:
        with pytest.raises(ApiError, match=error) as refused:
            sessions(Desk(), [NOW]).sign_in(init_data)
        assert refused.value.status == status

    def test_a_session_ends_with_its_time(self) -> None:
        desk, clock = Desk(), [NOW]
        token = sessions(desk, clock).sign_in(f"user:{ADMIN}:h2")["token"]
        clock[0] = NOW + timedelta(minutes=31)
        with pytest.raises(ApiError, match="invalid or expired"):
            sessions(desk, clock).authenticate(f"Bearer {token}")


class TestTokens:
    def test_a_token_names_its_person_until_it_expires_and_cannot_be_altered(self) -> None:
        token = issue_token(KEY, 77, NOW + timedelta(minutes=1), "n")
        assert token_user(KEY, token, NOW) == 77
        assert token_user(KEY, token, NOW + timedelta(minutes=2)) is None
        assert token_user(session_key("1:other"), token, NOW) is None
        _payload, mac = token.split(".")
        other = issue_token(KEY, 78, NOW + timedelta(minutes=1), "n").split(".")[0]
        assert token_user(KEY, f"{other}.{mac}", NOW) is None
        assert token_user(KEY, "garbage", NOW) is None and token_user(KEY, "a.b.c", NOW) is None


class TestQueueRules:
    def test_cursor_round_trip_and_refusals(self) -> None:
        cursor = Cursor(1, NOW, "RABCDEF")
        assert decode_cursor(encode_cursor(cursor)) == cursor
        for bad in ("", "abc", "W1sxXV0", "x" * 300):
            assert decode_cursor(bad) is None

    def test_filters(self) -> None:
        assert parse_filter({"status": "new", "owner": "mine"}) == QueueFilter(status="new", owner="mine")
        assert parse_filter({"status": "resolved"}) == "status"
        assert parse_filter({"region": "99"}) == "region"

    def test_age_buckets(self) -> None:
        assert age_bucket(NOW - timedelta(hours=23), NOW) == "lt24h"
        assert age_bucket(NOW - timedelta(hours=47), NOW) == "lt48h"
        assert age_bucket(NOW - timedelta(hours=49), NOW) == "older"


class Rows:
    """The queue's query over a list of documents: phase, filters, cursor, limit as the adapter applies them."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.calls = 0

    def queue_rows(self, query: QueueQuery, phase: int, after: Cursor | None, limit: int) -> list[CaseRow]:
        self.calls += 1
        regions = query.regions
        found = [
            d
            for d in self.docs
            if (d["severity"] == "urgent") == (phase == 0)
            and (regions is None or d["region"] in regions)
            and (after is None or after.phase != phase or (d["created_at"], d["id"]) > (after.created_at, after.code))
        ]
        chosen = sorted(found, key=lambda d: (d["created_at"], d["id"]))[:limit]
        return [CaseRow.from_document(d["id"], d) for d in chosen]


def doc(n: int, **fields: Any) -> dict[str, Any]:
    base = {"id": f"R{n:06d}", "status": "new", "category": "violence", "severity": "normal", "region": "71"}
    return base | {"created_at": NOW - timedelta(minutes=n)} | fields


class TestQueuePaging:
    def test_pages_walk_urgent_then_oldest_skipping_what_the_person_may_not_see(self) -> None:
        docs = [doc(n, severity="urgent" if n % 5 == 0 else "normal") for n in range(1, 31)]
        docs += [doc(100 + n, category="sexual") for n in range(10)]  # restricted: not for a specialist
        desk = Desk()
        rows = Rows(docs)
        actions = CaseActions(
            desk.staff_store, desk.access, Evidence(desk.staff_store, Published(), "d"), Published(), "r", desk.clock
        )
        queue = ConsoleQueue(rows, actions, desk.clock)
        person = StaffMember(user_id=9, role=Role.SPECIALIST)
        seen: list[str] = []
        page = queue.page(person, QueueFilter(), None)
        while True:
            seen += [row["code"] for row in page["cases"]]
            if not page["next"]:
                break
            page = queue.page(person, QueueFilter(), decode_cursor(page["next"]))
        urgent = sorted((d for d in docs if d["severity"] == "urgent"), key=lambda d: d["created_at"])
        rest = sorted(
            (d for d in docs if d["severity"] != "urgent" and d["category"] != "sexual"), key=lambda d: d["created_at"]
        )
        assert seen == [d["id"] for d in urgent + rest]
        assert len(page["cases"]) <= PAGE_SIZE

    def test_an_officer_cannot_ask_for_another_region(self) -> None:
        desk = Desk()
        actions = CaseActions(
            desk.staff_store, desk.access, Evidence(desk.staff_store, Published(), "d"), Published(), "r", desk.clock
        )
        queue = ConsoleQueue(Rows([]), actions, desk.clock)
        officer = StaffMember(user_id=9, role=Role.REGIONAL, regions=("71",))
        with pytest.raises(ApiError) as refused:
            queue.page(officer, QueueFilter(region="75"), None)
        assert refused.value.status == 403
        assert queue.scope(officer, None) == ("71",) and queue.scope(replace(officer, role=Role.ADMIN), None) is None


class TestBotSide:
    def test_the_menu_button_opens_the_console_only_over_https(self) -> None:
        assert open_console(5, "http://127.0.0.1:1/", "ru") is None
        call = open_console(5, "https://console.example/", "kk")
        assert call is not None and call.method == "setChatMenuButton"
        assert call.params["menu_button"]["web_app"] == {"url": "https://console.example/"}
        assert close_console(5).params == {"chat_id": 5, "menu_button": {"type": "default"}}

    def test_cards_link_to_the_case_in_the_console_when_it_is_configured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        case = Case(code="RABCDEF", region="71", created_at=NOW)
        person = StaffMember(user_id=9, role=Role.SPECIALIST)
        assert not [b for row in cards.card_keyboard(case, person)["inline_keyboard"] for b in row if "web_app" in b]
        monkeypatch.setenv("CONSOLE_URL", "https://console.example")
        get_settings.cache_clear()
        try:
            found = [b for row in cards.card_keyboard(case, person)["inline_keyboard"] for b in row if "web_app" in b]
        finally:
            monkeypatch.delenv("CONSOLE_URL")
            get_settings.cache_clear()
        assert found == [{"text": "Открыть в консоли", "web_app": {"url": "https://console.example/?case=RABCDEF"}}]
