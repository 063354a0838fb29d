"""A realistic day compressed into minutes, against the local stack as real processes; prints the figures.

Thousands of simulated reporters arrive on the shape of a Kazakhstan day (quiet nights, a morning and an evening
peak), each making one report: in a private chat (the whole guided flow) or in one of the committee's groups
(members whose region the bot knows). A viral fight video is reported by many of them in a burst; some links are
reported twice; a few reports say a child is in danger now. Staff press Take on the cards they get and close
some of them, so reporters hear back. Afterwards: throughput, latency percentiles, errors, and the consistency
check — every report exactly once, the viral link one case with every reporter counted, every card once.

    python -m bench.load_day                          # the default day: about three minutes in all
    python -m bench.load_day --reporters 3000 --minutes 5 --json

Squeezing a day into minutes squeezes every rate, Telegram's limits included: by default the Bot API double's
flood limits (1 message a second per chat, 20 a minute per group, about 30 a second overall) and deliver's pace
are scaled by the same factor (1440 / minutes), so the run stresses our webhook, Firestore and Pub/Sub as a
real day would, not Telegram. `--telegram-limits real` keeps Telegram's limits as they are instead: then the
day is far above what any bot may send (a private report costs about seven messages) and the run shows what
happens at the limit. The Pub/Sub emulator re-delivers a failed push every second instead of backing off (10 s to
600 s in production), so MAX_DELIVERY_ATTEMPTS is raised to span the time a production retry policy does.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from bench.scale_watch import budget
from devkit.catalog import label
from devkit.localstack import LocalStack
from devkit.simulation import CODE_RE, Consistency, Reporter, Stats, Telegram, percentile
from functions.domain.categories import Category
from functions.domain.regions import REGION_CODES

ADMIN_ID: Final = 1001
# Reports per hour of a day in Kazakhstan (UTC+5), relative: asleep at night, school hours, the evening phone.
HOURLY: Final = (1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 10, 10, 9, 8, 9, 11, 13, 13, 11, 6, 3)
CATEGORIES: Final = (
    (Category.VIOLENCE, 35),
    (Category.BULLYING, 25),
    (Category.DANGEROUS, 10),
    (Category.TEACHER, 8),
    (Category.SUBSTANCES, 7),
    (Category.SELFHARM, 5),
    (Category.OTHER, 10),
)
VIRAL_LINK: Final = "https://www.tiktok.com/@school_fight_test/video/7322222222222222222?is_from_webapp=1"
STAFF_BASE: Final = 70_000
SPECIALISTS: Final = (70_901, 70_902)
REPORTER_BASE: Final = 700_000
HUMAN_THINK_SECONDS: Final = 1.5
GROUPS: Final = tuple(-100_700_000 - n for n in range(1, 21))  # 20 regional groups: each under 20 bot messages/min


@dataclass
class DayConfig:
    """The size of the day."""

    reporters: int = 900
    minutes: float = 2.0
    group_share: float = 0.5
    viral_share: float = 0.15
    duplicate_share: float = 0.08
    danger_share: float = 0.03
    take_share: float = 0.25
    resolve_share: float = 0.2
    workers: int = 96
    seed: int = 2026
    telegram_limits: str = "scaled"

    @property
    def compression(self) -> float:
        """How many times faster than a real day this one runs."""
        return 24 * 60 / self.minutes


@dataclass
class DayRun:
    """Everything measured."""

    stats: Stats = field(default_factory=Stats)
    reporters: list[Reporter] = field(default_factory=list)
    private_chats: list[int] = field(default_factory=list)
    links: dict[str, set[int]] = field(default_factory=dict)
    confirmed_at: dict[str, float] = field(default_factory=dict)
    viral_writes: dict[str, Any] = field(default_factory=dict)
    presses: Counter[str] = field(default_factory=Counter)
    staff_latency: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def arrival_times(count: int, seconds: float, rng: random.Random) -> list[float]:
    """When each reporter starts, in seconds from the start: the day's shape squeezed into `seconds`."""
    total = sum(HOURLY)
    times = []
    for _ in range(count):
        pick = rng.uniform(0, total)
        hour = 0
        while pick > HOURLY[hour]:
            pick -= HOURLY[hour]
            hour += 1
        times.append((hour + rng.random()) / 24 * seconds)
    return sorted(times)


