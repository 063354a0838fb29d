"""The one case write (services.case_writes) on an in-memory port: the race retried, refusals, the event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from functions.domain.case import Case, CaseWrite
from functions.errors import TransientError
from functions.log import get_logger
from functions.services.case_writes import AGAIN, ATTEMPTS, CaseWriter, Change, retried
from tests.unit.fakes import Published

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Docs:
    """One case document; a write on a stale read fails, `races` writes lose to someone else first."""

    def __init__(self, **fields: Any) -> None:
        self.doc: dict[str, Any] = {"status": "new", "version": 0} | fields
        self.races = 0
        self.reads = 0
        self.writes: list[CaseWrite] = []

    def read_case(self, code: str) -> tuple[Case, Any] | None:
        self.reads += 1
        return (Case.from_document(code, dict(self.doc)), self.doc["version"]) if self.doc else None

    def apply_transition(self, code: str, read_at: Any, write: CaseWrite) -> bool:
        if self.races:
            self.races -= 1
            self.doc["version"] += 1  # someone else wrote meanwhile
            return False
        if read_at != self.doc["version"]:
            return False
        self.doc |= write.changes | {"version": write.version + 1}
        self.writes.append(write)
        return True


def writer(docs: Docs, events: Published) -> CaseWriter:
    return CaseWriter(docs, events, "reports", lambda: NOW, get_logger("test"))


def take(case: Case) -> Change | str:
    if case.status.value != "new":
        return "taken already"
    return Change({"status": "in_progress"}, {"type": "transition"}, "taken", argument="", to_status="in_progress")


class TestCaseWriter:
    def test_a_lost_race_is_read_and_decided_again_then_written_once_with_its_event(self) -> None:
        docs, events = Docs(), Published()
        docs.races = 2
        done = writer(docs, events).write("R1", take, "missing")
        assert isinstance(done, Case) and done.version == 3 and docs.reads == 3
        assert len(docs.writes) == 1 and docs.writes[0].version == 2 and docs.writes[0].event == {"type": "transition"}
        outbox = docs.writes[0].outbox or {}
        assert (outbox["event_id"], outbox["from_status"], outbox["to_status"]) == (
            "changed-R1-v3",
            "new",
            "in_progress",
        )
        assert (outbox["notice"], outbox["argument"]) == ("taken", "")
        [(topic, _, attributes)] = events.sent
        assert topic == "reports" and attributes["notice"] == "taken" and attributes["argument"] == ""

    def test_a_refusal_writes_nothing_and_a_missing_case_answers_missing(self) -> None:
        docs, events = Docs(status="in_progress"), Published()
        assert writer(docs, events).write("R1", take, "missing") == "taken already"
        assert docs.writes == [] and events.sent == []
        docs.doc = {}
        assert writer(docs, events).write("R1", take, "missing") == "missing"

    def test_no_argument_publishes_none_and_the_status_stays(self) -> None:
        docs, events = Docs(), Published()
        note = Change({"description": "more"}, {"type": "reporter_described"}, "reporter_described")
        writer(docs, events).write("R1", lambda case: note, "missing")
        assert (docs.writes[0].outbox or {})["to_status"] == "new"
        assert "argument" not in events.sent[0][2] and (docs.writes[0].outbox or {})["argument"] == ""

    def test_an_unpublished_event_still_counts_the_write_done(self) -> None:
        docs, events = Docs(), Published()
        events.down = True  # tick publishes the outbox later
        assert isinstance(writer(docs, events).write("R1", take, "missing"), Case)
        assert docs.doc["status"] == "in_progress"


class TestRetried:
    def test_a_case_that_keeps_changing_is_a_transient_failure_after_the_attempts(self) -> None:
        docs = Docs()
        with pytest.raises(TransientError):
            retried(docs, "R1", lambda case, read_at: AGAIN, None)
        assert docs.reads == ATTEMPTS
        with pytest.raises(TransientError):
            retried(docs, "R1", lambda case, read_at: AGAIN, None, attempts=2)
        assert docs.reads == ATTEMPTS + 2
