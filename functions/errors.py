"""One exception root per layer: transient backend failures and the Bot API's refusals, as the ports raise them."""

from __future__ import annotations


class QorgauError(Exception):
    """Root of the application's own exceptions."""


class TransientError(QorgauError):
    """A backend (Firestore, Pub/Sub, Telegram) failed in a way worth retrying."""


class Busy(TransientError):
    """Another attempt holds the lease of this job (it may have died mid-send): try again once the lease runs out.

    Not a failure of the job: its attempts do not count towards parking it."""


class BotRetryAfter(TransientError):
    """The Bot API's flood control: wait retry_after seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}")
        self.retry_after = retry_after


class BotRefused(QorgauError):
    """The Bot API refused a call for good (bad request, blocked by the user)."""

    def __init__(self, kind: str, description: str) -> None:
        super().__init__(f"{kind}: {description}")
        self.kind = kind
        self.description = description

    @property
    def not_modified(self) -> bool:
        """Telegram's 'message is not modified': the edit is already done."""
        return "message is not modified" in self.description.lower()
