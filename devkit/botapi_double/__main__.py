"""Run the Bot API double: python -m devkit.botapi_double --port 8081 --webhook-url URL --webhook-secret S."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from .limits import Limits
from .server import DoubleServer

log = logging.getLogger("botapi_double")


def main(argv: list[str] | None = None) -> int:
    defaults = Limits()
    parser = argparse.ArgumentParser(prog="python -m devkit.botapi_double", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--webhook-url", default=None, help="where updates from POST /_double/updates go")
    parser.add_argument("--webhook-secret", default=None, help="sent as X-Telegram-Bot-Api-Secret-Token")
    parser.add_argument("--token", default=None, help="accept only this bot token (default: any well-formed one)")
    parser.add_argument("--no-limits", action="store_true", help="do not enforce flood limits")
    parser.add_argument("--per-chat-per-s", type=float, default=defaults.per_chat_per_s)
    parser.add_argument("--per-chat-burst", type=int, default=defaults.per_chat_burst)
    parser.add_argument("--group-per-min", type=int, default=defaults.group_per_min)
    parser.add_argument("--global-per-s", type=int, default=defaults.global_per_s)
    parser.add_argument("--lenient-file-ids", action="store_true", help="accept file_ids the double never saw")
    parser.add_argument(
        "--lenient-callbacks", action="store_true", help="accept callback_query ids the double never issued"
    )
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    limits = Limits(
        enforce=not args.no_limits,
        per_chat_per_s=args.per_chat_per_s,
        per_chat_burst=args.per_chat_burst,
        group_per_min=args.group_per_min,
        global_per_s=args.global_per_s,
    )
    double = DoubleServer(
        args.host,
        args.port,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        token=args.token,
        limits=limits,
        strict_file_ids=not args.lenient_file_ids,
        strict_callback_queries=not args.lenient_callbacks,
    )
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    double.start()
    log.info("TELEGRAM_API_BASE_URL=%s  webhook=%s", double.base_url, args.webhook_url or "(none: updates queue)")
    stopping.wait()
    log.info("stopping")
    double.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
