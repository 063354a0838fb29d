"""Run the platform double: python -m devkit.platform_double --port 8082 (then PLATFORM_API_BASE_URL=its URL)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from .core import ItemState
from .server import PlatformDoubleServer

log = logging.getLogger("platform_double")


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m devkit.platform_double", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument(
        "--default",
        choices=[state.value for state in ItemState],
        default=None,
        help="how an item nobody configured answers (default: as one that never existed)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = PlatformDoubleServer(args.host, args.port, default=ItemState(args.default) if args.default else None)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server.start()
    log.info("PLATFORM_API_BASE_URL=%s", server.base_url)
    stopping.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
