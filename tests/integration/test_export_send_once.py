"""The export's file is sent at most once, and never silently lost (issue 15's gap), on the emulator and the double.

Between Telegram taking the file and the job's "sent" mark an attempt can die (a kill, an out-of-memory, a lost
Firestore write) or lose Telegram's answer (a timeout after the upload). The retry cannot know whether the file
arrived, so it sends no second one: it tells the person to look, and to ask again if it is not there. A refusal
that Telegram answers before taking the file (flood control) is retried and sends the file.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from functions import bootstrap
from functions.adapters.firestore.exports import EXPORT_JOBS, ExportStore
from functions.domain.export_job import LEASE_SECONDS, ExportJob
from functions.domain.models import BotCall
from functions.domain.time import utcnow
from functions.errors import TransientError
from functions.i18n import t
from functions.services.access import Access
from functions.services.calls import send
from functions.services.export_job import ExportRun
from tests.integration.helpers import say
from tests.integration.test_oversight import seed
from tests.stack import ADMIN_ID, Stack, wait_for

pytestmark = pytest.mark.integration


class Killed(BaseException):
    """The process dies (SIGKILL): nothing after this point runs, not even the clean-up of a failed attempt."""


class KilledAfterSending:
    """The real gateway; the process is killed right after Telegram took the file."""

    def call(self, call: BotCall) -> Any:
        result = bootstrap.telegram().call(call)
        if call.method == "sendDocument":
            raise Killed
        return result


class MarkFailsOnce(ExportStore):
    """The emulator's store whose "sent" mark fails once (Firestore unavailable right after the upload)."""

    failed = False

    def finish_export(self, export_id: str, rows: int, outcome: str = "sent") -> None:
        if not self.failed:
            self.failed = True
            raise TransientError("Firestore unavailable")
        super().finish_export(export_id, rows, outcome)


def later(minutes: float) -> Any:
    return lambda: utcnow() + timedelta(minutes=minutes)


def documents(stack: Stack) -> list[dict[str, Any]]:
    return [c for c in stack.double.calls("sendDocument", chat_id=ADMIN_ID) if c["status"] == 200]


def start(stack: Stack, export_id: str) -> ExportJob:
    """Cases to export and the admin's "preparing…" message, as the webhook's half leaves them."""
    now = utcnow()
    for n in range(6):
        seed(stack, 7000 + n, created=now - timedelta(days=1, minutes=n))
    say(stack, ADMIN_ID, "/start")
    preparing = bootstrap.telegram().call(send(ADMIN_ID, t("ru", "export_preparing")))
    message_id = int(preparing["message_id"])
    return ExportJob(export_id=export_id, user_id=ADMIN_ID, chat_id=ADMIN_ID, days=7, message_id=message_id)


def run(bot: Any, store: ExportStore) -> ExportRun:
    return ExportRun(store, Access(bootstrap.cases(), frozenset({ADMIN_ID})), bot, utcnow, progress_seconds=0)


def shown(stack: Stack, job: ExportJob) -> str:
    return str((stack.double.get_message(ADMIN_ID, job.message_id or 0) or {}).get("text"))


class TestTheFileIsSentOnce:
    def test_killed_between_sending_and_marking_the_retry_sends_no_second_file(self, stack: Stack) -> None:
        job = start(stack, "x-kill-1")
        with pytest.raises(Killed):
            run(KilledAfterSending(), ExportStore(stack.db, utcnow)).handle(job)
        assert len(documents(stack)) == 1  # Telegram took it; the job was never marked sent

        restarted = ExportStore(stack.db, later(LEASE_SECONDS / 60 + 1))  # Pub/Sub re-delivers once the lease ran out
        assert run(bootstrap.telegram(), restarted).handle(job) == "done"
        assert len(documents(stack)) == 1
        assert shown(stack, job) == t("ru", "export_uncertain")  # never a silent loss: look, and ask again
        record = stack.db.collection(EXPORT_JOBS).document(job.export_id).get().to_dict() or {}
        assert record["outcome"] == "uncertain" and isinstance(record["sent_at"], datetime)
        assert run(bootstrap.telegram(), restarted).handle(job) == "done"  # and again: nothing more
        assert len(documents(stack)) == 1

    def test_the_mark_failing_after_the_upload_sends_no_second_file(self, stack: Stack) -> None:
        job = start(stack, "x-mark-1")
        store = MarkFailsOnce(stack.db, utcnow)
        with pytest.raises(TransientError):
            run(bootstrap.telegram(), store).handle(job)
        assert run(bootstrap.telegram(), store).handle(job) == "done"  # the lease was given back: at once
        assert len(documents(stack)) == 1
        assert shown(stack, job) == t("ru", "export_uncertain")

    def test_telegrams_answer_lost_after_the_upload_sends_no_second_file(self, stack: Stack) -> None:
        job = start(stack, "x-timeout-1")
        stack.double.add_fault("timeout", method="sendDocument", chat_id=ADMIN_ID, delay=5, execute=True)
        store = ExportStore(stack.db, utcnow)
        with pytest.raises(TransientError):
            run(bootstrap.telegram(), store).handle(job)  # the upload went through; its answer never came
        assert run(bootstrap.telegram(), store).handle(job) == "done"
        wait_for(lambda: documents(stack), timeout=15)  # the double finishes the upload it was slow to answer
        time.sleep(1)
        assert len(documents(stack)) == 1
        assert shown(stack, job) == t("ru", "export_uncertain")

    def test_flood_control_before_the_upload_is_retried_and_sends_the_file(self, stack: Stack) -> None:
        job = start(stack, "x-flood-1")
        stack.double.add_fault("429", method="sendDocument", chat_id=ADMIN_ID, retry_after=30)
        store = ExportStore(stack.db, utcnow)
        with pytest.raises(TransientError):
            run(bootstrap.telegram(), store).handle(job)  # Telegram said "wait": it did not take the file
        assert documents(stack) == []
        assert run(bootstrap.telegram(), store).handle(job) == "done"
        assert len(documents(stack)) == 1
        assert shown(stack, job) == t("ru", "export_ready", rows=6)
