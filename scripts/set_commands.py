"""Register the bot's command menu in Kazakh and Russian (setMyCommands), against Telegram or the double."""

from __future__ import annotations

import sys

from functions import bootstrap
from functions.services.commands import command_calls


def main() -> int:
    """Register every language's commands; non-zero exit when Telegram refuses one."""
    gateway = bootstrap.telegram()
    for call in command_calls():
        gateway.call(call)
        sys.stdout.write(f"setMyCommands {call.params.get('language_code', 'default')}: ok\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
