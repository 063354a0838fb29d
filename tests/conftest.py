"""Shared fixtures: the local stack is started once per test session and cleaned between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack_session() -> Iterator[Stack]:
    """Emulators + Bot API double + the four targets, for the whole session."""
    stack = start_stack()
    try:
        yield stack
    finally:
        stack.functions.stop()
        stack.double.stop()
        stack.emulators.stop()


@pytest.fixture
def stack(stack_session: Stack) -> Iterator[Stack]:
    """The stack with empty Firestore, a fresh double and no subscriptions."""
    from functions import bootstrap

    stack_session.emulators.reset_firestore()
    stack_session.double.reset()
    stack_session.double.set_limits(enforce=False)  # people do not press four buttons a second; limits are
    # enforced in the delivery tests and the benchmark
    for name in ("delivery",):  # per-process pacing state must not leak between tests
        bootstrap._built.pop(name, None)
    from functions import topology

    topology.take_violations()
    yield stack_session
    stack_session.drop_subscriptions()
    # A publish or secret read the target is not declared for (functions/topology.py) fails in the cloud.
    assert topology.take_violations() == [], "undeclared publish or secret read (functions/topology.py)"
