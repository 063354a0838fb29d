"""What the parse modes share: entities, UTF-16 lengths (Telegram's unit) and the output builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

SPACES = " \t\r\n\f\v"


class EntityParseError(ValueError):
    """The text cannot be parsed in the given parse mode (Telegram: "can't parse entities: ...")."""


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram entity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class Builder:
    """Collects output characters while tracking the UTF-16 offset."""

    chars: list[str] = field(default_factory=list)
    offset: int = 0
    entities: list[Entity] = field(default_factory=list)

    def add(self, ch: str) -> None:
        self.chars.append(ch)
        self.offset += 2 if ord(ch) > 0xFFFF else 1

    def text(self) -> str:
        return "".join(self.chars)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.offset - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})
