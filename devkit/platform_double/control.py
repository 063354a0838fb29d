"""The platform double's control API from another process: `make chat`'s `/platform <link> <state>`."""

from __future__ import annotations

from typing import Final

import httpx

from .core import ItemState

USAGE: Final = "/platform <link> " + "|".join(state.value for state in ItemState)


def parse_command(text: str) -> tuple[str, ItemState] | None:
    """The link and state of a `/platform <link> <state>` line, or None when it is not one."""
    words = text.split()
    if len(words) != 3 or words[0] != "/platform" or words[2] not in {state.value for state in ItemState}:
        return None
    return words[1], ItemState(words[2])


def set_state(base_url: str, link: str, state: ItemState, timeout: float = 5.0) -> str:
    """Make an item answer as `state` from now on; the double's canonical key of the item."""
    response = httpx.post(f"{base_url}/_double/items", json={"url": link, "state": state.value}, timeout=timeout)
    response.raise_for_status()
    return str(response.json()["key"])
