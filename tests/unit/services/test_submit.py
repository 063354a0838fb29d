"""Submitting on in-memory ports: the code is made here, a lost race is looked at again, the answer is stored."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from functions.domain.models import BotCall, Outcome, ReportDraft, Session, SubmitResult
from functions.errors import TransientError
from functions.services import meanwhile
from functions.services.submit import Submitter
from tests.unit.fakes import NOW, Published, ReporterSide

URL = "https://vk.com/wall-1_1"


def draft(user_id: int) -> ReportDraft:
    return ReportDraft(
        category="other",
        severity="normal",
        region="71",
        urls=[URL],
        media=[],
        source="private",
        reporter_user_id=user_id,
        reporter_chat_id=user_id,
    )


def session(user_id: int) -> Session:
    return Session(sid=f"{user_id}:{user_id}", chat_id=user_id, user_id=user_id, flow_id="f", kind="report", step="x")


def answer(result: SubmitResult) -> str:
    """The answer's JSON, as the flows render it: what storing did, with the case code."""
    text = f"{result.outcome} {result.code}"
    return Outcome(body=BotCall(method="sendMessage", params={"chat_id": 1, "text": text})).model_dump_json()


def stored_with(session: Session | None, result: SubmitResult) -> bool:
    """Whether the session holds this result's answer, as one that must arrive (a replay must arrive too)."""
    assert session is not None and session.last_outcome is not None
    expected = Outcome.model_validate_json(answer(result)).model_copy(update={"must_arrive": True})
    return Outcome.model_validate_json(session.last_outcome) == expected


class Racing(ReporterSide):
    """A store where someone else's report of the same content lands between the look and the write."""

    def __init__(self, rivals: int) -> None:
        super().__init__(lambda: NOW)
        self.rivals = rivals
        self.codes: list[str] = []

    def create_case(self, code: str, *args: object, **kw: object) -> bool:
        self.codes.append(code)
        if self.rivals:
            self.rivals -= 1
            return False
        return super().create_case(code, *args, **kw)  # type: ignore[arg-type]


class TestSubmit:
    def test_the_service_makes_the_code_and_the_session_is_stored_with_its_answer(self) -> None:
        store, events = ReporterSide(lambda: NOW), Published()
        result, _ = Submitter(store, events, "reports", lambda: NOW).submit(draft(1), session(1), answer)
        assert result.outcome == "created" and result.code in store.reports
        stored = store.get_session("1:1")
        assert stored is not None and stored.step == "done" and stored.report_code == result.code
        assert stored_with(stored, result)

    def test_a_lost_race_is_tried_again_with_a_new_code(self) -> None:
        store = Racing(rivals=2)
        result, _ = Submitter(store, Published(), "reports", lambda: NOW).submit(draft(2), None, answer)
        assert len(set(store.codes)) == 3 and result.code == store.codes[-1]

    def test_content_that_keeps_changing_asks_for_a_retry(self) -> None:
        store = Racing(rivals=100)
        with pytest.raises(TransientError):
            Submitter(store, Published(), "reports", lambda: NOW).submit(draft(3), None, answer)
        assert store.reports == {}

    def test_the_same_reporter_again_is_told_and_their_session_gets_that_answer(self) -> None:
        store, events = ReporterSide(lambda: NOW), Published()
        submitter = Submitter(store, events, "reports", lambda: NOW)
        first, _ = submitter.submit(draft(4), None, answer)
        again, _ = submitter.submit(draft(4), session(4), answer)
        assert again == SubmitResult(code=first.code, outcome="already_reporter", severity="normal")
        stored = store.get_session("4:4")
        assert stored_with(stored, again)
        assert [m.type for _, m, _ in events.sent] == ["report.created"]  # type: ignore[attr-defined]

    def test_in_the_webhooks_scope_the_event_is_acknowledged_while_the_answer_is_made(self) -> None:
        release = threading.Event()

        class Slow(Published):
            def publish(self, topic: str, message: Any, **attributes: str) -> str:
                release.wait(5)  # Pub/Sub's acknowledgement, slow
                return super().publish(topic, message, **attributes)

        store, events = ReporterSide(lambda: NOW), Slow()
        with meanwhile.scope():
            result, outcome = Submitter(store, events, "reports", lambda: NOW).submit(draft(5), None, answer)
            assert outcome.must_arrive and events.sent == []  # the answer is ready before the acknowledgement
            release.set()
        assert [m.report_id for _, m, _ in events.sent] == [result.code]  # type: ignore[attr-defined]

    def test_an_event_that_cannot_be_published_is_left_to_the_outbox_inside_the_scope_too(self) -> None:
        store, events = ReporterSide(lambda: NOW), Published()
        events.down = True
        with meanwhile.scope():
            result, _ = Submitter(store, events, "reports", lambda: NOW).submit(draft(6), None, answer)
        assert result.code in store.reports and events.sent == []  # stored; tick publishes it later
