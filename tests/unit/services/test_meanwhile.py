"""Work started meanwhile: done at once outside a scope, waited for (and its error raised) when the scope ends."""

from __future__ import annotations

import threading

import pytest

from functions.services import meanwhile


class TestMeanwhile:
    def test_outside_a_scope_the_work_is_done_at_once_on_this_thread(self) -> None:
        ran: list[str] = []
        meanwhile.soon(lambda: ran.append(threading.current_thread().name))
        assert ran == [threading.current_thread().name]

    def test_a_scope_runs_the_work_beside_its_body_and_waits_for_it_before_it_ends(self) -> None:
        started, release, done = threading.Event(), threading.Event(), []

        def work() -> None:
            started.set()
            release.wait(5)
            done.append(1)

        with meanwhile.scope():
            meanwhile.soon(work)
            assert started.wait(5)  # running while the body goes on
            assert done == []
            release.set()
        assert done == [1]  # the scope ended only once the work had

    def test_the_works_error_is_raised_when_the_scope_ends(self) -> None:
        def fail() -> None:
            raise RuntimeError("publish failed")

        with pytest.raises(RuntimeError, match="publish failed"), meanwhile.scope():
            meanwhile.soon(fail)

    def test_the_bodys_own_error_wins_and_the_work_is_still_waited_for(self) -> None:
        done: list[int] = []
        with pytest.raises(KeyError), meanwhile.scope():
            meanwhile.soon(lambda: done.append(1))
            meanwhile.soon(lambda: (_ for _ in ()).throw(RuntimeError("second")))
            raise KeyError("body")
        assert done == [1]

    def test_after_a_scope_work_is_done_at_once_again(self) -> None:
        with meanwhile.scope():
            pass
        ran: list[int] = []
        meanwhile.soon(lambda: ran.append(1))
        assert ran == [1]