def staff_members() -> list[Any]:
    """One regional officer per region; two specialists off duty (they get urgent cases); the admin."""
    from functions.domain.workflow import Role, StaffMember

    people = [
        StaffMember(user_id=STAFF_BASE + int(code), role=Role.REGIONAL, regions=(code,), name=f"Officer-{code}")
        for code in REGION_CODES
    ]
    people += [StaffMember(user_id=uid, role=Role.SPECIALIST, name=f"Specialist-{uid}") for uid in SPECIALISTS]
    people.append(StaffMember(user_id=ADMIN_ID, role=Role.ADMIN, name="Admin"))
    return people


def run_day(config: DayConfig) -> dict[str, Any]:
    """Start the stack, play the day, drain, check; the stack is stopped at the end. Returns the figures."""
    scale = config.compression if config.telegram_limits == "scaled" else 1.0
    stack = LocalStack(
        name="load_day",
        admin_ids=str(ADMIN_ID),
        extra_env={
            "MAX_DELIVERY_ATTEMPTS": "300",
            "TELEGRAM_TIMEOUT_SECONDS": "10",
            "DELIVER_RATE_PER_SECOND": str(round(20 * scale, 1)),  # the app's default share of the budget
        },
    )
    started = time.monotonic()
    stack.start()
    if scale != 1.0:
        stack.double.set_limits(
            per_chat_per_s=scale,
            per_chat_burst=int(3 * scale),
            group_per_min=int(20 * scale),
            global_per_s=int(30 * scale),
        )
    try:
        figures = _day(stack, config)
    finally:
        if stack.double is not None:  # every Bot API call of the run, for a post-mortem
            with (stack.logs / "double-calls.jsonl").open("w", encoding="utf-8") as out:
                for call in stack.double.calls():
                    out.write(json.dumps(call, ensure_ascii=False, default=str) + "\n")
        stack.stop()
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    return figures


