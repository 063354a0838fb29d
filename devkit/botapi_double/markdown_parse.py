"""Telegram's MarkdownV2 and legacy Markdown parse modes: marked-up text into plain text and entities."""

from __future__ import annotations

from typing import Any

from .text_builder import SPACES, Builder, Entity, EntityParseError, byte_offset

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_TYPE_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
}  # fmt: skip


def _reserved(ch: str) -> EntityParseError:
    return EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 the way Telegram does, including its 'must be escaped' errors."""
    out = Builder()
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
            stack.append((kind, argument, out.offset, len(out.chars), byte_offset(text, begin)))
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
                    raise EntityParseError(f"Can't find end of a URL at byte offset {byte_offset(text, url_begin)}")
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
    out = Builder()
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
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}")
        if ch == "[":
            if text[i + 1 : i + 2] == "(":
                close = text.find(")", i + 2)
                if close < 0:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
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
