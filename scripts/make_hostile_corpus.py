"""Generate the hostile-input corpus in tests/data/hostile/ (committed; run again after changing this script).

Each line of each `*.jsonl` file is one case the webhook must survive:

    {"id", "group", "about",
     "transport": "raw" (bytes posted as they are) | "double" (an Update posted through the Bot API double,
                  which executes the method in the webhook's answer, as Telegram does) | "replay",
     "body" (raw: text) | "body_b64" (raw: bytes) | "body_parts" (raw: strings and macros, concatenated) |
     "update" (double: the Update) | "replay" (the name of an update recorded while the world was built),
     "headers" (raw, optional), "content_type" (raw, optional),
     "expect": {"status": "2xx" | "4xx" | "400" | "413" | "<500" (whatever it is, never a 5xx),
                "reply": "message" (the private chat gets an answer) | "refusal" (answerCallbackQuery with a
                         text, and nothing else) | "none" | "any",
                "changes": [Firestore path globs that may change; everything else must stay as it was],
                "events": [ids of the events it may publish (optional; by default none)]},
     "known_bug": "why it fails today" (optional: the test marks it xfail(strict=True))}

Inside "update" and "body_parts", `{"$repeat": "ab", "times": 3}` expands to "ababab", `{"$concat": [...]}` joins
strings and macros into one string, and `${NAME}` stands
for a fact of the world the test builds (ids of actors, case codes, message ids, flow ids); a string that is
exactly `${NAME}` becomes the value itself (an int for ids). Fresh strangers get their own ids (880001, ...),
so one case never disturbs another. No real personal data: every name is invented.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
OUT: Final = ROOT / "tests" / "data" / "hostile"
DATE: Final = 1_767_225_600  # 2026-01-01T00:00:00Z: fixed, so the corpus is reproducible
BOT: Final = {"id": 1000001, "is_bot": True, "first_name": "Qorgau (local)", "username": "qorgau_local_bot"}

Entry = dict[str, Any]


def rep(chunk: str, times: int) -> dict[str, Any]:
    """A macro: chunk repeated `times` times (keeps huge inputs small in the file)."""
    return {"$repeat": chunk, "times": times}


def cat(*parts: Any) -> dict[str, Any]:
    """A macro: the parts (strings and macros) joined into one string."""
    return {"$concat": list(parts)}


class Ids:
    """Fresh user ids and message ids, one per case, deterministic."""

    def __init__(self) -> None:
        self.user = 880_000
        self.message = 0

    def stranger(self) -> int:
        self.user += 1
        return self.user

    def msg(self) -> int:
        self.message += 1
        return self.message


IDS = Ids()


def user(user_id: int | str, first_name: str = "Test-Stranger", **extra: Any) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru", **extra}


def private_message(user_id: int | str, **fields: Any) -> dict[str, Any]:
    sender = fields.pop("sender", None) or user(user_id)
    message = {
        "message_id": IDS.msg(),
        "date": DATE,
        "chat": {"id": user_id, "type": "private", "first_name": sender.get("first_name", "")},
        "from": sender,
    }
    message.update(fields)
    return message


def group_message(user_id: int | str, group: str = "${GROUP}", **fields: Any) -> dict[str, Any]:
    message = {
        "message_id": IDS.msg(),
        "date": DATE,
        "chat": {"id": group, "type": "supergroup", "title": "Test Group"},
        "from": user(user_id),
    }
    message.update(fields)
    return message


def update(**payload: Any) -> dict[str, Any]:
    return {"update_id": 770_000 + IDS.msg(), **payload}


def expect(
    status: str = "2xx", reply: str = "any", changes: list[str] | None = None, *, errors: bool = False
) -> dict[str, Any]:
    shown: dict[str, Any] = {"status": status, "reply": reply, "changes": changes or []}
    if errors:  # a shape Telegram never sends: the webhook may log "update failed" (and acknowledge it)
        shown["errors"] = True
    return shown


def flow_changes(user_id: int | str, chat: int | str | None = None) -> list[str]:
    """A private message may start or move the sender's own conversation, and nothing else."""
    chat = user_id if chat is None else chat
    return [f"sessions/{chat}:{user_id}", f"sessions/{chat}:{user_id}/*", f"users/{user_id}"]


def raw(
    about: str,
    body: str | bytes | list[Any],
    status: str = "400",
    *,
    changes: list[str] | None = None,
    errors: bool = False,
    **extra: Any,
) -> Entry:
    entry: Entry = {"transport": "raw", "about": about, "expect": expect(status, "none", changes, errors=errors)}
    if isinstance(body, bytes):
        entry["body_b64"] = base64.b64encode(body).decode()
    elif isinstance(body, list):
        entry["body_parts"] = body
    else:
        entry["body"] = body
    entry.update(extra)
    return entry


def via_double(about: str, payload: dict[str, Any], expected: dict[str, Any], **extra: Any) -> Entry:
    return {"transport": "double", "about": about, "update": payload, "expect": expected, **extra}