def _day(stack: LocalStack, config: DayConfig) -> dict[str, Any]:
    from functions.adapters.firestore.stores import CaseStore
    from functions.domain.models import Profile
    from functions.domain.time import utcnow
    from functions.domain.urls import extract_urls

    rng = random.Random(config.seed)
    double = stack.double
    staff = staff_members()
    cases = CaseStore(stack.firestore(), utcnow)
    from functions.errors import TransientError

    for person in staff:
        for attempt in range(5):  # the emulator's first writes can be slow on a busy machine
            try:
                cases.put_staff(person, invited_by=ADMIN_ID)
                break
            except TransientError:
                if attempt == 4:
                    raise
    run = DayRun()
    tg = Telegram(double, run.stats, give_up_after=120.0)
    for group in GROUPS:
        Reporter(tg, ADMIN_ID).say("/enable_group", group)

    seconds = config.minutes * 60
    plan = _plan(config, rng, seconds)
    db = stack.firestore()
    batch = db.batch()
    for n, item in enumerate(plan):
        if item["group"]:
            profile = Profile(user_id=item["user_id"], role="teacher", region=item["region"])
            batch.set(db.collection("users").document(str(item["user_id"])), profile.model_dump())
        if n % 400 == 399:
            batch.commit()
            batch = db.batch()
    batch.commit()
    _warm_up(tg)
    run.stats = Stats()
    tg.stats = run.stats

    # A person takes a second or two per tap; in a compressed day that shrinks with everything else.
    think = HUMAN_THINK_SECONDS / (config.compression if config.telegram_limits == "scaled" else 1.0)
    stop_staff = threading.Event()
    desk = threading.Thread(target=_staff_desk, args=(stack, staff, run, config, rng, stop_staff), daemon=True)
    day_started = time.monotonic()
    desk.start()

    def one(index: int) -> None:
        item = plan[index]
        delay = day_started + item["at"] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        tag = "viral" if item["link"] == VIRAL_LINK else ("group" if item["group"] else "private")
        reporter = Reporter(tg, item["user_id"], first_name=f"Reporter-{index}", tag=tag, think=think)
        with run.lock:
            run.reporters.append(reporter)
        if item["group"]:
            code = reporter.report_in_group(f"смотрите {item['link']}", item["group"], region=item["region"])
        else:
            with run.lock:
                run.private_chats.append(item["user_id"])
            code = reporter.report_private(
                item["link"], category=item["category"], danger=item["danger"], region=item["region"]
            )
        canonical = extract_urls(item["link"], None)[0]
        with run.lock:
            run.links.setdefault(canonical, set()).add(item["user_id"])
            if code:
                run.confirmed_at.setdefault(code, time.time())

    from bench.scale_watch import CaseWrites
    from functions.domain.urls import content_key_for_url

    viral_writes = CaseWrites(db, content_key_for_url(extract_urls(VIRAL_LINK, None)[0])).start()
    with ThreadPoolExecutor(config.workers) as pool:
        list(pool.map(one, range(len(plan))))
    run.viral_writes = viral_writes.stop()
    day_seconds = time.monotonic() - day_started
    stop_staff.set()  # the office closes with the day; what is queued is delivered overnight
    desk.join(timeout=30)

    drain_started = time.monotonic()
    stack.run_tick(timedelta(minutes=2))
    parked: list[dict[str, Any]] = []
    check = Consistency()
    deadline = time.monotonic() + max(90.0, day_seconds)  # the backlog of a long day takes longer
    while time.monotonic() < deadline:
        parked += stack.pull_parked("deliveries-dead-letter", wait=0.5)
        reports = [(s.to_dict() or {}) | {"id": s.id} for s in db.collection("reports").stream()]
        check = Consistency().check(double, reports, run.links, staff, set(), parked, run.private_chats)
        if not check.problems:
            break
        time.sleep(1)
    drain_seconds = time.monotonic() - drain_started
    time.sleep(2)
    parked += stack.pull_parked("deliveries-dead-letter", wait=0.5)
    reports = [(s.to_dict() or {}) | {"id": s.id} for s in db.collection("reports").stream()]
    unreachable = {p.user_id for p in cases.all_staff() if p.unreachable}
    check = Consistency().check(double, reports, run.links, staff, unreachable, parked, run.private_chats)
    (stack.logs / "confirmed.json").write_text(json.dumps(run.confirmed_at))
    return _figures(stack, config, run, check, reports, day_seconds, drain_seconds, parked)


def _plan(config: DayConfig, rng: random.Random, seconds: float) -> list[dict[str, Any]]:
    """Who reports what, where, how and when (in arrival order)."""
    plan: list[dict[str, Any]] = []
    times = arrival_times(config.reporters, seconds, rng)
    burst = 0.6 * seconds  # the video goes round in the afternoon: its reporters come within a few "hours"
    for index in range(config.reporters):
        roll = rng.random()
        at = times[index]
        if roll < config.viral_share:
            link = VIRAL_LINK
            at = min(max(rng.gauss(burst, 0.04 * seconds), 0.0), seconds)
        elif roll < config.viral_share + config.duplicate_share and plan:
            link = rng.choice(plan)["link"]  # someone else saw it too
        else:
            link = f"https://example.org/day/{config.seed}/{index}"
        category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
        region = rng.choice(REGION_CODES)
        in_group = rng.random() < config.group_share
        plan.append(
            {
                "user_id": REPORTER_BASE + index,
                "at": at,
                "link": link,
                "category": category,
                "danger": rng.random() < config.danger_share,
                "region": region,
                "group": GROUPS[int(region) % len(GROUPS)] if in_group else 0,
            }
        )
    return sorted(plan, key=lambda item: item["at"])


def _warm_up(tg: Telegram) -> None:
    """One conversation first, so the figures are of warm instances (cold starts are bench_webhook's)."""
    Reporter(tg, REPORTER_BASE - 1).report_private("https://example.org/warm-up")


