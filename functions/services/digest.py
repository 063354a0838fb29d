"""The daily digest run by tick: one message per regional officer and specialist with their open cases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from pydantic import BaseModel

from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Status
from functions.domain.sla import Thresholds, digest_recipients, overdue_reason, queue_order
from functions.domain.takedown import Takedown
from functions.domain.time import KZ_TZ
from functions.domain.workflow import StaffMember, may_see
from functions.i18n import t
from functions.log import get_logger
from functions.services import child_help_texts, takedown_texts
from functions.services.texts import MAX_TEXT, case_line

log = get_logger("sla")

MARKER_TTL: Final = timedelta(days=3)
DIGEST_CATCH_UP_HOURS: Final = 3  # a digest missed at 09:00 (tick down) still goes out until 12:00
MAX_LINES: Final = 15


class DigestStore(Protocol):
    """What the digest needs from storage (OversightStore implements it)."""

    def all_staff(self) -> list[StaffMember]: ...
    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[CaseRow]: ...
    def cases_created(
        self, since: datetime, until: datetime, regions: tuple[str, ...] | None, fields: Sequence[str] | None
    ) -> list[CaseRow]: ...
    def claim_marker(self, name: str, ttl: timedelta) -> bool: ...
    def has_marker(self, name: str) -> bool: ...


class JobSink(Protocol):
    """Publishes delivery jobs."""

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None: ...


LINKS_LOOKBACK: Final = timedelta(days=90)
CHILD_FIELDS: Final = ("child_request", "child_help", "first_contact_at")  # children waiting for a first contact


@dataclass
class Digest:
    """The morning digest, at most once a day."""

    store: DigestStore
    publisher: JobSink
    deliveries_topic: str
    limits: Thresholds
    digest_hour: int
    links: Callable[[datetime], Sequence[Takedown]] | None = None  # takedown records taken in since

    def run(self, now: datetime) -> int:
        """At the digest hour (Kazakhstan time), once a day: one message per regional officer and specialist
        with the new, open and overdue cases in their scope. Returns how many digests were published."""
        local = now.astimezone(KZ_TZ)
        if not self.digest_hour <= local.hour < self.digest_hour + DIGEST_CATCH_UP_HOURS:
            return 0
        day = local.strftime("%Y%m%d")
        if self.store.has_marker(f"digest-{day}"):
            return 0
        fields = ("status", "category", "severity", "region", "created_at", "updated_at", "assignee", *CHILD_FIELDS)
        open_cases = self.store.open_cases(None, fields)
        new_cases = self.store.cases_created(now - timedelta(days=1), now, None, ("category", "region"))
        links = list(self.links(now - LINKS_LOOKBACK)) if self.links is not None else []
        # The child track's rules read a whole case; only a child's request or a case with the track can be one.
        children = [r.case() for r in open_cases if r.child_request or r.child_help is not None]
        jobs: list[DeliveryJob] = []
        for person in digest_recipients(self.store.all_staff()):
            text = self._digest_text(person, open_cases, new_cases, now, links, children)
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
        self,
        person: StaffMember,
        open_cases: list[CaseRow],
        new_cases: list[CaseRow],
        now: datetime,
        links: Sequence[Takedown] = (),
        children: Sequence[Case] = (),
    ) -> str | None:
        def visible(case: CaseRow) -> bool:
            return may_see(person, case.category, case.region)

        mine_open = [r for r in open_cases if visible(r)]
        mine_new = [r for r in new_cases if visible(r)]
        if not mine_open and not mine_new:
            return None
        lang = person.lang
        overdue = [(r, reason) for r in mine_open if (reason := overdue_reason(r, now, self.limits)) is not None]
        overdue.sort(key=lambda item: queue_order(item[0]))
        by_status = {s.value: sum(1 for r in mine_open if r.status == s) for s in Status}
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
        lines += takedown_texts.digest_lines(lang, [r for r in links if may_see(person, r.category, r.region)], now)
        lines += child_help_texts.digest_lines(lang, person, children, now)
        lines.append(t(lang, "digest_footer"))
        return "\n".join(lines)[:MAX_TEXT]
