"""Injected failures: 429 storms, 500s, 403s, timeouts and slow answers for the next matching calls."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .spec import ApiError

FAULT_KINDS = ("429", "500", "403", "timeout", "slow")


@dataclass
class FaultRule:
    """An injected failure for the next ``count`` matching calls."""

    kind: str
    method: str | None = None
    chat_id: str | None = None
    count: int = 1
    retry_after: int = 5
    delay: float | None = None
    execute: bool = False
    description: str | None = None

    def matches(self, method: str, chat_id: str | None) -> bool:
        if self.method is not None and self.method.lower() != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


def new_rule(
    kind: str,
    *,
    method: str | None,
    chat_id: int | str | None,
    count: int,
    retry_after: int | None,
    delay: float | None,
    execute: bool,
    description: str | None,
) -> FaultRule:
    """A validated rule (ValueError on an unknown kind or a count below one)."""
    kind = str(kind)
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    if int(count) < 1:
        raise ValueError("count must be >= 1")
    return FaultRule(
        kind=kind,
        method=method.lower() if method else None,
        chat_id=None if chat_id is None else str(chat_id),
        count=int(count),
        retry_after=int(retry_after) if retry_after is not None else 5,
        delay=float(delay) if delay is not None else None,
        execute=bool(execute),
        description=description,
    )


def take_fault(rules: list[FaultRule], method: str, chat_id: str | None) -> FaultRule | None:
    """The first rule matching this call, used up by one (removed when spent)."""
    for rule in rules:
        if rule.matches(method, chat_id):
            rule.count -= 1
            if rule.count <= 0:
                rules.remove(rule)
            return rule
    return None


def fault_answer(rule: FaultRule, interrupt: threading.Event) -> ApiError | None:
    """Act out a rule: sleep for timeouts and slow answers; the error to answer, or None to carry on normally."""
    if rule.kind in ("timeout", "slow"):
        default_delay = 30.0 if rule.kind == "timeout" else 1.0
        interrupt.wait(rule.delay if rule.delay is not None else default_delay)
    if rule.kind == "timeout" and not rule.execute:
        return ApiError(504, "Gateway Timeout")
    if rule.kind == "429":
        after = max(1, rule.retry_after)
        return ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
    if rule.kind == "500":
        return ApiError(500, rule.description or "Internal Server Error")
    if rule.kind == "403":
        return ApiError(403, rule.description or "Forbidden: bot was blocked by the user")
    return None
