"""Register the bot's command menu and its descriptions in Kazakh and Russian (setMyCommands, setMyDescription,
setMyShortDescription), against Telegram or the double."""

from __future__ import annotations

import sys

from functions import bootstrap
from functions.services.commands import command_calls, description_calls


def main() -> int:
    """Register every language's commands and descriptions; non-zero exit when Telegram refuses one."""
    gateway = bootstrap.telegram()
    for call in [*command_calls(), *description_calls()]:
        gateway.call(call)
        sys.stdout.write(f"{call.method} {call.params.get('language_code', 'default')}: ok\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
