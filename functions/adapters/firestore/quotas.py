"""Per-person hourly quotas (exports): one document created per use, so a quota is never a contended counter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from google.api_core import exceptions as gexc
from google.cloud import firestore

from functions.adapters.firestore.base import RETRY, TIMEOUT, transient_errors

QUOTAS: Final = "quotas"


class Quotas:
    """Taking one use of a per-person quota for the current hour."""

    client: firestore.Client
    clock: Callable[[], datetime]

    def take_quota(self, name: str, user_id: int, per_hour: int) -> bool:
        """Take one of this person's `per_hour` uses of `name` this hour; False when all are taken.

        Each use is a document `quotas/<name>-<user>-<hour>-<k>` made with create() (first one wins), k from 0:
        no read-modify-write, no hot document, and it expires by TTL on `expires_at`.
        """
        now = self.clock()
        hour = now.strftime("%Y%m%d%H")
        for k in range(per_hour):
            ref = self.client.collection(QUOTAS).document(f"{name}-{user_id}-{hour}-{k}")
            try:
                with transient_errors():
                    ref.create({"at": now, "expires_at": now + timedelta(days=1)}, retry=RETRY, timeout=TIMEOUT)
            except gexc.AlreadyExists:
                continue
            return True
        return False
