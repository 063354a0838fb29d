"""Builders shared by the oversight unit tests: a fixed moment, staff, case facts, a recording publisher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from functions.domain.statistics import CaseFacts
from functions.domain.workflow import Role, StaffMember

NOW = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)  # 09:05 in Kazakhstan


def staff(user_id: int, role: str, regions: tuple[str, ...] = (), *, on_duty: bool = False, **kw: Any) -> StaffMember:
    return StaffMember(user_id=user_id, role=Role(role), regions=regions, on_duty=on_duty, lang="ru", **kw)


def fact(n: int, region: str = "71", category: str = "bullying", status: str = "new", **kw: Any) -> CaseFacts:
    return CaseFacts(
        code=f"R{n}",
        status=status,
        category=category,
        severity=kw.pop("severity", "normal"),
        region=region,
        created_at=kw.pop("created_at", NOW - timedelta(days=1)),
        **kw,
    )


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[str, BaseModel]] = []

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str:
        self.sent.append((topic, message))
        return "1"

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None:
        self.sent += [(topic, m) for m in messages]
