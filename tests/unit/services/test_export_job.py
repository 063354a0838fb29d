"""/export as a job on in-memory ports: "preparing…" and the job from the webhook; the target reads page by page,
shows progress, sends one protected file of what the person may see, and a failed attempt sends no second file."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any, Literal

import pytest

from functions.domain.case_rows import CaseRow
from functions.domain.export_job import ExportJob, PeriodCases
from functions.domain.models import BotCall
from functions.domain.workflow import StaffMember
from functions.errors import BotRetryAfter, TransientError
from functions.services.export_job import ExportRun, ExportStart
from tests.unit.builders import NOW, FakePublisher, staff


class Bot:
    """Records the calls; refuses the first `refuse` of a method with a 429."""

    def __init__(self, refuse: dict[str, int] | None = None) -> None:
        self.calls: list[BotCall] = []
        self.refuse = dict(refuse or {})

    def call(self, call: BotCall) -> Any:
        if self.refuse.get(call.method):
            self.refuse[call.method] -= 1
            raise BotRetryAfter(30)
        self.calls.append(call)
        return {"message_id": 700 + len(self.calls)}

    def files(self) -> list[BotCall]:
        return [c for c in self.calls if c.method == "sendDocument"]


def case(n: int, region: str = "71", category: str = "bullying") -> dict[str, Any]:
    return {
        "id": f"R{n:06d}",
        "status": "new",
        "category": category,
        "severity": "normal",
        "region": region,
        "created_at": NOW - timedelta(days=1, minutes=n),
        "reporter_count": 1,
    }


class Cases:
    """The cases of the period, served a page at a time (the cursor is the next index); fails as told."""

    def __init__(self, cases: list[dict[str, Any]], fail_on_page: int | None = None) -> None:
        self.cases = sorted(cases, key=lambda c: c["created_at"])
        self.fail_on_page = fail_on_page
        self.pages = 0
        self.sent_at: datetime | None = None
        self.lease: datetime | None = None
        self.records: list[int] = []
        self.extended = 0
        self.sending = False
        self.outcome = ""

    def cases_page(self, cases: PeriodCases, after: Any, limit: int) -> tuple[list[CaseRow], Any]:
        regions = cases.regions
        self.pages += 1
        if self.pages == self.fail_on_page:
            self.fail_on_page = None
            raise TransientError("Firestore unavailable")
        start = int(after or 0)
        chosen = [c for c in self.cases if regions is None or c["region"] in regions]
        page = chosen[start : start + limit]
        rows = [CaseRow.from_document(c["id"], c) for c in page]
        return rows, (start + limit if start + limit < len(chosen) else None)

    def reporter_ids_since(self, since: datetime) -> dict[str, list[int]]:
        return {}

    def claim_export(self, export_id: str, lease: timedelta) -> Literal["run", "done", "busy", "uncertain"]:
        if self.sent_at is not None:
            return "done"
        if self.lease is not None and self.lease > NOW:
            return "busy"
        self.lease = NOW + lease
        return "uncertain" if self.sending else "run"

    def release_export(self, export_id: str) -> None:
        self.lease = None

    def extend_export(self, export_id: str, lease: timedelta) -> None:
        self.extended += 1

    def mark_sending(self, export_id: str, sending: bool) -> None:
        self.sending = sending

    def finish_export(self, export_id: str, rows: int, outcome: str = "sent") -> None:
        self.sent_at, self.lease, self.outcome = NOW, None, outcome

    def record_export(self, by: int, days: int, region: str | None, personal: bool, rows: int) -> None:
        self.records.append(rows)


class People:
    def __init__(self, *people: StaffMember) -> None:
        self.people = {p.user_id: p for p in people}

    def member(self, user_id: int) -> StaffMember | None:
        return self.people.get(user_id)


def job(user_id: int, **kw: Any) -> ExportJob:
    return ExportJob(export_id="x1-1", user_id=user_id, chat_id=user_id, days=30, message_id=42, **kw)


def rows_of(call: BotCall) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(call.params["document"].data), read_only=True)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)][1:]


SEED = [case(n) for n in range(23)] + [case(100 + n, region="75") for n in range(5)] + [case(200, category="sexual")]


class TestStart:
    def test_preparing_at_once_and_the_job_names_its_message(self) -> None:
        bot, jobs = Bot(), FakePublisher()
        outcome = ExportStart(lambda: bot, jobs, "exports").start(job(5).model_copy(update={"message_id": None}))
        assert outcome.body is None and outcome.direct == []
        assert [c.method for c in bot.calls] == ["sendMessage"] and "Готовлю выгрузку" in bot.calls[0].params["text"]
        [(topic, published)] = jobs.sent
        assert topic == "exports" and isinstance(published, ExportJob) and published.message_id == 701

    def test_a_refused_preparing_message_still_queues_the_export(self) -> None:
        bot, jobs = Bot({"sendMessage": 1}), FakePublisher()
        ExportStart(lambda: bot, jobs, "exports").start(job(5).model_copy(update={"message_id": None}))
        [(_, published)] = jobs.sent
        assert isinstance(published, ExportJob) and published.message_id is None


class TestRun:
    def run(self, cases: Cases, bot: Bot, *people: StaffMember) -> ExportRun:
        return ExportRun(cases, People(*people), bot, lambda: NOW, progress_seconds=0, page_size=10)

    def test_page_by_page_with_progress_one_protected_file_of_what_the_person_may_see(self) -> None:
        cases, bot = Cases(SEED), Bot()
        officer = staff(7, "regional", ("71",))
        assert self.run(cases, bot, officer).handle(job(7)) == "done"
        assert cases.pages == 3  # 24 cases of 71 in pages of 10
        [file] = bot.files()
        assert file.params["protect_content"] is True and file.params["chat_id"] == 7
        rows = rows_of(file)
        assert len(rows) == 23 and {r[4] for r in rows} == {"71"}  # not 75's, not the restricted one of 71
        edits = [c.params["text"] for c in bot.calls if c.method == "editMessageText"]
        assert all(c.params["message_id"] == 42 for c in bot.calls if c.method == "editMessageText")
        assert edits[:3] == [f"Готовлю выгрузку… Обработано обращений: {n}." for n in (9, 19, 23)]
        assert "Выгрузка готова" in edits[-1] and cases.records == [23]
        assert cases.extended == 3  # the lease renewed after every page

    def test_restricted_cases_only_for_those_who_may_see_them(self) -> None:
        cases, bot = Cases(SEED), Bot()
        assert self.run(cases, bot, staff(8, "child_safety")).handle(job(8)) == "done"
        assert len(rows_of(bot.files()[0])) == len(SEED)

    def test_a_failure_mid_export_is_retried_without_a_second_file(self) -> None:
        cases, bot = Cases(SEED, fail_on_page=2), Bot()
        runner = self.run(cases, bot, staff(9, "admin"))
        with pytest.raises(TransientError):
            runner.handle(job(9))
        assert bot.files() == [] and cases.lease is None  # released: the re-delivery may start at once
        assert runner.handle(job(9)) == "done"
        assert runner.handle(job(9)) == "done"  # Pub/Sub delivered it once more
        assert len(bot.files()) == 1 and len(rows_of(bot.files()[0])) == len(SEED)

    def test_a_person_whose_access_ended_gets_no_file(self) -> None:
        cases, bot = Cases(SEED), Bot()
        assert self.run(cases, bot).handle(job(10)) == "done"
        assert bot.files() == [] and cases.pages == 0
        assert [c.method for c in bot.calls] == ["editMessageText"]

    def test_a_long_flood_wait_goes_back_to_pub_sub(self) -> None:
        cases, bot = Cases(SEED), Bot({"sendDocument": 1})
        runner = self.run(cases, bot, staff(11, "admin"))
        with pytest.raises(BotRetryAfter):
            runner.handle(job(11))
        assert runner.handle(job(11)) == "done" and len(bot.files()) == 1
