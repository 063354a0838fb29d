"""A stand-in for the platforms' public endpoints (oEmbed, Telegram embed pages, item pages, short links)."""

from .core import FLAKY_STATUSES, ItemState, PlatformDouble, RecordedRequest
from .server import PlatformDoubleServer

__all__ = ["FLAKY_STATUSES", "ItemState", "PlatformDouble", "PlatformDoubleServer", "RecordedRequest"]
