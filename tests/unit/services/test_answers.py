"""The webhook's own sends on in-memory ports: what Telegram refuses with 429 is stored and handed to deliver, in
order per chat; a confirmation is made directly; uploads and button answers are never deferred."""

from __future__ import annotations

from typing import Any

import pytest

from functions.domain.jobs import DeliveryJob
from functions.domain.models import BotCall, FileUpload, Outcome
from functions.errors import BotRefused, BotRetryAfter, TransientError
from functions.services.answers import Answers
from tests.unit.builders import FakePublisher


class FakeBot:
    def __init__(self, refuse: dict[int, Exception]) -> None:
        self.refuse, self.made = refuse, []

    def call(self, call: BotCall) -> Any:
        chat = call.params.get("chat_id")
        if chat in self.refuse:
            raise self.refuse[chat]
        self.made.append(call)
        return {"message_id": 1}


class FakeReplies:
    def __init__(self) -> None:
        self.stored: dict[str, tuple[int, dict[str, Any]]] = {}

    def put_reply(self, reply_id: str, chat_id: int, call: dict[str, Any], update_id: int) -> None:
        self.stored[reply_id] = (chat_id, call)


def send(chat: int, text: str) -> BotCall:
    return BotCall(method="sendMessage", params={"chat_id": chat, "text": text})


def answers(refuse: dict[int, Exception]) -> tuple[Answers, FakeBot, FakeReplies, FakePublisher]:
    bot, replies, jobs = FakeBot(refuse), FakeReplies(), FakePublisher()
    return Answers(bot, replies, jobs, "deliveries"), bot, replies, jobs  # type: ignore[arg-type]


class TestAnswers:
    def test_a_confirmation_refused_with_429_goes_to_deliver(self) -> None:
        service, bot, replies, jobs = answers({-100: BotRetryAfter(7)})
        outcome = Outcome(body=send(-100, "R7K3M9Q"), must_arrive=True)
        assert service.finish(55, outcome) is None  # nothing rides in the answer: it was made (or handed over)
        assert bot.made == [] and replies.stored == {"reply-55-0": (-100, send(-100, "R7K3M9Q").model_dump())}
        published = [m for _, m in jobs.sent if isinstance(m, DeliveryJob)]
        assert [(j.kind, j.job_id, j.recipient_id) for j in published] == [("reply", "reply-55-0", -100)]

    def test_a_chats_later_calls_wait_behind_its_first_deferred_one(self) -> None:
        service, bot, replies, _ = answers({7: BotRetryAfter(1)})
        outcome = Outcome(direct=[send(7, "a"), send(8, "b")], body=send(7, "c"), must_arrive=True)
        service.finish(9, outcome)
        assert [c.params["text"] for c in bot.made] == ["b"]
        assert [call["params"]["text"] for _, call in replies.stored.values()] == ["a", "c"]

    def test_an_ordinary_body_rides_and_refusals_are_not_retried(self) -> None:
        service, _bot, replies, _ = answers({5: BotRefused("forbidden", "bot was blocked by the user")})
        body = send(6, "next question")
        assert service.finish(1, Outcome(direct=[send(5, "x")], body=body)) == body
        assert replies.stored == {}

    def test_uploads_cannot_wait_and_button_answers_are_dropped(self) -> None:
        upload = BotCall(method="sendPhoto", params={"chat_id": 3, "photo": FileUpload(b"png", "a.png")})
        service, _, replies, _ = answers({3: TransientError("timeout")})
        with pytest.raises(TransientError):
            service.finish(2, Outcome(direct=[upload]))
        spinner = BotCall(method="answerCallbackQuery", params={"callback_query_id": "q", "chat_id": 3})
        assert service.finish(3, Outcome(direct=[spinner])) is None and replies.stored == {}

    def test_a_buttons_answer_rides_in_the_webhook_answer_even_when_the_outcome_must_arrive(self) -> None:
        service, bot, replies, _ = answers({})
        spinner = BotCall(method="answerCallbackQuery", params={"callback_query_id": "q"})
        outcome = Outcome(direct=[send(4, "R7K3M9Q")], body=spinner, must_arrive=True)
        assert service.finish(4, outcome) == spinner  # one Bot API call fewer: a refused one is dropped anyway
        assert [c.params["text"] for c in bot.made] == ["R7K3M9Q"] and replies.stored == {}
