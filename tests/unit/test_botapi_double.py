"""Tests of the Telegram Bot API double (devkit/botapi_double): validation, store, limits, faults, users."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from devkit.botapi_double import (
    DoubleServer,
    Limits,
    make_album_updates,
    make_callback_update,
    make_forward_update,
    make_my_chat_member_update,
    make_photo_update,
    make_text_update,
)
from scripts import derive_bot_api

TOKEN = "123456:TEST-token_abc"
USER = 500_001
GROUP = -1_001_234_567_890
KB = {"inline_keyboard": [[{"text": "Take", "callback_data": "take:R7K3M9Q"}]]}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server() -> Iterator[DoubleServer]:
    double = DoubleServer("127.0.0.1", 0).start()
    yield double
    double.stop()


@pytest.fixture
def double(server: DoubleServer) -> Iterator[DoubleServer]:
    server.reset()
    defaults = Limits()
    server.set_limits(**vars(defaults))
    server.set_webhook(None)
    server.configure(strict_file_ids=True, strict_callback_queries=True)
    yield server


@pytest.fixture
def client(double: DoubleServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=double.base_url, timeout=10) as c:
        yield c


def api(client: httpx.Client, method: str, token: str = TOKEN, **params: Any) -> httpx.Response:
    """A Bot API call with a JSON body."""
    return client.post(f"/bot{token}/{method}", json=params)


def form(client: httpx.Client, method: str, **params: str) -> httpx.Response:
    """A Bot API call form-urlencoded, the way python-telegram-bot sends it."""
    return client.post(f"/bot{TOKEN}/{method}", data=params)


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body["description"]


class Webhook:
    """A tiny webhook receiver: records updates and answers with ``reply(update)`` (status, JSON body)."""

    def __init__(self, reply: Callable[[dict[str, Any]], tuple[int, Any]]) -> None:
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.received.append((dict(self.headers), body))
                status, answer = reply(body)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/telegram_webhook"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- the spec subset


def test_subset_file_is_what_the_derive_script_writes(tmp_path: Path) -> None:
    out = tmp_path / "subset.json"
    assert derive_bot_api.main(["--out", str(out)]) == 0
    committed = Path(derive_bot_api.DEFAULT_OUT).read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed
    subset = json.loads(committed)
    assert set(subset["methods"]) == set(derive_bot_api.METHODS)
    text = next(f for f in subset["methods"]["sendMessage"]["fields"] if f["name"] == "text")
    assert text["required"] and text["limit"]["max"] == 4096
    button = {f["name"]: f for f in subset["types"]["InlineKeyboardButton"]["fields"]}
    assert button["callback_data"]["limit"] == {"min": 1, "max": 64, "unit": "bytes"}


# ---------------------------------------------------------------- transport, token, methods


def test_get_me_and_request_styles(client: httpx.Client) -> None:
    me = api(client, "getMe").json()["result"]
    assert me == {
        "id": 123456,
        "is_bot": True,
        "first_name": "Qorgau (local)",
        "username": "qorgau_local_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }
    assert client.get(f"/bot{TOKEN}/GETME").json()["result"]["id"] == 123456
    sent = client.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": USER, "text": "via query"})
    assert sent.json()["result"]["text"] == "via query"
    assert form(client, "SENDMESSAGE", chat_id=str(USER), text="form").json()["ok"]


def test_token_and_unknown_method(client: httpx.Client, double: DoubleServer) -> None:
    assert error(client.post("/botnot-a-token/getMe")) == (401, "Unauthorized")
    assert error(client.post("/bot123:bad token/getMe")) == (401, "Unauthorized")
    assert error(api(client, "sendMessageNow")) == (404, "Not Found")
    assert error(api(client, "getFile", file_id="x")) == (404, "Not Found")
    strict = DoubleServer(token=TOKEN).start()
    try:
        assert httpx.post(f"{strict.api_url}{TOKEN}/getMe").json()["ok"]
        assert error(httpx.post(f"{strict.api_url}999:other/getMe")) == (401, "Unauthorized")
    finally:
        strict.stop()


# ---------------------------------------------------------------- parameter validation


def test_missing_and_empty_parameters(client: httpx.Client) -> None:
    assert error(api(client, "sendMessage", text="hi")) == (400, "Bad Request: chat_id is empty")
    assert error(api(client, "sendMessage", chat_id=USER)) == (400, "Bad Request: message text is empty")
    assert error(api(client, "sendMessage", chat_id=USER, text="")) == (
        400,
        "Bad Request: message text is empty",
    )
    assert error(api(client, "sendMessage", chat_id=USER, text=" \n ")) == (
        400,
        "Bad Request: message text is empty",
    )
    assert error(api(client, "sendPhoto", chat_id=USER)) == (
        400,
        "Bad Request: there is no photo in the request",
    )
    assert error(api(client, "answerCallbackQuery"))[0] == 400
    assert error(api(client, "deleteMessage", chat_id=USER)) == (
        400,
        "Bad Request: message identifier is not specified",
    )


def test_wrong_types(client: httpx.Client) -> None:
    assert error(api(client, "sendMessage", chat_id={"id": 1}, text="x"))[0] == 400
    assert error(api(client, "sendMessage", chat_id=[1], text="x"))[0] == 400
    assert error(api(client, "sendMessage", chat_id=USER, text=5))[0] == 400
    assert error(api(client, "sendMessage", chat_id=USER, text="x", protect_content="true"))[0] == 400
    assert error(form(client, "sendMessage", chat_id=str(USER), text="x", protect_content="maybe"))[0] == 400
    assert error(api(client, "deleteMessage", chat_id=USER, message_id="one"))[0] == 400
    assert error(api(client, "sendMessage", chat_id="not-a-chat", text="x")) == (
        400,
        "Bad Request: chat not found",
    )
    assert api(client, "sendMessage", chat_id=str(USER), text="x", protect_content=True).json()["ok"]
    assert form(client, "sendMessage", chat_id=str(USER), text="y", disable_notification="false").json()["ok"]


def test_unknown_fields_are_ignored(client: httpx.Client, double: DoubleServer) -> None:
    response = api(client, "sendMessage", chat_id=USER, text="hi", no_such_field={"a": 1}, reply_to_message_id=9)
    assert response.json()["ok"]


def test_text_and_caption_lengths_count_characters(client: httpx.Client, double: DoubleServer) -> None:
    long_ok = "қ" * 4096  # 8192 bytes in UTF-8, 4096 characters
    assert api(client, "sendMessage", chat_id=USER, text=long_ok).json()["ok"]
    assert error(api(client, "sendMessage", chat_id=USER, text=long_ok + "ә")) == (
        400,
        "Bad Request: message is too long",
    )
    # HTML tags do not count: the limit applies after entity parsing
    assert api(client, "sendMessage", chat_id=USER, text=f"<b>{'a' * 4096}</b>", parse_mode="HTML").json()["ok"]
    double.set_limits(enforce=False)
    photo = double.register_file("photo")["file_id"]
    assert api(client, "sendPhoto", chat_id=USER, photo=photo, caption="ж" * 1024).json()["ok"]
    assert error(api(client, "sendPhoto", chat_id=USER, photo=photo, caption="ж" * 1025)) == (
        400,
        "Bad Request: message caption is too long",
    )
    sent = api(client, "sendMessage", chat_id=USER, text="short").json()["result"]
    assert error(api(client, "editMessageText", chat_id=USER, message_id=sent["message_id"], text="x" * 4097)) == (
        400,
        "Bad Request: message is too long",
    )


def test_text_and_caption_lengths_count_utf16_code_units(client: httpx.Client, double: DoubleServer) -> None:
    # Telegram counts text length in UTF-16 code units: an emoji outside the BMP is two (issue 11, hole 11).
    emoji = "\N{GRINNING FACE}"
    assert api(client, "sendMessage", chat_id=USER, text=emoji * 2048).json()["ok"]
    assert error(api(client, "sendMessage", chat_id=USER, text=emoji * 2048 + "a")) == (
        400,
        "Bad Request: message is too long",
    )
    assert error(api(client, "sendMessage", chat_id=USER, text=emoji * 2049)) == (
        400,
        "Bad Request: message is too long",
    )
    double.set_limits(enforce=False)
    photo = double.register_file("photo")["file_id"]
    assert api(client, "sendPhoto", chat_id=USER, photo=photo, caption=emoji * 512).json()["ok"]
    assert error(api(client, "sendPhoto", chat_id=USER, photo=photo, caption=emoji * 513)) == (
        400,
        "Bad Request: message caption is too long",
    )
    sent = api(client, "sendMessage", chat_id=USER, text="short").json()["result"]
    edited = api(client, "editMessageText", chat_id=USER, message_id=sent["message_id"], text=emoji * 2049)
    assert error(edited) == (400, "Bad Request: message is too long")


def test_parse_mode_and_entities(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)
    assert error(api(client, "sendMessage", chat_id=USER, text="x", parse_mode="markdownv3")) == (
        400,
        "Bad Request: unsupported parse_mode",
    )
    for mode in ("HTML", "Markdown", "MarkdownV2", "html"):
        assert api(client, "sendMessage", chat_id=USER, text="plain", parse_mode=mode).json()["ok"], mode
    assert error(api(client, "sendMessage", chat_id=USER, text="1 < 2", parse_mode="HTML")) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
    )
    assert error(api(client, "sendMessage", chat_id=USER, text="Case R-1.", parse_mode="MarkdownV2")) == (
        400,
        "Bad Request: can't parse entities: Character '-' is reserved and must be escaped with the preceding '\\'",
    )
    result = api(client, "sendMessage", chat_id=USER, text="Case <b>R7K3M9Q</b> &amp; co", parse_mode="HTML")
    message = result.json()["result"]
    assert message["text"] == "Case R7K3M9Q & co"
    assert message["entities"] == [{"type": "bold", "offset": 5, "length": 7}]


def test_callback_data_is_limited_in_bytes(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)

    def send(data: str) -> httpx.Response:
        markup = {"inline_keyboard": [[{"text": "Button", "callback_data": data}]]}
        return api(client, "sendMessage", chat_id=USER, text="x", reply_markup=markup)

    assert send("ы" * 32).json()["ok"]  # 64 bytes
    assert error(send("ы" * 32 + "a")) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert error(send("a" * 65)) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert error(send("")) == (400, "Bad Request: BUTTON_DATA_INVALID")


def test_reply_markup_shapes(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)

    def send(markup: Any) -> httpx.Response:
        return form(client, "sendMessage", chat_id=str(USER), text="x", reply_markup=markup)

    assert send(json.dumps(KB)).json()["result"]["reply_markup"] == KB
    assert api(client, "sendMessage", chat_id=USER, text="x", reply_markup=KB).json()["ok"]
    assert api(client, "sendMessage", chat_id=USER, text="x", reply_markup=json.dumps(KB)).json()["ok"]
    assert error(send("{not json")) == (400, "Bad Request: can't parse reply keyboard markup JSON object")
    assert error(send(json.dumps({"inline_keyboard": {"a": 1}}))) == (
        400,
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array',
    )
    assert error(send(json.dumps({"inline_keyboard": [{"text": "a", "callback_data": "b"}]}))) == (
        400,
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    )
    assert error(send(json.dumps({"inline_keyboard": [[{"text": "a"}]]}))) == (
        400,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    )
    assert error(send(json.dumps({"inline_keyboard": [[{"callback_data": "a"}]]}))) == (
        400,
        "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
    )
    two = {"inline_keyboard": [[{"text": "a", "callback_data": "b", "url": "https://example.org"}]]}
    assert error(send(json.dumps(two)))[1].startswith("Bad Request: can't parse inline keyboard button: exactly one")
    assert error(send(json.dumps({"inline_keyboard": [["a"]]}))) == (
        400,
        "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object",
    )
    bad_url = {"inline_keyboard": [[{"text": "a", "url": "javascript:alert(1)"}]]}
    assert error(send(json.dumps(bad_url))) == (400, "Bad Request: BUTTON_URL_INVALID")
    assert error(send(json.dumps({"something": []}))) == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )
    reply_kb = {
        "keyboard": [["Қазақша", {"text": "Русский"}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    sent = send(json.dumps(reply_kb)).json()["result"]
    assert "reply_markup" not in sent  # only inline keyboards are echoed in a Message
    assert send(json.dumps({"remove_keyboard": True})).json()["ok"]
    assert send(json.dumps({"force_reply": True, "input_field_placeholder": "Сілтеме"})).json()["ok"]
    assert error(send(json.dumps({"keyboard": [[{"request_contact": True}]]}))) == (
        400,
        "Bad Request: can't parse keyboard button: Can't find field \"text\"",
    )
    # editMessageReplyMarkup takes only inline keyboards
    message_id = sent["message_id"]
    assert (
        error(api(client, "editMessageReplyMarkup", chat_id=USER, message_id=message_id, reply_markup=reply_kb))[0]
        == 400
    )


def test_answer_callback_query(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)
    sent = api(client, "sendMessage", chat_id=USER, text="Case", reply_markup=KB).json()["result"]
    update = double.post_update(make_callback_update(USER, sent["message_id"], "take:R7K3M9Q"))
    assert update["queued"] is True
    # no webhook is set, so the update waits for getUpdates; the double now knows the callback query id
    queued = api(client, "getUpdates").json()["result"]
    callback = queued[-1]["callback_query"]
    assert callback["message"]["text"] == "Case"
    assert callback["message"]["reply_markup"] == KB
    query_id = callback["id"]
    assert error(api(client, "answerCallbackQuery", callback_query_id=query_id, text="x" * 201))[0] == 400
    assert api(client, "answerCallbackQuery", callback_query_id=query_id, text="x" * 200).json()["result"] is True
    assert error(api(client, "answerCallbackQuery", callback_query_id=query_id)) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert error(api(client, "answerCallbackQuery", callback_query_id="12345"))[0] == 400
    double.configure(strict_callback_queries=False)
    assert api(client, "answerCallbackQuery", callback_query_id="12345").json()["ok"]


# ---------------------------------------------------------------- message store


def test_message_store_send_edit_delete(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)
    first = api(client, "sendMessage", chat_id=USER, text="one", protect_content=True).json()["result"]
    second = api(client, "sendMessage", chat_id=USER, text="two", reply_markup=KB).json()["result"]
    in_group = api(client, "sendMessage", chat_id=GROUP, text="g").json()["result"]
    assert second["message_id"] == first["message_id"] + 1
    assert first["chat"]["type"] == "private" and in_group["chat"]["type"] == "supergroup"
    assert first["from"]["is_bot"] and first["has_protected_content"] is True
    assert isinstance(first["date"], int)

    mid = second["message_id"]
    same = api(client, "editMessageText", chat_id=USER, message_id=mid, text="two", reply_markup=KB)
    assert error(same) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message",
    )
    assert error(api(client, "editMessageText", chat_id=USER, message_id=999, text="x")) == (
        400,
        "Bad Request: message to edit not found",
    )
    edited = api(client, "editMessageText", chat_id=USER, message_id=mid, text="two (taken)").json()["result"]
    assert edited["text"] == "two (taken)" and "reply_markup" not in edited and "edit_date" in edited
    assert error(api(client, "editMessageReplyMarkup", chat_id=USER, message_id=mid))[1].startswith(
        "Bad Request: message is not modified"
    )
    assert api(client, "editMessageReplyMarkup", chat_id=USER, message_id=mid, reply_markup=KB).json()["ok"]

    assert error(api(client, "deleteMessage", chat_id=USER, message_id=999)) == (
        400,
        "Bad Request: message to delete not found",
    )
    assert api(client, "deleteMessage", chat_id=USER, message_id=first["message_id"]).json()["result"] is True
    assert error(api(client, "deleteMessage", chat_id=USER, message_id=first["message_id"]))[0] == 400
    assert error(api(client, "editMessageText", chat_id=USER, message_id=first["message_id"], text="z")) == (
        400,
        "Bad Request: message to edit not found",
    )

    stored = client.get(f"/_double/chats/{USER}/messages").json()["messages"]
    assert [(m["message_id"], m["text"], m["deleted"], m["protect_content"]) for m in stored] == [
        (first["message_id"], "one", True, True),
        (mid, "two (taken)", False, False),
    ]
    assert stored[1]["reply_markup"] == KB and stored[1]["edits"] == 2


def test_user_messages_copy_forward_and_group_deletes(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)
    posted = double.post_update(make_photo_update(USER, GROUP, caption="fight video https://example.org/v/1"))
    user_message_id = double.messages(GROUP, include_user=True)[-1]["message_id"]
    assert posted["queued"] and user_message_id >= 1
    user_photo = double.get_message(GROUP, user_message_id)
    assert user_photo is not None
    file_id = user_photo["photo"][-1]["file_id"]
    # the bot may reuse the file_id a user sent, but not an unknown one or of another type
    assert api(client, "sendPhoto", chat_id=USER, photo=file_id, protect_content=True).json()["ok"]
    assert error(api(client, "sendPhoto", chat_id=USER, photo="AgACunknown")) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    assert error(api(client, "sendVideo", chat_id=USER, video=file_id)) == (
        400,
        "Bad Request: type of file mismatch",
    )

    copied = api(client, "copyMessage", chat_id=USER, from_chat_id=GROUP, message_id=user_message_id).json()
    assert set(copied["result"]) == {"message_id"}
    forwarded = api(client, "forwardMessage", chat_id=USER, from_chat_id=GROUP, message_id=user_message_id).json()
    assert forwarded["result"]["forward_origin"]["type"] == "user"
    protected_id = double.messages(USER)[0]["message_id"]
    assert error(api(client, "copyMessage", chat_id=GROUP, from_chat_id=USER, message_id=protected_id)) == (
        400,
        "Bad Request: message has protected content and can't be forwarded",
    )
    assert error(api(client, "copyMessage", chat_id=USER, from_chat_id=GROUP, message_id=9999)) == (
        400,
        "Bad Request: message to copy not found",
    )

    # a plain member cannot delete a user's message in a group; an admin with the right can
    assert error(api(client, "deleteMessage", chat_id=GROUP, message_id=user_message_id)) == (
        400,
        "Bad Request: message can't be deleted",
    )
    double.post_update(make_my_chat_member_update(GROUP, double.bot_id))
    assert api(client, "getChatMember", chat_id=GROUP, user_id=double.bot_id).json()["result"]["status"] == (
        "administrator"
    )
    assert api(client, "deleteMessage", chat_id=GROUP, message_id=user_message_id).json()["result"] is True


def test_media_group_and_uploads(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(enforce=False)
    photo = double.register_file("photo")["file_id"]
    video = double.register_file("video")["file_id"]
    media = [
        {"type": "photo", "media": photo, "caption": "<b>1</b>", "parse_mode": "HTML"},
        {"type": "video", "media": video},
    ]
    album = api(client, "sendMediaGroup", chat_id=USER, media=media).json()["result"]
    assert len(album) == 2 and album[0]["media_group_id"] == album[1]["media_group_id"]
    assert album[0]["caption"] == "1"
    assert error(api(client, "sendMediaGroup", chat_id=USER, media=media[:1]))[0] == 400
    mixed = [
        {"type": "photo", "media": photo},
        {"type": "document", "media": double.register_file("document")["file_id"]},
    ]
    assert error(api(client, "sendMediaGroup", chat_id=USER, media=mixed)) == (
        400,
        "Bad Request: can't use the media of the specified type in the album",
    )
    upload = client.post(
        f"/bot{TOKEN}/sendDocument",
        data={"chat_id": str(USER), "caption": "report"},
        files={"document": ("report.pdf", b"%PDF-1.4 fake", "application/pdf")},
    ).json()["result"]
    assert upload["document"]["file_name"] == "report.pdf" and upload["caption"] == "report"
    attached = client.post(
        f"/bot{TOKEN}/sendMediaGroup",
        data={
            "chat_id": str(USER),
            "media": json.dumps([{"type": "photo", "media": "attach://a"}, media[1]]),
        },
        files={"a": ("a.jpg", b"\xff\xd8fake", "image/jpeg")},
    ).json()
    assert attached["ok"], attached


def test_chat_members_and_chats(client: httpx.Client, double: DoubleServer) -> None:
    member = api(client, "getChatMember", chat_id=GROUP, user_id=USER).json()["result"]
    assert member["status"] == "member" and member["user"]["id"] == USER
    client.post(
        "/_double/chat_member",
        json={"chat_id": GROUP, "user_id": USER, "member": {"status": "administrator"}},
    )
    admin = api(client, "getChatMember", chat_id=GROUP, user_id=USER).json()["result"]
    assert admin["status"] == "administrator" and admin["can_delete_messages"] is False
    admins = api(client, "getChatAdministrators", chat_id=GROUP).json()["result"]
    assert [a["user"]["id"] for a in admins] == [USER]
    assert error(api(client, "getChatAdministrators", chat_id=USER)) == (
        400,
        "Bad Request: there are no administrators in the private chat",
    )
    chat = api(client, "getChat", chat_id=GROUP).json()["result"]
    assert chat["type"] == "supergroup" and chat["id"] == GROUP
    assert error(api(client, "sendChatAction", chat_id=USER, action="dancing"))[0] == 400
    assert api(client, "sendChatAction", chat_id=USER, action="typing").json()["result"] is True
    assert api(client, "leaveChat", chat_id=GROUP).json()["result"] is True
    assert error(api(client, "sendMessage", chat_id=GROUP, text="x")) == (
        403,
        "Forbidden: bot is not a member of the supergroup chat",
    )


def test_commands_and_webhook_methods(client: httpx.Client, double: DoubleServer) -> None:
    commands = [
        {"command": "start", "description": "Бастау"},
        {"command": "report", "description": "Хабарлау"},
    ]
    assert api(client, "setMyCommands", commands=commands, language_code="kk").json()["result"] is True
    assert api(client, "getMyCommands", language_code="kk").json()["result"] == commands
    assert api(client, "getMyCommands").json()["result"] == []
    bad = [{"command": "Bad Command", "description": "x"}]
    assert error(api(client, "setMyCommands", commands=bad)) == (400, "Bad Request: BOT_COMMAND_INVALID")
    assert error(api(client, "setMyCommands", commands=[{"command": "x"}]))[1].startswith("Bad Request: can't parse")
    scope = {"type": "chat", "chat_id": USER}
    assert api(client, "setMyCommands", commands=commands[:1], scope=scope).json()["ok"]
    assert error(api(client, "setMyCommands", commands=commands, scope={"type": "everyone"}))[0] == 400
    assert api(client, "deleteMyCommands", scope=scope).json()["ok"]

    assert api(client, "getWebhookInfo").json()["result"]["url"] == ""
    set_hook = api(client, "setWebhook", url="http://127.0.0.1:9/hook", secret_token="S3cr-et_")
    assert set_hook.json() == {"ok": True, "result": True, "description": "Webhook was set"}
    assert error(api(client, "setWebhook", url="http://127.0.0.1:9/hook", secret_token="bad secret!"))[0] == 400
    assert api(client, "getWebhookInfo").json()["result"]["url"] == "http://127.0.0.1:9/hook"
    assert error(api(client, "getUpdates"))[0] == 409
    assert api(client, "deleteWebhook").json()["description"] == "Webhook was deleted"
    double.post_text(USER, "queued for polling")
    assert api(client, "getUpdates").json()["result"][-1]["message"]["text"] == "queued for polling"


# ---------------------------------------------------------------- flood limits


def test_per_chat_burst_then_429(client: httpx.Client, double: DoubleServer) -> None:
    for i in range(3):
        assert api(client, "sendMessage", chat_id=USER, text=f"m{i}").json()["ok"]
    limited = api(client, "sendMessage", chat_id=USER, text="m3")
    assert limited.status_code == 429
    body = limited.json()
    assert body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    assert body["parameters"]["retry_after"] >= 1
    # rejected calls, other chats and non-sending methods are not limited by this chat's budget
    assert api(client, "sendMessage", chat_id=USER + 1, text="other chat").json()["ok"]
    assert api(client, "getMe").json()["ok"]
    assert api(client, "sendChatAction", chat_id=USER, action="typing").json()["ok"]
    # edits count as sends
    assert api(client, "editMessageText", chat_id=USER, message_id=1, text="edit").status_code == 429


def test_rejected_calls_do_not_count_and_refill(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(per_chat_per_s=20.0, per_chat_burst=2)
    for _ in range(5):
        assert api(client, "sendMessage", chat_id=USER, text="").status_code == 400
    assert api(client, "sendMessage", chat_id=USER, text="a").json()["ok"]
    assert api(client, "sendMessage", chat_id=USER, text="b").json()["ok"]
    assert api(client, "sendMessage", chat_id=USER, text="c").status_code == 429
    time.sleep(0.12)  # 20 per second refill: one more token after 50 ms
    assert api(client, "sendMessage", chat_id=USER, text="d").json()["ok"]


def test_group_and_global_limits(client: httpx.Client, double: DoubleServer) -> None:
    double.set_limits(per_chat_burst=100, group_per_min=3, group_window_s=30.0)
    for i in range(3):
        assert api(client, "sendMessage", chat_id=GROUP, text=f"g{i}").json()["ok"]
    limited = api(client, "sendMessage", chat_id=GROUP, text="g3")
    assert limited.status_code == 429 and 1 <= limited.json()["parameters"]["retry_after"] <= 30
    assert api(client, "answerCallbackQuery", callback_query_id="x").status_code == 400  # not a 429

    double.set_limits(per_chat_burst=100, group_per_min=100, global_per_s=5, global_window_s=5.0)
    statuses = [api(client, "sendMessage", chat_id=USER + i, text="x").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]

    double.set_limits(enforce=False)
    assert all(api(client, "sendMessage", chat_id=USER, text=str(i)).json()["ok"] for i in range(10))


def test_control_limits_over_http(client: httpx.Client, double: DoubleServer) -> None:
    answer = client.post("/_double/limits", json={"enforce": True, "per_chat_per_s": 2, "global_per_s": 7})
    assert answer.json()["limits"]["global_per_s"] == 7
    assert client.post("/_double/limits", json={"nonsense": 1}).status_code == 400
    assert client.get("/_double/limits").json()["limits"]["per_chat_per_s"] == 2.0


# ---------------------------------------------------------------- blocked users and faults


def test_blocked_user(client: httpx.Client, double: DoubleServer) -> None:
    assert client.post("/_double/blocked", json={"chat_id": USER, "blocked": True}).json()["ok"]
    assert error(api(client, "sendMessage", chat_id=USER, text="hi")) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    assert api(client, "sendMessage", chat_id=USER + 1, text="hi").json()["ok"]
    double.set_blocked(USER, False)
    assert api(client, "sendMessage", chat_id=USER, text="hi").json()["ok"]


def test_faults(client: httpx.Client, double: DoubleServer) -> None:
    assert client.post("/_double/faults", json={"kind": "500", "method": "sendMessage", "count": 2}).json()["ok"]
    assert api(client, "getMe").json()["ok"]  # the rule is for sendMessage only
    assert error(api(client, "sendMessage", chat_id=USER, text="a")) == (500, "Internal Server Error")
    assert error(api(client, "sendmessage", chat_id=USER, text="a")) == (500, "Internal Server Error")
    assert api(client, "sendMessage", chat_id=USER, text="a").json()["ok"]

    double.add_fault("429", chat_id=USER + 1, retry_after=7)
    assert api(client, "sendMessage", chat_id=USER, text="b").json()["ok"]
    limited = api(client, "sendMessage", chat_id=USER + 1, text="b").json()
    assert limited["parameters"] == {"retry_after": 7}
    assert limited["description"] == "Too Many Requests: retry after 7"

    double.add_fault("403", method="sendPhoto")
    assert error(api(client, "sendPhoto", chat_id=USER, photo="x")) == (
        403,
        "Forbidden: bot was blocked by the user",
    )

    double.add_fault("slow", method="getMe", delay=0.3)
    started = time.monotonic()
    assert api(client, "getMe").json()["ok"]
    assert time.monotonic() - started >= 0.3

    double.add_fault("timeout", method="sendMessage", delay=0.2)
    before = len(double.messages(USER))
    assert error(api(client, "sendMessage", chat_id=USER + 2, text="lost")) == (504, "Gateway Timeout")
    assert len(double.messages(USER + 2)) == 0 and len(double.messages(USER)) == before
    double.add_fault("timeout", method="sendMessage", delay=0.1, execute=True)
    assert api(client, "sendMessage", chat_id=USER + 2, text="delivered late").json()["ok"]
    faults = [c["fault"] for c in double.calls() if "fault" in c]
    assert faults == ["500", "500", "429", "403", "slow", "timeout", "timeout"]
    assert client.get("/_double/faults").json()["faults"] == []
    assert client.post("/_double/faults", json={"kind": "boom"}).status_code == 400


def test_timeout_fault_is_interrupted_by_reset(client: httpx.Client, double: DoubleServer) -> None:
    double.add_fault("timeout", method="getMe", delay=30)
    threading.Timer(0.2, double.reset).start()
    started = time.monotonic()
    assert api(client, "getMe").status_code == 504
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------- recording and events


def test_recording(client: httpx.Client, double: DoubleServer) -> None:
    form(client, "sendMessage", chat_id=str(USER), text="hello", reply_markup=json.dumps(KB))
    api(client, "sendMessage", chat_id=USER + 1, text="")
    api(client, "getMe")
    calls = client.get("/_double/calls").json()["calls"]
    assert [c["method"] for c in calls] == ["sendMessage", "sendMessage", "getMe"]
    first = calls[0]
    assert first["params"]["chat_id"] == USER and first["params"]["reply_markup"] == KB
    assert first["status"] == 200 and first["response"]["result"]["text"] == "hello"
    assert first["via_webhook_response"] is False and first["seq"] < calls[1]["seq"]
    assert calls[1]["status"] == 400
    only = client.get("/_double/calls", params={"method": "sendmessage", "chat_id": USER}).json()["calls"]
    assert [c["seq"] for c in only] == [first["seq"]]
    assert double.calls("getMe")[0]["method"] == "getMe"
    assert client.post("/_double/reset").json() == {"ok": True}
    assert client.get("/_double/calls").json()["calls"] == []


def test_events_long_poll(client: httpx.Client, double: DoubleServer) -> None:
    after = double.last_seq
    threading.Timer(0.2, lambda: api(httpx.Client(base_url=double.base_url), "getMe")).start()
    started = time.monotonic()
    events = client.get("/_double/events", params={"after": after, "timeout": 5}).json()
    assert [c["method"] for c in events["calls"]] == ["getMe"]
    assert 0.1 < time.monotonic() - started < 4
    assert events["last_seq"] == events["calls"][-1]["seq"]
    empty = client.get("/_double/events", params={"after": events["last_seq"], "timeout": 0.1}).json()
    assert empty == {"calls": [], "last_seq": events["last_seq"]}


# ---------------------------------------------------------------- playing users through the webhook


def test_webhook_delivery_and_method_in_response(client: httpx.Client, double: DoubleServer) -> None:
    def reply(update: dict[str, Any]) -> tuple[int, Any]:
        message = update.get("message")
        if message and message.get("text") == "/start":
            return 200, {"method": "sendMessage", "chat_id": message["chat"]["id"], "text": "Сәлем!",
                         "reply_markup": KB}  # fmt: skip
        if message and message.get("text") == "/bad":
            return 200, {"method": "sendMessage", "chat_id": message["chat"]["id"], "text": ""}
        if message and message.get("text") == "/fail":
            return 500, None
        return 200, {}

    hook = Webhook(reply)
    try:
        double.set_webhook(hook.url, "S3cret")
        answer = client.post("/_double/updates", json=make_text_update(USER, "/start")).json()
        assert answer["status"] == 200
        assert answer["response_call"]["ok"] is True and answer["response_call"]["result"]["text"] == "Сәлем!"
        headers, update = hook.received[-1]
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == "S3cret"
        assert update["update_id"] == answer["update_id"]
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        assert update["message"]["from"]["first_name"] == "Test User"
        assert update["message"]["from"]["language_code"] == "ru"
        recorded = double.calls("sendMessage")[-1]
        assert recorded["via_webhook_response"] is True and recorded["params"]["reply_markup"] == KB

        bad = double.post_update(make_text_update(USER, "/bad"))
        assert bad["response_call"] == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message text is empty",
        }
        failed = double.post_update(make_text_update(USER, "/fail"))
        assert failed["status"] == 500 and failed["response_call"] is None
        info = api(client, "getWebhookInfo").json()["result"]
        assert info["last_error_message"].startswith("Wrong response from the webhook: 500")

        bot_message = answer["response_call"]["result"]
        pressed = double.press_button(USER, USER, bot_message["message_id"], text="Take")
        assert pressed["status"] == 200
        callback = hook.received[-1][1]["callback_query"]
        assert callback["data"] == "take:R7K3M9Q" and callback["message"]["text"] == "Сәлем!"
        assert api(client, "answerCallbackQuery", callback_query_id=callback["id"]).json()["ok"]

        unknown = client.post("/_double/updates", json=make_callback_update(USER, 424242, "x"))
        assert unknown.status_code == 400 and "unknown" in unknown.json()["error"]
        ids = [double.post_update(u)["update_id"] for u in make_album_updates(USER, ("photo", "photo"))]
        assert ids[1] == ids[0] + 1
        forwarded = double.post_update(make_forward_update(USER, "Look https://t.me/some_channel/42"))
        assert forwarded["status"] == 200
        assert hook.received[-1][1]["message"]["forward_origin"]["type"] == "channel"
    finally:
        hook.close()


def test_webhook_unreachable(double: DoubleServer) -> None:
    double.set_webhook("http://127.0.0.1:9/nothing-listens-here")
    answer = double.post_update(make_text_update(USER, "hi"))
    assert answer["status"] is None and answer["error"]


# ---------------------------------------------------------------- concurrency


def test_hundreds_of_concurrent_calls(double: DoubleServer) -> None:
    double.set_limits(enforce=False)
    pool_limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with httpx.Client(base_url=double.base_url, timeout=30, limits=pool_limits) as c:

        def send(i: int) -> int:
            response = api(c, "sendMessage", chat_id=USER + i % 4, text=f"n{i}")
            return int(response.json()["result"]["message_id"])

        with ThreadPoolExecutor(max_workers=200) as pool:
            ids = list(pool.map(send, range(600)))
    assert len(ids) == 600
    for chat in range(4):
        chat_ids = [m["message_id"] for m in double.messages(USER + chat)]
        assert sorted(chat_ids) == list(range(chat_ids[0], chat_ids[0] + 150))  # ids never repeat in a chat
    assert len(double.calls("sendMessage")) == 600
    seqs = [c["seq"] for c in double.calls()]
    assert seqs == list(range(seqs[0], seqs[0] + 600))


def test_concurrent_burst_is_limited_exactly(double: DoubleServer) -> None:
    with httpx.Client(base_url=double.base_url, timeout=30) as c, ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda i: api(c, "sendMessage", chat_id=USER, text=str(i)).status_code, range(50)))
    assert statuses.count(200) == 3 and statuses.count(429) == 47


# ---------------------------------------------------------------- python-telegram-bot against the double


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_python_telegram_bot_talks_to_the_double(double: DoubleServer) -> None:
    import telegram
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
    from telegram.error import BadRequest, RetryAfter

    async def scenario() -> None:
        bot = telegram.Bot(TOKEN, base_url=double.api_url)
        async with bot:
            assert bot.username == "qorgau_local_bot"
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Алу", callback_data="take:R7K3M9Q")]])
            sent = await bot.send_message(
                USER,
                "<b>Кейс</b> R7K3M9Q",
                parse_mode="HTML",
                reply_markup=markup,
                protect_content=True,
                disable_notification=True,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            assert sent.text == "Кейс R7K3M9Q" and sent.reply_markup == markup and sent.has_protected_content
            edited = await bot.edit_message_text("Taken", chat_id=USER, message_id=sent.message_id)
            assert isinstance(edited, telegram.Message) and edited.text == "Taken"
            with pytest.raises(BadRequest, match="Message is too long"):
                await bot.send_message(USER, "x" * 4097)
            with pytest.raises(BadRequest, match="Button_data_invalid"):
                await bot.send_message(
                    USER,
                    "x",
                    reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d" * 65)]]),
                )
            photo = await bot.send_photo(USER, b"\x89PNG fake bytes", caption="upload")
            assert photo.photo and photo.caption == "upload"
            await bot.send_photo(USER + 1, photo.photo[-1].file_id)
            member = await bot.get_chat_member(GROUP, USER)
            assert member.status == "member"
            assert await bot.delete_message(USER, sent.message_id)
            with pytest.raises(RetryAfter):
                await bot.send_message(USER, "over the limit")

    asyncio.run(scenario())
    sent_calls = double.calls("sendMessage", USER)
    assert sent_calls[0]["params"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Алу", "callback_data": "take:R7K3M9Q"}]]
    }
    assert double.calls("sendPhoto")[0]["params"]["photo"]["uploaded_file"]


def test_other_control_endpoints(client: httpx.Client, double: DoubleServer) -> None:
    assert client.get("/_double/health").json()["ok"]
    file_obj = client.post("/_double/files", json={"kind": "video"}).json()["file"]
    assert api(client, "sendVideo", chat_id=USER, video=file_obj["file_id"]).json()["ok"]
    assert client.post("/_double/config", json={"strict_file_ids": False}).json()["ok"]
    assert api(client, "sendPhoto", chat_id=USER + 1, photo="AgACnever-seen").json()["ok"]
    assert client.post("/_double/config", json={"no_such_option": 1}).status_code == 400
    sent = api(client, "sendMessage", chat_id=USER + 2, text="Case", reply_markup=KB).json()["result"]
    pressed = client.post(
        "/_double/press",
        json={"user_id": USER + 2, "chat_id": USER + 2, "message_id": sent["message_id"], "text": "Take"},
    ).json()
    assert pressed["queued"] is True
    missing = {"user_id": USER + 2, "chat_id": USER + 2, "message_id": sent["message_id"], "text": "Nope"}
    assert client.post("/_double/press", json=missing).status_code == 400
    assert client.post("/_double/webhook", json={"url": "http://127.0.0.1:9/x", "secret": "s"}).json()["ok"]
    assert api(client, "getWebhookInfo").json()["result"]["url"] == "http://127.0.0.1:9/x"
    assert client.get("/_double/nothing").status_code == 404
    user_messages = client.get(f"/_double/chats/{USER + 2}/messages", params={"all": "1"}).json()["messages"]
    assert [m["from_bot"] for m in user_messages] == [True]  # the press is not a message
