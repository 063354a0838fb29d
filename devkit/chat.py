"""`make chat`: a terminal chat client that plays a Telegram user against `make run` (through the double).

Type text to send it; `/photo`, `/video` send a fake photo or video; `#N` presses button N of the bot's
last message with buttons (numbers are shown next to each button); `/platform <link> removed` (or live,
private, geo_blocked, embedding_disabled, flaky) changes how the platform double answers for an item, so a
case's link can be watched coming down; `/quit` leaves. By default it plays a reporter (user 3001); `--as admin`
plays the local administrator (1001), `--as officer` the local on-duty officer `make run` registers (2001);
`--user` picks any other id, `--lang kk|ru` the Telegram language, `--group -100123` writes in a group instead.
Playing staff, it prints a link that opens the staff console in a normal browser, signed in as that user with
initData signed locally by the bot token (valid 5 minutes, once); `/console` prints a fresh one.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from devkit.botapi_double.builders import make_callback_update, make_media_update, make_text_update

STATE = Path(__file__).resolve().parents[1] / ".logs" / "stack.json"
REPORTER_ID = 3001
ADMIN_ID = 1001  # ADMIN_TELEGRAM_IDS of `make run`
OFFICER_ID = 2001  # the on-duty specialist `make run` registers
PLAYS = {"reporter": REPORTER_ID, "admin": ADMIN_ID, "officer": OFFICER_ID}
WHO = {"reporter": "a reporter", "admin": "the local administrator", "officer": "the local on-duty officer"}


def banner(who: str, user_id: int, lang: str) -> str:
    """Which user the client plays, and how to play another one."""
    role = WHO.get(who, "a user of your choice")
    others = ", ".join(f"`make chat ARGS='--as {name}'`" for name in PLAYS if name != who)
    return (
        f"You are user {user_id}, {role} ({lang}). Try /start (the language first, then who you are; `/start child`"
        f" is a school poster's QR code), then send a link with a few words: #N presses button N. /quit leaves.\n"
        f"Play someone else: {others}.\n> "
    )


def console_link(state: dict[str, Any], user_id: int, lang: str, dark: bool = False) -> str | None:
    """A link opening the local console as this user: initData in the address's fragment, as Telegram passes it."""
    import os
    import urllib.parse

    import init_data_py

    from devkit.dev_stack import LOCAL_TOKEN

    base = (state.get("functions") or {}).get("console")
    if not base:
        return None
    token = os.environ.get("TELEGRAM_BOT_TOKEN") or LOCAL_TOKEN
    user = json.dumps({"id": user_id, "first_name": f"User {user_id}", "language_code": lang}, separators=(",", ":"))
    signed = init_data_py.sign({"user": user, "query_id": f"local{user_id}"}, token)
    theme = {"bg_color": "#17212b", "text_color": "#f5f5f5", "button_color": "#5288c1"} if dark else {}
    fragment = urllib.parse.urlencode(
        {
            "tgWebAppData": signed,
            "tgWebAppThemeParams": json.dumps(theme),
            "tgWebAppColorScheme": "dark" if dark else "light",
        }
    )
    return f"{base.rstrip('/')}/#{fragment}"


def show(message: dict[str, Any], buttons: list[dict[str, Any]]) -> None:
    """Print a bot message with numbered buttons."""
    text = message.get("text") or message.get("caption") or ""
    sys.stdout.write(f"\n🤖 {text}\n")
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons.clear()
    for row in rows:
        for button in row:
            buttons.append({"button": button, "message_id": message.get("message_id")})
            sys.stdout.write(f"   #{len(buttons)} {button.get('text')}\n")
    sys.stdout.write("> ")
    sys.stdout.flush()


def follow(client: httpx.Client, chat_id: int, buttons: list[dict[str, Any]], stop: threading.Event) -> None:
    """Long-poll the double for the bot's calls in this chat and print the messages as they are now."""
    seq = int(client.get("/_double/events", params={"after": 0, "timeout": 0}).json().get("last_seq", 0))
    while not stop.is_set():
        body = client.get("/_double/events", params={"after": seq, "timeout": 20}, timeout=30).json()
        seq = int(body.get("last_seq", seq))
        for call in body.get("calls", []):
            if str(call.get("params", {}).get("chat_id")) != str(chat_id) or call.get("status") != 200:
                continue
            result = call.get("response", {}).get("result")
            if isinstance(result, dict) and "message_id" in result:
                show(result, buttons)


def platform_command(base: str | None, text: str) -> str:
    """`/platform <link> <state>`: how the platform double answers for that item from now on."""
    from devkit.platform_double.control import USAGE, parse_command, set_state

    parsed = parse_command(text)
    if parsed is None or not base:
        return USAGE if base else "The platform double is not running."
    key = set_state(base, *parsed)
    return f"(platform double: {key} is now {parsed[1].value}; the checker sees it at its next check)"


def arguments(argv: list[str] | None = None) -> tuple[str, argparse.Namespace]:
    """The command line: who is played (reporter by default) and the user id, language and group."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as", dest="who", choices=sorted(PLAYS), default="reporter")
    parser.add_argument("--user", type=int, default=None)
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--group", type=int, default=None)
    args = parser.parse_args(argv)
    who = args.who if args.user is None else next((k for k, v in PLAYS.items() if v == args.user), "custom")
    args.user = args.user if args.user is not None else PLAYS[args.who]
    return who, args


def main() -> int:
    """Read lines from the terminal and post them as the user's updates."""
    who, args = arguments()
    if not STATE.exists():
        sys.stderr.write("The local stack is not running: start it with `make run` in another terminal.\n")
        return 2
    state = json.loads(STATE.read_text())
    base = state["double"]
    client = httpx.Client(base_url=base, timeout=70)
    chat_id = args.group if args.group is not None else args.user
    buttons: list[dict[str, Any]] = []
    stop = threading.Event()
    threading.Thread(target=follow, args=(client, chat_id, buttons, stop), daemon=True).start()
    link = console_link(state, args.user, args.lang) if who in {"admin", "officer"} else None
    if link:
        sys.stdout.write(f"Staff console (open in a browser within 5 minutes; /console for a new link):\n{link}\n")
    sys.stdout.write(banner(who, args.user, args.lang))
    sys.stdout.flush()
    try:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            if text == "/quit":
                break
            if text in {"/console", "/console dark"}:
                link = console_link(state, args.user, args.lang, dark=text.endswith("dark"))
                sys.stdout.write(f"{link or 'the console is not running'}\n> ")
                sys.stdout.flush()
                continue
            if text.startswith("/platform"):
                sys.stdout.write(platform_command(state.get("platform_double"), text) + "\n> ")
                sys.stdout.flush()
                continue
            if text.startswith("#") and text[1:].isdigit() and 0 < int(text[1:]) <= len(buttons):
                chosen = buttons[int(text[1:]) - 1]
                update = make_callback_update(
                    args.user, chosen["message_id"], chosen["button"]["callback_data"], chat_id, args.lang
                )
            elif text in {"/photo", "/video"}:
                update = make_media_update(text[1:], args.user, args.group, language_code=args.lang)
            else:
                update = make_text_update(args.user, text, args.group, args.lang)
            answer = client.post("/_double/updates", json=update).json()
            if answer.get("status") not in (200, None):
                sys.stdout.write(f"(the webhook answered {answer.get('status')})\n> ")
                sys.stdout.flush()
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
