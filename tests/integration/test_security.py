"""Security: who may call the four targets and how, who may act on cases, and forged or garbage pushes.

Everything refused must leave no trace: no case, no staff change, no event published, no message sent.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from devkit.botapi_double.builders import make_callback_update, make_media_update, make_text_update
from functions import bootstrap
from tests.integration.helpers import code_in, report_link, say
from tests.integration.test_staff import add_staff, card, last_answer, press_card
from tests.stack import ADMIN_ID, SECRET, Stack, wait_for

pytestmark = pytest.mark.integration

TARGETS = ("telegram_webhook", "fan_out", "deliver", "tick", "export")


def webhook(stack: Stack, body: bytes, headers: dict[str, str] | None = None, method: str = "POST") -> httpx.Response:
    sent = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET} | (headers or {})
    sent = {k: v for k, v in sent.items() if v is not None}
    return httpx.request(method, f"{stack.functions.url}/telegram_webhook", content=body, headers=sent, timeout=30)


def push(stack: Stack, target: str, data: Any, *, raw: bytes | None = None, message_id: str = "1") -> httpx.Response:
    """A Pub/Sub push as the emulator (and production) sends it; data is JSON-encoded and base64'd."""
    if raw is None:
        encoded = base64.b64encode(json.dumps(data).encode()).decode()
        raw = json.dumps({"subscription": "s", "message": {"data": encoded, "messageId": message_id}}).encode()
    return httpx.post(
        f"{stack.functions.url}/{target}", content=raw, headers={"Content-Type": "application/json"}, timeout=30
    )


def staff_records(stack: Stack) -> dict[str, dict[str, Any]]:
    """Every staff document, without its bookkeeping time."""
    return {
        snap.id: {k: v for k, v in (snap.to_dict() or {}).items() if k != "updated_at"}
        for snap in stack.db.collection("staff").stream()
    }


def a_case(stack: Stack, reporter: int = 9100, url: str = "https://vk.com/video-9_1") -> str:
    return code_in(report_link(stack, reporter, url))


