"""Time-driven oversight run by tick: SLA escalation, reminders, the daily digest and the retention purge."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain.events import ReportOverdue
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Status
from functions.domain.oversight import (
    Thresholds,
    digest_recipients,
    overdue_reason,
    queue_order,
    reminder_recipients,
)
from functions.domain.time import KZ_TZ
from functions.domain.workflow import StaffMember, may_see
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services.cards import SEVERITY_ICON

log = get_logger("sla")

MARKER_TTL: Final = timedelta(days=3)
LOOKBACK: Final = timedelta(days=30)  # the first sweep ever looks this far back
EPOCH: Final = datetime(2024, 1, 1, tzinfo=UTC)
DIGEST_CATCH_UP_HOURS: Final = 3  # a digest missed at 09:00 (tick down) still goes out until 12:00
PURGE_BATCH: Final = 200
MAX_LINES: Final = 15
MAX_TEXT: Final = 4096
STATE: Final = "sla"


class SlaStore(Protocol):
    """What the time-driven oversight needs from storage (OversightStore implements it)."""

    def all_staff(self) -> list[StaffMember]: ...
    def card_holders(self, code: str) -> list[int]: ...
    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[dict[str, Any]]: ...
    def cases_created(
        self, since: datetime, until: datetime, regions: tuple[str, ...] | None, fields: Sequence[str] | None
    ) -> list[dict[str, Any]]: ...
    def urgent_untaken(self, created_before: datetime) -> list[dict[str, Any]]: ...
    def untaken_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]: ...
    def stale_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]: ...
    def closed_between(self, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]: ...
    def claim_marker(self, name: str, ttl: timedelta) -> bool: ...
    def has_marker(self, name: str) -> bool: ...
    def get_state(self, name: str) -> tuple[dict[str, Any], Any]: ...
    def set_state(self, name: str, fields: dict[str, Any], read_at: Any) -> bool: ...
    def mark_reports(self, changes: dict[str, dict[str, Any]]) -> None: ...
    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def purge_case(self, code: str) -> bool: ...


class Publisher(Protocol):
    """Publishes events and jobs."""

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str: ...
    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


def duration_text(lang: str, delta: timedelta) -> str:
    """A coarse, short duration: minutes under two hours, hours under two days, then days."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return t(lang, "dur_minutes", n=minutes)
    if minutes < 48 * 60:
        return t(lang, "dur_hours", n=minutes // 60)
    return t(lang, "dur_days", n=minutes // (24 * 60))


def case_line(lang: str, report: dict[str, Any], reason: str, now: datetime) -> str:
    """One case in a reminder or digest: icon, code, category, region and why it waits."""
    since = report.get("created_at") if reason in {"urgent", "untaken"} else report.get("updated_at")
    waited = now - since if isinstance(since, datetime) else timedelta(0)
    return t(
        lang,
        "item_line",
        icon=SEVERITY_ICON.get(str(report.get("severity")), ""),
        code=report["id"],
        category=t(lang, f"cat_{report.get('category', 'other')}"),
        region=t(lang, f"region_{report['region']}") if report.get("region") else "—",
        reason=t(lang, f"overdue_{reason}", age=duration_text(lang, waited)),
    )


def chunks(lines: list[str], limit: int = MAX_TEXT) -> list[str]:
    """Join lines into as few texts of at most limit characters as it takes."""
    texts: list[str] = []
    current = ""
    for whole in lines:
        line = whole[:limit]
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


@dataclass
class Sla:
    """SLA ladder, reminders, digest and retention; every step idempotent, run at most once per minute."""

    store: SlaStore
    publisher: Publisher
    reports_topic: str
    deliveries_topic: str
    limits: Thresholds
    digest_hour: int
    retention: timedelta
    clock: Callable[[], datetime]

    def run(self) -> dict[str, int]:
        """Do this minute's oversight work once; a second run in the same minute does nothing.

        Raises:
            TransientError: when a step failed (the others still ran; the next minute tries again).
        """
        now = self.clock()
        minute = now.astimezone(UTC).strftime("%Y%m%d%H%M")
        if not self.store.claim_marker(f"sla-{minute}", MARKER_TTL):
            return {"escalated": 0, "reminded": 0, "digests": 0, "purged": 0}
        counts: dict[str, int] = {}
        failed: TransientError | None = None
        steps: tuple[tuple[str, Callable[[datetime], int]], ...] = (
            ("escalated", self.escalate),
            ("reminded", self.remind),
            ("digests", self.digest),
            ("purged", self.purge),
        )
        for name, step in steps:
            try:
                counts[name] = step(now)
            except TransientError as error:
                log.warning("oversight step failed; next minute tries again", extra={"step": name})
                counts[name] = 0
                failed = failed or error
        if failed is not None:
            raise failed
        return counts

    # --- the SLA ladder -----------------------------------------------------------------------------------
    def escalate(self, now: datetime) -> int:
        """Urgent cases nobody took within the threshold: mark them and publish report.overdue (fan_out
        re-pushes them to every specialist on duty and to the admins). Returns how many were escalated."""
        cutoff = now - timedelta(minutes=self.limits.urgent_take)
        due = [r for r in self.store.urgent_untaken(cutoff) if not r.get("sla_escalated_at") or r.get("sla_pending")]
        if not due:
            return 0
        # Marked first, so that the cards fan_out renders already say so; sla_pending until published.
        self.store.mark_reports(
            {r["id"]: {"sla_escalated_at": r.get("sla_escalated_at") or now, "sla_pending": True} for r in due}
        )
        done: list[str] = []
        for report in due:
            code = str(report["id"])
            created = report.get("created_at")
            waited = int((now - created).total_seconds() // 60) if isinstance(created, datetime) else 0
            event = ReportOverdue(event_id=f"overdue-{code}", report_id=code, occurred_at=now, minutes=waited)
            try:
                self.publisher.publish(self.reports_topic, event, type=event.type, report_id=code)
            except TransientError:
                log.warning("escalation not published; next tick tries again", extra={"report_id": code})
                continue
            self.store.add_event(code, "sla-urgent", {"type": "sla", "action": "escalated", "by": None})
            done.append(code)
        self.store.mark_reports({code: {"sla_pending": False} for code in done})
        if done:
            log.info("urgent cases escalated", extra={"report_ids": done[:50], "count": len(done)})
        return len(done)

    def remind(self, now: datetime) -> int:
        """Cases not taken within the take threshold, and cases without change for the stale threshold, go
        into one reminder per person (owner and region). Returns how many cases were reminded of."""
        state, read_at = self.store.get_state(STATE)
        take_end = now - timedelta(minutes=self.limits.take)
        stale_end = now - timedelta(minutes=self.limits.stale)
        take_start = _moment(state.get("take_through")) or take_end - LOOKBACK
        stale_start = _moment(state.get("stale_through")) or stale_end - LOOKBACK
        items: list[tuple[dict[str, Any], str]] = []
        if take_start < take_end:
            items += [
                (r, "untaken")
                for r in self.store.untaken_between(take_start, take_end)
                if not r.get("sla_take_reminded_at")
            ]
        if stale_start < stale_end:
            items += [
                (r, "stale")
                for r in self.store.stale_between(stale_start, stale_end)
                if r.get("sla_stale_reminded_for") != r.get("updated_at")
            ]
        if items:
            self._send_reminders(items, now)
            marks: dict[str, dict[str, Any]] = {}
            for report, reason in items:
                code = str(report["id"])
                if reason == "untaken":
                    marks.setdefault(code, {})["sla_take_reminded_at"] = now
                    self.store.add_event(code, "sla-take", {"type": "sla", "action": "reminded", "by": None})
                else:
                    marks.setdefault(code, {})["sla_stale_reminded_for"] = report.get("updated_at")
                    stamp = (
                        int(report["updated_at"].timestamp()) if isinstance(report.get("updated_at"), datetime) else 0
                    )
                    self.store.add_event(code, f"sla-stale-{stamp}", {"type": "sla", "action": "stale", "by": None})
            self.store.mark_reports(marks)
        # Only if nobody moved the watermarks meanwhile; otherwise the next sweep looks at this window again
        # (the marks on the cases keep it from reminding twice).
        watermarks = {"take_through": max(take_start, take_end), "stale_through": max(stale_start, stale_end)}
        self.store.set_state(STATE, watermarks, read_at)
        return len(items)

    def _send_reminders(self, items: list[tuple[dict[str, Any], str]], now: datetime) -> None:
        staff = self.store.all_staff()
        per_person: dict[int, tuple[StaffMember, list[tuple[dict[str, Any], str]]]] = {}
        for report, reason in items:
            for person in reminder_recipients(staff, report):
                per_person.setdefault(person.user_id, (person, []))[1].append((report, reason))
        minute = now.astimezone(UTC).strftime("%Y%m%d%H%M")
        jobs: list[DeliveryJob] = []
        for user_id, (person, mine) in per_person.items():
            lang = person.lang
            mine.sort(key=lambda item: queue_order(item[0]))
            lines = [t(lang, "remind_header"), *(case_line(lang, r, reason, now) for r, reason in mine)]
            lines.append(t(lang, "remind_footer"))
            for index, text in enumerate(chunks(lines)):
                jobs.append(
                    DeliveryJob(
                        job_id=f"remind-{minute}-{user_id}-{index}",
                        kind="text",
                        report_id=str(mine[0][0]["id"]),
                        recipient_id=user_id,
                        event_id=f"remind-{minute}",
                        text=text,
                    )
                )
        if jobs:
            self.publisher.publish_many(self.deliveries_topic, jobs)
            log.info("reminders published", extra={"jobs": len(jobs), "cases": len(items)})

    # --- the daily digest ---------------------------------------------------------------------------------
    def digest(self, now: datetime) -> int:
        """At the digest hour (Kazakhstan time), once a day: one message per regional officer and specialist
        with the new, open and overdue cases in their scope. Returns how many digests were published."""
        local = now.astimezone(KZ_TZ)
        if not self.digest_hour <= local.hour < self.digest_hour + DIGEST_CATCH_UP_HOURS:
            return 0
        day = local.strftime("%Y%m%d")
        if self.store.has_marker(f"digest-{day}"):
            return 0
        fields = ("status", "category", "severity", "region", "created_at", "updated_at", "assignee")
        open_cases = self.store.open_cases(None, fields)
        new_cases = self.store.cases_created(now - timedelta(days=1), now, None, ("category", "region"))
        jobs: list[DeliveryJob] = []
        for person in digest_recipients(self.store.all_staff()):
            text = self._digest_text(person, open_cases, new_cases, now)
            if text is None:
                continue
            jobs.append(
                DeliveryJob(
                    job_id=f"digest-{day}-{person.user_id}",
                    kind="text",
                    report_id="digest",
                    recipient_id=person.user_id,
                    event_id=f"digest-{day}",
                    text=text,
                )
            )
        if jobs:
            self.publisher.publish_many(self.deliveries_topic, jobs)
        # Marked after publishing: a failure above is retried next minute, and the delivery of a job id that
        # went out already is skipped (one digest per person per day).
        self.store.claim_marker(f"digest-{day}", MARKER_TTL)
        log.info("digests published", extra={"jobs": len(jobs), "day": day})
        return len(jobs)

    def _digest_text(
        self, person: StaffMember, open_cases: list[dict[str, Any]], new_cases: list[dict[str, Any]], now: datetime
    ) -> str | None:
        def visible(report: dict[str, Any]) -> bool:
            return may_see(person, str(report.get("category")), str(report.get("region")))

        mine_open = [r for r in open_cases if visible(r)]
        mine_new = [r for r in new_cases if visible(r)]
        if not mine_open and not mine_new:
            return None
        lang = person.lang
        overdue = [(r, reason) for r in mine_open if (reason := overdue_reason(r, now, self.limits)) is not None]
        overdue.sort(key=lambda item: queue_order(item[0]))
        by_status = {s.value: sum(1 for r in mine_open if r.get("status") == s.value) for s in Status}
        lines = [
            t(lang, "digest_header", date=now.astimezone(KZ_TZ).strftime("%d.%m.%Y")),
            t(lang, "digest_new", n=len(mine_new)),
            t(
                lang,
                "digest_open",
                n=len(mine_open),
                new=by_status["new"],
                in_progress=by_status["in_progress"],
                escalated=by_status["escalated"],
            ),
        ]
        if overdue:
            lines.append(t(lang, "digest_overdue", n=len(overdue)))
            lines += [case_line(lang, r, reason, now) for r, reason in overdue[:MAX_LINES]]
            if len(overdue) > MAX_LINES:
                lines.append(t(lang, "more_items", n=len(overdue) - MAX_LINES))
        else:
            lines.append(t(lang, "digest_overdue_none"))
        lines.append(t(lang, "digest_footer"))
        return "\n".join(lines)[:MAX_TEXT]

    # --- retention ----------------------------------------------------------------------------------------
    def purge(self, now: datetime) -> int:
        """Closed cases past the retention period lose reporter personal data and evidence references (legal
        holds excepted); their staff cards are refreshed so they no longer show links. Returns how many."""
        state, read_at = self.store.get_state(STATE)
        start = _moment(state.get("purge_through")) or EPOCH
        end = now - self.retention
        if start >= end:
            return 0
        rows = self.store.closed_between(start, end, PURGE_BATCH)
        purged = [str(r["id"]) for r in rows if not r.get("legal_hold") and not r.get("purged_at")]
        purged = [code for code in purged if self.store.purge_case(code)]
        self.refresh_cards(purged)
        last = _moment(rows[-1].get("closed_at")) if len(rows) == PURGE_BATCH else None
        self.store.set_state(STATE, {"purge_through": last or end}, read_at)
        if purged:
            log.info("cases purged", extra={"report_ids": purged[:50], "count": len(purged)})
        return len(purged)

    def refresh_cards(self, codes: list[str]) -> None:
        """Re-render the staff cards of purged cases (they must no longer show links or descriptions)."""
        jobs = [
            DeliveryJob(
                job_id=f"purged-{code}:{holder}",
                kind="card",
                report_id=code,
                recipient_id=holder,
                event_id=f"purged-{code}",
            )
            for code in codes
            for holder in self.store.card_holders(code)
        ]
        if jobs:
            self.publisher.publish_many(self.deliveries_topic, jobs)


def _moment(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None
