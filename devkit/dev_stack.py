"""`make run`: the whole system on this machine — emulators, Bot API double (or real Telegram), four functions.

Without TELEGRAM_BOT_TOKEN the bot talks to the Bot API double and the conversation is printed here as it
happens; play a reporter with `make chat` in another terminal. With TELEGRAM_BOT_TOKEN set (and internet) the
same functions serve a real bot by long polling: no public URL is needed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

from devkit.emulators import EmulatorError, Emulators
from devkit.localstack import PROJECT
from devkit.processes import ROOT, start_functions, stop_processes
from devkit.pubsub import Wiring

STATE = ROOT / ".logs" / "stack.json"
PUBLIC_STAND_IN = "142.250.74.46"  # what every platform host "resolves" to locally: no DNS needed, guard kept
LOCAL_TOKEN = "1000001:local-token-of-the-double"  # noqa: S105  (the double's, not a secret)


def say(line: str) -> None:
    """Print one line of the live transcript."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def transcript(double: Any, stop: threading.Event) -> None:
    """Print what the bot says, as it happens (users' messages are printed as they are posted)."""
    seq = 0
    while not stop.is_set():
        for call in double.wait_events(after=seq, timeout=1.0):
            seq = max(seq, int(call["seq"]))
            params = call.get("params") or {}
            text = params.get("text") or params.get("caption") or ""
            if call["method"] in {"getUpdates", "getMe"}:
                continue
            status = "" if call["status"] == 200 else f"  [{call['status']}]"
            buttons = [
                b.get("text") for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
            ]
            shown = f"{text}" + (f"  {buttons}" if buttons else "")
            say(f"bot → {params.get('chat_id', '')} {call['method']}{status}: {shown}".rstrip(": "))


def _stop_on_signal(signum: int, _frame: Any) -> None:
    """SIGTERM or SIGHUP stop the stack like Ctrl-C, so nothing is left behind."""
    raise KeyboardInterrupt(signum)


