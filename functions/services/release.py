"""Handing a revoked person's open cases back: each goes back to `new` with no owner, its history says why, and
fan-out re-routes it (the revoked person's cards become stubs, the people it routes to get a card or an alert).

/revoke stores a marker on the staff record, then releases the first page inside its answer; when there are
more, tick finishes the job page by page and tells the admin. Each release is a precondition write that decides
again on the case as read (still open, still theirs), so a retried /revoke, a second tick or a crash half-way
never releases a case twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final, Protocol

from functions.domain.case import Case
from functions.domain.jobs import DeliveryJob
from functions.domain.workflow import RELEASED_TO, PendingRelease, StaffMember, releasable
from functions.errors import TransientError
from functions.i18n import plural
from functions.log import get_logger
from functions.services.case_writes import CaseWriter, CaseWrites, Change
from functions.services.submit import EventSink

log = get_logger("staff")

REVOKE_PAGE: Final = 10  # cases released inside /revoke's answer (~0.5 s): a longer list is tick's
TICK_PAGE: Final = 50
TICK_PAGES: Final = 4  # per person and tick: at most 200 writes in one tick for one revoked person
NOTICE: Final = "released"


class ReleaseStore(CaseWrites, Protocol):
    """What releasing needs from storage (CaseStore implements it)."""

    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def open_cases_of(self, user_id: int, limit: int) -> list[str]: ...
    def pending_releases(self, limit: int = 20) -> list[PendingRelease]: ...
    def finish_release(self, user_id: int) -> int | None: ...


class Releases:
    """Releases the open cases of revoked people: a page inside /revoke, the rest from tick."""

    def __init__(
        self,
        store: ReleaseStore,
        events: EventSink,
        reports_topic: str,
        deliveries_topic: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.events = events
        self.deliveries_topic = deliveries_topic
        self.clock = clock
        self.writer = CaseWriter(store, events, reports_topic, clock, log)

    def on_revoke(self, owner: int, by: int) -> int | None:
        """Release the first page now (the marker is stored): the total released when that was all of them;
        None when tick finishes the rest (it then tells the admin)."""
        try:
            finished = self.page(owner, by, REVOKE_PAGE)[1]
        except TransientError:
            log.warning("release left to tick", extra={"user_id": owner})
            return None
        return (self.store.finish_release(owner) or 0) if finished else None

    def run(self) -> dict[str, int]:
        """Tick's step: go on releasing for everyone revoked whose cases are not all released yet.

        Raises:
            TransientError: storage failed; the next tick goes on from where this one stopped.
        """
        released = 0
        for pending in self.store.pending_releases():
            for _page in range(TICK_PAGES):
                count, finished = self.page(pending.user_id, pending.by, TICK_PAGE)
                released += count
                if finished:
                    self._finish(pending)
                    break
        return {"released": released}

    def page(self, owner: int, by: int, limit: int) -> tuple[int, bool]:
        """Release up to `limit` of the owner's open cases: how many this call released, and whether that was all."""
        codes = self.store.open_cases_of(owner, limit)
        released = sum(1 for code in codes if self._release(code, owner, by))
        return released, len(codes) < limit

    def _release(self, code: str, owner: int, by: int) -> bool:
        def decide(case: Case) -> Change | None:
            if not releasable(case.view(), owner):
                return None  # closed or re-assigned meanwhile, or released already: nothing to do
            # released_from: the admin's total is counted from the cases themselves (exact after any crash)
            changes = {"status": RELEASED_TO.value, "assignee": None, "taken_at": None, "released_from": owner}
            audit = {
                "type": "released",
                "by": by,
                "from": case.status.value,
                "to": RELEASED_TO.value,
                "note": "owner_revoked",
                "owner": owner,
            }
            ids = {"by": by, "user_id": owner}
            return Change(changes, audit, NOTICE, to_status=RELEASED_TO.value, logged="case released", log_extra=ids)

        return isinstance(self.writer.write(code, decide, None), Case)

    def _finish(self, pending: PendingRelease) -> None:
        total = self.store.finish_release(pending.user_id)
        if not total:  # none to tell about, or another run finished it and told
            return
        admin = self.store.get_staff(pending.by)
        lang = admin.lang if admin is not None else "ru"
        job = DeliveryJob(
            job_id=f"release-{pending.user_id}-{int(self.clock().timestamp())}",
            kind="text",
            report_id="release",
            recipient_id=pending.by,
            event_id=f"release-{pending.user_id}",
            text=told(lang, total, pending.user_id),
        )
        self.events.publish(self.deliveries_topic, job)


def told(lang: str, count: int, user_id: int) -> str:
    """What the admin who revoked hears about the released cases."""
    return plural(lang, "release_done", count, count=count, user_id=user_id)
