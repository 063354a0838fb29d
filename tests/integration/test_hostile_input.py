"""Hostile input: the committed corpus (tests/data/hostile) and generated updates, against a frozen world.

Every input must be answered without a 5xx and without a stack trace, change no Firestore document it has no
business changing (the world is rolled back after each one), raise no unexpected exception inside the webhook,
make only Bot API calls Telegram would accept, and get a polite answer where one is due: a private message a
reply, a forged button an answerCallbackQuery with a refusal.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any, Final

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts import make_hostile_corpus
from tests.integration.world import ACTORS, World, build_world
from tests.stack import ROOT, SECRET, TOKEN, Stack

CORPUS_DIR: Final = ROOT / "tests" / "data" / "hostile"
GROUP_ORDER: Final = tuple(make_hostile_corpus.GROUPS)
REPLY_METHODS: Final = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendVideo"})
NOT_MODIFIED: Final = "message is not modified"  # an edit that changes nothing: harmless, the code ignores it
HARMLESS_REFUSALS: Final = (NOT_MODIFIED, "query is too old")  # what Telegram says to a replay


def load_corpus() -> list[dict[str, Any]]:
    """Every committed case, group by group in the generator's order."""
    entries: list[dict[str, Any]] = []
    for group in GROUP_ORDER:
        path = CORPUS_DIR / f"{group}.jsonl"
        entries.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return entries


CORPUS: Final = load_corpus()


def corpus_params() -> list[Any]:
    params = []
    for entry in CORPUS:
        marks = []
        if entry.get("known_bug"):
            marks.append(pytest.mark.xfail(strict=True, reason=entry["known_bug"]))
        params.append(pytest.param(entry, id=entry["id"], marks=marks))
    return params