def assert_no_trace(response: httpx.Response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text


class TestWebhookAuthentication:
    @pytest.mark.parametrize(
        ("header", "status"),
        [
            (None, 401),
            ("", 403),
            ("wrong", 403),
            (SECRET[:-1] + ("x" if SECRET[-1] != "x" else "y"), 403),
            (SECRET.upper(), 403),
            (SECRET + "x", 403),
            ("x" * 8000, 403),
        ],
        ids=["missing", "empty", "wrong", "one-character-off", "upper-case", "one-character-more", "8-KB"],
    )
    def test_refused_without_the_secret_and_nothing_happens(
        self, stack: Stack, header: str | None, status: int
    ) -> None:
        body = json.dumps(make_text_update(9001, "https://vk.com/video-9_9", update_id=9001, message_id=1)).encode()
        response = webhook(stack, body, {"X-Telegram-Bot-Api-Secret-Token": header})
        assert response.status_code == status
        assert_no_trace(response)
        assert SECRET not in response.text
        assert stack.doc("sessions/9001:9001") is None and stack.double.calls() == []

    def test_the_secret_in_the_query_string_is_not_the_header(self, stack: Stack) -> None:
        body = json.dumps(make_text_update(9002, "/start", update_id=9002, message_id=1)).encode()
        response = httpx.post(
            f"{stack.functions.url}/telegram_webhook?secret_token={SECRET}",
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        assert response.status_code == 401
        assert stack.doc("sessions/9002:9002") is None


class TestWebhookLimits:
    def test_oversize_body_is_413_before_anything_is_read(self, stack: Stack) -> None:
        limit = bootstrap.settings().max_body_bytes
        response = webhook(stack, b'{"update_id": 1, "pad": "' + b"a" * limit + b'"}')
        assert response.status_code == 413
        assert_no_trace(response)

    def test_oversize_chunked_body_without_a_length_is_413(self, stack: Stack) -> None:
        limit = bootstrap.settings().max_body_bytes

        def chunks() -> Any:
            yield b'{"update_id": 1, "pad": "'
            for _ in range(limit // 65536 + 2):
                yield b"a" * 65536
            yield b'"}'

        response = httpx.post(
            f"{stack.functions.url}/telegram_webhook",
            content=chunks(),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
            timeout=30,
        )
        assert response.status_code == 413

    def test_oversize_body_is_refused_even_without_the_secret(self, stack: Stack) -> None:
        response = webhook(stack, b"a" * (2 * 1024 * 1024), {"X-Telegram-Bot-Api-Secret-Token": None})
        assert response.status_code in {401, 413}


class TestMethods:
    @pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
    def test_the_webhook_takes_only_post(self, stack: Stack, method: str) -> None:
        response = webhook(stack, b"{}", method=method)
        assert response.status_code == 405 and response.headers.get("Allow") == "POST"

    @pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
    def test_tick_does_no_work_on_anything_but_post(self, stack: Stack, method: str) -> None:
        response = httpx.request(method, f"{stack.functions.url}/tick", timeout=30)
        assert response.status_code == 405

    @pytest.mark.parametrize("target", ["fan_out", "deliver", "export"])
    @pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
    def test_consumers_drop_anything_but_a_post(self, stack: Stack, target: str, method: str) -> None:
        response = httpx.request(method, f"{stack.functions.url}/{target}", timeout=30)
        assert response.status_code == 200 and "dropped" in response.text  # acknowledged: never re-delivered


class TestStaffActionsByOutsiders:
    def _setup(self, stack: Stack) -> tuple[str, dict[str, Any]]:
        stack.connect_chain()
        add_staff(9201, "regional", ("71",))
        add_staff(9202, "regional", ("75",))
        add_staff(9203, "regional", ("71",))
        code = a_case(stack)
        mine = card(stack, 9201, code)
        wait_for(lambda: stack.doc(f"reports/{code}")["fanout_pending"] is False)  # type: ignore[index]
        bootstrap.cases().update_staff(9203, active=False)  # revoked after the card reached them
        return code, mine

    def _forge(self, stack: Stack, user_id: int, data: str) -> str:
        """A press with this data on the bot's latest message in the user's own chat; the answer shown."""
        say(stack, user_id, "hello")
        message = stack.last_bot_message(user_id)
        update = make_callback_update(user_id, message["message_id"], data, user_id)
        assert stack.double.post_update(update)["status"] == 200
        return last_answer(stack)

    @pytest.mark.parametrize(
        ("who", "verb", "refusal"),
        [
            (9299, "take", "Нет доступа"),
            (9299, "rej", "Нет доступа"),
            (9203, "take", "Нет доступа"),
            (9203, "ev", "Нет доступа"),
            (9202, "take", "вне вашей зоны"),
            (9202, "ev", "вне вашей зоны"),
            (9202, "menu", "вне вашей зоны"),
        ],
        ids=[
            "stranger-take",
            "stranger-reject",
            "revoked-take",
            "revoked-evidence",
            "other-region-take",
            "other-region-evidence",
            "other-region-menu",
        ],
    )
    def test_card_buttons_are_refused_and_change_nothing(self, stack: Stack, who: int, verb: str, refusal: str) -> None:
        code, _ = self._setup(stack)
        before, staff_before = stack.doc(f"reports/{code}"), staff_records(stack)
        events_before = bootstrap.oversight_store().events_of(code)
        sent_before = len([c for c in stack.double.calls() if c["method"].startswith("send")])
        arg = {"rej": ":not_relevant", "menu": ":escalate"}.get(verb, "")
        assert refusal in self._forge(stack, who, f"s:{verb}:{code}{arg}")
        assert stack.doc(f"reports/{code}") == before
        assert staff_records(stack) == staff_before
        assert bootstrap.oversight_store().events_of(code) == events_before
        sends = [c for c in stack.double.calls() if c["method"].startswith("send")]
        assert all(c["method"] == "sendMessage" and c["params"].get("text") for c in sends[sent_before:])
        assert not any(c["method"] in {"sendVideo", "sendPhoto", "sendDocument"} for c in sends)

    def test_an_officer_of_another_region_cannot_resolve_with_a_forged_outcome(self, stack: Stack) -> None:
        code, mine = self._setup(stack)
        press_card(stack, 9201, mine, "Взять в работу")
        wait_for(lambda: stack.doc(f"reports/{code}")["fanout_pending"] is False)  # type: ignore[index]
        taken = stack.doc(f"reports/{code}")
        assert "вне вашей зоны" in self._forge(stack, 9202, f"s:res:{code}:x")
        assert "вне вашей зоны" in self._forge(stack, 9202, f"s:res:{code}:content_removed")
        assert stack.doc(f"reports/{code}") == taken

    def test_a_revoked_officer_cannot_add_notes(self, stack: Stack) -> None:
        code, _ = self._setup(stack)
        theirs = card(stack, 9203, code)
        update = make_text_update(9203, "a note from someone revoked", reply_to_message=theirs)
        assert stack.double.post_update(update)["status"] == 200
        assert "Нет доступа" in stack.last_bot_message(9203)["text"]
        assert not [e for e in bootstrap.oversight_store().events_of(code) if e.get("type") == "note"]

    @pytest.mark.parametrize(
        ("who", "command"),
        [
            (9299, "/invite admin"),
            (9299, "/staff"),
            (9299, f"/revoke {ADMIN_ID}"),
            (9299, "/revoke 9201"),
            (9299, "/duty on"),
            (9201, "/invite admin"),
            (9201, "/invite regional 75"),
            (9201, "/revoke 9202"),
            (9201, "/staff"),
            (9203, "/duty on"),
            (9203, "/invite specialist"),
        ],
    )
    def test_staff_commands_by_outsiders_change_no_record(self, stack: Stack, who: int, command: str) -> None:
        self._setup(stack)
        staff_before = staff_records(stack)
        say(stack, who, command)
        answer = stack.last_bot_message(who)["text"]
        assert "Нет доступа" in answer or "только для администраторов" in answer
        assert staff_records(stack) == staff_before
        assert list(stack.db.collection("invites").stream()) == []

    def test_enabling_a_group_takes_an_administrator(self, stack: Stack) -> None:
        say(stack, 9299, "/enable_group", chat_id=-100_920_001)
        assert "только для администраторов" in stack.last_bot_message(-100_920_001)["text"]
        assert stack.doc("groups/-100920001") is None
        say(stack, 9299, "https://vk.com/video-9_2", chat_id=-100_920_001)
        assert stack.reports() == []

    def test_a_revoked_member_cannot_come_back_with_their_old_invite(self, stack: Stack) -> None:
        say(stack, ADMIN_ID, "/invite specialist")
        link = str(stack.last_bot_message(ADMIN_ID)["text"]).split("?start=")[1].split()[0]
        say(stack, 9301, f"/start {link}")
        assert stack.doc("staff/9301")["active"] is True  # type: ignore[index]
        say(stack, ADMIN_ID, "/revoke 9301")
        assert stack.doc("staff/9301")["active"] is False  # type: ignore[index]
        say(stack, 9301, f"/start {link}")  # the old link from the chat history, tapped again
        assert stack.doc("staff/9301")["active"] is False  # type: ignore[index]


GARBAGE_PUSHES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"not json", id="not-json"),
    pytest.param(b"[]", id="a-list"),
    pytest.param(b'{"message": "x"}', id="message-not-an-object"),
    pytest.param(b'{"subscription": "s"}', id="no-message"),
    pytest.param(b'{"message": {"data": "%%%not base64%%%"}}', id="not-base64"),
    pytest.param(b'{"message": {"data": "' + base64.b64encode(b"not json") + b'"}}', id="base64-not-json"),
    pytest.param(b'{"message": {"data": "' + base64.b64encode(b"[1, 2]") + b'"}}', id="base64-a-list"),
    pytest.param(b'{"message": {"data": "' + base64.b64encode(b"\xff\xfe") + b'"}}', id="base64-not-utf8"),
    pytest.param(b'{"message": {"data": null, "attributes": 5}}', id="data-null"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, id="deeply-nested"),
]


class TestForgedPushes:
    @pytest.mark.parametrize("target", ["fan_out", "deliver", "export"])
    @pytest.mark.parametrize("body", GARBAGE_PUSHES)
    def test_garbage_is_acknowledged_and_dropped(self, stack: Stack, target: str, body: bytes) -> None:
        response = push(stack, target, None, raw=body)
        assert response.status_code == 200 and "dropped" in response.text
        assert_no_trace(response)
        assert stack.double.calls() == []

    @pytest.mark.parametrize(
        "event",
        [
            {"type": "report.exploded", "event_id": "e1", "report_id": "R2345678"},
            {"schema_version": 99, "type": "report.created", "event_id": "e2"},
            {"type": "report.created", "event_id": 5, "report_id": ["x"], "occurred_at": "yesterday"},
            {
                "schema_version": 1,
                "type": "report.created",
                "event_id": "created-RZZZZZZ",
                "report_id": "RZZZZZZ",
                "occurred_at": "2026-01-01T00:00:00Z",
                "severity": "urgent",
                "region": "71",
                "category": "selfharm",
            },
        ],
        ids=["unknown-type", "no-fields", "wrong-types", "case-that-does-not-exist"],
    )
    def test_events_that_are_not_about_a_case_publish_no_job(self, stack: Stack, event: dict[str, Any]) -> None:
        add_staff(9401, "specialist", on_duty=True)
        jobs = stack.pull_subscription("deliveries")
        for _ in range(5):  # re-delivered: still acknowledged every time, never a 5xx loop
            response = push(stack, "fan_out", event)
            assert response.status_code == 200 and "dropped" in response.text
        assert stack.pull(jobs, wait=1.0) == []
        assert stack.reports() == []

    def test_a_forged_card_job_for_someone_who_is_not_staff_sends_nothing(self, stack: Stack) -> None:
        code = a_case(stack)
        job = {"job_id": "x:1", "kind": "card", "report_id": code, "recipient_id": 9402, "event_id": "x"}
        assert push(stack, "deliver", job).status_code == 200
        assert stack.double.messages(9402) == []

    def test_a_forged_card_job_for_a_case_that_does_not_exist_sends_nothing(self, stack: Stack) -> None:
        add_staff(9403, "specialist", on_duty=True)
        job = {"job_id": "x:2", "kind": "card", "report_id": "RZZZZZZ", "recipient_id": 9403, "event_id": "x"}
        assert push(stack, "deliver", job).status_code == 200
        assert stack.double.messages(9403) == []

    @pytest.mark.parametrize(
        "job",
        [
            {"job_id": "x", "kind": "bomb", "report_id": "R2345678", "recipient_id": 1, "event_id": "x"},
            {"job_id": "x", "kind": "card", "report_id": "R2345678", "recipient_id": "me", "event_id": "x"},
            {"kind": "card"},
        ],
        ids=["unknown-kind", "recipient-not-a-number", "missing-fields"],
    )
    def test_jobs_that_are_not_jobs_are_dropped(self, stack: Stack, job: dict[str, Any]) -> None:
        response = push(stack, "deliver", job)
        assert response.status_code == 200 and "dropped" in response.text

    @pytest.mark.parametrize(
        ("target", "data"),
        [
            (
                "fan_out",
                {
                    "schema_version": 1,
                    "type": "report.created",
                    "event_id": "created-x",
                    "report_id": "../../staff/1",
                    "occurred_at": "2026-01-01T00:00:00Z",
                    "severity": "normal",
                    "region": "71",
                    "category": "other",
                },
            ),
            ("deliver", {"job_id": "j", "kind": "card", "report_id": "a/b", "recipient_id": 9404, "event_id": "e"}),
        ],
        ids=["fan_out", "deliver"],
    )
    def test_ids_that_are_paths_are_dropped_at_once(self, stack: Stack, target: str, data: Any) -> None:
        add_staff(9404, "specialist", on_duty=True)
        topic = "reports-dead-letter" if target == "fan_out" else "deliveries-dead-letter"
        parked = stack.pull_subscription(topic)
        response = push(stack, target, data)
        assert response.status_code == 200 and "dropped" in response.text
        assert stack.pull(parked, wait=2.0, expect=1) == []
        assert stack.double.calls() == []

    def test_a_forged_notice_for_a_case_that_does_not_exist_sends_nothing(self, stack: Stack) -> None:
        job = {
            "job_id": "x:r9406",
            "kind": "notice",
            "report_id": "RZZZZZZ",
            "recipient_id": 9406,
            "event_id": "x",
            "notice": "taken",
        }
        assert push(stack, "deliver", job).status_code == 200
        assert stack.double.messages(9406) == []

    def test_tick_ignores_whatever_body_it_is_given(self, stack: Stack) -> None:
        for body in (b"", b"not json", b'{"republish": "everything", "shift": 999999}', b"\xff" * 1000):
            response = httpx.post(f"{stack.functions.url}/tick", content=body, timeout=30)
            assert response.status_code == 200 and response.json()["ok"] is True
        # tick's own getWebhookInfo health check (every five minutes) is the only Bot API call it may make.
        calls = [c for c in stack.double.calls() if c["method"] != "getWebhookInfo"]
        assert stack.reports() == [] and calls == []


class TestGroupFloodLimit:
    def test_a_lost_region_question_does_not_swallow_the_members_next_posts(self, stack: Stack) -> None:
        group = -100_930_001
        say(stack, ADMIN_ID, "/enable_group", chat_id=group)
        stack.double.add_fault("429", method="sendMessage", chat_id=group, count=1, retry_after=30)
        first = make_text_update(9501, "https://vk.com/video-95_1", group)
        assert stack.double.post_update(first)["status"] == 200  # its answer was refused by flood control
        second = make_text_update(9501, "https://vk.com/video-95_2", group)
        assert stack.double.post_update(second)["status"] == 200
        asked = [m for m in stack.double.messages(group) if m.get("reply_markup")]
        assert asked or stack.reports(), "the member was never asked and nothing was registered"


class TestAlbumsWithForgedIds:
    def test_a_media_group_id_that_is_a_path_is_acknowledged(self, stack: Stack) -> None:
        update = make_media_update("photo", 9601, media_group_id="../../x")
        assert stack.double.post_update(update)["status"] == 200
        assert stack.reports() == []
