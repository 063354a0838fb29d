"""The relay under a process kill (issue 12): deliver SIGKILLed while it sends a staff message to a reporter.

The stack runs as real processes (devkit/localstack.py, as `make run` and the chaos scenario start it). An
officer writes to a reporter; Telegram hangs on that send; deliver is killed with the send in flight (its claim
on the message is held, nothing reached the reporter) and started again on its port. Pub/Sub re-delivers the job:
while the dead process's claim holds (its lease: the send's own bounds, 72 s with this stack's 12-second Telegram
timeout) every attempt is refused, then one attempt sends it. The test watches the restarted deliver refuse
several attempts, then lets the lease run out by moving the stored claim's end (`lease_until`) to now — the state
the document is in once the lease has passed — instead of waiting it out.
The message reaches the reporter exactly once — never twice, and not parked (the emulator re-delivers every
second, so the test allows more attempts than production's 10, which Pub/Sub's backoff spreads over many
minutes). Telegram's 429s, 500s and timeouts on the relay are in test_conversations.py (TestDeliveryProblems).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Final

import pytest

from devkit.botapi_double.builders import make_callback_update
from devkit.localstack import LocalStack
from functions.domain.time import utcnow
from functions.i18n import t
from tests.integration.test_conversations import press_data, relayed, write
from tests.integration.test_staff import card
from tests.stack import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.subprocess_stack, pytest.mark.timeout(420)]

ADMIN: Final = 7_150_001
OFFICER: Final = 7_150_071
REPORTER: Final = 7_151_001
TEXT: Final = "Вы на связи? kill-7150"
UPDATE_IDS: Final = itertools.count(715_000_000)
CODE: Final = re.compile(r"R[2-9A-HJKMNP-Z]{6}")


class Resending:
    """The double as Telegram behaves towards a webhook that answers 5xx (a fresh emulator warming up): the same
    update is sent again until it is answered 2xx."""

    def __init__(self, double: Any) -> None:
        self._double = double

    def __getattr__(self, name: str) -> Any:
        return getattr(self._double, name)

    def post_update(self, update: dict[str, Any]) -> dict[str, Any]:
        update.setdefault("update_id", next(UPDATE_IDS))
        for _attempt in range(60):
            result: dict[str, Any] = self._double.post_update(update)
            if result.get("status") == 200:
                return result
            time.sleep(1.0)
        return result

    def press_button(self, user_id: int, chat_id: int, message_id: int, *, data: str, **_: Any) -> dict[str, Any]:
        return self.post_update(make_callback_update(user_id, message_id, data, chat_id, "ru"))


class View:
    """The few looks the conversation helpers take at a stack (as tests/stack.Stack offers them)."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.double = Resending(stack.double)

    def doc(self, path: str) -> dict[str, Any] | None:
        snap = self.stack.firestore().document(path).get()
        return snap.to_dict() if snap.exists else None

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        messages = [m for m in self.double.messages(chat_id) if not m.get("deleted")]
        assert messages, f"the bot said nothing in chat {chat_id}"
        return messages[-1]