def _staff_desk(
    stack: LocalStack, staff: list[Any], run: DayRun, config: DayConfig, rng: random.Random, stop: threading.Event
) -> None:
    """Staff read their cards as they arrive: some take the case, and some of those resolve it later."""
    double = stack.double
    people = {person.user_id: person for person in staff}
    tg = Telegram(double, Stats(), give_up_after=60.0)
    seen: set[tuple[int, str]] = set()
    to_resolve: list[tuple[float, int, str]] = []
    seq = double.last_seq
    while not stop.is_set():
        for call in double.wait_events(after=seq, timeout=1.0):
            seq = max(seq, int(call["seq"]))
            chat = call["params"].get("chat_id")
            if call["method"] != "sendMessage" or call["status"] != 200:
                continue
            try:
                chat_id = int(chat)
            except (TypeError, ValueError):
                continue
            match = CODE_RE.search(str(call["params"].get("text") or ""))
            if chat_id not in people or not match or (chat_id, match.group(0)) in seen:
                continue
            seen.add((chat_id, match.group(0)))
            if rng.random() < config.take_share:
                officer = Reporter(tg, chat_id, first_name=people[chat_id].name, tag="staff")
                if officer.press(label("btn_take", officer.lang), chat_id, nudges=0):
                    run.presses["take"] += 1
                    if rng.random() < config.resolve_share:
                        to_resolve.append((time.monotonic() + rng.uniform(2, 8), chat_id, match.group(0)))
        now = time.monotonic()
        for item in [entry for entry in to_resolve if entry[0] <= now]:
            to_resolve.remove(item)
            officer = Reporter(tg, item[1], first_name=people[item[1]].name, tag="staff")
            resolve, removed = label("btn_resolve", officer.lang), label("res_content_removed", officer.lang)
            if officer.press(resolve, item[1], nudges=0) and officer.press(removed, item[1], nudges=0):
                run.presses["resolve"] += 1
    run.presses["staff_webhook_attempts"] = len(tg.stats.latencies)
    run.staff_latency = tg.stats.tagged().get("staff", {})


def _figures(
    stack: LocalStack,
    config: DayConfig,
    run: DayRun,
    check: Consistency,
    reports: list[dict[str, Any]],
    day_seconds: float,
    drain_seconds: float,
    parked: list[dict[str, Any]],
) -> dict[str, Any]:
    """Throughput, latency, errors, end-to-end card latency and the consistency check."""
    from functions.domain.urls import extract_urls

    calls = stack.double.calls()
    staff_ids = {person.user_id for person in staff_members()}
    first_card: dict[str, float] = {}
    for call in calls:
        if call["method"] == "sendMessage" and call["status"] == 200:
            match = CODE_RE.search(str(call["params"].get("text") or ""))
            chat = str(call["params"].get("chat_id"))
            if match and chat.lstrip("-").isdigit() and int(chat) in staff_ids:
                first_card.setdefault(match.group(0), float(call["ts"]))
    card_latency = [(first_card[code] - at) * 1000 for code, at in run.confirmed_at.items() if code in first_card]
    by_method = Counter(f"{c['method']} {c['status']}" for c in calls)
    refusals = Counter(
        f"{c['method']}: {str(c['response'].get('description'))[:60]}" for c in calls if c["status"] != 200
    )
    viral = [r for r in reports if extract_urls(VIRAL_LINK, None)[0] in (r.get("urls") or [])]
    outcomes = Counter(reporter.outcome for reporter in run.reporters)
    summary = run.stats.summary()
    return {
        "config": {
            "reporters": config.reporters,
            "minutes": config.minutes,
            "seed": config.seed,
            "telegram_limits": config.telegram_limits,
            "compression": round(config.compression),
        },
        "day_seconds": round(day_seconds, 1),
        "drain_seconds": round(drain_seconds, 1),
        "webhook": summary,
        "webhook_requests_per_second": round(summary["accepted"] / day_seconds, 1),
        "webhook_latency_by_kind": run.stats.tagged() | {"staff": run.staff_latency},
        "viral_vs_others_during_the_burst": run.stats.during("viral"),
        "reports_confirmed": outcomes.get("confirmed", 0),
        "reports_per_second": round(outcomes.get("confirmed", 0) / day_seconds, 2),
        "reporter_outcomes": dict(outcomes),
        "reporter_nudges": sum(r.nudges for r in run.reporters),
        "card_latency_ms": {
            "cases": len(card_latency),
            "p50": round(percentile(card_latency, 50)),
            "p90": round(percentile(card_latency, 90)),
            "p99": round(percentile(card_latency, 99)),
        },
        "staff_presses": dict(run.presses),
        "telegram_calls": dict(sorted(by_method.items())),
        "telegram_refusals": dict(refusals.most_common(5)),
        "viral": {
            "reporters": len(run.links.get(extract_urls(VIRAL_LINK, None)[0], ())),
            "cases": len(viral),
            "reporter_count": viral[0].get("reporter_count") if viral else None,
        },
        "viral_case_writes": run.viral_writes,
        "telegram_budget": budget(calls, staff_ids),
        "reporters_without_confirmation": sum(1 for r in run.reporters if r.outcome != "confirmed"),
        "reporters_who_never_saw_a_confirmation": sum(1 for r in run.reporters if not r.saw_confirmation()),
        "parked_jobs": len(parked),
        "consistency": check.figures,
        "problems": check.problems,
    }