# --- 1. malformed bodies -----------------------------------------------------------------------------------
def malformed() -> Iterator[Entry]:
    yield raw("empty body", "")
    yield raw("whitespace only", "   \n\t ")
    yield raw("plain text", "hello")
    yield raw("truncated object", '{"update_id": 1, "message": {"text": "hi"')
    yield raw("trailing garbage", '{"update_id": 1}}}}')
    yield raw("two objects", '{"update_id": 1}{"update_id": 2}')
    yield raw("a JSON array", "[1, 2, 3]")
    yield raw("a JSON string", '"update"')
    yield raw("a JSON number", "42")
    yield raw("JSON null", "null")
    yield raw("JSON true", "true")
    yield raw("single quotes", "{'update_id': 1}")
    yield raw("unquoted keys", "{update_id: 1}")
    yield raw("comments", '{"update_id": 1 /* hi */}')
    yield raw("NaN update id", '{"update_id": NaN}')
    yield raw("Infinity update id", '{"update_id": Infinity}')
    yield raw("update_id as string", '{"update_id": "1", "message": {}}')
    yield raw("update_id as float", '{"update_id": 1.5}')
    yield raw("update_id as bool", '{"update_id": true}')
    yield raw("update_id null", '{"update_id": null}')
    yield raw("update_id as list", '{"update_id": [1]}')
    yield raw("update_id missing", '{"message": {"text": "hi"}}')
    yield raw("update_id with 400 digits", '{"update_id": ' + "9" * 400 + "}", status="<500")
    yield raw("UTF-8 byte-order mark before the JSON", b'\xef\xbb\xbf{"update_id": 1}', status="<500")
    yield raw("UTF-16 encoded JSON", '{"update_id": 880000003}'.encode("utf-16"), status="<500")
    yield raw("invalid UTF-8 bytes", b"\xff\xfe\xfd\xfc")
    yield raw("invalid UTF-8 inside a string", b'{"update_id": 1, "message": {"text": "\xc3\x28"}}')
    yield raw("overlong UTF-8 encoding of a slash", b'{"update_id": 1, "x": "\xc0\xaf"}')
    yield raw("NUL bytes", b'{"update_id": 1\x00}')
    yield raw("a lone NUL", b"\x00")
    yield raw("deeply nested arrays", [rep("[", 100_000), rep("]", 100_000)])
    yield raw("deeply nested objects", [rep('{"a":', 50_000), "1", rep("}", 50_000)])
    yield raw(
        "deep nesting inside a valid update",
        ['{"update_id": 1, "message": ', rep('{"m":', 20_000), "1", rep("}", 20_000), "}"],
        status="4xx",
    )
    yield raw("form-encoded body", "update_id=1&message=hi", content_type="application/x-www-form-urlencoded")
    yield raw(
        "multipart body",
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
        content_type="multipart/form-data; boundary=x",
    )
    yield raw("XML body", "<update><id>1</id></update>", content_type="application/xml")
    yield raw("JSON with text/plain content type", '{"update_id": 880000001}', status="2xx", content_type="text/plain")
    yield raw("duplicate keys", '{"update_id": 1, "update_id": "x"}')
    yield raw("only whitespace inside braces", "{   }")
    yield raw(
        "body of exactly the size limit",
        ['{"update_id": 880000002, "pad": "', rep("a", 1024 * 1024 - 40), '"}'],
        status="2xx",
    )
    yield raw(
        "body one byte over the size limit", ['{"update_id": 1, "pad": "', rep("a", 1024 * 1024), '"}'], status="413"
    )


