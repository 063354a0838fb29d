"""The SLA ladder's choices without I/O (who hears, why a case is overdue), and the texts it writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.domain.case_rows import CaseRow
from functions.domain.sla import (
    Thresholds,
    digest_recipients,
    escalation_recipients,
    overdue_reason,
    queue_order,
    reminder_recipients,
)
from functions.services.texts import chunks, duration_text
from tests.unit.builders import NOW, staff


def row(**fields: Any) -> CaseRow:
    """A stored case as the oversight queries read it."""
    return CaseRow.from_document(str(fields.pop("id", "R1")), fields)


class TestLadderChoices:
    limits = Thresholds(urgent_take=15, take=24 * 60, stale=7 * 24 * 60)

    @pytest.mark.parametrize(
        ("report", "reason"),
        [
            ({"status": "new", "severity": "urgent", "created_at": NOW - timedelta(minutes=16)}, "urgent"),
            ({"status": "new", "severity": "urgent", "created_at": NOW - timedelta(minutes=14)}, None),
            ({"status": "new", "severity": "high", "created_at": NOW - timedelta(hours=23)}, None),
            ({"status": "new", "severity": "high", "created_at": NOW - timedelta(hours=24)}, "untaken"),
            ({"status": "in_progress", "updated_at": NOW - timedelta(days=7)}, "stale"),
            ({"status": "escalated", "updated_at": NOW - timedelta(days=8)}, "stale"),
            ({"status": "in_progress", "updated_at": NOW - timedelta(days=6)}, None),
            ({"status": "resolved", "updated_at": NOW - timedelta(days=60)}, None),
        ],
    )
    def test_overdue(self, report: dict[str, Any], reason: str | None) -> None:
        assert overdue_reason(row(**report), NOW, self.limits) == reason

    def test_queue_order_is_urgent_first_then_oldest(self) -> None:
        rows = [
            row(id="a", severity="normal", created_at=NOW - timedelta(days=3)),
            row(id="b", severity="urgent", created_at=NOW),
            row(id="c", severity="high", created_at=NOW - timedelta(days=1)),
            row(id="d", severity="urgent", created_at=NOW - timedelta(hours=1)),
        ]
        assert [r.code for r in sorted(rows, key=queue_order)] == ["d", "b", "a", "c"]

    def test_escalation_goes_to_duty_specialists_and_admins_who_may_see_it(self) -> None:
        people = [
            staff(1, "specialist", on_duty=True),
            staff(2, "specialist"),
            staff(3, "admin"),
            staff(4, "regional", ("71",)),
            staff(5, "child_safety", on_duty=True),
            staff(6, "admin", unreachable=True),
            staff(7, "specialist", on_duty=True, active=False),
        ]
        assert [p.user_id for p in escalation_recipients(people, "selfharm", "71")] == [1, 3, 5]
        assert [p.user_id for p in escalation_recipients(people, "sexual", "71")] == [3, 5]

    def test_reminders_go_to_owner_and_region_else_duty_else_admins(self) -> None:
        people = [staff(1, "regional", ("71",)), staff(2, "specialist", on_duty=True), staff(3, "admin")]
        assert [p.user_id for p in reminder_recipients(people, row(category="other", region="71").view())] == [1]
        owned = row(category="other", region="71", assignee=2).view()
        assert [p.user_id for p in reminder_recipients(people, owned)] == [1, 2]
        assert [p.user_id for p in reminder_recipients(people, row(category="other", region="10").view())] == [2]
        assert [p.user_id for p in reminder_recipients(people[::2], row(category="other", region="10").view())] == [3]
        restricted = row(category="sexual", region="71").view()
        assert [p.user_id for p in reminder_recipients(people, restricted)] == [3]

    def test_digest_recipients(self) -> None:
        people = [staff(1, "regional", ("71",)), staff(2, "specialist"), staff(3, "admin"), staff(4, "child_safety")]
        assert [p.user_id for p in digest_recipients(people)] == [1, 2, 4]

    def test_texts(self) -> None:
        assert duration_text("ru", timedelta(minutes=90)) == "90 мин"
        assert duration_text("kk", timedelta(hours=30)) == "30 сағ"
        assert duration_text("ru", timedelta(days=8)) == "8 дн."
        parts = chunks(["x" * 3000, "y" * 3000, "z"])
        assert parts == ["x" * 3000, "y" * 3000 + "\nz"]
        assert all(len(p) <= 4096 for p in chunks(["a" * 5000]))
