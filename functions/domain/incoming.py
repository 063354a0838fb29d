"""What one Telegram update means to us, free of python-telegram-bot: a message, a button press, a rights change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from functions.domain.models import EvidenceItem

GROUP_TYPES: Final = frozenset({"group", "supergroup"})


@dataclass(frozen=True)
class Sender:
    """The person behind an update (no username: it is never needed and never logged)."""

    user_id: int
    language_code: str | None = None
    first_name: str = ""
    is_bot: bool = False


@dataclass(frozen=True)
class SharedContact:
    """A contact a user sent (Telegram's contact-request keyboard): whose it is and the number; never logged."""

    user_id: int | None
    phone: str


@dataclass(frozen=True)
class IncomingMessage:
    """A new message in a chat, with what the adapter read from it (links and media by reference)."""

    update_id: int
    chat_id: int
    chat_type: str
    message_id: int
    sender: Sender
    text: str | None = None
    caption: str | None = None
    reply_to_message_id: int | None = None
    evidence: EvidenceItem | None = None
    forwarded: bool = False
    unsupported: bool = False  # a sticker, poll, location and the like: nothing a report can hold
    contact: SharedContact | None = None  # a shared contact (accepted only as a reporter's own phone number)
    edited: bool = False  # an earlier message, edited (never read as a report, a note or an answer)

    @property
    def private(self) -> bool:
        """Sent in a private chat with the bot."""
        return self.chat_type == "private"

    @property
    def in_group(self) -> bool:
        """Sent in a group or supergroup."""
        return self.chat_type in GROUP_TYPES


@dataclass(frozen=True)
class IncomingCallback:
    """A press on one of the bot's buttons; chat_id is None when the button's message is no longer known."""

    update_id: int
    callback_id: str
    sender: Sender
    data: str
    chat_id: int | None = None
    chat_type: str = ""
    message_id: int = 0


@dataclass(frozen=True)
class BotRightsChange:
    """The bot's own membership in a chat changed (my_chat_member)."""

    update_id: int
    chat_id: int
    chat_type: str
    status: str
    can_delete: bool
    joined: bool = False  # the bot came into the chat (it was not a member before)
    language_code: str | None = None  # of the person who changed the bot's membership


Incoming = IncomingMessage | IncomingCallback | BotRightsChange


def bot_may_delete(status: str | None, can_delete_messages: bool) -> bool:
    """Whether a member with this status and right may delete others' messages (the creator always may)."""
    return status == "creator" or (status == "administrator" and can_delete_messages)


def command_of(text: str | None, bot_username: str) -> tuple[str, str] | None:
    """(command, argument) of a '/command@bot arg' text addressed to this bot, or None."""
    text = text or ""
    if not text.startswith("/"):
        return None
    head, _, rest = text.partition(" ")
    name, _, target = head[1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower()[:32], rest.strip()
