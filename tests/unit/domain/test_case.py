"""The typed case: read from a stored document (missing fields take their defaults), written back the same."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.domain.case import Case
from functions.domain.models import Media, Status

NOW = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)


class TestCase:
    def test_a_document_reads_into_a_case_with_defaults_for_what_it_lacks(self) -> None:
        case = Case.from_document("R222222", {"status": "escalated", "assignee": 7, "escalated_to": "police",
                                              "description": None, "something_new": 1})  # fmt: skip
        assert (case.code, case.status, case.assignee, case.escalated_to) == ("R222222", Status.ESCALATED, 7, "police")
        assert case.category == "other" and case.reporter_count == 1 and case.description is None
        assert case.is_open and case.view().status == Status.ESCALATED

    def test_what_a_case_was_made_with_is_what_is_written(self) -> None:
        media = [Media(kind="photo", file_id="f", file_unique_id="u")]
        case = Case(code="R222222", status=Status.NEW, category="violence", media=media, assignee=None, created_at=NOW)
        document = case.to_document()
        assert document == {
            "status": "new",
            "category": "violence",
            "media": [{"kind": "photo", "file_id": "f", "file_unique_id": "u"}],
            "assignee": None,
            "created_at": NOW,
        }
        assert type(document["status"]) is str
        assert Case.from_document("R222222", document) == case.model_copy(update={"assignee": None})

    def test_closed_cases_are_not_open(self) -> None:
        assert not Case.from_document("R2", {"status": "resolved"}).is_open
