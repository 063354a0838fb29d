"""The takedown track on the emulators, the Bot API double and the platform double (real HTTP).

Reporters report through the webhook; fan_out and deliver run as in the cloud (push subscriptions); the checker
is the production one (tick's LinkChecks with the link checker adapter) on a clock moved forward, talking to the
platform double by configuration (PLATFORM_API_BASE_URL) with every host name "resolving" to a public address.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from devkit.platform_double import ItemState, PlatformDoubleServer
from functions import bootstrap
from functions.adapters.link_checker import CheckerConfig, blocking_probe
from functions.domain.takedown import new_record
from functions.domain.time import utcnow
from functions.domain.workflow import Role, StaffMember
from tests.integration.helpers import code_in, report_link
from tests.stack import ADMIN_ID, Stack, wait_for

TT_ID = "7301234567890123456"
TT = f"https://www.tiktok.com/@fake_kid/video/{TT_ID}?is_from_webapp=1"
TT_CANONICAL = f"https://tiktok.com/video/{TT_ID}"
YT_CANONICAL = "https://youtube.com/watch?v=AbCdEfGh1_-"
SHORT = "https://vm.tiktok.com/ZMfake123/"
OFFICER = 610_001
PUBLIC_ADDRESS = "142.250.74.46"


@pytest.fixture(scope="module")
def platforms(stack_session: Stack) -> Iterator[PlatformDoubleServer]:
    for _attempt in range(3):  # on a loaded machine the emulator's first reset can outlast its 10 s timeout
        try:
            stack_session.emulators.reset_firestore()
            break
        except TimeoutError:
            continue
    with PlatformDoubleServer() as server:
        yield server


@pytest.fixture
def world(stack: Stack, platforms: PlatformDoubleServer) -> Iterator[World]:
    platforms.double.reset()
    stack.connect_chain()
    bootstrap.cases().put_staff(
        StaffMember(user_id=OFFICER, role=Role.REGIONAL, regions=("71",), name="Officer", lang="ru"),
        invited_by=ADMIN_ID,
    )
    yield World(stack, platforms)


class World:
    """The checker on a clock the test moves, against the platform double."""

    def __init__(self, stack: Stack, platforms: PlatformDoubleServer) -> None:
        self.stack = stack
        self.platforms = platforms
        self.start = utcnow()
        self.shift = timedelta(0)
        config = CheckerConfig(api_base_url=platforms.base_url, per_platform_interval_seconds=0.0)
        self.config = config
        self.services = bootstrap.build(self.now)
        self.resolver_answers: dict[str, list[str]] = {}

    def now(self) -> datetime:
        return utcnow() + self.shift

    async def resolve(self, host: str) -> Sequence[str]:
        return self.resolver_answers.get(host, [PUBLIC_ADDRESS])

    def check(self, after: timedelta) -> dict[str, int]:
        """Run the checker `after` since the test began."""
        self.shift = after
        checks = self.services.takedown().link_checks(probe=blocking_probe(self.config, resolver=self.resolve))
        return checks.run()

    def records(self, code: str) -> list[Any]:
        return self.services.takedown().store().links_of(code)

    def report(self, user_id: int, url: str) -> str:
        code = code_in(report_link(self.stack, user_id, url))
        wait_for(lambda: self.records(code))  # fan_out starts the track
        return code

    def card(self, code: str, *needles: str) -> str:
        def found() -> str | None:
            for message in reversed(self.stack.double.messages(OFFICER)):
                text = str(message.get("text") or "")
                if code in text and all(needle in text for needle in needles):
                    return text
            return None

        return str(wait_for(found, timeout=20))

    def texts_to(self, user_id: int) -> list[str]:
        return self.stack.bot_texts(user_id)


def test_removed_only_after_two_checks_and_the_reporter_told_once(world: World) -> None:
    code = world.report(620_001, TT)
    (record,) = world.records(code)
    assert record.url == TT_CANONICAL and record.platform == "tiktok" and record.state.value == "unknown"
    world.card(code)
    world.platforms.double.set_item(TT_CANONICAL, ItemState.LIVE)
    assert world.check(timedelta(minutes=6))["links_checked"] == 1
    world.card(code, "🟢")
    world.platforms.double.set_item(TT_CANONICAL, ItemState.REMOVED)
    world.check(timedelta(hours=1, minutes=1))
    assert world.records(code)[0].state.value == "live"  # one "gone" answer is a candidate only
    world.check(timedelta(hours=1, minutes=30))  # not due yet: nothing
    counts = world.check(timedelta(hours=2, minutes=2))
    assert counts["links_removed"] == 1
    (record,) = world.records(code)
    assert record.state.value == "removed" and [c.answer.value for c in record.checks] == ["live", "gone", "gone"]
    card = world.card(code, "удалено через 1 ч")
    assert "Все материалы дела больше недоступны" in card
    told = lambda: [t for t in world.texts_to(620_001) if "больше недоступен" in t]  # noqa: E731
    wait_for(told)
    world.check(timedelta(days=2))
    world.check(timedelta(days=3))
    assert len(told()) == 1
    history = world.stack.db.collection("reports").document(code).collection("events").stream()
    assert any((e.to_dict() or {}).get("action") == "removed" for e in history)


def test_a_storm_of_429_5xx_and_timeouts_never_marks_removed(world: World) -> None:
    code = world.report(620_002, TT)
    world.platforms.double.set_item(TT_CANONICAL, ItemState.FLAKY)
    for hours in (0.1, 1.1, 2.2, 6.1, 30, 54, 78):
        world.check(timedelta(hours=hours))
    (record,) = world.records(code)
    assert record.state.value == "unknown" and all(c.answer.value == "unknown" for c in record.checks)
    assert len(record.checks) >= 5


def test_embedding_disabled_is_not_removal(world: World) -> None:
    code = world.report(620_003, YT_CANONICAL)
    world.platforms.double.set_item(YT_CANONICAL, ItemState.EMBEDDING_DISABLED)
    world.check(timedelta(minutes=6))
    world.check(timedelta(hours=1, minutes=1))
    world.check(timedelta(hours=6, minutes=1))
    (record,) = world.records(code)
    assert record.state.value == "live" and record.removed_at is None


def test_a_short_link_is_resolved_and_its_case_merged_into_the_earlier_one(world: World) -> None:
    first = world.report(620_004, TT)
    second = world.report(620_005, SHORT)
    assert first != second
    world.platforms.double.set_item(TT_CANONICAL, ItemState.LIVE)
    world.platforms.double.set_short_link(SHORT, f"https://www.tiktok.com/@fake_kid/video/{TT_ID}")
    counts = world.check(timedelta(minutes=6))
    assert counts["cases_merged"] == 1
    merged = world.stack.doc(f"reports/{second}")
    assert merged is not None and merged["merged_into"] == first and merged["status"] == "rejected"
    told = lambda: [t for t in world.texts_to(620_005) if first in t]  # noqa: E731
    wait_for(told)
    assert world.stack.doc(f"reports/{first}/reporters/620005") is not None
    world.check(timedelta(hours=1, minutes=1))
    assert len(told()) == 1
    assert all(r.merged_into == first for r in world.records(second))
    assert all(r.merged_into is None for r in world.records(first))


def test_ssrf_attempts_are_refused(world: World) -> None:
    code = world.report(620_006, TT)
    world.platforms.double.set_item(TT_CANONICAL, ItemState.LIVE)
    world.resolver_answers["internal.example.org"] = ["10.1.2.3"]
    world.platforms.double.set_short_link("https://bit.ly/3fakeAb", "http://127.0.0.1:8080/admin")
    hostile = [
        "http://127.0.0.1/admin",
        "http://169.254.169.254/computeMetadata/v1/",
        "https://internal.example.org/page",
        "https://bit.ly/3fakeAb",
    ]
    case = world.services.takedown().store().cases([code])[code]
    assert case.created_at is not None
    world.services.takedown().store().track([new_record(code, url, case.created_at) for url in hostile])
    before = len(world.platforms.double.requests())
    world.check(timedelta(minutes=6))
    records = {r.url: r for r in world.records(code)}
    for url in hostile:
        assert records[url].state.value == "unknown", url
        assert [c.answer.value for c in records[url].checks] == ["unknown"], url
    asked = world.platforms.double.requests()[before:]
    hosts = {r.host for r in asked}
    assert "127.0.0.1" not in hosts and "169.254.169.254" not in hosts and "internal.example.org" not in hosts
    assert records[TT_CANONICAL].state.value == "live"


def test_reported_to_the_platform_in_one_tap_and_check_now(world: World) -> None:
    code = world.report(620_007, TT)
    card = wait_for(
        lambda: next(
            (m for m in world.stack.double.messages(OFFICER) if code in str(m.get("text")) and m.get("reply_markup")),
            None,
        )
    )
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "📨 Сообщили: TikTok" in labels and "🔄 Проверить ссылки" in labels
    world.stack.double.press_button(OFFICER, OFFICER, card["message_id"], text="📨 Сообщили: TikTok")
    (record,) = world.records(code)
    assert record.reported_by == OFFICER and record.reported_at is not None
    world.stack.double.post_text(OFFICER, f"/ref {code} TT-77123")
    wait_for(lambda: world.records(code)[0].reference == "TT-77123")
    world.card(code, "TT-77123")
    world.stack.double.press_button(OFFICER, OFFICER, card["message_id"], text="🔄 Проверить ссылки")
    (record,) = world.records(code)
    assert record.next_check_at is not None and record.next_check_at <= utcnow() + timedelta(seconds=5)
    events = [
        (e.to_dict() or {}).get("action")
        for e in world.stack.db.collection("reports").document(code).collection("events").stream()
    ]
    assert "reported" in events and "check_now" in events
