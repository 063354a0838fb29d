"""The update types the webhook handles: what setWebhook and long polling subscribe to, and nothing more."""

from __future__ import annotations

from typing import Final

# message: reports, commands, notes; callback_query: every button; my_chat_member: the bot's own rights in a
# group (whether it may delete messages); edited_message: only to tell the person in a private chat that an edit
# is not read (send the correction anew). Channel posts, reactions and the rest are not used.
ALLOWED_UPDATES: Final[tuple[str, ...]] = ("message", "callback_query", "my_chat_member", "edited_message")
