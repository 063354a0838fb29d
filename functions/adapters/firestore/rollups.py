"""Firestore persistence of the statistics roll-ups: counters per scope and period (`stats`), and per case the
facts last applied to them (`stats_marks`), so that each change counts exactly once however often its event is
delivered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import REPORTS, RETRY, TIMEOUT, transient_errors
from functions.domain.rollups import RollupFacts, Writes, add_writes, contributions, delta, facts_from_case
from functions.domain.statistics import FACT_FIELDS
from functions.errors import TransientError

STATS: Final = "stats"
MARKS: Final = "stats_marks"
BATCH_LIMIT: Final = 400
# What a roll-up reads of a case (a projection: the case's text and evidence never leave the database).
CASE_FIELDS: Final[tuple[str, ...]] = (*FACT_FIELDS, "first_contact_at", "removed_at", "rollup_durations")
SYNC_ATTEMPTS: Final = 6


def nested(fields: Mapping[str, int]) -> dict[str, Any]:
    """Counter changes as the nested map of Increments that set(merge=True) applies field by field."""
    root: dict[str, Any] = {}
    for path, amount in fields.items():
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = firestore.Increment(amount)
    return root


class RollupStore:
    """Keeps the statistics roll-ups in step with the cases, and reads them for /stats."""

    def __init__(self, client: firestore.Client, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock

    def sync(self, code: str) -> int:
        """Bring the roll-ups in step with the case as it is now; how many documents changed (0: nothing to do).

        The case and its mark are read together; the counter changes (now minus what the mark says was applied)
        and the new mark are written in one batch, the mark with a precondition (created when new, else only if
        unchanged since read), so a re-delivered or concurrent event never counts twice and a lost one is made
        up by the next.

        Raises:
            TransientError: Firestore is unavailable, or the case kept changing under us.
        """
        case_ref = self.client.collection(REPORTS).document(code)
        mark_ref = self.client.collection(MARKS).document(code)
        for _attempt in range(SYNC_ATTEMPTS):
            with transient_errors():
                snaps = {
                    s.reference.path: s
                    for s in self.client.get_all(
                        [case_ref, mark_ref], [*CASE_FIELDS, "facts"], retry=RETRY, timeout=TIMEOUT
                    )
                }
            case, mark = snaps.get(case_ref.path), snaps.get(mark_ref.path)
            after = facts_from_case(code, case.to_dict() or {}) if case is not None and case.exists else None
            marked = mark is not None and mark.exists
            stored = (mark.to_dict() or {}).get("facts") if marked and mark is not None else None
            before = RollupFacts.from_doc(code, stored) if isinstance(stored, dict) else None
            changes = delta(before, after)
            if not changes and (marked or after is None):
                return 0
            batch = self.client.batch()
            for name, fields in changes.items():
                batch.set(self.client.collection(STATS).document(name), nested(fields), merge=True)
            record = {"facts": after.to_doc() if after else None, "at": self.clock()}
            if marked and mark is not None:
                batch.update(mark_ref, record, option=self.client.write_option(last_update_time=mark.update_time))
            else:
                batch.create(mark_ref, record)
            try:
                with transient_errors():
                    batch.commit(retry=RETRY, timeout=TIMEOUT)
            except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound):
                continue  # another delivery applied a change meanwhile: look again
            return len(changes)
        raise TransientError(f"roll-up of {code} kept changing")

    def read(self, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The roll-up documents of these ids (absent ones are empty), in one batched read."""
        refs = [self.client.collection(STATS).document(name) for name in dict.fromkeys(names)]
        found: dict[str, dict[str, Any]] = {}
        with transient_errors():
            for start in range(0, len(refs), 300):
                for snap in self.client.get_all(refs[start : start + 300], retry=RETRY, timeout=30.0):
                    if snap.exists:
                        found[snap.id] = snap.to_dict() or {}
        return found

    # --- repairs ------------------------------------------------------------------------------------------
    def add_counters(self, writes: Writes) -> None:
        """Add counter changes (Increments, so batches of a rebuild add up), BATCH_LIMIT documents a commit."""
        items = list(writes.items())
        for start in range(0, len(items), BATCH_LIMIT):
            batch = self.client.batch()
            for name, fields in items[start : start + BATCH_LIMIT]:
                batch.set(self.client.collection(STATS).document(name), nested(fields), merge=True)
            with transient_errors():
                batch.commit(retry=RETRY, timeout=60.0)

    def put_marks(self, facts: Iterable[RollupFacts]) -> None:
        """Record these facts as applied (overwriting any mark)."""
        now = self.clock()
        batch, count = self.client.batch(), 0
        for item in facts:
            batch.set(self.client.collection(MARKS).document(item.code), {"facts": item.to_doc(), "at": now})
            count += 1
            if count == BATCH_LIMIT:
                with transient_errors():
                    batch.commit(retry=RETRY, timeout=60.0)
                batch, count = self.client.batch(), 0
        if count:
            with transient_errors():
                batch.commit(retry=RETRY, timeout=60.0)

    def _delete_collection(self, name: str) -> int:
        deleted = 0
        while True:
            with transient_errors():
                refs = [snap.reference for snap in self.client.collection(name).select([]).limit(BATCH_LIMIT).stream()]
            if not refs:
                return deleted
            batch = self.client.batch()
            for ref in refs:
                batch.delete(ref)
            with transient_errors():
                batch.commit(retry=RETRY, timeout=60.0)
            deleted += len(refs)

    def cases(self, page_size: int = 1000) -> Iterator[RollupFacts]:
        """Every case's roll-up facts, read page by page in document order (a projection)."""
        last: Any = None
        while True:
            query = self.client.collection(REPORTS).select(list(CASE_FIELDS)).order_by("__name__").limit(page_size)
            if last is not None:
                query = query.start_after(last)
            with transient_errors():
                page = list(query.stream(retry=RETRY, timeout=60.0))
            for snap in page:
                facts = facts_from_case(snap.id, snap.to_dict() or {})
                if facts is not None:
                    yield facts
            if len(page) < page_size:
                return
            last = page[-1]

    def rebuild(self, flush_every: int = 5000) -> int:
        """Recompute every roll-up from the cases (a repair; run it while fan_out is paused); the cases counted.

        Deletes the counters and the marks, then reads the cases page by page, adding their contributions in
        memory and writing them (with the marks) every `flush_every` cases.
        """
        self._delete_collection(STATS)
        self._delete_collection(MARKS)
        pending: Writes = {}
        facts: list[RollupFacts] = []
        counted = 0
        for item in self.cases():
            add_writes(pending, contributions(item))
            facts.append(item)
            counted += 1
            if len(facts) >= flush_every:
                self.add_counters(pending)
                self.put_marks(facts)
                pending, facts = {}, []
        self.add_counters(pending)
        self.put_marks(facts)
        return counted
