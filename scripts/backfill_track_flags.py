"""Backfill the console's track fields on old cases (a repair): `python -m scripts.backfill_track_flags`.

Cases stored before the staff console lack `contact_pending` (a child case with no first contact yet) and
`content_state` (its links live / removed), so the queue's track filters miss them. This sets both on every case
that lacks them or holds them wrong, computed as the live code computes them (domain/track_flags.py), page by page
in document order, each page one batch with its checkpoint. Idempotent (a second run writes nothing) and
resumable: a run that stops (Ctrl-C, a crash, "kept changing") continues after the last page done when started
again; `--from-start` ignores the checkpoint. Safe while the bot runs: each update carries the case's
last-update time, and a case that changed meanwhile makes its page read again.
"""

from __future__ import annotations

import argparse
import sys
import time

from functions import bootstrap
from functions.adapters.firestore.track_flags import TrackFlagsBackfill
from functions.domain.time import utcnow


def main(argv: list[str] | None = None) -> int:
    """Backfill and say how many cases were read and written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--page-size", type=int, default=400, help="cases read and written per batch (max 499)")
    parser.add_argument("--from-start", action="store_true", help="ignore the checkpoint of an unfinished run")
    parser.add_argument("--dry-run", action="store_true", help="count what would be written, write nothing")
    args = parser.parse_args(argv)
    if not 0 < args.page_size < 500:
        parser.error("--page-size must be between 1 and 499 (one batch holds 500 writes, the checkpoint is one)")
    backfill = TrackFlagsBackfill(bootstrap.firestore_client(), utcnow)
    after = None if args.from_start else backfill.checkpoint()
    if after is not None:
        sys.stdout.write(f"resuming after {after}\n")
    started, scanned, written = time.monotonic(), 0, 0
    verb = "would be written" if args.dry_run else "written"
    for page in backfill.run(page_size=args.page_size, after=after, dry_run=args.dry_run):
        scanned, written = scanned + page.scanned, written + page.written
        sys.stdout.write(f"{scanned} cases read, {written} {verb}, last {page.last}\n")
    sys.stdout.write(f"done: {scanned} cases read, {written} {verb}, in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
