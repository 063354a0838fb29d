"""Message text as Telegram counts it (UTF-16 code units) and reporter text shown as a visible quote.

Telegram limits a message to 4096 and a caption to 1024 characters *after entity parsing*, counted in UTF-16
code units: an emoji outside the Basic Multilingual Plane is two. Entity offsets and lengths use the same unit.
Text written by a reporter goes into a card only inside a `blockquote` entity, after control and direction
characters are taken out, so that however many lines it has it cannot pass for the card's own fields.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

MESSAGE_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
ELLIPSIS: Final = "…"
MAX_QUOTED_LINES: Final = 12

Entity = dict[str, Any]


def utf16_len(text: str) -> int:
    """The length of text in UTF-16 code units, as Telegram counts it."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def utf16_cut(text: str, limit: int) -> str:
    """The longest prefix of text that is at most `limit` UTF-16 code units (never half a character)."""
    if limit <= 0:
        return ""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Text cut to Telegram's limit, with an ellipsis when something was cut."""
    if utf16_len(text) <= limit:
        return text
    return utf16_cut(text, limit - 1) + ELLIPSIS


def clean_quoted(text: str, max_lines: int = MAX_QUOTED_LINES) -> str:
    """A reporter's text made safe to quote: no control or direction characters, no empty-line padding.

    Newlines stay (a description may have several lines) but runs of blank lines collapse, and there are at
    most `max_lines` lines; tabs become spaces. Format characters (category Cf: bidi overrides, zero-width
    joiners) would let a text look like something else, so they go.
    """
    kept: list[str] = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "):
        category = unicodedata.category(ch)
        if ch == "\n" or (category not in {"Cc", "Cf", "Cs", "Co", "Cn"} and category not in {"Zl", "Zp"}):
            kept.append(ch)
    lines = [line.strip() for line in "".join(kept).split("\n")]
    compact: list[str] = []
    for line in lines:
        if line or (compact and compact[-1]):
            compact.append(line)
    while compact and not compact[-1]:
        compact.pop()
    if len(compact) > max_lines:
        compact = [*compact[: max_lines - 1], compact[max_lines - 1] + " " + ELLIPSIS]
    return "\n".join(compact)


@dataclass(frozen=True)
class Quote:
    """A block of someone else's words, shown as a Telegram blockquote."""

    text: str


Part = str | Quote


def compose(parts: Sequence[Part], limit: int = MESSAGE_LIMIT) -> tuple[str, list[Entity]]:
    """Lines joined by newlines, quotes marked with blockquote entities, the whole within `limit` UTF-16 units.

    When the text is too long, it is cut (with an ellipsis) and a quote that was cut keeps an entity over
    what is left of it, so what is shown is never longer than Telegram allows and never unquoted.

    Returns:
        The text and its entities (offsets and lengths in UTF-16 code units).
    """
    text = ""
    entities: list[Entity] = []
    budget = limit - 1  # room for the ellipsis if anything is cut
    for index, part in enumerate(parts):
        separator = "\n" if index else ""
        body = clean_quoted(part.text) if isinstance(part, Quote) else part
        if not body:
            continue
        piece = separator + body
        room = budget - utf16_len(text)
        cut = utf16_len(piece) > room
        if cut:
            piece = utf16_cut(piece, room)
        start = utf16_len(text) + utf16_len(separator)
        text += piece
        if isinstance(part, Quote):
            length = utf16_len(piece) - utf16_len(separator) + (1 if cut else 0)
            if cut:
                text += ELLIPSIS
            if length > 0:
                entities.append({"type": "blockquote", "offset": start, "length": length})
        elif cut:
            text += ELLIPSIS
        if cut:
            break
    return text, entities
