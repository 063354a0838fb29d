"""Canonicalise reported links so that one incident reported many times maps to one content key.

One item has one form: the shapes people share (embed, player, share, mobile and legacy hosts, slugs, tracking
parameters) collapse to the platform's plain item link. Short links and wrappers whose target is not in the link
itself (``vm.tiktok.com/…``, ``t.co/…``, ``bit.ly/…``, ``instagram.com/share/…``) keep their own form and are
flagged by :func:`needs_resolving`: the link checker follows them, the webhook never does. The corpus of real
shapes behind these rules is ``tests/data/urls/`` (sources named per line).
"""

from functions.domain.urls.canonical import (
    canonical_url,
    content_key_for_media,
    content_key_for_url,
    extract_urls,
)
from functions.domain.urls.parts import needs_resolving, platform_of
from functions.domain.urls.tables import MAX_URL_LENGTH, MAX_URLS_PER_MESSAGE, SHORT_LINK_HOSTS

__all__ = [
    "MAX_URLS_PER_MESSAGE",
    "MAX_URL_LENGTH",
    "SHORT_LINK_HOSTS",
    "canonical_url",
    "content_key_for_media",
    "content_key_for_url",
    "extract_urls",
    "needs_resolving",
    "platform_of",
]
