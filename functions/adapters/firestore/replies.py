"""Answers the webhook could not deliver at once (a 429, a timeout): stored for deliver to send, paced and once.

A delivery job names a stored reply by id and carries nothing else, so a forged push can only re-send (once)
an answer the webhook itself stored; replies expire by Firestore TTL on `expires_at`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from google.cloud import firestore

from functions.adapters.firestore.base import RETRY, TIMEOUT, transient_errors

REPLIES: Final = "replies"
REPLY_TTL: Final = timedelta(days=2)


class Replies:
    """Keeping and reading deferred answers."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def put_reply(self, reply_id: str, chat_id: int, call: dict[str, Any]) -> None:
        """Store one answer (a Bot API call as data) for deliver to send (idempotent per id).

        The call is kept as JSON text: a keyboard is an array of arrays, which Firestore cannot store."""
        now = self.clock()
        record = {"chat_id": chat_id, "call": json.dumps(call, ensure_ascii=False), "created_at": now}
        with transient_errors():
            self.client.collection(REPLIES).document(reply_id).set(
                record | {"expires_at": now + REPLY_TTL},
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def get_reply(self, reply_id: str) -> tuple[int, dict[str, Any]] | None:
        """The chat and the call of a stored answer, or None."""
        with transient_errors():
            snap = self.client.collection(REPLIES).document(reply_id).get(retry=RETRY, timeout=TIMEOUT)
        data = snap.to_dict() or {} if snap.exists else {}
        try:
            call = json.loads(data["call"]) if isinstance(data.get("call"), str) else None
        except ValueError:
            call = None
        if not isinstance(data.get("chat_id"), int) or not isinstance(call, dict):
            return None
        return int(data["chat_id"]), call
