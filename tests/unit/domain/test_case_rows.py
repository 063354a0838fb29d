"""The typed row of an oversight query: what a projection selected, the defaults of Case for the rest."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.child_help import Need
from functions.domain.models import Status
from functions.domain.statistics import EXPORT_FIELDS, QUEUE_FIELDS

NOW = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)


class TestCaseRow:
    def test_a_projection_reads_into_a_row_with_the_defaults_of_a_case_for_what_it_lacks(self) -> None:
        row = CaseRow.from_document(
            "R222222", {"status": "in_progress", "region": "71", "created_at": NOW, "outcome": None, "urls": ["x"]}
        )
        assert (row.code, row.status, row.region, row.created_at) == ("R222222", Status.IN_PROGRESS, "71", NOW)
        assert row.category == "other" and row.severity == "normal" and row.reporter_count == 1
        assert row.outcome is None and row.child_help is None and not row.sla_pending
        assert row.view().status == Status.IN_PROGRESS and row.view().region == "71"

    def test_every_field_the_queries_select_is_a_field_of_the_row(self) -> None:
        names = {f.name for f in fields(CaseRow)}
        sla = ("sla_pending", "sla_take_reminded_at", "sla_stale_reminded_for")
        wanted = {*QUEUE_FIELDS, *EXPORT_FIELDS, *sla, "content_state", "contact_pending", "legal_hold", "purged_at"}
        assert wanted <= names

    def test_a_row_has_the_defaults_a_case_has(self) -> None:
        empty, case = CaseRow.from_document("R2", {}), Case.from_document("R2", {})
        for f in fields(CaseRow):
            if f.name in Case.model_fields and f.name != "child_help":  # the row's None is the case's untouched track
                assert getattr(empty, f.name) == getattr(case, f.name), f.name

    def test_a_row_as_a_whole_case_for_the_rules_on_a_case(self) -> None:
        row = CaseRow.from_document("R3", {"child_request": True, "child_help": {"need": "needed"}, "created_at": NOW})
        case = row.case()
        assert (case.code, case.child_request, case.child_help.need, case.created_at) == ("R3", True, Need.NEEDED, NOW)
        assert CaseRow.from_document("R4", {}).case().child_help == Case.from_document("R4", {}).child_help

    def test_a_row_is_light(self) -> None:
        assert not hasattr(CaseRow.from_document("R5", {}), "__dict__")  # slotted: 20,000 of them in one queue
