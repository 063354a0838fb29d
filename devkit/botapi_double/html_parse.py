"""Telegram's HTML parse mode: text with tags into plain text and entities."""

from __future__ import annotations

from typing import Any

from .text_builder import SPACES, Builder, Entity, EntityParseError, byte_offset

_HTML_TAGS = {
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "tg-time",
    "span", "pre", "code", "blockquote",
}  # fmt: skip
_HTML_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "code": "code", "pre": "pre", "blockquote": "blockquote",
}  # fmt: skip


def _decode_html_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode &lt; &gt; &amp; &quot; and numeric entities at text[i] == '&'; None if not an entity."""
    end = text.find(";", i + 1, i + 12)
    if end < 0:
        return None
    name = text[i + 1 : end]
    named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
    if name in named:
        return named[name], end - i + 1
    try:
        if name[:2] in ("#x", "#X"):
            code = int(name[2:], 16)
        elif name[:1] == "#":
            code = int(name[1:], 10)
        else:
            return None
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end - i + 1
    except ValueError:
        return None
    return None


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram's HTML subset; raise EntityParseError with Telegram's wording on bad markup."""
    out = Builder()
    stack: list[tuple[str, dict[str, str], int]] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                out.add(decoded[0])
                i += decoded[1]
                continue
        if ch != "<":
            out.add(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] != "/":
            j = i
            while j < n and text[j] not in SPACES and text[j] != ">":
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
            tag = text[i:j].lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(text, begin)}')
            i = j
            attrs: dict[str, str] = {}
            while True:
                while i < n and text[i] in SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
                if text[i] == ">":
                    break
                name_begin = i
                while i < n and text[i] not in SPACES and text[i] not in "=>":
                    i += 1
                attr = text[name_begin:i].lower()
                if not attr:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(text, begin)}'
                    )
                while i < n and text[i] in SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
                if text[i] != "=":
                    if tag == "blockquote" and attr == "expandable":
                        attrs[attr] = ""
                        continue
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {byte_offset(text, begin)}"
                    )
                i += 1
                while i < n and text[i] in SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
                if text[i] in "\"'":
                    quote = text[i]
                    i += 1
                    value: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            decoded = _decode_html_entity(text, i)
                            if decoded is not None:
                                value.append(decoded[0])
                                i += decoded[1]
                                continue
                        value.append(text[i])
                        i += 1
                    if i >= n:
                        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
                    i += 1
                    attrs[attr] = "".join(value)
                else:
                    value_begin = i
                    while i < n and (text[i].isascii() and (text[i].isalnum() or text[i] in "._-")):
                        i += 1
                    if i == value_begin:
                        raise EntityParseError(f"Expected quote at byte offset {byte_offset(text, i)}")
                    attrs[attr] = text[value_begin:i]
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(text, begin)}'
                )
            stack.append((tag, attrs, out.offset))
            i += 1
            continue
        # an end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(text, begin)}")
        i += 1
        j = i
        while j < n and text[j] not in SPACES and text[j] != ">":
            j += 1
        end_name = text[i:j].lower()
        while j < n and text[j] in SPACES:
            j += 1
        if j >= n or text[j] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(text, begin)}")
        tag, attrs, start = stack[-1]
        if end_name and end_name != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {byte_offset(text, begin)}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        stack.pop()
        _close_html_entity(out, tag, attrs, start)
        i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in out.entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    out.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), out.entities


def _close_html_entity(out: Builder, tag: str, attrs: dict[str, str], start: int) -> None:
    if tag == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id=") and href[len("tg://user?id=") :].isdigit():
            user = {"id": int(href[len("tg://user?id=") :]), "is_bot": False, "first_name": "Test User"}
            out.entity("text_mention", start, user=user)
        elif href:
            out.entity("text_link", start, url=href)
        return
    if tag == "tg-emoji":
        if attrs.get("emoji-id"):
            out.entity("custom_emoji", start, custom_emoji_id=attrs["emoji-id"])
        return
    if tag == "tg-time":
        unix = attrs.get("unix", "")
        if unix.isdigit():
            extra: dict[str, Any] = {"unix_time": int(unix)}
            if attrs.get("format"):
                extra["date_time_format"] = attrs["format"]
            out.entity("date_time", start, **extra)
        return
    if tag == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
        return
    if tag == "pre":
        inner = out.entities[-1] if out.entities else None
        if (
            inner is not None
            and inner["type"] == "code"
            and inner["offset"] == start
            and inner["length"] == out.offset - start
            and "language" in inner
        ):
            out.entities.pop()
            out.entity("pre", start, language=inner["language"])
            return
        out.entity("pre", start)
        return
    if tag == "code":
        css = attrs.get("class", "")
        if css.startswith("language-") and len(css) > len("language-"):
            out.entity("code", start, language=css[len("language-") :])
            return
    out.entity(_HTML_TYPES[tag], start)
