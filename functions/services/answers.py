"""The webhook's own sends: direct calls, and the body of an answer that must arrive (a case confirmation).

Made at once when Telegram takes them; what it refuses for flood control (429) or cannot take now (a timeout,
a 5xx) is stored and handed to deliver's paced, retried path instead of being lost or making Telegram re-send
the whole update. Uploads (charts, spreadsheets) cannot be stored: their failure still asks for a re-send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from pydantic import BaseModel

from functions.domain.jobs import DeliveryJob
from functions.domain.models import BotCall, FileUpload, Outcome
from functions.errors import BotRefused, TransientError
from functions.log import get_logger

log = get_logger("webhook")

NOT_DEFERRED: Final = frozenset({"answerCallbackQuery"})  # meaningless later: the button's spinner has gone


class BotPort(Protocol):
    """Makes one Bot API call."""

    def call(self, call: BotCall) -> Any: ...


class ReplyStore(Protocol):
    """Where deferred answers wait for deliver (FirestoreStore implements it)."""

    def put_reply(self, reply_id: str, chat_id: int, call: dict[str, Any], update_id: int) -> None: ...


class JobSink(Protocol):
    """Publishes one message."""

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str: ...


def chat_of(call: BotCall) -> int | None:
    """The chat a call writes to, when it names one."""
    chat = call.params.get("chat_id")
    return chat if isinstance(chat, int) else None


def storable(call: BotCall) -> bool:
    """Whether a call can wait in Firestore for deliver (plain data, a chat, a method worth making later)."""
    return (
        call.method not in NOT_DEFERRED
        and chat_of(call) is not None
        and not any(isinstance(value, FileUpload) for value in call.params.values())
    )


@dataclass
class Answers:
    """Makes the webhook's calls; hands the ones Telegram could not take now to deliver."""

    bot: BotPort
    store: ReplyStore
    jobs: JobSink
    deliveries_topic: str
    track: Callable[[str, int, int, str], None] | None = None  # records a message carrying a case (the purge)

    def finish(self, update_id: int, outcome: Outcome) -> BotCall | None:
        """Make the direct calls (and the body when it must arrive); return the call that rides in the answer.

        Raises:
            TransientError: a call that cannot be stored (an upload) failed, or storing failed: Telegram re-sends.
        """
        calls = list(outcome.direct)
        body = outcome.body
        if body is not None and outcome.must_arrive and body.method not in NOT_DEFERRED:
            calls.append(body)  # a button's answer still rides: refused now, it would be dropped, never retried
            body = None
        deferred: list[BotCall] = []
        for call in calls:
            chat = chat_of(call)
            if chat is not None and any(chat_of(d) == chat for d in deferred):
                deferred.append(call)  # the chat's later calls wait behind the first deferred one, in order
                continue
            try:
                result = self.bot.call(call)
            except BotRefused as error:
                if not error.not_modified:
                    log.warning("Telegram refused a reply", extra={"method": call.method, "kind": error.kind})
            except TransientError as error:
                if call.method in NOT_DEFERRED:
                    continue
                if not storable(call):
                    raise
                deferred.append(call)
                log.warning("reply handed to deliver", extra={"method": call.method, "reason": type(error).__name__})
            else:
                self._track(call, result)
        for index, call in enumerate(deferred):
            reply_id = f"reply-{update_id}-{index}"
            chat = chat_of(call)
            assert chat is not None
            self.store.put_reply(reply_id, chat, call.model_dump(mode="json"), update_id)
            job = DeliveryJob(
                job_id=reply_id, kind="reply", report_id="reply", recipient_id=chat, event_id=f"update-{update_id}"
            )
            self.jobs.publish(self.deliveries_topic, job, kind="reply")
        return body

    def _track(self, call: BotCall, result: Any) -> None:
        """Record where a message with a case's content went (the retention purge takes it back)."""
        if self.track is None or not call.carries or not isinstance(result, dict):
            return
        message_id, chat = result.get("message_id"), chat_of(call)
        if not isinstance(message_id, int) or chat is None:
            return
        kind = "text" if call.method in {"sendMessage", "editMessageText"} else "media"
        for attempt in range(3):
            try:
                self.track(call.carries, chat, message_id, kind)
                return
            except TransientError:
                if attempt == 2:
                    log.error("sent message not recorded", extra={"report_id": call.carries, "message_id": message_id})
