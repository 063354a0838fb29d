"""/export as a job: the webhook answers at once and hands the work to the export target, which reads the cases
page by page, streams them into the spreadsheet, shows its progress by editing one message, and sends the file.

The webhook half (`ExportStart`) sends "preparing…" and publishes an ExportJob; the target half (`ExportRun`)
checks again who the person is and what they may see (their role may have changed meanwhile), and sends the file
once: a re-delivered job whose file was sent is done; a failed attempt is retried from the start. Just before the
file goes out the attempt marks the job "sending": a retry that finds the mark without "sent" (the attempt died,
or Telegram's answer was lost) cannot know whether the file arrived, so it sends none and tells the person to
look, and to ask again if it is not there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from functions.domain.case_rows import CaseRow
from functions.domain.export_job import LEASE_SECONDS, PAGE_SIZE, ExportJob, PeriodCases
from functions.domain.models import BotCall, Outcome
from functions.domain.statistics import EXPORT_FIELDS, CaseFacts, Stats, compute, facts_of, scope_regions
from functions.domain.takedown import Takedown, by_case
from functions.domain.time import KZ_TZ
from functions.domain.workflow import Role, StaffMember, may_see
from functions.errors import BotRefused, BotRetryAfter, TransientError
from functions.i18n import plural, t
from functions.log import get_logger
from functions.services.calls import edit, send, upload

log = get_logger("export")

Verdict = Literal["done", "retry", "busy"]  # busy: another attempt holds the lease (not a failure)
LinksSince = Callable[[datetime, tuple[str, ...] | None], Sequence[Takedown]]
SHORT_WAIT = 5.0  # a 429 shorter than this is waited out here; a longer one goes back to Pub/Sub


class BotPort(Protocol):
    """Makes one Bot API call and returns its result."""

    def call(self, call: BotCall) -> Any: ...


class JobSink(Protocol):
    """Publishes one message."""

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str: ...


class ExportStore(Protocol):
    """What an export job needs from storage (adapters/firestore/exports.py implements it)."""

    def cases_page(self, cases: PeriodCases, after: Any | None, limit: int) -> tuple[list[CaseRow], Any | None]: ...
    def reporter_ids_since(self, since: datetime) -> dict[str, list[int]]: ...
    def claim_export(self, export_id: str, lease: timedelta) -> Literal["run", "done", "busy", "uncertain"]: ...
    def release_export(self, export_id: str) -> None: ...
    def extend_export(self, export_id: str, lease: timedelta) -> None: ...
    def mark_sending(self, export_id: str, sending: bool) -> None: ...
    def finish_export(self, export_id: str, rows: int, outcome: str = "sent") -> None: ...
    def record_export(self, by: int, days: int, region: str | None, personal: bool, rows: int) -> None: ...


class People(Protocol):
    """Who a staff member is now (services.access.Access)."""

    def member(self, user_id: int) -> StaffMember | None: ...


def message_id_of(result: Any) -> int | None:
    """The message id in a sendMessage result."""
    value = result.get("message_id") if isinstance(result, dict) else getattr(result, "message_id", None)
    return value if isinstance(value, int) else None


@dataclass
class ExportStart:
    """The webhook's half: "preparing…" at once (its message is the one the progress edits), the job published."""

    bot: Callable[[], BotPort]  # the gateway, built on first use
    jobs: JobSink
    topic: str

    def start(self, job: ExportJob) -> Outcome:
        """Send "preparing…", publish the job; nothing rides in the webhook's answer.

        Raises:
            TransientError: the job could not be published (Telegram re-sends the update: same export id).
        """
        message_id = None
        try:
            message_id = message_id_of(self.bot().call(send(job.chat_id, t(job.lang, "export_preparing"))))
        except (BotRefused, TransientError) as error:  # the target sends its own progress message instead
            log.warning("export: preparing message not sent", extra={"kind": type(error).__name__})
        self.jobs.publish(self.topic, job.model_copy(update={"message_id": message_id}))
        log.info("export queued", extra={"export_id": job.export_id, "by": job.user_id, "days": job.days})
        return Outcome()


@dataclass
class Progress:
    """The one message that shows how far the export is: edited at most every `every` seconds."""

    bot: BotPort
    chat_id: int
    message_id: int | None
    every: float
    clock: Callable[[], float] = time.monotonic
    last: float = field(default=float("-inf"))
    edits: int = 0

    def show(self, text: str, *, now: bool = False) -> None:
        """Edit the message (best effort: a refused or failed edit never fails the export)."""
        if not now and self.clock() - self.last < self.every:
            return
        self.last = self.clock()
        try:
            if self.message_id is None:
                self.message_id = message_id_of(self.bot.call(send(self.chat_id, text)))
            else:
                self.bot.call(edit(self.chat_id, self.message_id, text))
            self.edits += 1
        except (BotRefused, TransientError) as error:
            log.info("export progress not shown", extra={"kind": type(error).__name__})


@dataclass
class Built:
    """A finished spreadsheet."""

    data: bytes
    rows: int
    stats: Stats
    scope: str


