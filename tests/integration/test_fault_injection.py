"""Fault injection on the running local stack (real processes), while reports keep coming.

bench/chaos.py runs the scenario once for this module (about a minute and a half): the stack as
`make run` starts it, simulated reporters in private chats and groups, and in turn a Telegram 429 storm, 500s,
timeouts and a 403; Firestore frozen (SIGSTOP) and thawed; Pub/Sub frozen and thawed; telegram_webhook SIGKILLed
with requests in flight and restarted on its port; deliver SIGKILLed mid-send and restarted. Then tick runs with
its clock two minutes ahead, and each test below checks one promise. The figures are written to
.logs/chaos/figures.json and quoted in BENCHMARKS.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bench.chaos import BLOCKED_STAFF, ChaosConfig, ChaosResult, run
from tests.stack import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.subprocess_stack, pytest.mark.timeout(420)]


@pytest.fixture(scope="module")
def chaos() -> Iterator[ChaosResult]:
    """The whole scenario, once (its own emulators, double and function processes; stopped at the end)."""
    result = run(ChaosConfig())
    figures = ROOT / ".logs" / "chaos" / "figures.json"
    figures.write_text(
        json.dumps({"figures": result.figures, "timeline": result.timeline}, ensure_ascii=False, indent=2)
    )
    yield result


def problems_about(result: ChaosResult, *words: str) -> list[str]:
    return [problem for problem in result.problems if any(word in problem for word in words)]


class TestFaultInjection:
    def test_the_faults_really_happened(self, chaos: ChaosResult) -> None:
        statuses = chaos.figures["webhook"]["statuses"]
        assert statuses.get("503", 0) > 0, "the webhook never asked for a retry during the outages"
        assert statuses.get("no answer", 0) > 0, "no request was in flight when telegram_webhook was killed"
        faults = chaos.figures["faults_answered_by_the_double"]
        for kind in ("sendMessage 429", "sendMessage 500", "sendMessage timeout", "editMessageText 500"):
            assert faults.get(kind, 0) > 0, kind
        happened = [what for _, what in chaos.timeline]
        for step in ("Firestore frozen", "Pub/Sub frozen", "telegram_webhook killed", "deliver killed mid-send"):
            assert f"{step}: done" in happened, step

    def test_every_report_exists_exactly_once(self, chaos: ChaosResult) -> None:
        assert problems_about(chaos, "have no case", "more than one open case") == []
        assert chaos.figures["cases"] == chaos.figures["links"]

    def test_the_viral_link_is_one_case_with_every_reporter(self, chaos: ChaosResult) -> None:
        assert chaos.figures["viral_cases"] == 1
        assert chaos.figures["viral_reporter_count"] == chaos.figures["viral_reporters"] > 1
        assert problems_about(chaos, "reporter_count") == []

    def test_every_reporter_was_confirmed_once(self, chaos: ChaosResult) -> None:
        unconfirmed = chaos.figures["reporters_unconfirmed"]  # the calls they got: .logs/chaos/double-calls.jsonl
        assert chaos.figures["reporter_outcomes"] == {"confirmed": chaos.figures["reporters"]}, unconfirmed
        assert chaos.figures["reporters_confirmed_twice"] == 0
        assert chaos.figures["webhook"]["gave_up"] == 0

    def test_every_event_was_fanned_out(self, chaos: ChaosResult) -> None:
        assert problems_about(chaos, "fanout_pending") == []

    def test_every_card_was_delivered_once_or_parked(self, chaos: ChaosResult) -> None:
        assert problems_about(chaos, "cards") == []
        figures = chaos.figures
        assert (
            figures["cards_delivered"] + figures["cards_parked"] + figures["cards_to_unreachable_staff"]
            >= figures["cards_expected"]
        )

    def test_the_officer_who_blocked_the_bot_is_marked_unreachable(self, chaos: ChaosResult) -> None:
        assert problems_about(chaos, "unreachable") == [], BLOCKED_STAFF

    def test_the_function_logs_carry_no_content(self, chaos: ChaosResult) -> None:
        assert chaos.log_leaks == []

    def test_nothing_else_went_wrong(self, chaos: ChaosResult) -> None:
        assert chaos.problems == []
