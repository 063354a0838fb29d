"""The backfill of the console's track fields (issue 17's gap) on the emulator, with cases shaped as they were
stored before the console: no `contact_pending`, no `content_state`, so the queue's track filters missed them.

`python -m scripts.backfill_track_flags` sets them as the live code would, page by page; it is idempotent (a
second run writes nothing), resumable (an interrupted run continues after its checkpoint) and safe against a case
that changes while its page is being worked on (the precondition makes the page read again).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from functions.adapters.firestore.takedowns import TAKEDOWNS
from functions.adapters.firestore.track_flags import REPAIRS, TrackFlagsBackfill
from functions.domain.takedown import TakedownState, new_record
from functions.domain.time import utcnow
from scripts import backfill_track_flags
from tests.stack import Stack

pytestmark = pytest.mark.integration

CREATED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def old_case(code: str, **fields: Any) -> dict[str, Any]:
    """A case document as stored before the console (no track fields)."""
    return {
        "status": "new",
        "category": "violence",
        "severity": "normal",
        "region": "71",
        "source": "private",
        "created_at": CREATED,
        "updated_at": CREATED,
        "version": 0,
        "urls": [],
    } | fields


def seed(stack: Stack) -> dict[str, dict[str, Any]]:
    """Old-shaped cases and what the backfill must make of them (None: the field stays absent-equivalent)."""
    db = stack.db
    expected: dict[str, dict[str, Any]] = {}

    def put(code: str, contact: bool, content: str | None, **fields: Any) -> None:
        db.collection("reports").document(code).set(old_case(code, **fields))
        expected[code] = {"contact_pending": contact, "content_state": content}

    put("RBF0001", True, None, child_request=True)  # a child's request, nobody reached them yet
    put("RBF0002", False, None, child_request=True, first_contact_at=CREATED + timedelta(minutes=20))
    put("RBF0003", True, None, child_help={"need": "needed"}, urls=["https://t.me/bf/3"])
    put("RBF0004", False, "live", urls=["https://instagram.com/p/Bf4", "https://t.me/bf/4"])
    put("RBF0005", False, "removed", urls=["https://instagram.com/p/Bf5"])
    put("RBF0006", False, None, child_request=True, child_help={"need": "not_needed"})
    for n in range(7, 30):  # plain content cases: both fields get their "nothing to filter on" value
        put(f"RBF{n:04d}", False, None, urls=[f"https://vk.com/video-{n}_1"])
    states = {"RBF0004": [TakedownState.LIVE, TakedownState.REMOVED], "RBF0005": [TakedownState.REMOVED]}
    for code, wanted in states.items():
        urls = db.collection("reports").document(code).get().to_dict()["urls"]
        for url, state in zip(urls, wanted, strict=True):
            record = new_record(code, url, CREATED).model_copy(update={"state": state})
            db.collection(TAKEDOWNS).document(record.record_id).set(record.to_document())
    return expected


def stored(stack: Stack, code: str) -> dict[str, Any]:
    return stack.db.collection("reports").document(code).get().to_dict() or {}


def filtered(stack: Stack, field: str, value: Any) -> set[str]:
    """The cases the console's queue filter on a track field finds (its equality filter, as in console.py)."""
    query = stack.db.collection("reports").where(filter=FieldFilter(field, "==", value))
    return {snap.id for snap in query.stream()}


class TestBackfill:
    def test_old_cases_get_the_fields_in_resumable_idempotent_pages(
        self, stack: Stack, capsys: pytest.CaptureFixture[str]
    ) -> None:
        expected = seed(stack)
        assert filtered(stack, "contact_pending", True) == set()  # the gap: the filters miss the old cases
        assert filtered(stack, "content_state", "live") == set()

        backfill = TrackFlagsBackfill(stack.db, utcnow)
        pages = backfill.run(page_size=7)
        first, second = next(pages), next(pages)  # then the operator's run stops (Ctrl-C, a lost connection)
        pages.close()
        assert (first.scanned, second.scanned) == (7, 7) and backfill.checkpoint() == second.last == "RBF0014"
        before = {code: stack.db.collection("reports").document(code).get().update_time for code in expected}

        assert backfill_track_flags.main(["--page-size", "7"]) == 0
        out = capsys.readouterr().out
        assert "resuming after RBF0014" in out and "done: 15 cases read, 15 written" in out
        for code, fields in expected.items():
            assert {k: stored(stack, code).get(k, "absent") for k in fields} == fields, code
        assert all(
            stack.db.collection("reports").document(code).get().update_time == before[code]
            for code in sorted(expected)[:14]
        )  # the pages done before the stop were not written again
        assert filtered(stack, "contact_pending", True) == {"RBF0001", "RBF0003"}
        assert filtered(stack, "content_state", "live") == {"RBF0004"}
        assert filtered(stack, "content_state", "removed") == {"RBF0005"}
        assert backfill.checkpoint() is None

        assert backfill_track_flags.main(["--page-size", "7"]) == 0  # again: from the start, nothing to write
        assert "done: 29 cases read, 0 written" in capsys.readouterr().out
        untouched = stack.db.collection("reports").document("RBF0004").get().update_time
        assert backfill_track_flags.main(["--from-start", "--dry-run"]) == 0
        assert "done: 29 cases read, 0 would be written" in capsys.readouterr().out
        assert stack.db.collection("reports").document("RBF0004").get().update_time == untouched
        assert stack.db.collection(REPAIRS).document("track_flags").get().to_dict()["after"] is None

    def test_a_case_that_changes_meanwhile_is_read_again_not_overwritten(self, stack: Stack) -> None:
        seed(stack)

        class Racing(TrackFlagsBackfill):
            """The staff reach the child while the backfill works on the page (between its read and its write)."""

            raced = False

            def _records(self, codes: list[str]) -> Any:
                if not self.raced:
                    self.raced = True
                    stack.db.collection("reports").document("RBF0001").update(
                        {"first_contact_at": utcnow(), "contact_pending": False}
                    )
                return super()._records(codes)

        racing = Racing(stack.db, utcnow)
        assert sum(page.written for page in racing.run(page_size=10)) == 29  # RBF0001 read again, its content_state set
        assert racing.raced and stored(stack, "RBF0001")["contact_pending"] is False
        assert filtered(stack, "contact_pending", True) == {"RBF0003"}
