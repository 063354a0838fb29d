"""Answers the webhook could not deliver at once (a 429, a timeout): stored for deliver to send, paced and once.

A delivery job names a stored reply by id and carries nothing else, so a forged push can only re-send (once)
an answer the webhook itself stored; replies expire by Firestore TTL on `expires_at`. An edit waits beside the
newest update that deferred an edit of the same message (`reply_heads/{chat}_{message}`): an older edit that
arrives late (an outage, a re-sent update) is dropped instead of turning the message back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from google.cloud import firestore

from functions.adapters.firestore.base import RETRY, TIMEOUT, transient_errors

REPLIES: Final = "replies"
REPLY_HEADS: Final = "reply_heads"
REPLY_TTL: Final = timedelta(days=2)


def edited_message(call: dict[str, Any]) -> int | None:
    """The message an edit call rewrites (None for a send)."""
    message_id = (call.get("params") or {}).get("message_id")
    return message_id if str(call.get("method", "")).startswith("edit") and isinstance(message_id, int) else None


class Replies:
    """Keeping and reading deferred answers."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def put_reply(self, reply_id: str, chat_id: int, call: dict[str, Any], update_id: int) -> None:
        """Store one answer (a Bot API call as data) for deliver to send (idempotent per id).

        The call is kept as JSON text: a keyboard is an array of arrays, which Firestore cannot store.
        """
        now = self.clock()
        record = {"chat_id": chat_id, "call": json.dumps(call, ensure_ascii=False), "update_id": update_id}
        record |= {"created_at": now, "expires_at": now + REPLY_TTL}
        message_id = edited_message(call)
        with transient_errors():
            self.client.collection(REPLIES).document(reply_id).set(record, retry=RETRY, timeout=TIMEOUT)
            if message_id is not None:
                head = self.client.collection(REPLY_HEADS).document(f"{chat_id}_{message_id}")
                self._raise_head(head, update_id, now)

    def _raise_head(self, head: Any, update_id: int, now: datetime) -> None:
        """The newest update that deferred an edit of this message (a transaction: two never lower it)."""

        @firestore.transactional
        def raise_head(transaction: Any) -> None:
            snap = head.get(["update_id"], transaction=transaction)
            known = (snap.to_dict() or {}).get("update_id") if snap.exists else None
            if not isinstance(known, int) or known < update_id:
                transaction.set(head, {"update_id": update_id, "expires_at": now + REPLY_TTL})

        raise_head(self.client.transaction())

    def get_reply(self, reply_id: str) -> tuple[int, dict[str, Any]] | None:
        """The chat and the call of a stored answer; None when there is none, or it is an edit a newer update's
        deferred edit of the same message supersedes."""
        with transient_errors():
            snap = self.client.collection(REPLIES).document(reply_id).get(retry=RETRY, timeout=TIMEOUT)
        data = snap.to_dict() or {} if snap.exists else {}
        try:
            call = json.loads(data["call"]) if isinstance(data.get("call"), str) else None
        except ValueError:
            call = None
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int) or not isinstance(call, dict):
            return None
        message_id, update_id = edited_message(call), data.get("update_id")
        if message_id is not None and isinstance(update_id, int):
            head_ref = self.client.collection(REPLY_HEADS).document(f"{chat_id}_{message_id}")
            with transient_errors():
                head = head_ref.get(["update_id"], retry=RETRY, timeout=TIMEOUT)
            newest = (head.to_dict() or {}).get("update_id") if head.exists else None
            if isinstance(newest, int) and newest > update_id:
                return None
        return chat_id, call
