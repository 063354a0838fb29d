"""The reporter's flow walked through the Bot API double on the emulators (issue 14): language first, the child's
path, the shortened report (taps counted), sexual exploitation, more than one report about one thing."""

from __future__ import annotations

from tests.integration.helpers import code_in, press, say
from tests.stack import Stack


class TestLanguage:
    def test_after_lang_the_next_report_speaks_the_new_language(self, stack: Stack) -> None:
        """The bug: a finished session's language won over the profile's after /lang."""
        say(stack, 12001, "/report")
        press(stack, 12001, "Отменить")
        say(stack, 12001, "/lang")
        press(stack, 12001, "Қазақша")
        say(stack, 12001, "https://youtu.be/langbug0001")
        assert "Не туралы хабарлағыңыз келеді?" in stack.last_bot_message(12001)["text"]