def render(figures: dict[str, Any]) -> str:
    """The figures as a short human-readable report."""
    web = figures["webhook"]
    card = figures["card_latency_ms"]
    lines = [
        f"day: {figures['config']['reporters']} reporters in {figures['day_seconds']} s (a day x"
        f"{figures['config']['compression']} faster), Telegram limits {figures['config']['telegram_limits']} "
        f"(+{figures['drain_seconds']} s to drain; {figures['total_seconds']} s in all)",
        f"webhook: {web['accepted']} updates accepted, {figures['webhook_requests_per_second']}/s; latency per attempt "
        f"p50 {web['p50_ms']} ms, p90 {web['p90_ms']} ms, p99 {web['p99_ms']} ms, max {web['max_ms']} ms",
        f"answers: {web['statuses']}; reporters who gave up: {web['gave_up']}",
        "latency by kind (ms): "
        + "; ".join(
            f"{k} p50 {v.get('p50')} p99 {v.get('p99')}" for k, v in figures["webhook_latency_by_kind"].items()
        ),
        f"reports confirmed: {figures['reports_confirmed']} ({figures['reports_per_second']}/s); "
        f"outcomes {figures['reporter_outcomes']}; nudges {figures['reporter_nudges']}",
        f"confirmation → first staff card: p50 {card['p50']} ms, p90 {card['p90']} ms, p99 {card['p99']} ms "
        f"({card['cases']} cases)",
        f"viral link: {figures['viral']['reporters']} reporters → {figures['viral']['cases']} case, "
        f"reporter_count {figures['viral']['reporter_count']}",
        f"staff presses: {figures['staff_presses']}",
        f"consistency: {figures['consistency']}",
        f"viral case document: {figures['viral_case_writes']}",
        f"viral vs the others during the burst (p50 ms): {figures['viral_vs_others_during_the_burst']}",
        f"telegram budget: {figures['telegram_budget']}",
        f"reporters without confirmation at once: {figures['reporters_without_confirmation']}, "
        f"never: {figures['reporters_who_never_saw_a_confirmation']}",
        f"parked jobs: {figures['parked_jobs']}",
        "problems: " + ("none" if not figures["problems"] else "; ".join(figures["problems"])),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the day; exit 1 when the consistency check failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.load_day", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reporters", type=int, default=DayConfig.reporters, help="simulated reporters (one report each)"
    )
    parser.add_argument("--minutes", type=float, default=DayConfig.minutes, help="the day compressed into this long")
    parser.add_argument("--seed", type=int, default=DayConfig.seed)
    parser.add_argument(
        "--telegram-limits",
        choices=("scaled", "real"),
        default="scaled",
        help="scale Telegram's flood limits with the day (default) or keep them as they are",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    config = DayConfig(
        reporters=args.reporters, minutes=args.minutes, seed=args.seed, telegram_limits=args.telegram_limits
    )
    figures = run_day(config)
    sys.stdout.write((json.dumps(figures, ensure_ascii=False, indent=2) if args.json else render(figures)) + "\n")
    return 1 if figures["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
