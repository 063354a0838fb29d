"""Fault injection on the running local stack: reports keep coming while everything underneath fails.

The stack runs as real processes (devkit/localstack.py). While simulated reporters report (the double posts
their updates to the webhook and re-sends on a non-2xx answer, as Telegram does), this script in turn:
makes the Bot API double answer 429 storms, 500s, timeouts and 403s; freezes the Firestore emulator (SIGSTOP,
an outage that keeps the data) and thaws it; freezes the Pub/Sub emulator; SIGKILLs telegram_webhook while
requests are in flight and starts it again on the same port; and SIGKILLs deliver while cards are being sent.
Afterwards it runs tick with a shifted clock and checks: every report exists exactly once (by its unique link),
every event was fanned out, every card was delivered once or parked on the dead-letter topic, and no reporter
got two confirmations.

`python -m bench.chaos` (defaults: the run tests/integration/test_fault_injection.py makes);
`--arrivals-per-second 3 --seconds 90` for a longer one. Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, Final

from devkit.localstack import LocalStack
from devkit.simulation import Consistency, Reporter, Stats, Telegram

ADMIN_ID: Final = 1001
GROUPS: Final = (-100_500_001, -100_500_002, -100_500_003)  # Telegram allows a bot 20 messages a minute per group
REGIONS: Final = ("71", "75", "79", "10")  # Astana, Almaty, Shymkent, Abai (codes of functions.domain.regions)
STAFF_BASE: Final = 61_000
REPORTER_BASE: Final = 62_000
BLOCKED_STAFF: Final = STAFF_BASE + 71 * 10 + 2  # the second officer of Astana has blocked the bot: 403 on every send
VIRAL_LINK: Final = "https://www.tiktok.com/@someone/video/7311111111111111111?is_from_webapp=1"


@dataclass
class ChaosConfig:
    """How big and how long; the defaults are the test's run (about a minute and a half in all)."""

    seconds: float = 40.0
    arrivals_per_second: float = 1.6
    group_share: float = 0.25
    viral_share: float = 0.12
    workers: int = 24
    max_delivery_attempts: int = 10
    seed: int = 7781


@dataclass
class ChaosResult:
    """What happened: the checks' problems, the figures, and the webhook's answers during the faults."""

    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    timeline: list[tuple[float, str]] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    log_leaks: list[str] = field(default_factory=list)


class Timeline:
    """Runs fault steps at their time (seconds after the start), recording when each really happened."""

    def __init__(self, result: ChaosResult) -> None:
        self.result = result
        self.started = time.monotonic()

    def note(self, what: str) -> None:
        self.result.timeline.append((round(time.monotonic() - self.started, 2), what))

    def at(self, seconds: float, what: str, action: Callable[[], None]) -> None:
        delay = self.started + seconds - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.note(what)
        action()
        self.note(f"{what}: done")


def staff_members() -> list[Any]:
    """Two regional officers per region (one of Astana's has blocked the bot); nobody on duty."""
    from functions.domain.workflow import Role, StaffMember

    people = []
    for code in REGIONS:
        for n in (1, 2):
            user_id = STAFF_BASE + int(code) * 10 + n
            people.append(StaffMember(user_id=user_id, role=Role.REGIONAL, regions=(code,), name=f"Officer-{user_id}"))
    return people


def run(config: ChaosConfig | None = None) -> ChaosResult:
    """Start the stack, run the reporters through the faults, drain, check; the stack is stopped at the end."""
    config = config or ChaosConfig()
    result = ChaosResult()
    stack = LocalStack(
        name="chaos",
        admin_ids=str(ADMIN_ID),
        extra_env={
            "MAX_DELIVERY_ATTEMPTS": str(config.max_delivery_attempts),
            "TELEGRAM_TIMEOUT_SECONDS": "3",
            "PUBLISH_TIMEOUT_SECONDS": "3",
        },
    )
    stack.start()
    try:
        _scenario(stack, config, result)
    finally:
        _keep_record(stack)
        stack.stop()
    result.log_leaks = _scan_logs(stack, result)
    if result.log_leaks:
        result.problems.append(f"content found in function logs: {result.log_leaks[:3]}")
    return result


def _retry_while_warming(write: Callable[[], object], attempts: int = 10) -> None:
    """A write to a freshly started emulator, retried: its first requests can exceed the deadline on a busy machine."""
    from functions.errors import TransientError

    for attempt in range(attempts):
        try:
            write()
            return
        except TransientError:
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)


