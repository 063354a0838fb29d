"""Crisis words: suicide and self-harm in Kazakh, Russian and English bring the helplines."""

from __future__ import annotations

import pytest

from functions.domain.crisis import mentions_crisis


@pytest.mark.parametrize(
    "text",
    [
        "мой друг не хочет жить",
        "Я НЕ ХОЧУ ЖИТЬ",
        "она режет себя",
        "думаю о суициде",
        "хочет покончить с собой",
        "видео про самоповреждение",
        "досым өзіне зиян келтіріп жүр",
        "өмір сүргім келмейді",
        "өзін-өзі өлтіргісі келеді",
        "I want to kill myself",
        "self-harm challenge",
        "не\u200bхочу жить".replace("\u200b", " "),
        "само\u200bубийство",
    ],
)
def test_recognised(text: str) -> None:
    assert mentions_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "привет",
        "драка у школы",
        "жить в Астане хорошо",
        "мектептегі төбелес",
        "как отправить ссылку?",
    ],
)
def test_not_recognised(text: str | None) -> None:
    assert not mentions_crisis(text)
