"""Logs carry ids, never content: whole conversations with recognisable fake content, and every line scanned.

Every log record the application writes (rendered exactly as the 'qorgau' JSON formatter writes it, plus
anything else that logs through Python's logging) and every error answer (status >= 400) of the four targets
is searched for the report text, the links, the names and the usernames. Faults are injected on the way so the
warning and error paths speak too.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
import pytest

from devkit.botapi_double.builders import make_callback_update, make_media_update, make_text_update, make_user
from devkit.botapi_double.markup import callback_data_of
from functions import bootstrap
from functions.domain.workflow import Role, StaffMember
from functions.log import JsonFormatter
from functions.services.report_flow import MAX_DESCRIPTION
from tests.integration.helpers import code_in, post_like_telegram
from tests.integration.test_staff import add_staff, card
from tests.stack import ADMIN_ID, SECRET, Stack, wait_for

pytestmark = pytest.mark.integration

REPORTER: Final = 4_100_001
MEMBER: Final = 4_100_002
OFFICER: Final = 4_100_003
GROUP: Final = -100_410_001
FIRST_NAME: Final = "Zhanar-Test-7781"
LAST_NAME: Final = "Testova-7781"
USERNAME: Final = "user_test_7781"
MEMBER_NAME: Final = "Aigerim-Test-7782"
MEMBER_USERNAME: Final = "user_test_7782"
OFFICER_NAME: Final = "Officer-Test-7783"
OFFICER_USERNAME: Final = "officer_test_7783"
DESCRIPTION: Final = "Описание-7781: драка у школы за гаражами, снимал старшеклассник"
PRIVATE_LINK: Final = "https://www.tiktok.com/@user_test_7781/video/7300000000000077810?is_from_webapp=1"
GROUP_LINK: Final = "https://vk.com/video-7781_7781"
CAPTION: Final = "Caption-7781 смотрите https://instagram.com/p/Test7781Reel"
NOTE: Final = "note-secret-7781 позвонил директору школы"
UPDATE_IDS: Final = itertools.count(410_000_001)
NOT_THE_APP: Final = frozenset({"werkzeug"})  # the in-process test server's access log (Cloud Run keeps its own)
NEEDLES: Final = (
    FIRST_NAME,
    "Zhanar",
    LAST_NAME,
    USERNAME,
    MEMBER_NAME,
    MEMBER_USERNAME,
    OFFICER_NAME,
    OFFICER_USERNAME,
    "Описание-7781",
    "старшеклассник",
    "7300000000000077810",
    "video-7781_7781",
    "Test7781Reel",
    "Caption-7781",
    "note-secret-7781",
    "директору",
)


class Recorder(logging.Handler):
    """Renders every record as the app's JSON line."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in NOT_THE_APP:
            return
        try:
            self.lines.append(self.formatter_.format(record))
        except Exception:  # a record that cannot be rendered as JSON is still scanned
            self.lines.append(f"{record.getMessage()} {record.__dict__}")


@dataclass
class Capture:
    """What the application said: log lines and error answers."""

    logs: Recorder
    errors: list[tuple[str, int, str]] = field(default_factory=list)

    def leaks(self) -> list[str]:
        texts = [("log", line) for line in self.logs.lines]
        texts += [(f"{path} {status}", body) for path, status, body in self.errors]
        return [f"{where}: {needle!r} in {text[:300]}" for where, text in texts for needle in NEEDLES if needle in text]


