"""One exception root per layer: domain refusals and transient backend failures."""

from __future__ import annotations


class QorgauError(Exception):
    """Root of the application's own exceptions."""


class DomainError(QorgauError):
    """A request the rules refuse; answered politely, never retried."""


class TransientError(QorgauError):
    """A backend (Firestore, Pub/Sub, Telegram) failed in a way worth retrying."""