def _scenario(stack: LocalStack, config: ChaosConfig, result: ChaosResult) -> None:
    from functions.adapters.firestore.stores import CaseStore, FirestoreStore
    from functions.domain.models import Profile
    from functions.domain.time import utcnow
    from functions.domain.urls import extract_urls

    rng = random.Random(config.seed)
    double = stack.double
    double.webhook_timeout = 30.0
    staff = staff_members()
    cases = CaseStore(stack.firestore(), utcnow)
    for person in staff:
        _retry_while_warming(partial(cases.put_staff, person, invited_by=ADMIN_ID))
    double.set_blocked(BLOCKED_STAFF, True)
    tg = Telegram(double, result.stats, give_up_after=150.0)
    for group in GROUPS:
        Reporter(tg, ADMIN_ID).say("/enable_group", group)
    profiles = FirestoreStore(stack.firestore(), timedelta(days=1), utcnow)

    links: dict[str, set[int]] = {}
    links_lock = threading.Lock()
    private_chats: list[int] = []
    reporters: list[Reporter] = []
    total = int(config.seconds * config.arrivals_per_second)
    timeline = Timeline(result)

    def one(index: int) -> None:
        delay = timeline.started + index / config.arrivals_per_second - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        user_id = REPORTER_BASE + index
        reporter = Reporter(tg, user_id, first_name=f"Reporter-{index}")
        reporters.append(reporter)
        viral = rng.random() < config.viral_share
        link = VIRAL_LINK if viral else f"https://example.org/chaos/{config.seed}/{index}"
        code = rng.choice(REGIONS)
        canonical = extract_urls(link, None)[0]
        if rng.random() < config.group_share:
            # Group members who told the bot their region once are not asked again. (Without a profile the bot
            # asks in the group, and a question lost to the group's flood limit loses the report: see
            # tests/integration/test_security.py::TestGroupFloodLimit.)
            profiles.save_profile(Profile(user_id=user_id, role="teacher", region=code))
            reporter.report_in_group(f"смотрите {link}", GROUPS[index % len(GROUPS)], region=code)
        else:
            private_chats.append(user_id)
            reporter.report_private(link, region=code)
        with links_lock:
            links.setdefault(canonical, set()).add(user_id)

    def faults() -> None:
        officers = [p.user_id for p in staff]
        first_reporters = [REPORTER_BASE + i for i in range(2, 12)]
        timeline.at(
            1, "Telegram: 429 storm, 500s and timeouts on staff chats", lambda: _telegram_faults(stack, officers)
        )
        timeline.at(
            2, "Telegram: 500s and timeouts on reporters' edits", lambda: _reporter_faults(stack, first_reporters)
        )
        timeline.at(5, "Firestore frozen", lambda: stack.pause("firestore"))
        timeline.at(11, "Firestore thawed", lambda: stack.resume("firestore"))
        timeline.at(15, "Pub/Sub frozen", lambda: stack.pause("pubsub"))
        # killed while Pub/Sub is frozen: events of reports stored meanwhile die with the process (the outbox)
        timeline.at(20, "telegram_webhook killed", lambda: stack.kill("telegram_webhook"))
        timeline.at(21, "telegram_webhook restarted", lambda: stack.restart("telegram_webhook"))
        timeline.at(23, "Pub/Sub thawed", lambda: stack.resume("pubsub"))
        timeline.at(28, "Telegram: slow sends to staff", lambda: _slow_sends(stack, officers))
        timeline.at(28.8, "deliver killed mid-send", lambda: stack.kill("deliver"))
        timeline.at(30, "deliver restarted", lambda: stack.restart("deliver"))

    injector = threading.Thread(target=faults, name="faults")
    injector.start()
    with ThreadPoolExecutor(config.workers) as pool:
        list(pool.map(one, range(total)))
    injector.join()
    timeline.note("every reporter finished")

    time.sleep(3)
    counts = stack.run_tick(timedelta(minutes=2))
    republished = int(counts.get("republished", 0))
    timeline.note(f"tick with the clock 2 minutes ahead: {counts}")
    db = stack.firestore()
    parked: list[dict[str, Any]] = []
    check = Consistency()
    # A job whose sender was killed mid-send waits for the dead sender's lease (2 minutes from the kill at 28.8 s)
    # before it is sent: the drain waits for the last confirmations as long as that.
    deadline = time.monotonic() + 150
    while True:
        parked += stack.pull_parked("deliveries-dead-letter", wait=1.0)
        reports = [(s.to_dict() or {}) | {"id": s.id} for s in db.collection("reports").stream()]
        unreachable = {p.user_id for p in cases.all_staff() if p.unreachable}
        check = Consistency().check(double, reports, links, staff, unreachable, parked, private_chats)
        waiting = [reporter for reporter in reporters if not reporter.saw_confirmation()]
        if (not check.problems and not waiting) or time.monotonic() > deadline:
            break
        if any("fanout_pending" in problem for problem in check.problems):  # tick runs every minute
            republished += int(stack.run_tick(timedelta(minutes=2)).get("republished", 0))
        time.sleep(2)
    timeline.note("drained")
    time.sleep(3)  # any late duplicate would show now
    parked += stack.pull_parked("deliveries-dead-letter", wait=1.0)
    reports = [(s.to_dict() or {}) | {"id": s.id} for s in db.collection("reports").stream()]
    unreachable = {p.user_id for p in cases.all_staff() if p.unreachable}
    check = Consistency().check(double, reports, links, staff, unreachable, parked, private_chats)
    result.problems += check.problems
    if BLOCKED_STAFF not in unreachable:
        result.problems.append("the officer who blocked the bot is not marked unreachable")
    outcomes: dict[str, int] = {}
    unconfirmed: list[dict[str, Any]] = []  # for the post-mortem of a failed run (ids only)
    for reporter in reporters:
        outcome = "confirmed" if reporter.saw_confirmation() else reporter.outcome  # deliver may send it later
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome != "confirmed":
            where = "group" if reporter.group_post is not None else "private"
            unconfirmed.append({"user_id": reporter.user_id, "where": where, "outcome": outcome})
    viral = [r for r in reports if extract_urls(VIRAL_LINK, None)[0] in (r.get("urls") or [])]
    with (stack.logs / "reporters.jsonl").open("w", encoding="utf-8") as out:
        for reporter in reporters:
            out.write(
                json.dumps({"user_id": reporter.user_id, "outcome": reporter.outcome, "code": reporter.code}) + "\n"
            )
    result.figures = check.figures | {
        "reporters": total,
        "reporter_outcomes": outcomes,
        "reporters_unconfirmed": unconfirmed,
        "viral_reporters": len(links.get(extract_urls(VIRAL_LINK, None)[0], ())),
        "viral_cases": len(viral),
        "viral_reporter_count": viral[0].get("reporter_count") if viral else None,
        "outbox_republished": republished,
        "parked_jobs": len(parked),
        "parked_reasons": dict(Counter(str(job["_attributes"].get("reason")) for job in parked)),
        "reporter_nudges": sum(reporter.nudges for reporter in reporters),
        "webhook": result.stats.summary(),
        "faults_answered_by_the_double": _fault_counts(double),
    }