@dataclass
class ExportRun:
    """The export target's half: one job, page by page, one file."""

    store: ExportStore
    people: People
    bot: BotPort
    clock: Callable[[], datetime]
    links: LinksSince | None = None
    progress_seconds: float = 3.0
    sleep: Callable[[float], None] = time.sleep
    page_size: int = PAGE_SIZE

    def handle(self, job: ExportJob) -> Verdict:
        """Run the export once: 'done' (sent, or nothing to send), 'busy' (another attempt holds it).

        Raises:
            TransientError: Firestore or Telegram failed; Pub/Sub re-delivers and the export starts again.
        """
        claim = self.store.claim_export(job.export_id, timedelta(seconds=LEASE_SECONDS))
        if claim in {"done", "busy"}:
            return "done" if claim == "done" else "busy"
        try:
            return self._uncertain(job) if claim == "uncertain" else self._run(job)
        except TransientError:
            self.store.release_export(job.export_id)
            raise

    def _uncertain(self, job: ExportJob) -> Verdict:
        """An earlier attempt began sending the file and never learnt whether Telegram took it (a crash, a
        timeout): never a second file, never a silent loss — the person is told to look and to ask again if it
        is not there (the progress message says it; a failure to say it is retried)."""
        text = t(job.lang, "export_uncertain")
        call = edit(job.chat_id, job.message_id, text) if job.message_id else send(job.chat_id, text)
        try:
            self.bot.call(call)
        except BotRefused as error:  # blocked, or said before (not modified): nothing more to do
            log.info("export: uncertain notice refused", extra={"export_id": job.export_id, "kind": error.kind})
        self.store.finish_export(job.export_id, 0, outcome="uncertain")
        log.warning("export may not have arrived; not sent again", extra={"export_id": job.export_id})
        return "done"

    def give_up(self, job: ExportJob) -> None:
        """The last attempt failed (the job is parked): the person hears it, best effort."""
        Progress(self.bot, job.chat_id, job.message_id, 0).show(t(job.lang, "export_failed"), now=True)

    def _run(self, job: ExportJob) -> Verdict:
        lang, chat = job.lang, job.chat_id
        progress = Progress(self.bot, chat, job.message_id, self.progress_seconds)
        person = self.people.member(job.user_id)
        refusal = _refusal(person, job)
        if refusal is not None or person is None:
            progress.show(t(lang, refusal or "refuse_no_access"), now=True)
            self.store.finish_export(job.export_id, 0)
            return "done"
        lease = timedelta(seconds=LEASE_SECONDS)

        def on_page(rows: int) -> None:  # still at work: the lease is renewed, so a re-delivery waits
            self.store.extend_export(job.export_id, lease)
            progress.show(t(lang, "export_progress", rows=rows))

        built = self.build(person, job, on_page)
        until = built.stats.until
        day = until.astimezone(KZ_TZ).strftime("%Y%m%d")
        filename = f"qorgau-{job.days}d-{job.region or 'all'}-{day}.xlsx"
        caption = plural(lang, "export_caption", built.rows, rows=built.rows, days=job.days, scope=built.scope)
        if job.personal:
            caption += "\n" + t(lang, "export_personal_note")
        self.store.mark_sending(job.export_id, True)  # from here on a retry cannot tell whether the file arrived
        try:
            self._send(upload("sendDocument", "document", chat, built.data, filename, caption))
        except BotRefused as error:  # blocked, or the chat is gone: nobody to send it to, ever
            log.warning("export refused by Telegram", extra={"export_id": job.export_id, "kind": error.kind})
            self.store.finish_export(job.export_id, 0, outcome="refused")
            return "done"
        except BotRetryAfter:  # flood control answered: Telegram did not take the file, a retry may send it
            self.store.mark_sending(job.export_id, False)
            raise
        self.store.finish_export(job.export_id, built.rows)
        self.store.record_export(job.user_id, job.days, job.region, job.personal, built.rows)
        progress.show(t(lang, "export_ready", rows=built.rows), now=True)
        log.info("export sent", extra={"export_id": job.export_id, "rows": built.rows, "edits": progress.edits})
        return "done"

    def build(self, person: StaffMember, job: ExportJob, on_page: Callable[[int], None] | None = None) -> Built:
        """The spreadsheet of the cases this person may see: read a page, write its rows, forget it."""
        from functions.services import export

        regions = scope_regions(person, job.region)
        until = self.clock()
        since = until - timedelta(days=job.days)
        reporters = self.store.reporter_ids_since(since) if job.personal else None
        links = by_case(self.links(since, regions)) if self.links is not None else None
        writer = export.Writer(job.lang, personal=reporters is not None, links=links is not None)
        facts: list[CaseFacts] = []
        cursor: Any | None = None
        period = PeriodCases(since, until, regions, EXPORT_FIELDS)
        try:
            while True:
                page, cursor = self.store.cases_page(period, cursor, self.page_size)
                for case in page:
                    if may_see(person, case.category, case.region):
                        writer.add(case, reporters, links)
                        fact = facts_of(case)
                        if fact is not None:
                            facts.append(fact)
                if on_page is not None:
                    on_page(writer.rows)
                if cursor is None:
                    break
        except BaseException:
            writer.discard()
            raise
        stats = compute(facts, since, until, regions)
        names = [t(job.lang, f"region_{code}") for code in regions or ()]
        scope = ", ".join(names) if regions is not None else t(job.lang, "all_regions")
        return Built(writer.finish(stats, scope), writer.rows, stats, scope)

    def _send(self, call: BotCall) -> None:
        """Send the file; a short 429 is waited out here, anything else transient is Pub/Sub's to retry."""
        for _attempt in range(3):
            try:
                self.bot.call(call)
                return
            except BotRetryAfter as error:
                if error.retry_after > SHORT_WAIT:
                    raise
                self.sleep(error.retry_after)
        raise BotRetryAfter(SHORT_WAIT)  # flood control each time: Telegram did not take the file


def _refusal(person: StaffMember | None, job: ExportJob) -> str | None:
    """Why this person gets no file now (their access may have changed since they asked), or None."""
    if person is None:
        return "refuse_no_access"
    if job.personal and person.role != Role.ADMIN:
        return "export_pii_admins_only"
    if scope_regions(person, job.region) == ():
        return "refuse_out_of_scope"
    return None
