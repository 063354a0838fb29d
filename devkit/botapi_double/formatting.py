"""Telegram-style parsing of text with a parse_mode (HTML, MarkdownV2, Markdown) into text and entities."""

from __future__ import annotations

from .html_parse import parse_html
from .markdown_parse import parse_markdown, parse_markdown_v2
from .text_builder import Entity, EntityParseError, utf16_len

__all__ = [
    "PARSE_MODES",
    "EntityParseError",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "trim",
    "utf16_len",
]

PARSE_MODES = {"html", "markdown", "markdownv2"}
_TRIM = " \t\r\n"


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace as Telegram does, shifting and clipping the entities."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    left = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(int(entity["offset"]) - left, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - left, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def format_text(text: str, parse_mode: str | None, entities: list[Entity] | None) -> tuple[str, list[Entity]]:
    """Apply explicit entities or parse_mode, then trim; raises EntityParseError on bad markup."""
    if entities:
        plain, found = text, [dict(e) for e in entities]
    elif parse_mode is None or parse_mode == "":
        plain, found = text, []
    else:
        mode = parse_mode.lower()
        if mode == "html":
            plain, found = parse_html(text)
        elif mode == "markdownv2":
            plain, found = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = parse_markdown(text)
        else:  # the caller validates parse_mode first
            raise EntityParseError(f"unsupported parse_mode {parse_mode}")
    return trim(plain, found)
