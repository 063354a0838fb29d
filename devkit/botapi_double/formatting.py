"""Telegram-style parsing of text with a parse_mode (HTML, MarkdownV2, Markdown) into text and entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

SPACES = " \t\r\n\f\v"
_TRIM = " \t\r\n"
PARSE_MODES = {"html", "markdown", "markdownv2"}
_HTML_TAGS = {
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "tg-time",
    "span", "pre", "code", "blockquote",
}  # fmt: skip
_HTML_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "code": "code", "pre": "pre", "blockquote": "blockquote",
}  # fmt: skip
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_TYPE_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
}  # fmt: skip


class EntityParseError(ValueError):
    """The text cannot be parsed in the given parse mode (Telegram: "can't parse entities: ...")."""


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram entity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class _Builder:
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
    out = _Builder()
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
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            tag = text[i:j].lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
            i = j
            attrs: dict[str, str] = {}
            while True:
                while i < n and text[i] in SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                if text[i] == ">":
                    break
                name_begin = i
                while i < n and text[i] not in SPACES and text[i] not in "=>":
                    i += 1
                attr = text[name_begin:i].lower()
                if not attr:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                    )
                while i < n and text[i] in SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                if text[i] != "=":
                    if tag == "blockquote" and attr == "expandable":
                        attrs[attr] = ""
                        continue
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {_byte_offset(text, begin)}"
                    )
                i += 1
                while i < n and text[i] in SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
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
                        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                    i += 1
                    attrs[attr] = "".join(value)
                else:
                    value_begin = i
                    while i < n and (text[i].isascii() and (text[i].isalnum() or text[i] in "._-")):
                        i += 1
                    if i == value_begin:
                        raise EntityParseError(f"Expected quote at byte offset {_byte_offset(text, i)}")
                    attrs[attr] = text[value_begin:i]
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
                )
            stack.append((tag, attrs, out.offset))
            i += 1
            continue
        # an end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        j = i
        while j < n and text[j] not in SPACES and text[j] != ">":
            j += 1
        end_name = text[i:j].lower()
        while j < n and text[j] in SPACES:
            j += 1
        if j >= n or text[j] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        tag, attrs, start = stack[-1]
        if end_name and end_name != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{tag}>", '
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


def _close_html_entity(out: _Builder, tag: str, attrs: dict[str, str], start: int) -> None:
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


def _reserved(ch: str) -> EntityParseError:
    return EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 the way Telegram does, including its 'must be escaped' errors."""
    out = _Builder()
    # (type, argument, utf16 start, char index in output, byte offset of the opening in the source)
    stack: list[tuple[str, str, int, int, int]] = []
    quote_start: int | None = None
    quote_expandable = False
    n = len(text)
    i = 0

    def peek(k: int) -> str:
        return text[k] if k < n else ""

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        at_line_start = i == 0 or text[i - 1] == "\n"
        if not in_code and at_line_start:
            if ch == ">" or (ch == "*" and peek(i + 1) == "*" and peek(i + 2) == ">"):
                if quote_start is None:
                    quote_start = out.offset
                    quote_expandable = ch == "*"
                i += 3 if ch == "*" else 1
                continue
            if quote_start is not None:
                out.entity("expandable_blockquote" if quote_expandable else "blockquote", quote_start)
                quote_start = None
        if ch == "\n" and quote_start is not None and peek(i + 1) != ">" and not in_code:
            out.entity("expandable_blockquote" if quote_expandable else "blockquote", quote_start)
            quote_start = None
        reserved = "`" if in_code else _MDV2_RESERVED
        if ch not in reserved:
            out.add(ch)
            i += 1
            continue
        if (
            quote_start is not None
            and quote_expandable
            and text[i : i + 2] == "||"
            and peek(i + 2) in ("", "\n")
            and not (stack and stack[-1][0] == "spoiler")
        ):
            out.entity("expandable_blockquote", quote_start)
            quote_start = None
            i += 2
            continue
        is_end = False
        if stack:
            top = stack[-1][0]
            if top == "bold":
                is_end = ch == "*"
            elif top == "italic":
                is_end = ch == "_" and peek(i + 1) != "_"
            elif top == "code":
                is_end = ch == "`"
            elif top == "pre":
                is_end = ch == "`" and peek(i + 1) == "`" and peek(i + 2) == "`"
            elif top in ("text_link", "custom_emoji"):
                is_end = ch == "]"
            elif top == "underline":
                is_end = ch == "_" and peek(i + 1) == "_"
            elif top == "strikethrough":
                is_end = ch == "~"
            elif top == "spoiler":
                is_end = ch == "|" and peek(i + 1) == "|"
        if not is_end:
            begin = i
            argument = ""
            if ch == "_":
                if peek(i + 1) == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif ch == "*":
                kind = "bold"
            elif ch == "~":
                kind = "strikethrough"
            elif ch == "|":
                if peek(i + 1) != "|":
                    raise _reserved(ch)
                kind = "spoiler"
                i += 1
            elif ch == "[":
                kind = "text_link"
            elif ch == "`":
                if peek(i + 1) == "`" and peek(i + 2) == "`":
                    i += 3
                    kind = "pre"
                    lang_end = i
                    while lang_end < n and text[lang_end] not in SPACES and text[lang_end] != "`":
                        lang_end += 1
                    if i != lang_end and lang_end < n and text[lang_end] != "`":
                        argument = text[i:lang_end]
                        i = lang_end
                    if peek(i) in ("\n", "\r"):
                        i += 2 if peek(i + 1) in ("\n", "\r") and peek(i + 1) != peek(i) else 1
                    i -= 1
                else:
                    kind = "code"
            elif ch == "!" and peek(i + 1) == "[":
                i += 1
                kind = "custom_emoji"
            else:
                raise _reserved(ch)
            stack.append((kind, argument, out.offset, len(out.chars), _byte_offset(text, begin)))
            i += 1
            continue
        kind, argument, start, char_index, _ = stack.pop()
        extra: dict[str, Any] = {}
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
            if argument:
                extra["language"] = argument
        elif kind in ("text_link", "custom_emoji"):
            if peek(i + 1) != "(":
                if kind == "custom_emoji":
                    raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
                url = "".join(out.chars[char_index:])
            else:
                i += 2
                url_begin = i
                url_chars: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        url_chars.append(text[i + 1])
                        i += 2
                        continue
                    url_chars.append(text[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}")
                url = "".join(url_chars)
            if kind == "custom_emoji":
                if not url.startswith("tg://emoji?id="):
                    raise EntityParseError("Custom emoji URL must have scheme tg")
                extra["custom_emoji_id"] = url[len("tg://emoji?id=") :]
            elif url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
                kind = "text_mention"
                extra["user"] = {
                    "id": int(url[len("tg://user?id=") :]),
                    "is_bot": False,
                    "first_name": "Test User",
                }
            else:
                extra["url"] = url
        out.entity(kind, start, **extra)
        i += 1
    if stack:
        kind, _, _, _, byte_begin = stack[-1]
        raise EntityParseError(f"Can't find end of {_MDV2_TYPE_NAMES[kind]} entity at byte offset {byte_begin}")
    if quote_start is not None:
        out.entity("expandable_blockquote" if quote_expandable else "blockquote", quote_start)
    out.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), out.entities


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse legacy Markdown the way Telegram does."""
    out = _Builder()
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if ch not in "_*`[":
            out.add(ch)
            i += 1
            continue
        begin = i
        end_char = "]" if ch == "[" else ch
        i += 1
        is_pre = False
        language = ""
        if ch == "`" and text[i : i + 2] == "``":
            i += 2
            is_pre = True
            lang_end = i
            while lang_end < n and text[lang_end] not in SPACES and text[lang_end] != "`":
                lang_end += 1
            if i != lang_end and lang_end < n and text[lang_end] != "`":
                language = text[i:lang_end]
                i = lang_end
            if i < n and text[i] in "\r\n":
                i += 1
        start = out.offset
        while i < n and (text[i] != end_char or (is_pre and text[i : i + 3] != "```")):
            out.add(text[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}")
        if ch == "[":
            if text[i + 1 : i + 2] == "(":
                close = text.find(")", i + 2)
                if close < 0:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
                    )
                url = text[i + 2 : close]
                i = close
                if url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
                    user = {
                        "id": int(url[len("tg://user?id=") :]),
                        "is_bot": False,
                        "first_name": "Test User",
                    }
                    out.entity("text_mention", start, user=user)
                elif url:
                    out.entity("text_link", start, url=url)
        elif ch == "_":
            out.entity("italic", start)
        elif ch == "*":
            out.entity("bold", start)
        elif is_pre:
            if language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
            i += 2
        else:
            out.entity("code", start)
        i += 1
    out.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), out.entities


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
