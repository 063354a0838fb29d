"""Deep links of /start (t.me/<bot>?start=<payload>): posters and QR codes open the right path directly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from functions.domain.regions import is_region

CHILD: Final = "child"  # school posters and QR codes for children: the child's path, in the child's voice
_REGION: Final = re.compile(r"r(\d{2})")  # r<region>: a regional poster, the region known before anyone asks


@dataclass(frozen=True)
class StartLink:
    """Where a /start payload leads: the child's path, a known region, or both unset."""

    child: bool = False
    region: str | None = None


def start_link(payload: str) -> StartLink | None:
    """The deep link in a /start payload, or None when it is none of ours (invites are the staff's)."""
    if payload == CHILD:
        return StartLink(child=True)
    match = _REGION.fullmatch(payload)
    if match and is_region(match.group(1)):
        return StartLink(region=match.group(1))
    return None