@pytest.fixture
def capture(stack: Stack) -> Iterator[Capture]:
    """Record every log record and every error answer of the four targets while the test runs."""
    recorder = Recorder()
    loggers = [logging.getLogger("qorgau"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(recorder)
    server = stack.functions.server
    app: Callable[..., Any] = server.app  # type: ignore[attr-defined]
    result = Capture(recorder)

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        seen: dict[str, int] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(maxsplit=1)[0])
            return start_response(status, headers, exc_info)

        path = environ.get("PATH_INFO", "")
        body = b"".join(app(environ, start))
        if seen.get("status", 200) >= 400:
            result.errors.append((path, seen["status"], body.decode("utf-8", "replace")))
        return [body]

    server.app = recording  # type: ignore[attr-defined]
    try:
        yield result
    finally:
        server.app = app  # type: ignore[attr-defined]
        for logger in loggers:
            logger.removeHandler(recorder)


def reporter() -> dict[str, Any]:
    return make_user(REPORTER, FIRST_NAME, "ru", last_name=LAST_NAME, username=USERNAME)


def post(stack: Stack, update: dict[str, Any]) -> dict[str, Any]:
    """Deliver like Telegram: re-send the same update (same update_id) until the webhook says 2xx."""
    update.setdefault("update_id", next(UPDATE_IDS))
    for _ in range(10):
        result = stack.double.post_update(update)
        if result["status"] == 200:
            return result
    raise AssertionError(result)


def say(stack: Stack, who: dict[str, Any], text: str, chat_id: int | None = None) -> None:
    update = make_text_update(who["id"], text, chat_id, first_name=who["first_name"])
    update["message"]["from"] = who
    if chat_id is None or chat_id > 0:
        update["message"]["chat"].update({k: who[k] for k in ("first_name", "last_name", "username") if k in who})
    post(stack, update)


def press(stack: Stack, who: dict[str, Any], label: str, chat_id: int | None = None) -> None:
    """Press the button once it shows (an edit Telegram failed arrives a moment later, through deliver)."""
    chat = who["id"] if chat_id is None else chat_id

    def shown() -> tuple[dict[str, Any], str] | None:
        for message in reversed(stack.double.messages(chat)):
            data = callback_data_of(message.get("reply_markup"), label)
            if data is not None:
                return message, data
        return None

    try:
        message, data = wait_for(shown, timeout=30)
    except AssertionError as error:
        raise AssertionError(f"no {label!r} in chat {chat}") from error
    update = make_callback_update(who["id"], message["message_id"], data, chat, message=message["message"])
    update["callback_query"]["from"] = who
    post(stack, update)


def whole_day(stack: Stack) -> str:
    """A private report with a description and a video, a group report, an officer taking, noting, viewing."""
    stack.connect_chain()
    officer_record = StaffMember(user_id=OFFICER, role=Role.REGIONAL, regions=("71",), name=OFFICER_NAME)
    bootstrap.cases().put_staff(officer_record, invited_by=ADMIN_ID)
    add_staff(4_100_004, "specialist", on_duty=True)
    stack.double.add_fault("500", method="editMessageText", chat_id=REPORTER, count=1)  # a retried edit
    stack.double.add_fault("429", method="sendMessage", chat_id=OFFICER, count=1, retry_after=1)
    me = reporter()
    say(stack, me, f"вот {PRIVATE_LINK}")
    video = make_media_update("video", REPORTER, caption=CAPTION, first_name=FIRST_NAME)
    video["message"]["from"] = me
    post(stack, video)
    for label in ("Драка, насилие между детьми", "Нет", "город Астана", "✏️ Описание"):
        press(stack, me, label)
    say(stack, me, DESCRIPTION[:MAX_DESCRIPTION])
    press(stack, me, "Отправить")
    code = code_in(stack.last_bot_message(REPORTER)["text"])

    member = make_user(MEMBER, MEMBER_NAME, "ru", username=MEMBER_USERNAME)
    say(stack, {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin-Test"}, "/enable_group", GROUP)
    say(stack, member, f"смотрите {GROUP_LINK} {DESCRIPTION}", GROUP)
    press(stack, member, "город Астана", GROUP)

    officer = make_user(OFFICER, OFFICER_NAME, "ru", username=OFFICER_USERNAME)
    mine = card(stack, OFFICER, code, timeout=30)
    press(stack, officer, "Взять в работу", OFFICER)
    note = make_text_update(OFFICER, NOTE, reply_to_message=mine["message"])
    note["message"]["from"] = officer
    post(stack, note)
    press(stack, officer, "Открыть материалы", OFFICER)
    wait_for(lambda: any("взято в работу" in t for t in stack.bot_texts(REPORTER)), timeout=20)
    return code


class TestLogsCarryNoContent:
    def test_a_whole_day_logs_ids_only(self, stack: Stack, capture: Capture) -> None:
        code = whole_day(stack)
        assert [e for e in bootstrap.oversight_store().events_of(code) if e.get("type") == "note"], (
            "the note was not stored"
        )
        assert any(code in line for line in capture.logs.lines), "the app logged nothing about the case"
        assert capture.leaks() == []

    def test_error_answers_echo_nothing(self, stack: Stack, capture: Capture) -> None:
        content = json.dumps({"update_id": 1, "message": {"text": DESCRIPTION, "from": reporter()}}).encode()
        url = stack.functions.url
        headers = {"Content-Type": "application/json"}
        attempts = [
            httpx.post(f"{url}/telegram_webhook", content=content, headers=headers, timeout=30),
            httpx.post(
                f"{url}/telegram_webhook",
                content=content,
                headers=headers | {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                timeout=30,
            ),
            httpx.post(
                f"{url}/telegram_webhook",
                content=b"{" + content,
                headers=headers | {"X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=30,
            ),
            httpx.post(
                f"{url}/telegram_webhook",
                content=content + b" " * (2 * 1024 * 1024),
                headers=headers | {"X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=30,
            ),
            httpx.get(f"{url}/telegram_webhook", params={"q": DESCRIPTION}, timeout=30),
            httpx.get(f"{url}/tick", params={"q": DESCRIPTION}, timeout=30),
        ]
        bad_push = {"message": {"data": base64.b64encode(content).decode(), "attributes": {"name": FIRST_NAME}}}
        for target in ("fan_out", "deliver"):
            attempts.append(httpx.post(f"{url}/{target}", json=bad_push, timeout=30))
            attempts.append(httpx.post(f"{url}/{target}", content=b"{" + content, timeout=30))
        assert all(response.status_code < 500 for response in attempts)
        assert any(response.status_code >= 400 for response in attempts)
        for response in attempts:
            assert not any(needle in response.text for needle in NEEDLES), response.text
        assert capture.leaks() == []

    def test_firestore_down_logs_no_content(self, stack: Stack, capture: Capture) -> None:
        me = reporter()
        update = make_text_update(REPORTER, f"вот {PRIVATE_LINK} {DESCRIPTION}", first_name=FIRST_NAME)
        update["message"]["from"] = me
        stack.emulators.stop_firestore()
        try:
            assert stack.double.post_update(update)["status"] == 503
        finally:
            stack.emulators.restart_firestore()
        # Telegram re-sends until it gets a 2xx; the client may need a few seconds to reconnect
        assert post_like_telegram(stack, update, attempts=100)["status"] == 200
        assert capture.errors, "the outage answered no error"
        assert capture.leaks() == []