class LogCapture(logging.Handler):
    """Keeps every record of the app's 'qorgau' logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def world(stack_session: Stack) -> Iterator[World]:
    """The world, built once for this module on a clean stack."""
    from functions import bootstrap

    stack_session.emulators.reset_firestore()
    stack_session.double.reset()
    stack_session.double.set_limits(enforce=False)
    bootstrap._built.pop("delivery", None)
    try:
        yield build_world(stack_session)
    finally:
        stack_session.drop_subscriptions()


@pytest.fixture(scope="module")
def app_logs() -> Iterator[LogCapture]:
    handler = LogCapture()
    logger = logging.getLogger("qorgau")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


# --- sending one input --------------------------------------------------------------------------------------
def raw_body(world: World, entry: dict[str, Any]) -> bytes:
    if "body_b64" in entry:
        return base64.b64decode(entry["body_b64"])
    if "body_parts" in entry:
        return "".join(world.resolve(part) for part in entry["body_parts"]).encode("utf-8", "surrogatepass")
    return str(entry.get("body", "")).encode("utf-8", "surrogatepass")


def deliver(world: World, entry: dict[str, Any]) -> tuple[int | None, str, dict[str, Any] | None]:
    """Send the input; (HTTP status, body when seen, the update when there is one)."""
    stack = world.stack
    if entry["transport"] == "raw":
        headers = {"Content-Type": entry.get("content_type", "application/json"), **entry.get("headers", {})}
        headers.setdefault("X-Telegram-Bot-Api-Secret-Token", SECRET)
        response = httpx.post(
            f"{stack.functions.url}/telegram_webhook", content=raw_body(world, entry), headers=headers, timeout=60
        )
        return response.status_code, response.text, None
    update = world.resolve(world.recorded[entry["replay"]] if entry["transport"] == "replay" else entry["update"])
    result = stack.double.post_update(update)
    return result["status"], json.dumps(result.get("response_call") or {}), update


def status_ok(expected: str, status: int | None) -> bool:
    if status is None:
        return False
    if expected == "<500":
        return status < 500
    if expected.endswith("xx"):
        return status // 100 == int(expected[0])
    return status == int(expected)


def chat_and_callback(update: dict[str, Any] | None) -> tuple[Any, Any, str | None]:
    """(chat id, callback id, chat type) the input came from, as far as its shape tells."""
    if not isinstance(update, dict):
        return None, None, None
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") if isinstance(query.get("message"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        return chat.get("id"), query.get("id"), chat.get("type")
    message = update.get("message") or update.get("edited_message")
    if isinstance(message, dict) and isinstance(message.get("chat"), dict):
        return message["chat"].get("id"), None, message["chat"].get("type")
    return None, None, None


def reply_problems(expected: str, calls: list[dict[str, Any]], update: dict[str, Any] | None) -> list[str]:
    chat, callback_id, _ = chat_and_callback(update)
    if expected == "any":
        return []
    if expected == "none":
        return [f"expected no Bot API call, got {[c['method'] for c in calls]}"] if calls else []
    if expected == "message":
        replies = [c for c in calls if c["method"] in REPLY_METHODS and str(c["params"].get("chat_id")) == str(chat)]
        return [] if replies else [f"no reply in chat {chat}; calls: {[c['method'] for c in calls]}"]
    answers = [c for c in calls if c["method"] == "answerCallbackQuery"]
    problems = []
    if len(answers) != 1 or str(answers[0]["params"].get("callback_query_id")) != str(callback_id):
        problems.append(f"expected one answerCallbackQuery for {callback_id}, got {answers}")
    elif not str(answers[0]["params"].get("text") or "").strip():
        problems.append("the refusal has no text")
    others = [c["method"] for c in calls if c["method"] != "answerCallbackQuery"]
    if others:
        problems.append(f"a refused press caused {others}")
    return problems


def check(world: World, entry: dict[str, Any], logs: LogCapture) -> list[str]:
    """Send one input and return everything wrong with how it was handled (world rolled back after)."""
    stack = world.stack
    seq = stack.double.last_seq
    first_record = len(logs.records)
    status, body, update = deliver(world, entry)
    calls = [c for c in stack.double.wait_events(after=seq) if c["method"] != "getMe"]
    expected = entry["expect"]
    problems: list[str] = []
    if status is None or status >= 500:
        problems.append(f"answered {status}")
    elif not status_ok(expected["status"], status):
        problems.append(f"answered {status}, expected {expected['status']}")
    if "Traceback" in body or 'File "' in body:
        problems.append("a stack trace in the answer")
    problems += reply_problems(expected["reply"], calls, update)
    refused = [
        f"{c['method']}: {c['response'].get('description')}"
        for c in calls
        if c["status"] != 200
        and NOT_MODIFIED not in str(c["response"])
        and not (entry["transport"] == "replay" and any(h in str(c["response"]) for h in HARMLESS_REFUSALS))
    ]
    if refused:
        problems.append(f"Telegram would refuse: {refused}")
    crashes = [r for r in logs.records[first_record:] if r.levelno >= logging.ERROR]
    if crashes and not expected.get("errors"):
        problems.append(f"errors logged: {[(r.getMessage(), getattr(r, 'error_type', '')) for r in crashes]}")
    now, changed = world.changes_since_baseline()
    unexpected = world.unexpected(changed, [world.resolve(glob) for glob in expected["changes"]])
    if unexpected:
        problems.append(f"changed what it should not: {unexpected[:8]}")
    if changed:
        world.rollback(now)
    return problems


# --- the corpus ---------------------------------------------------------------------------------------------
class TestCorpusFiles:
    def test_the_corpus_is_big_and_varied(self) -> None:
        assert len(CORPUS) >= 200
        assert len({entry["id"] for entry in CORPUS}) == len(CORPUS)
        assert {entry["group"] for entry in CORPUS} == set(GROUP_ORDER)

    def test_the_committed_corpus_is_what_the_script_makes(self) -> None:
        made = [entry for group in make_hostile_corpus.build().values() for entry in group]
        assert made == CORPUS, "run `python -m scripts.make_hostile_corpus` and commit tests/data/hostile"


@pytest.mark.integration
class TestHostileCorpus:
    @pytest.mark.parametrize("entry", corpus_params())
    def test_handled_safely(self, world: World, app_logs: LogCapture, entry: dict[str, Any]) -> None:
        problems = check(world, entry, app_logs)
        assert not problems, f"{entry['id']} ({entry['about']}): {problems}"

    def test_no_event_was_published_and_staff_are_as_they_were(self, world: World) -> None:
        # only the events an entry expects (an escalating join is stored and published at once)
        allowed = {world.resolve(event) for entry in CORPUS for event in entry["expect"].get("events", [])}
        published = world.stack.pull(world.events_subscription, wait=1.0, expect=1)
        assert [m for m in published if m["data"].get("event_id") not in allowed] == []
        staff = {path: data for path, data in world.snapshot().items() if path.startswith("staff/")}
        assert staff.keys() == {p for p in world.baseline if p.startswith("staff/")}
        for path, data in staff.items():
            assert world._comparable(data) == world._comparable(world.baseline[path]), path


# --- generated updates --------------------------------------------------------------------------------------
# People without rights, and people whose rights are gone: whatever they send, protected state stays. (Staff
# acting within their rights do change it; their forged presses are in the corpus.)
SENDERS: Final = [ACTORS[key] for key in ("STRANGER", "REPORTER", "REPORTER_B", "GROUP_MEMBER", "REVOKED")]
CHAT_TYPES: Final = ("private", "group", "supergroup", "channel", "secret")
ENTITY_TYPES: Final = ("url", "text_link", "bot_command", "bold", "mention", "custom_emoji", "hologram")

weird_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), weird_text)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(weird_text, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def entities(draw: st.DrawFn) -> list[dict[str, Any]]:
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(ENTITY_TYPES),
                    "offset": st.integers(-5, 400),
                    "length": st.integers(-5, 400),
                },
                optional={"url": st.one_of(weird_text, st.just("javascript:alert(1)")), "custom_emoji_id": weird_text},
            ),
            max_size=6,
        )
    )


@st.composite
def callback_data(draw: st.DrawFn, world: World) -> str:
    code = draw(
        st.sampled_from([world.facts["CASE"], world.facts["CASE_TAKEN"], world.facts["CASE_SEXUAL"], "R2345678"])
    )
    verb = draw(st.sampled_from(["take", "res", "rej", "esc", "reopen", "ev", "menu", "back", "x"]))
    arg = draw(st.sampled_from(["", "police", "content_removed", "not_relevant", "escalate", "../x", "71"]))
    shaped = f"s:{verb}:{code}" + (f":{arg}" if arg else "")
    flow_id = draw(st.sampled_from([world.facts["FLOW_B"], "zzzzzz"]))
    action = draw(st.sampled_from(["cat", "region", "confirm", "greg", "preg", "role", "cancel"]))
    flow = f"f:{flow_id}:{action}:{draw(weird_text)[:8]}"
    return draw(st.sampled_from([shaped, flow, "lang:kk", "lang:xx"]) | weird_text.map(lambda t: t[:64]))


@st.composite
def updates(draw: st.DrawFn, world: World) -> dict[str, Any]:
    """An Update that is mostly well formed and hostile where it counts."""
    sender = draw(st.sampled_from(SENDERS) | st.integers(880_500, 880_600))
    chat_type = draw(st.sampled_from(CHAT_TYPES))
    chat_id = sender if chat_type == "private" else draw(st.sampled_from([ACTORS["GROUP"], ACTORS["GROUP_OFF"], -1]))
    chat = {"id": chat_id, "type": chat_type}
    user = {
        "id": sender,
        "is_bot": draw(st.booleans()),
        "first_name": draw(weird_text),
        "language_code": draw(weird_text),
    }
    message: dict[str, Any] = {
        "message_id": draw(st.integers(-5, 10**9)),
        "date": draw(st.integers(-1, 2**40)),
        "chat": chat,
        "from": user,
    }
    text = draw(
        st.one_of(
            weird_text,
            st.sampled_from(["/start", "/invite admin", "/revoke 1", "/duty on", "/staff", "/case x"]).flatmap(
                lambda c: weird_text.map(lambda t: f"{c} {t}")
            ),
        )
    )
    message["text"] = text
    if draw(st.booleans()):
        message["entities"] = draw(entities())
    if draw(st.booleans()):
        message[draw(weird_text)[:20] or "extra"] = draw(json_values)
    kind = draw(
        st.sampled_from(["message", "message", "callback_query", "edited_message", draw(weird_text)[:20] or "x"])
    )
    if kind == "callback_query":
        query = {
            "id": str(draw(st.integers(1, 10**12))),
            "from": user,
            "chat_instance": "1",
            "data": draw(callback_data(world)),
            "message": {"message_id": draw(st.integers(1, 10**6)), "date": 1, "chat": chat, "text": "x"},
        }
        return {"update_id": draw(st.integers(1, 2**40)), "callback_query": query}
    return {"update_id": draw(st.integers(1, 2**40)), kind: message}


PROTECTED: Final = ("reports/", "staff/", "invites/", "content/", "cards/", "card_refs/", "notices/", "fanouts/")


@pytest.mark.integration
class TestGeneratedUpdates:
    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def test_any_update_is_answered_without_a_5xx_and_protected_state_stays(
        self, world: World, data: st.DataObject
    ) -> None:
        update = data.draw(updates(world))
        body = json.dumps(update).encode()
        response = httpx.post(
            f"{world.stack.functions.url}/telegram_webhook",
            content=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
            timeout=60,
        )
        assert response.status_code < 500 and "Traceback" not in response.text
        if response.status_code == 200 and response.content.strip() not in (b"", b'{"ok": true}'):
            answer = response.json()
            status, result = world.stack.double.call(TOKEN, answer.pop("method"), answer, typed=True, via_webhook=True)
            assert status == 200 or "query ID is invalid" in str(result), result  # a valid Bot API call
        now, changed = world.changes_since_baseline()
        touched = [path for path in changed if path.startswith(PROTECTED)]
        if changed:
            world.rollback(now)
        assert touched == [], update

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=st.binary(max_size=2000) | json_values.map(lambda v: json.dumps(v).encode()))
    def test_any_body_is_refused_or_acknowledged(self, world: World, raw: bytes) -> None:
        response = httpx.post(
            f"{world.stack.functions.url}/telegram_webhook",
            content=raw,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            timeout=60,
        )
        assert response.status_code in {200, 400, 413}
        assert "Traceback" not in response.text
        now, changed = world.changes_since_baseline()
        if changed:
            world.rollback(now)
        assert changed == []