def main() -> int:
    """Start everything, print the conversation, stop everything on Ctrl-C (or SIGTERM, SIGHUP)."""
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    logs = ROOT / ".logs"
    logs.mkdir(exist_ok=True)
    real_token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    try:
        emulators = Emulators(project=PROJECT, log_dir=logs).start()
    except EmulatorError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    procs: dict[str, subprocess.Popen[bytes]] = {}
    double = None
    platforms = None
    stop = threading.Event()
    try:
        secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET") or "local-webhook-secret"
        env = (
            dict(os.environ)
            | emulators.env()
            | {
                "TELEGRAM_WEBHOOK_SECRET": secret,
                "ADMIN_TELEGRAM_IDS": os.environ.get("ADMIN_TELEGRAM_IDS", "1001"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if not real_token:
            double = logging_double(int(os.environ.get("DOUBLE_PORT", "0")), LOCAL_TOKEN)
            env |= {
                "TELEGRAM_BOT_TOKEN": LOCAL_TOKEN,
                "TELEGRAM_API_BASE_URL": double.base_url,
                "TELEGRAM_BOT_USERNAME": "qorgau_local_bot",
            }
        platforms = platform_double(int(os.environ.get("PLATFORM_DOUBLE_PORT", "0")))
        env |= {
            "PLATFORM_API_BASE_URL": os.environ.get("PLATFORM_API_BASE_URL") or platforms.base_url,
            "LINK_CHECK_STATIC_ADDRESS": os.environ.get("LINK_CHECK_STATIC_ADDRESS", PUBLIC_STAND_IN),
            "LINK_CHECK_PER_PLATFORM_INTERVAL_SECONDS": os.environ.get(
                "LINK_CHECK_PER_PLATFORM_INTERVAL_SECONDS", "0.2"
            ),
        }
        os.environ.update(env)
        urls, procs = start_functions(env, logs)
        Wiring(PROJECT, env).wire(urls)
        if double is not None:
            double.set_webhook(urls["telegram_webhook"], secret)
        subprocess.run([sys.executable, "-m", "scripts.set_commands"], cwd=ROOT, env=env, check=False)
        if double is not None:
            register_local_officer()
        STATE.write_text(
            json.dumps(
                {
                    "double": double.base_url if double else None,
                    "platform_double": platforms.base_url,
                    "functions": urls,
                    "firestore": emulators.firestore_host,
                    "pubsub": emulators.pubsub_host,
                }
            )
        )
        say(f"Qorgau is running. Firestore {emulators.firestore_host}, Pub/Sub {emulators.pubsub_host}.")
        for target, url in urls.items():
            say(f"  {target}: {url}")
        if double is not None:
            say(
                f"  Bot API double: {double.base_url}  — `make chat` plays a reporter (user 3001); "
                "`make chat ARGS='--as admin'` the administrator (1001), `ARGS='--as officer'` the officer (2001)"
            )
            threading.Thread(target=transcript, args=(double, stop), daemon=True).start()
        else:
            say("  Real Telegram by long polling (TELEGRAM_BOT_TOKEN is set).")
            threading.Thread(target=poll_forever, args=(urls["telegram_webhook"], secret, stop), daemon=True).start()
        say(f"  Platform double: {platforms.base_url}  — in `make chat`: /platform <link> removed")
        say(f"  Staff console: {urls['console']}  — `make chat ARGS='--as admin'` prints a signed-in link")
        say("Ctrl-C stops everything.")
        next_tick = time.monotonic() + 60
        while True:
            time.sleep(1)
            for proc in procs.values():
                if proc.poll() is not None:
                    raise RuntimeError(f"a function exited ({proc.args!r}); see .logs/")
            if time.monotonic() >= next_tick:  # Cloud Scheduler's job in the cloud
                httpx.post(urls["tick"], timeout=60)
                next_tick += 60
    except KeyboardInterrupt:
        say("stopping…")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second signal must not cut the clean-up
            signal.signal(signum, signal.SIG_IGN)
        stop.set()
        stop_processes(procs.values())
        if double is not None:
            double.stop()
        if platforms is not None:
            platforms.stop()
        emulators.stop()
        STATE.unlink(missing_ok=True)
    return 0


def register_local_officer() -> None:
    """An on-duty specialist (user 2001) for `make chat ARGS='--as officer'`: cards of local reports reach them."""
    from functions import bootstrap
    from functions.domain.workflow import Role, StaffMember

    officer = StaffMember(user_id=2001, role=Role.SPECIALIST, on_duty=True, name="Local officer", lang="ru")
    bootstrap.cases().put_staff(officer, invited_by=1001)


def platform_double(port: int) -> Any:
    """The platform double the link checker is pointed at; items nobody configured answer as live."""
    from devkit.platform_double import ItemState, PlatformDoubleServer

    server = PlatformDoubleServer(port=port, default=ItemState.LIVE)
    server.start()
    return server


def poll_forever(webhook_url: str, secret: str, stop: threading.Event) -> None:
    """Long polling for a real bot: each update goes through the same webhook target as in the cloud."""
    from devkit.poll import run

    run(webhook_url, secret, stop)


def logging_double(port: int, token: str) -> Any:
    """The Bot API double, printing each user's update as it is posted (imported only in local mode)."""
    from devkit.botapi_double.server import DoubleServer

    class LoggingDouble(DoubleServer):
        """The double that also shows the users' side of the conversation."""

        def post_update(self, update: Any) -> dict[str, Any]:
            message = update.get("message") or {}
            query = update.get("callback_query") or {}
            if message:
                kinds = ("photo", "video", "document", "sticker", "animation")
                what = message.get("text") or message.get("caption") or next((k for k in kinds if k in message), "…")
                say(f"user {message.get('from', {}).get('id')} → {what}")
            elif query:
                say(f"user {query.get('from', {}).get('id')} pressed {query.get('data')}")
            result: dict[str, Any] = super().post_update(update)
            return result

    return LoggingDouble(port=port, token=token).start()


if __name__ == "__main__":
    raise SystemExit(main())
