"""The help-the-child track of a case: its fields on the case document, written with their audit event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import EVENTS, REPORTS, RETRY, TIMEOUT, transient_errors


class ChildHelpRecords:
    """Writes of the child track (the case is read by CaseReads, first contact by RelayRecords)."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def set_child_help(
        self, code: str, read_at: Any, changes: dict[str, Any], event_id: str, audit: dict[str, Any]
    ) -> bool:
        """Write the track's fields (dotted paths of `child_help`) only if the case did not change since it was
        read, with their audit event; False when it changed (re-read and try again). The same press re-sent
        finds its event written: nothing is written again, and it counts as done."""
        now = self.clock()
        report = self.client.collection(REPORTS).document(code)
        batch = self.client.batch()
        batch.update(report, changes | {"updated_at": now}, option=self.client.write_option(last_update_time=read_at))
        batch.create(report.collection(EVENTS).document(event_id), audit | {"at": now})
        try:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=TIMEOUT)
        except gexc.AlreadyExists:
            return True
        except (gexc.FailedPrecondition, gexc.Aborted, gexc.NotFound):
            return False
        return True

    def sync_rollups(self, code: str) -> int:
        """Bring the statistics' roll-ups in step with the case (after a first contact written outside fan-out)."""
        from functions.adapters.firestore.rollups import RollupStore

        return RollupStore(self.client, self.clock).sync(code)
