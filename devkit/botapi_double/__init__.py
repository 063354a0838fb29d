"""A local double of the Telegram Bot API: strict validation, flood limits, faults, recording, fake users."""

from .builders import (
    make_album_updates,
    make_callback_update,
    make_chat,
    make_command_update,
    make_document_update,
    make_edited_text_update,
    make_forward_update,
    make_media_update,
    make_my_chat_member_update,
    make_photo_update,
    make_text_update,
    make_user,
    make_video_update,
)
from .double import BotApiDouble
from .faults import FaultRule
from .limits import Limits
from .server import DoubleServer
from .spec import ApiError
from .state import BOT_FIRST_NAME, BOT_USERNAME, DEFAULT_TOKEN

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiDouble",
    "DoubleServer",
    "FaultRule",
    "Limits",
    "make_album_updates",
    "make_callback_update",
    "make_chat",
    "make_command_update",
    "make_document_update",
    "make_edited_text_update",
    "make_forward_update",
    "make_media_update",
    "make_my_chat_member_update",
    "make_photo_update",
    "make_text_update",
    "make_user",
    "make_video_update",
]
