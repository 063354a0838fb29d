"""The Telegram Bot API double, independent of HTTP: its parts put together (the server module wraps it)."""

from __future__ import annotations

from .control import ControlApi
from .methods_chats import ChatMethods
from .methods_editing import EditingMethods
from .methods_sending import SendingMethods
from .methods_updates import UpdateMethods
from .users import PlayingUsers


class BotApiDouble(ControlApi, PlayingUsers, UpdateMethods, SendingMethods, EditingMethods, ChatMethods):
    """The double's state and behaviour: control API, calls, method handlers, playing users."""
