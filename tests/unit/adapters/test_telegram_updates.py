"""PTB Updates read into Incoming: the 104 real updates, and what each kind becomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from functions.adapters.telegram.updates import to_incoming
from functions.domain.incoming import BotRightsChange, IncomingCallback, IncomingMessage

REAL = Path("/work/shared/telegram/updates/real-updates.jsonl")
USER = {"id": 42, "is_bot": False, "first_name": "A", "language_code": "kk"}
CHAT = {"id": 42, "type": "private"}


def read(data: dict[str, Any]) -> Any:
    return to_incoming(Update.de_json(data, None))


@pytest.mark.skipif(not REAL.exists(), reason="the shared corpus of real updates is not on this machine")
def test_every_real_update_reads_or_is_left_out() -> None:
    for line in REAL.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)["update"]
        try:
            update = Update.de_json(data, None)
        except Exception:  # the webhook acknowledges what PTB cannot read; not ours to read either
            continue
        incoming = to_incoming(update)
        assert incoming is None or isinstance(incoming, IncomingMessage | IncomingCallback | BotRightsChange)


class TestToIncoming:
    def test_an_edited_message_is_read_as_an_edit(self) -> None:
        text = "https://youtu.be/abcdefghijk"
        message = {"message_id": 7, "date": 0, "edit_date": 1, "chat": CHAT, "from": USER, "text": text}
        incoming = read({"update_id": 11, "edited_message": message})
        assert isinstance(incoming, IncomingMessage) and incoming.edited and incoming.message_id == 7
        assert not read({"update_id": 12, "message": message}).edited

    def test_a_text_with_a_link_carries_its_canonical_link(self) -> None:
        text = "смотрите https://www.tiktok.com/@a/video/7300000000000000001?is_from_webapp=1"
        message = {"message_id": 7, "date": 0, "chat": CHAT, "from": USER, "text": text}
        incoming = read({"update_id": 1, "message": message})
        assert isinstance(incoming, IncomingMessage)
        assert (incoming.chat_id, incoming.message_id, incoming.sender.language_code) == (42, 7, "kk")
        assert incoming.evidence is not None and incoming.evidence.urls == [
            "https://tiktok.com/video/7300000000000000001"
        ]

    def test_the_largest_photo_and_the_album_are_kept_by_reference(self) -> None:
        photos = [{"file_id": f"f{n}", "file_unique_id": f"u{n}", "width": n, "height": n} for n in (90, 800)]
        message = {"message_id": 8, "date": 0, "chat": CHAT, "from": USER, "photo": photos, "media_group_id": "g"}
        incoming = read({"update_id": 2, "message": message})
        assert incoming.evidence.media[0].file_unique_id == "u800" and incoming.evidence.media_group_id == "g"

    def test_a_forward_from_a_public_channel_is_a_link_to_the_post(self) -> None:
        origin = {
            "type": "channel",
            "date": 0,
            "message_id": 55,
            "chat": {"id": -100, "type": "channel", "username": "news"},
        }
        message = {"message_id": 9, "date": 0, "chat": CHAT, "from": USER, "forward_origin": origin, "text": "x"}
        incoming = read({"update_id": 3, "message": message})
        assert incoming.forwarded and incoming.evidence.urls == ["https://t.me/news/55"]

    def test_stickers_are_unsupported_and_replies_keep_the_replied_id(self) -> None:
        sticker = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                   "is_video": False, "type": "regular"}  # fmt: skip
        replied = {"message_id": 3, "date": 0, "chat": CHAT}
        message = {
            "message_id": 10,
            "date": 0,
            "chat": CHAT,
            "from": USER,
            "sticker": sticker,
            "reply_to_message": replied,
        }
        incoming = read({"update_id": 4, "message": message})
        assert incoming.unsupported and incoming.evidence is None and incoming.reply_to_message_id == 3

    def test_bots_and_channel_posts_are_nothing(self) -> None:
        bot = {"message_id": 1, "date": 0, "chat": CHAT, "from": USER | {"is_bot": True}, "text": "hi"}
        assert read({"update_id": 5, "message": bot}) is None
        post = {"message_id": 1, "date": 0, "chat": {"id": -1, "type": "channel"}, "text": "hi"}
        assert read({"update_id": 6, "channel_post": post}) is None

    def test_a_button_press_keeps_the_message_it_was_on(self) -> None:
        query = {"id": "q1", "from": USER, "chat_instance": "c", "data": "f:abc:cat:other",
                 "message": {"message_id": 12, "date": 0, "chat": {"id": -5, "type": "supergroup"}}}  # fmt: skip
        incoming = read({"update_id": 7, "callback_query": query})
        assert isinstance(incoming, IncomingCallback)
        assert (incoming.callback_id, incoming.data, incoming.chat_id, incoming.chat_type) == (
            "q1",
            "f:abc:cat:other",
            -5,
            "supergroup",
        )
        gone = read({"update_id": 8, "callback_query": {k: v for k, v in query.items() if k != "message"}})
        assert gone.chat_id is None

    @pytest.mark.parametrize(
        ("member", "can_delete"),
        [
            ({"status": "creator", "is_anonymous": False}, True),
            ({"status": "member"}, False),
            ({"status": "administrator", "can_delete_messages": False}, False),
            ({"status": "administrator", "can_delete_messages": True}, True),
        ],
    )
    def test_the_bots_rights_in_a_group(self, member: dict[str, Any], can_delete: bool) -> None:
        rights = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats")
        rights += ("can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users")
        admin_rights = dict.fromkeys((*rights, "can_post_stories", "can_edit_stories", "can_delete_stories"), False)
        new = {"user": USER | {"is_bot": True}} | (admin_rights if member["status"] == "administrator" else {}) | member
        old = {"status": "left", "user": USER | {"is_bot": True}}
        change = {
            "chat": {"id": -5, "type": "group"},
            "from": USER,
            "date": 0,
            "old_chat_member": old,
            "new_chat_member": new,
        }
        incoming = read({"update_id": 9, "my_chat_member": change})
        assert isinstance(incoming, BotRightsChange) and incoming.can_delete is can_delete
        assert incoming.joined and incoming.language_code == "kk"  # added to the group, by a Kazakh speaker
        promoted = change | {"old_chat_member": {"status": "member", "user": USER | {"is_bot": True}}}
        assert not read({"update_id": 10, "my_chat_member": promoted}).joined