# --- 2. wrong types and missing fields ---------------------------------------------------------------------
def shapes() -> Iterator[Entry]:
    s = IDS.stranger()
    flow = flow_changes(s)
    yield via_double(
        "message without chat",
        {"update_id": 771_001, "message": {"message_id": 1, "date": DATE, "text": "hi"}},
        expect(),
    )
    yield raw("message is a string", json.dumps({"update_id": 771_002, "message": "hello"}), status="2xx", changes=flow)
    yield raw("message is a list", json.dumps({"update_id": 771_003, "message": [1, 2]}), status="2xx", changes=flow)
    yield raw("message is null", json.dumps({"update_id": 771_004, "message": None}), status="2xx", changes=flow)
    yield raw(
        "chat id is a string",
        json.dumps(update(message=private_message(s) | {"chat": {"id": "abc", "type": "private"}, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "chat id is a float",
        json.dumps(update(message=private_message(s) | {"chat": {"id": 1.5, "type": "private"}, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "chat without type",
        json.dumps(update(message=private_message(s) | {"chat": {"id": s}, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "chat type unknown",
        json.dumps(update(message=private_message(s) | {"chat": {"id": s, "type": "secret"}, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "from without id",
        json.dumps(update(message=private_message(s) | {"from": {"is_bot": False, "first_name": "X"}, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "from id is a string",
        json.dumps(update(message=private_message(s) | {"from": user("12ab"), "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "from is a bot",
        json.dumps(
            update(
                message=private_message(s) | {"from": {"id": s, "is_bot": True, "first_name": "B"}, "text": "/start"}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "message_id negative",
        json.dumps(update(message=private_message(s) | {"message_id": -5, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "message_id a string",
        json.dumps(update(message=private_message(s) | {"message_id": "x", "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "date is a string",
        json.dumps(update(message=private_message(s) | {"date": "yesterday", "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "date far in the future",
        json.dumps(update(message=private_message(s) | {"date": 10**12, "text": "hi"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "text is a number",
        json.dumps(update(message=private_message(s) | {"text": 12345})),
        status="2xx",
        changes=flow,
        errors=True,
    )
    yield raw(
        "text is a list",
        json.dumps(update(message=private_message(s) | {"text": ["a", "b"]})),
        status="2xx",
        changes=flow,
        errors=True,
    )
    yield raw(
        "text is an object",
        json.dumps(update(message=private_message(s) | {"text": {"a": 1}})),
        status="2xx",
        changes=flow,
        errors=True,
    )
    yield raw(
        "text is null", json.dumps(update(message=private_message(s) | {"text": None})), status="2xx", changes=flow
    )
    yield raw(
        "entities is an object",
        json.dumps(update(message=private_message(s) | {"text": "https://x.com/a", "entities": {"type": "url"}})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "entity offset beyond the text",
        json.dumps(
            update(
                message=private_message(s) | {"text": "hi", "entities": [{"type": "url", "offset": 500, "length": 10}]}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "entity negative offset and length",
        json.dumps(
            update(
                message=private_message(s)
                | {"text": "hi there", "entities": [{"type": "url", "offset": -3, "length": -2}]}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "entity type unknown",
        json.dumps(
            update(
                message=private_message(s)
                | {"text": "hi", "entities": [{"type": "hologram", "offset": 0, "length": 2}]}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "entity without type",
        json.dumps(update(message=private_message(s) | {"text": "hi", "entities": [{"offset": 0, "length": 2}]})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "text_link entity with a javascript: url",
        json.dumps(
            update(
                message=private_message(s)
                | {
                    "text": "click",
                    "entities": [{"type": "text_link", "offset": 0, "length": 5, "url": "javascript:alert(1)"}],
                }
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "text_link entity url is a number",
        json.dumps(
            update(
                message=private_message(s)
                | {"text": "click", "entities": [{"type": "text_link", "offset": 0, "length": 5, "url": 7}]}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "photo is an object, not a list",
        json.dumps(
            update(
                message=private_message(s) | {"photo": {"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "photo is an empty list",
        json.dumps(update(message=private_message(s) | {"photo": []})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "video without file_unique_id",
        json.dumps(
            update(message=private_message(s) | {"video": {"file_id": "x", "width": 1, "height": 1, "duration": 1}})
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "document with a file_unique_id that is a number",
        json.dumps(update(message=private_message(s) | {"document": {"file_id": "x", "file_unique_id": 5}})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "media_group_id is an object",
        json.dumps(
            update(
                message=private_message(s)
                | {
                    "photo": [{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}],
                    "media_group_id": {"a": 1},
                }
            )
        ),
        status="2xx",
        changes=flow,
        errors=True,
    )
    yield raw(
        "forward_origin of an unknown type",
        json.dumps(
            update(message=private_message(s) | {"text": "fwd", "forward_origin": {"type": "hologram", "date": DATE}})
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "forward_origin channel without chat",
        json.dumps(
            update(
                message=private_message(s)
                | {"text": "fwd", "forward_origin": {"type": "channel", "date": DATE, "message_id": 1}}
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "reply_to_message is a string",
        json.dumps(update(message=private_message(s) | {"text": "hi", "reply_to_message": "x"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "reply_to_message nested 200 deep",
        json.dumps(update(message=private_message(s) | {"text": "hi", "reply_to_message": _nested_replies(s, 200)})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "callback_query without from",
        json.dumps(update(callback_query={"id": "1", "chat_instance": "1", "data": "f:x:cat:other"})),
        status="2xx",
        changes=flow,
        errors=True,
    )
    yield raw(
        "callback_query without message",
        json.dumps(update(callback_query={"id": "2", "from": user(s), "chat_instance": "1", "data": "f:x:cat:other"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "callback_query data is a number",
        json.dumps(
            update(
                callback_query={
                    "id": "3",
                    "from": user(s),
                    "chat_instance": "1",
                    "data": 5,
                    "message": private_message(s, sender=BOT) | {"text": "q"},
                }
            )
        ),
        status="2xx",
        changes=flow,
        errors=True,
    )
    yield raw(
        "callback_query message is inaccessible (date 0)",
        json.dumps(
            update(
                callback_query={
                    "id": "4",
                    "from": user(s),
                    "chat_instance": "1",
                    "data": "s:take:R2345678",
                    "message": {"chat": {"id": s, "type": "private"}, "message_id": 1, "date": 0},
                }
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "my_chat_member with garbage",
        json.dumps(update(my_chat_member={"chat": {"id": -1}, "new_chat_member": "x"})),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "my_chat_member in a private chat",
        json.dumps(
            update(
                my_chat_member={
                    "chat": {"id": s, "type": "private"},
                    "from": user(s),
                    "date": DATE,
                    "old_chat_member": {"status": "member", "user": BOT},
                    "new_chat_member": {"status": "kicked", "user": BOT, "until_date": 0},
                }
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "two kinds of payload in one update",
        json.dumps(
            update(
                message=private_message(s) | {"text": "hi"},
                callback_query={"id": "5", "from": user(s), "chat_instance": "1", "data": "lang:kk"},
            )
        ),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "update with 2 000 unknown keys",
        json.dumps({"update_id": 771_050} | {f"k{i}": i for i in range(2_000)}),
        status="2xx",
        changes=flow,
    )
    yield raw(
        "message with 1 000 unknown keys",
        json.dumps(update(message=private_message(s) | {"text": "hi"} | {f"x{i}": [i] for i in range(1_000)})),
        status="2xx",
        changes=flow,
    )


def _nested_replies(user_id: int, depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {"message_id": 1, "date": DATE, "chat": {"id": user_id, "type": "private"}, "text": "0"}
    for level in range(depth):
        inner = {
            "message_id": level + 2,
            "date": DATE,
            "chat": {"id": user_id, "type": "private"},
            "text": str(level),
            "reply_to_message": inner,
        }
    return inner


# --- 3. unknown update and message types -------------------------------------------------------------------
UNKNOWN_UPDATE_KINDS: Final = (
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "hologram_update_from_2031",
)
UNKNOWN_MESSAGE_KINDS: Final = {
    "giveaway": {"chats": [], "winners_selection_date": DATE, "winner_count": 1},
    "paid_media": {"star_count": 5, "paid_media": [{"type": "preview"}]},
    "story": {"chat": {"id": 1, "type": "channel"}, "id": 1},
    "checklist": {"title": "t", "tasks": []},
    "gift": {"gift": {"id": "g"}},
    "web_app_data": {"data": "x", "button_text": "b"},
    "write_access_allowed": {},
    "users_shared": {"request_id": 1, "users": []},
    "new_chat_members": [{"id": 1, "is_bot": False, "first_name": "New-Member-Test"}],
    "left_chat_member": {"id": 1, "is_bot": False, "first_name": "Left-Member-Test"},
    "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
    "successful_payment": {"currency": "XTR", "total_amount": 1},
    "hologram": {"depth": 3},
}


def unknown() -> Iterator[Entry]:
    for kind in UNKNOWN_UPDATE_KINDS:
        s = IDS.stranger()
        payload = private_message(s) | {"text": "https://example.org/unknown-kind"}
        if kind == "edited_message":  # read only to tell the person that an edit is not read: a reply, no change
            yield via_double(f"update type {kind}", update(**{kind: payload}), expect(reply="message"))
            continue
        yield via_double(f"update type {kind}", update(**{kind: payload}), expect(reply="none"))
    for kind, value in UNKNOWN_MESSAGE_KINDS.items():
        s = IDS.stranger()
        yield via_double(
            f"message of kind {kind}",
            update(message=private_message(s) | {kind: value}),
            expect(reply="any", changes=flow_changes(s)),
        )
    for kind in ("sticker", "location", "contact", "dice", "poll", "venue"):
        s = IDS.stranger()
        shown: Any = {
            "sticker": {
                "file_id": "CAAC-x",
                "file_unique_id": "AgAD-x",
                "width": 1,
                "height": 1,
                "type": "regular",
                "is_animated": False,
                "is_video": False,
            },
            "location": {"latitude": 51.1, "longitude": 71.4},
            "contact": {"phone_number": "+70000000000", "first_name": "Fake-Contact-Test"},
            "dice": {"emoji": "🎲", "value": 3},
            "poll": {
                "id": "1",
                "question": "q",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            },
            "venue": {"location": {"latitude": 1, "longitude": 2}, "title": "t", "address": "a"},
        }[kind]
        yield via_double(
            f"unsupported content: {kind}",
            update(message=private_message(s) | {kind: shown}),
            expect(reply="message", changes=flow_changes(s)),
        )


# --- 4. hostile content: huge, nested, invisible, right-to-left ------------------------------------------
def content() -> Iterator[Entry]:
    def text_case(about: str, text: Any, reply: str = "message", **fields: Any) -> Entry:
        s = IDS.stranger()
        message = private_message(s) | {"text": text} | fields
        return via_double(about, update(message=message), expect(reply=reply, changes=flow_changes(s)))

    yield text_case("text of 4096 characters", rep("я", 4096))
    yield text_case("text of 4097 characters", rep("я", 4097))
    yield text_case("text of 10 000 characters", rep("ab", 5000))
    yield text_case("text of 100 000 characters", rep("x", 100_000))
    yield text_case("text of 4096 four-byte emoji", rep("😀", 4096))
    yield text_case(
        "link buried in 50 000 characters", cat(rep("a ", 25_000), " https://example.org/buried"), reply="message"
    )
    yield text_case("right-to-left override around a link", "\u202ehttps://example.org/rtl\u202c")
    yield text_case("Arabic and Hebrew mixed with Kazakh", "مرحبا שלום сәлем https://example.org/bidi")
    yield text_case("zero-width spaces inside a link", "https://exa\u200bmple.org/z\u200bw")
    yield text_case("zero-width joiners and word joiners only", "\u200d\u2060\u200c\u200b\ufeff")
    yield text_case("byte-order mark in the middle", "hello\ufeffworld")
    yield text_case("combining marks, 500 per letter", "a" + "\u0301" * 500 + "b" + "\u0300" * 500)
    yield text_case("control characters", "".join(chr(c) for c in range(1, 32)) + " https://example.org/ctl")
    s = IDS.stranger()  # Telegram's clients only send valid UTF-8; JSON can still carry lone surrogates
    yield raw(
        "lone surrogates", json.dumps(update(message=private_message(s) | {"text": "\udc00\ud800 text"})), status="2xx"
    )
    yield text_case("NUL characters", "a\u0000b\u0000https://example.org/nul")
    yield text_case("Cyrillic homoglyph domain", "https://t.mе/chаnnel/1")
    yield text_case("a link of 10 000 characters", cat("https://example.org/", rep("a", 10_000)))
    yield text_case("1000 links in one message", " ".join(f"https://example.org/many/{i}" for i in range(1000)))
    yield text_case(
        "javascript and data urls", "javascript:alert(1) data:text/html;base64,PHNjcmlwdD4= file:///etc/passwd"
    )
    yield text_case("tg:// and intent:// urls", "tg://resolve?domain=x intent://x#Intent;end")
    yield text_case(
        "HTML and Markdown injection", '<b>x</b><a href="tg://user?id=1">y</a> *z* [w](http://evil.test) `c`'
    )
    yield text_case("format-string placeholders", "{code} {0} {__class__} {lang!r} %s %(x)s ${HOME}")
    yield text_case("SQL and NoSQL injection", '\' OR 1=1 --; {"$gt": ""}; Robert\'); DROP TABLE reports;--')
    yield text_case("path traversal", "../../../../etc/passwd ..\\..\\windows\\system32")
    yield text_case("emoji ZWJ sequences and flags", "👩‍👩‍👧‍👦🏳️‍🌈🇰🇿" * 200)
    yield text_case("only whitespace", " \n\t\u00a0\u3000 ")
    yield text_case("empty text", "")
    s = IDS.stranger()
    overlapping = [
        {"type": t, "offset": 0, "length": 3000}
        for t in ("bold", "italic", "underline", "strikethrough", "spoiler", "code")
    ]
    yield via_double(
        "1000 nested and overlapping entities",
        update(
            message=private_message(s)
            | {
                "text": rep("x", 3000),
                "entities": overlapping + [{"type": "bold", "offset": i, "length": 3000 - 2 * i} for i in range(994)],
            }
        ),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "custom emoji and url entities pointing outside the text",
        update(
            message=private_message(s)
            | {
                "text": "hi",
                "entities": [
                    {"type": "url", "offset": 1, "length": 99},
                    {"type": "custom_emoji", "offset": 0, "length": 2, "custom_emoji_id": "1"},
                ],
            }
        ),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "url entity splitting a surrogate pair",
        update(
            message=private_message(s)
            | {"text": "😀https://example.org/emoji", "entities": [{"type": "url", "offset": 1, "length": 26}]}
        ),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "caption of 1025 characters on a photo",
        update(
            message=private_message(s)
            | {
                "caption": rep("c", 1025),
                "photo": [{"file_id": "AgAC-hostile-1", "file_unique_id": "AQAD-hostile-1", "width": 90, "height": 90}],
            }
        ),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "caption of 100 000 characters on a video",
        update(
            message=private_message(s)
            | {
                "caption": rep("v", 100_000),
                "video": {
                    "file_id": "BAAC-hostile-2",
                    "file_unique_id": "AQAD-hostile-2",
                    "width": 1,
                    "height": 1,
                    "duration": 1,
                },
            }
        ),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "a name of 10 000 right-to-left characters",
        update(
            message=private_message(
                s, sender=user(s, "\u202e" + "ا" * 10_000, last_name="\u200b" * 100, username="user_test_rtl")
            )
            | {"text": "/start"}
        ),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "language_code that is not a language",
        update(message=private_message(s, sender=user(s) | {"language_code": "../../etc"}) | {"text": "/help"}),
        expect(reply="message", changes=flow_changes(s)),
    )
    s = IDS.stranger()
    yield via_double(
        "media_group_id with a path in it",
        update(
            message=private_message(s)
            | {
                "media_group_id": "../../x",
                "photo": [{"file_id": "AgAC-hostile-3", "file_unique_id": "AQAD-hostile-3", "width": 90, "height": 90}],
            }
        ),
        expect(reply="any", changes=flow_changes(s), errors=True),
    )
    s = IDS.stranger()
    yield via_double(
        "forward of a channel post with a hostile username",
        update(
            message=private_message(s)
            | {
                "text": "fwd",
                "forward_origin": {
                    "type": "channel",
                    "date": DATE,
                    "message_id": 1,
                    "chat": {"id": -1001, "type": "channel", "title": "\u202eT", "username": "../../x"},
                },
            }
        ),
        expect(reply="message", changes=flow_changes(s)),
    )


# --- 5. forged buttons -------------------------------------------------------------------------------------
def forged() -> Iterator[Entry]:
    def press(
        about: str, presser: str, data: Any, chat: str | None = None, message_id: str | int = 1, **extra: Any
    ) -> Entry:
        kind = "supergroup" if chat == "${GROUP}" else "private"
        chat = chat or presser
        message = {
            "message_id": message_id,
            "date": DATE,
            "chat": {"id": chat, "type": kind},
            "from": BOT,
            "text": "card",
        }
        query = {
            "id": f"cb-{IDS.msg()}",
            "from": user(presser, "Test-Presser"),
            "chat_instance": "77",
            "data": data,
            "message": message,
        }
        return via_double(about, update(callback_query=query), expect(reply="refusal"), **extra)

    # role escalation: staff verbs by people who are not staff (or no longer are)
    for verb in ("take", "ev", "reopen", "menu"):
        yield press(f"s:{verb} on a real case by a stranger", "${STRANGER}", f"s:{verb}:${{CASE}}")
    yield press("s:res by a stranger", "${STRANGER}", "s:res:${CASE_TAKEN}:content_removed")
    yield press("s:rej by a reporter of the case", "${REPORTER}", "s:rej:${CASE}:not_relevant")
    yield press("s:take by the reporter of the case", "${REPORTER}", "s:take:${CASE}")
    yield press("s:take by revoked staff", "${REVOKED}", "s:take:${CASE}")
    yield press("s:ev by revoked staff", "${REVOKED}", "s:ev:${CASE}")
    yield press("s:esc by revoked staff", "${REVOKED}", "s:esc:${CASE_TAKEN}:police")
    # other regions, other owners, restricted categories
    yield press("s:take by an officer of another region", "${OFFICER_75}", "s:take:${CASE}")
    yield press("s:res:<code>:x by an officer of another region", "${OFFICER_75}", "s:res:${CASE_TAKEN}:x")
    yield press(
        "s:res by an officer of another region, valid outcome", "${OFFICER_75}", "s:res:${CASE_TAKEN}:content_removed"
    )
    yield press("s:ev by an officer of another region", "${OFFICER_75}", "s:ev:${CASE}")
    yield press("s:menu by an officer of another region", "${OFFICER_75}", "s:menu:${CASE}:escalate")
    yield press("s:rej by an officer of another region", "${OFFICER_75}", "s:rej:${CASE}:not_relevant")
    yield press("s:ev of a restricted case by a regional officer", "${OFFICER_71}", "s:ev:${CASE_SEXUAL}")
    yield press("s:take of a restricted case by a specialist", "${SPECIALIST}", "s:take:${CASE_SEXUAL}")
    yield press("s:res of someone else's case by a specialist", "${SPECIALIST}", "s:res:${CASE_TAKEN}:content_removed")
    yield press("s:take of a case already taken", "${SPECIALIST}", "s:take:${CASE_TAKEN}")
    # staff buttons forged on a bot message in a group: they act on nothing and post nothing there
    forged = ["q:c:${CASE}", "s:take:${CASE}", "s:menu:${CASE}:resolve", "s:ev:${CASE}", "s:mute:${CASE}", "q:p:0"]
    forged += ["s:cat:${CASE}:sexual", "t:chk:${CASE}", "t:rep:${CASE}:tiktok", "w:${CASE}", "h:m:${CASE}:need"]
    for data in forged:
        yield press(
            f"{data.split(':${')[0]} forged on a bot message in a group by an admin", "${ADMIN}", data, chat="${GROUP}"
        )
    yield press("an invite's cancel button forged in a group", "${ADMIN}", "i:x:abcdef0123456789", chat="${GROUP}")
    yield press("an invite's cancel button by a stranger", "${STRANGER}", "i:x:abcdef0123456789")
    # re-categorising (issue 11): only who may see the case, only to a category staff may choose
    yield press("s:cat restricting a case, by a stranger", "${STRANGER}", "s:cat:${CASE}:sexual")
    yield press("s:cat by the reporter of the case", "${REPORTER}", "s:cat:${CASE}:sexual")
    yield press("s:cat by an officer of another region", "${OFFICER_75}", "s:cat:${CASE}:sexual")
    yield press("s:cat by revoked staff", "${REVOKED}", "s:cat:${CASE}:sexual")
    yield press("s:cat lifting a restriction, by a specialist", "${SPECIALIST}", "s:cat:${CASE_SEXUAL}:bullying")
    yield press("s:cat lifting a restriction, by an admin (not cleared)", "${ADMIN}", "s:cat:${CASE_SEXUAL}:bullying")
    yield press("s:cat to an invented category", "${OFFICER_71}", "s:cat:${CASE}:hologram")
    yield press("s:cat to 'unreviewed' (never chosen, only given)", "${OFFICER_71}", "s:cat:${CASE}:unreviewed")
    yield press("s:cat with a path for a category", "${OFFICER_71}", "s:cat:${CASE}:..")
    yield press("s:menu:category by an officer of another region", "${OFFICER_75}", "s:menu:${CASE}:category")
    # invented codes and malformed staff data
    yield press("s:take of an invented case code", "${OFFICER_71}", "s:take:R2345678")
    yield press("s:take of a code in lower case that does not exist", "${OFFICER_71}", "s:take:rzzzzzz")
    yield press("s:take with a path for a code", "${OFFICER_71}", "s:take:../../staff/${OFFICER_71}")
    yield press("s:take with an empty code", "${OFFICER_71}", "s:take:")
    yield press("s: with too many parts", "${OFFICER_71}", "s:take:${CASE}:a:b:c")
    yield press("s with an unknown verb", "${OFFICER_71}", "s:delete:${CASE}")
    yield press("s:res with an invented outcome", "${OFFICER_71}", "s:res:${CASE_TAKEN}:everything_fine")
    yield press("s:esc with an invented target", "${OFFICER_71}", "s:esc:${CASE_TAKEN}:mi6")
    menu = press(
        "s:menu with an invented menu (the card's own keyboard comes back)", "${OFFICER_71}", "s:menu:${CASE}:admin"
    )
    yield menu | {"expect": expect(reply="any")}
    # other users' buttons and invented flows
    yield press(
        "another reporter's flow button",
        "${STRANGER}",
        "f:${FLOW_B}:cat:violence",
        chat="${REPORTER_B}",
        message_id="${MSG_B}",
    )
    yield press("another reporter's flow button in my own chat", "${STRANGER}", "f:${FLOW_B}:cat:violence")
    yield press("a flow button of an invented flow", "${REPORTER_B}", "f:zzzzzz:confirm:yes", message_id="${MSG_B}")
    yield press(
        "confirm pressed before the flow got there", "${REPORTER_B}", "f:${FLOW_B}:confirm:yes", message_id="${MSG_B}"
    )
    yield press("an invented category", "${REPORTER_B}", "f:${FLOW_B}:cat:hologram", message_id="${MSG_B}")
    yield press("an invented region", "${REPORTER_B}", "f:${FLOW_B}:region:99", message_id="${MSG_B}")
    yield press("flow data with five parts", "${REPORTER_B}", "f:${FLOW_B}:cat:other:x", message_id="${MSG_B}")
    yield press("an unknown prefix", "${STRANGER}", "x:1:2:3")
    yield press("an invented language", "${STRANGER}", "lang:en")
    yield press("a language with a path", "${STRANGER}", "lang:../../kk")
    yield press("65 bytes of data", "${STRANGER}", "s:take:" + "R" * 58)
    yield press("empty data", "${STRANGER}", "")
    yield press("data of invisible characters", "${STRANGER}", "\u200b\u202e\ufeff")
    yield press("data of 4 KB", "${OFFICER_71}", rep("s:take:", 600))
    # escalating joins (issue 11): a join is stored at once; fan-out raises the case (not in a frozen world)
    join_changes = [
        "reports/${CASE}",
        "reports/${CASE}/reporters/${REPORTER_J}",
        "sessions/${REPORTER_J}:${REPORTER_J}",
        "sessions/${REPORTER_J}:${REPORTER_J}/*",
    ]
    join = press(
        "an escalating join: a second reporter of a case answers sexual exploitation, a child in danger now",
        "${REPORTER_J}",
        "f:${FLOW_J}:confirm:yes",
        message_id="${MSG_J}",
    )
    yield join | {"expect": expect(reply="any", changes=join_changes) | {"events": ["joined-${CASE}-${REPORTER_J}"]}}
    yield press(
        "the escalating join's confirm pressed by someone else",
        "${STRANGER}",
        "f:${FLOW_J}:confirm:yes",
        chat="${REPORTER_J}",
        message_id="${MSG_J}",
    )
    yield press(
        "the escalating join's flow, a category forged onto its confirm step",
        "${REPORTER_J}",
        "f:${FLOW_J}:cat:unreviewed",
        message_id="${MSG_J}",
    )
    yield press(
        "the group region button pressed by someone else",
        "${STRANGER}",
        "f:${GROUP_FLOW}:greg:71",
        chat="${GROUP}",
        message_id="${GROUP_MSG}",
    )


# --- 6. commands with odd arguments ------------------------------------------------------------------------
def commands() -> Iterator[Entry]:
    def command(
        about: str,
        sender: str | int,
        text: Any,
        *,
        changes: list[str] | None = None,
        reply: str = "message",
        **extra: Any,
    ) -> Entry:
        message = private_message(sender) | {"text": text}
        return via_double(
            about,
            update(message=message),
            expect(reply=reply, changes=changes if changes is not None else flow_changes(sender)),
            **extra,
        )

    for arg in (
        "god",
        "admin",
        "admin 71",
        "regional 99",
        "regional",
        "regional 71," + "71," * 500,
        "specialist ../../x",
        "' OR 1=1",
        "\u202eadmin",
    ):
        yield command(f"/invite {arg[:30]!r} by a regional officer", "${OFFICER_71}", f"/invite {arg}")
    yield command("/invite god by an administrator", "${ADMIN}", "/invite god")
    yield command("/invite regional 99 by an administrator", "${ADMIN}", "/invite regional 99")
    yield command(
        "/invite with 10 000 characters by an administrator", "${ADMIN}", cat("/invite regional ", rep("7", 10_000))
    )
    for arg in (
        "-1",
        "0",
        "99999999999999999999999999",
        "1e9",
        "${ADMIN}",
        "${OFFICER_71}",
        "",
        "abc",
        "../../x",
        "١٢٣",
    ):
        yield command(f"/revoke {arg!r} by a regional officer", "${OFFICER_71}", f"/revoke {arg}")
    for arg in ("-1", "0", "99999999999999999999999999", "1e9", "", "١٢٣", "${ADMIN}"):
        yield command(f"/revoke {arg!r} by an administrator", "${ADMIN}", f"/revoke {arg}")
    yield command("/revoke of the administrator by a stranger", "${STRANGER}", "/revoke ${ADMIN}")
    yield command("/staff by a stranger", "${STRANGER}", "/staff")
    yield command("/staff by a regional officer", "${OFFICER_71}", "/staff")
    yield command("/duty on by a stranger", "${STRANGER}", "/duty on")
    yield command("/duty on by a regional officer", "${OFFICER_71}", "/duty on")
    yield command("/duty maybe by a specialist", "${SPECIALIST}", "/duty maybe")
    yield command("/duty on by revoked staff", "${REVOKED}", "/duty on")
    yield command("/invite by revoked staff", "${REVOKED}", "/invite admin")
    for arg in (
        "inv_../../x",
        "inv_",
        "inv_" + "a" * 64,
        "inv_${INVITE_USED}",
        "inv_zzzzzzzzzzzzzzzz",
        "inv_%00",
        "inv_.",
        "inv___reserved__",
        "' OR 1=1",
        "x" * 4000,
    ):
        yield command(
            f"/start {arg[:30]!r} by a stranger",
            "${STRANGER}",
            f"/start {arg}",
            changes=[*flow_changes("${STRANGER}"), "users/${STRANGER}"],
        )
    yield command(
        "/start with a revoked person's own old invite",
        "${REVOKED}",
        "/start inv_${INVITE_REVOKED}",
    )
    for text in ("/case ' OR 1=1", "/case R' OR '1'='1", "/case ${CASE}", "/case ../../reports", "/case"):
        yield command(f"{text[:24]!r} by a stranger", "${STRANGER}", text)
    yield command("/case of a real case by an officer of another region", "${OFFICER_75}", "/case ${CASE}")
    for text in (
        "/lang xx",
        "/report@other_bot",
        "/REPORT",
        "/start@qorgau_local_bot",
        "/help extra args",
        "/cancel",
        "/старт",
        "/start\u200b",
        "/",
        "//",
        "/\u202estart",
        "/my " + "9" * 100,
    ):
        yield command(f"{text[:24]!r} by a stranger", "${STRANGER}", text)
    yield command("/enable_group in a private chat by a stranger", "${STRANGER}", "/enable_group")
    s = IDS.stranger()
    yield via_double(
        "/enable_group in a group by a stranger",
        update(message=group_message(s, "${GROUP_OFF}") | {"text": "/enable_group"}),
        expect(reply="any"),
    )
    yield via_double(
        "/disable_group in a group by a stranger",
        update(message=group_message(s) | {"text": "/disable_group"}),
        expect(reply="any"),
    )
    yield via_double(
        "/invite admin in a group by a stranger",
        update(message=group_message(s) | {"text": "/invite admin"}),
        expect(reply="any"),
    )
    yield via_double(
        "a link posted in a group where reporting is off",
        update(message=group_message(s, "${GROUP_OFF}") | {"text": "https://example.org/off"}),
        expect(reply="none"),
    )


# --- 7. replays of old updates -----------------------------------------------------------------------------
def replays() -> Iterator[Entry]:
    def replay(name: str, about: str, reply: str = "any", changes: list[str] | None = None, **extra: Any) -> Entry:
        return {
            "transport": "replay",
            "about": about,
            "replay": name,
            "expect": expect(reply=reply, changes=changes),
            **extra,
        }

    yield replay("confirm", "the reporter's confirm press again: the stored answer, no second case")
    yield replay("category", "an early button press of a finished flow: a stale button", reply="refusal")
    yield replay(
        "link",
        "the reporter's first message again: may open a new flow, never a new case",
        changes=flow_changes("${REPORTER}"),
    )
    yield replay("take", "the officer's take again: refused as taken, no second event", reply="refusal")
    yield replay("group_region", "the group region press again: the stored answer")
    yield replay(
        "group_post",
        "the group post again: never a second case",
        changes=["sessions/${GROUP}:${GROUP_MEMBER}", "sessions/${GROUP}:${GROUP_MEMBER}/*"],
    )
    yield replay("enable_group", "the administrator enabling the group again")
    yield replay("revoke", "the administrator's /revoke again", changes=["staff/${REVOKED}"])
    yield replay("invite", "the new officer's /start inv_ again: stays as registered")
    yield replay(
        "invite_revoked",
        "the revoked member's own /start inv_ again (Telegram re-sending, or the person tapping the old link)",
    )


GROUPS: Final = {
    "malformed": malformed,
    "shapes": shapes,
    "unknown": unknown,
    "content": content,
    "forged": forged,
    "commands": commands,
    "replays": replays,
}


def build() -> dict[str, list[Entry]]:
    """Every group's entries, with stable ids."""
    corpus: dict[str, list[Entry]] = {}
    for group, make in GROUPS.items():
        entries = []
        for number, entry in enumerate(make(), start=1):
            entries.append({"id": f"{group}-{number:03d}", "group": group, **entry})
        corpus[group] = entries
    return corpus


def main() -> int:
    """Write tests/data/hostile/<group>.jsonl."""
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = build()
    for group, entries in corpus.items():
        with (OUT / f"{group}.jsonl").open("w", encoding="utf-8") as out:
            for entry in entries:
                try:
                    line = json.dumps(entry, ensure_ascii=False)
                    line.encode("utf-8")
                except UnicodeEncodeError:  # lone surrogates: only as JSON escapes
                    line = json.dumps(entry)
                out.write(line + "\n")
    total = sum(len(entries) for entries in corpus.values())
    sys.stdout.write(f"{total} cases in {len(corpus)} files under {OUT.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
