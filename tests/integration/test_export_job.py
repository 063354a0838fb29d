"""/export as a job on the emulators and the double: the webhook answers at once, the export target reads the
cases page by page, edits the "preparing…" message with its progress and sends one protected file; a failure
mid-export is retried by Pub/Sub's re-delivery without a second file."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from typing import Any

import pytest

from functions import bootstrap
from functions.adapters.firestore.exports import ExportStore
from functions.domain.case_rows import CaseRow
from functions.domain.export_job import ExportJob
from functions.domain.models import BotCall
from functions.domain.time import utcnow
from functions.errors import TransientError
from functions.services.access import Access
from functions.services.export_job import ExportRun
from tests.integration.helpers import say
from tests.integration.test_oversight import seed
from tests.integration.test_staff import add_staff
from tests.stack import ADMIN_ID, Stack, wait_for

pytestmark = pytest.mark.integration


def documents(stack: Stack, chat_id: int) -> list[dict[str, Any]]:
    return [c for c in stack.double.calls("sendDocument", chat_id=chat_id) if c["status"] == 200]


class Recorded:
    """The real gateway, remembering the files it sent (the double keeps only their size)."""

    def __init__(self) -> None:
        self.files: list[bytes] = []

    def call(self, call: BotCall) -> Any:
        if call.method == "sendDocument":
            self.files.append(bytes(call.params["document"].data))
        return bootstrap.telegram().call(call)


class FailingOnce(ExportStore):
    """The emulator's store, whose page `fail_on` fails once (Firestore gone mid-export)."""

    fail_on = 3
    pages = 0

    def cases_page(self, *args: Any, **kwargs: Any) -> tuple[list[CaseRow], Any | None]:
        self.pages += 1
        if self.pages == self.fail_on:
            raise TransientError("Firestore unavailable")
        return super().cases_page(*args, **kwargs)


def rows_of(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)][1:]


class TestExportJob:
    def test_the_webhook_answers_at_once_and_the_target_edits_its_progress_and_sends_the_file(
        self, stack: Stack
    ) -> None:
        now = utcnow()
        for n in range(12):
            seed(stack, 5000 + n, created=now - timedelta(days=2, minutes=n), region="71")
        seed(stack, 5100, created=now - timedelta(days=2), region="71", category="sexual", severity="urgent")
        add_staff(9601, "regional", ("71",))
        stack.connect_chain()
        started = time.monotonic()
        result = say(stack, 9601, "/export 30d")
        assert result["status"] == 200 and time.monotonic() - started < 5
        preparing = stack.double.messages(9601)[-1]
        assert "Готовлю выгрузку" in str(preparing["text"])
        [sent] = wait_for(lambda: documents(stack, 9601), timeout=60)
        assert sent["params"]["protect_content"] is True and "12 обращений" in sent["params"]["caption"]
        edits = [c for c in stack.double.calls("editMessageText", chat_id=9601) if c["status"] == 200]
        texts = [c["params"]["text"] for c in edits]
        assert all(c["params"]["message_id"] == preparing["message_id"] for c in edits)
        assert "Готовлю выгрузку… Обработано обращений: 12." in texts
        assert wait_for(lambda: "Выгрузка готова" in str(stack.double.messages(9601)[0]["text"]), timeout=10)
        time.sleep(1)
        assert len(documents(stack, 9601)) == 1

    def test_pages_read_back_and_a_failure_mid_export_sends_no_second_file(self, stack: Stack) -> None:
        now = utcnow()
        for n in range(25):
            seed(stack, 6000 + n, created=now - timedelta(days=1, minutes=n), region="75" if n % 5 == 0 else "71")
        say(stack, ADMIN_ID, "/start")
        bot = Recorded()
        store = FailingOnce(bootstrap.firestore_client(), utcnow)
        access = Access(bootstrap.cases(), frozenset({ADMIN_ID}))
        run = ExportRun(store, access, bot, utcnow, progress_seconds=0, page_size=10)
        job = ExportJob(export_id="x-mid-1", user_id=ADMIN_ID, chat_id=ADMIN_ID, days=7)
        with pytest.raises(TransientError):
            run.handle(job)  # the third page fails: Pub/Sub re-delivers
        assert bot.files == []
        assert run.handle(job) == "done"
        assert run.handle(job) == "done"  # delivered once more: the file was sent, nothing is sent again
        assert len(bot.files) == 1 and len(documents(stack, ADMIN_ID)) == 1
        rows = rows_of(bot.files[0])
        assert len(rows) == 25 and len({r[0] for r in rows}) == 25
        assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # oldest first, across the pages
        assert store.pages == 3 + 3  # two pages and the failed third; then three (10, 10, 5) on the retry
        progress = [c["params"]["text"] for c in stack.double.calls("editMessageText", chat_id=ADMIN_ID)]
        progress += [c["params"]["text"] for c in stack.double.calls("sendMessage", chat_id=ADMIN_ID)]
        assert any("Обработано обращений: 20." in text for text in progress)
