"""Every message the bot sent that carries a case's content, outside the cards: evidence, /case copies.

The retention purge reads these to edit or delete each one, whoever holds it now; cards are recorded apart
(delivery_records). Documents live until the purge deletes them with the case's content.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from google.cloud import firestore

from functions.adapters.firestore.base import RETRY, SENT_MESSAGES, TIMEOUT, transient_errors

BATCH_LIMIT: Final = 400


class SentMessages:
    """Where a case's content went: (chat, message) pairs and what kind of message each is."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def track_message(self, code: str, chat_id: int, message_id: int, kind: str) -> None:
        """Record one message that carries the case's content (idempotent)."""
        with transient_errors():
            self.client.collection(SENT_MESSAGES).document(f"{chat_id}_{message_id}").set(
                {"report_id": code, "chat_id": chat_id, "message_id": message_id, "kind": kind, "at": self.clock()},
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def messages_of(self, code: str) -> list[dict[str, Any]]:
        """Every recorded message of the case."""
        query = self.client.collection(SENT_MESSAGES).where(filter=firestore.FieldFilter("report_id", "==", code))
        with transient_errors():
            return [snap.to_dict() or {} for snap in query.stream(retry=RETRY, timeout=TIMEOUT)]

    def forget_message(self, chat_id: int, message_id: int) -> None:
        """Drop the record of a message once it no longer carries anything."""
        with transient_errors():
            self.client.collection(SENT_MESSAGES).document(f"{chat_id}_{message_id}").delete(
                retry=RETRY, timeout=TIMEOUT
            )