def _telegram_faults(stack: LocalStack, officers: list[int]) -> None:
    double = stack.double
    for chat in officers:
        double.add_fault("429", method="sendMessage", chat_id=chat, count=2, retry_after=1)
        double.add_fault("500", method="sendMessage", chat_id=chat, count=1)
        double.add_fault("timeout", method="sendMessage", chat_id=chat, count=1, delay=4)
    double.add_fault("429", method="sendMessage", chat_id=officers[0], count=3, retry_after=8)


def _reporter_faults(stack: LocalStack, reporters: list[int]) -> None:
    for chat in reporters:
        stack.double.add_fault("500", method="editMessageText", chat_id=chat, count=1)
        stack.double.add_fault("timeout", method="editMessageText", chat_id=chat, count=1, delay=4)


def _slow_sends(stack: LocalStack, officers: list[int]) -> None:
    for chat in officers:
        # shorter than the client's timeout: these succeed unless deliver dies meanwhile
        stack.double.add_fault("slow", method="sendMessage", chat_id=chat, count=2, delay=2, execute=True)


def _keep_record(stack: LocalStack) -> None:
    """Every Bot API call of the run, one JSON line each, beside the functions' logs (for a post-mortem)."""
    with (stack.logs / "double-calls.jsonl").open("w", encoding="utf-8") as out:
        for call in stack.double.calls():
            out.write(json.dumps(call, ensure_ascii=False, default=str) + "\n")


def _fault_counts(double: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in double.calls():
        if call.get("fault"):
            key = f"{call['method']} {call['fault']}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def _scan_logs(stack: LocalStack, result: ChaosResult) -> list[str]:
    """Lines of the functions' logs that carry a reported link or a reporter's name (they must not)."""
    needles = ("example.org/chaos", "tiktok.com", "Reporter-", "Officer-")
    leaks = []
    for path in sorted(stack.logs.glob("*.log")):
        if "emulator" in path.name:
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if any(needle in line for needle in needles):
                leaks.append(f"{path.name}: {line[:200]}")
    return leaks


def main(argv: list[str] | None = None) -> int:
    """Run the scenario and print the figures; exit 1 when a check failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=ChaosConfig.seconds, help="how long reporters arrive")
    parser.add_argument("--arrivals-per-second", type=float, default=ChaosConfig.arrivals_per_second)
    parser.add_argument("--seed", type=int, default=ChaosConfig.seed)
    args = parser.parse_args(argv)
    started = time.monotonic()
    result = run(ChaosConfig(seconds=args.seconds, arrivals_per_second=args.arrivals_per_second, seed=args.seed))
    report = {
        "seconds": round(time.monotonic() - started, 1),
        "problems": result.problems,
        "figures": result.figures,
        "timeline": result.timeline,
    }
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
