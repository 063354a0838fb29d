"""Rebuild the statistics roll-ups from the cases (a repair): `python -m scripts.rebuild_rollups`.

Deletes every roll-up counter and mark, then reads the cases page by page (a projection of the fields statistics
use) and writes their counters and marks again. Pause fan_out's push subscription while it runs (events wait in
Pub/Sub and are applied after it, each once, against the new marks).
"""

from __future__ import annotations

import argparse
import sys
import time

from functions import bootstrap


def main(argv: list[str] | None = None) -> int:
    """Rebuild and say how many cases were counted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--flush-every", type=int, default=5000, help="cases added up in memory between writes")
    args = parser.parse_args(argv)
    started = time.monotonic()
    counted = bootstrap.rollups().rebuild(flush_every=args.flush_every)
    sys.stdout.write(f"roll-ups rebuilt from {counted} cases in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