@pytest.fixture(scope="module")
def local() -> Iterator[LocalStack]:
    stack = LocalStack(
        name="relaykill",
        admin_ids=str(ADMIN),
        extra_env={"TELEGRAM_TIMEOUT_SECONDS": "12", "MAX_DELIVERY_ATTEMPTS": "400"},
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def put_officer(stack: LocalStack) -> None:
    from functions.adapters.firestore.stores import CaseStore
    from functions.domain.workflow import Role, StaffMember
    from functions.errors import TransientError

    officer = StaffMember(user_id=OFFICER, role=Role.REGIONAL, regions=("71",), name=f"Officer {OFFICER}")
    for attempt in range(10):  # a fresh emulator's first writes can exceed the deadline on a busy machine
        try:
            CaseStore(stack.firestore(), utcnow).put_staff(officer, invited_by=ADMIN)
            return
        except TransientError:
            if attempt == 9:
                raise
            time.sleep(1.0)


def press(view: View, user_id: int, ends_with: str) -> None:
    """Press a button once it shows: under Telegram's limits the webhook hands an edit to deliver, which makes it a
    moment later."""

    def showing() -> bool | None:
        for message in view.double.messages(user_id):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                if any(str(key.get("callback_data", "")).endswith(ends_with) for key in row):
                    return True
        return None

    wait_for(showing, timeout=60)
    press_data(view, user_id, ends_with)  # type: ignore[arg-type]


def report(view: View, user_id: int, url: str) -> str:
    """A whole private-chat report of one link (fights, no danger, Astana)."""
    write(view, user_id, url)  # type: ignore[arg-type]
    for step in (":cat:violence", ":danger:no", ":region:71", ":confirm:yes"):  # the short flow (issue 14)
        press(view, user_id, step)
    confirmed = wait_for(lambda: CODE.search(str(view.last_bot_message(user_id).get("text"))), timeout=60)
    return str(confirmed.group(0))


def sent_to_reporter(stack: LocalStack) -> int:
    return sum(
        1
        for call in stack.double.calls("sendMessage", chat_id=REPORTER)
        if call["status"] == 200 and TEXT in str(call["params"].get("text"))
    )


class TestRelayUnderAKill:
    def test_deliver_killed_mid_send_the_message_arrives_once_or_is_parked(self, local: LocalStack) -> None:
        stack, view = local, View(local)
        put_officer(stack)
        code = report(view, REPORTER, "https://instagram.com/p/Kill7150")
        card(view, OFFICER, code, timeout=60)  # type: ignore[arg-type]
        press(view, OFFICER, f"s:take:{code}")
        taken = t("ru", "notice_taken", code=code)
        wait_for(lambda: any(m.get("text") == taken for m in stack.double.messages(REPORTER)) or None, timeout=60)
        press(view, OFFICER, f"w:{code}")
        stack.double.add_fault("timeout", method="sendMessage", chat_id=REPORTER, count=1, delay=8)
        write(view, OFFICER, TEXT)  # type: ignore[arg-type]

        db = stack.firestore()

        def claim() -> Any:
            found = [s for s in db.collection("notices").stream() if s.id.startswith("relay_msg-")]
            return found[0] if found and not (found[0].to_dict() or {}).get("sent") else None

        wait_for(claim, timeout=60)  # deliver holds the message and waits on Telegram
        time.sleep(0.5)
        log = stack.logs / "deliver.log"
        before_restart = log.stat().st_size
        stack.kill("deliver")
        stack.restart("deliver")
        assert sent_to_reporter(stack) == 0  # the send in flight never reached the reporter

        def refused() -> int:
            return log.read_bytes()[before_restart:].count(b"delivery busy; will be re-delivered")

        wait_for(lambda: refused() >= 3, timeout=60)  # the restarted deliver refuses while the dead one's claim holds
        assert sent_to_reporter(stack) == 0
        held = claim()
        assert held is not None, "the killed send's claim is gone"
        assert held.to_dict()["lease_until"] > utcnow() + timedelta(seconds=10)  # it would hold a while yet
        held.reference.update({"lease_until": utcnow() - timedelta(seconds=1)})  # the lease has run out

        deadline = time.monotonic() + 240
        parked: list[dict[str, Any]] = []
        while sent_to_reporter(stack) == 0 and not parked and time.monotonic() < deadline:
            parked += [
                job for job in stack.pull_parked("deliveries-dead-letter", wait=2.0) if job.get("kind") == "relay"
            ]
        time.sleep(5)  # a late second delivery would show now
        # with this many attempts allowed the dead process's claim runs out first: delivered, once, not parked
        assert (sent_to_reporter(stack), parked) == (1, [])
        [message] = relayed(view, REPORTER, code)  # type: ignore[arg-type]
        assert TEXT in message["text"]
        assert (view.doc(f"reports/{code}") or {}).get("first_contact_by") == OFFICER
