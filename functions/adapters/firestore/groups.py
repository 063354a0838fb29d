"""Groups: enabled, quarantine, the bot's rights, the codes of each quarantine notice window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore

from functions.adapters.firestore.base import (
    GROUP_NOTICES,
    GROUPS,
    RETRY,
    TIMEOUT,
    transient_errors,
)


class Groups:
    """Group settings and notice windows."""

    client: firestore.Client
    clock: Callable[[], datetime]

    # --- groups ---------------------------------------------------------------------------------------
    def update_group(self, chat_id: int, **fields: Any) -> None:
        """Change some settings of a group."""
        with transient_errors():
            self.client.collection(GROUPS).document(str(chat_id)).set(
                fields | {"updated_at": self.clock()}, merge=True, retry=RETRY, timeout=TIMEOUT
            )

    def add_group_notice_code(self, chat_id: int, bucket: int, code: str) -> None:
        """Add a quarantined case to the group's next coalesced notice."""
        now = self.clock()
        with transient_errors():
            self.client.collection(GROUP_NOTICES).document(f"{chat_id}_{bucket}").set(
                {
                    "chat_id": chat_id,
                    "bucket": bucket,
                    "codes": firestore.ArrayUnion([code]),
                    "expires_at": now + timedelta(days=2),
                },
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def set_group_bot_rights(self, chat_id: int, status: str, can_delete: bool) -> None:
        """Remember the bot's own membership and delete right in a group (from my_chat_member)."""
        with transient_errors():
            self.client.collection(GROUPS).document(str(chat_id)).set(
                {"bot_status": status, "bot_can_delete": can_delete, "updated_at": self.clock()},
                merge=True,
                retry=RETRY,
                timeout=TIMEOUT,
            )

    def group_notice_codes(self, chat_id: int, bucket: int) -> list[str]:
        """The cases of one group notice window."""
        with transient_errors():
            snap = (
                self.client.collection(GROUP_NOTICES).document(f"{chat_id}_{bucket}").get(retry=RETRY, timeout=TIMEOUT)
            )
        return [str(code) for code in (snap.get("codes") or [])] if snap.exists else []
