"""What a reporter over their limit of new cases hears: kind words, when to try again, the helplines.

Nothing was stored (not the case, not the session's end), so pressing «Send» later simply works; the
question's buttons stay where they were. A child hears the helplines first of all.
"""

from __future__ import annotations

from functions.domain.models import Outcome, SubmitResult
from functions.i18n import t
from functions.services.calls import answer, send


def limited_outcome(lang: str, chat_id: int, callback_id: str, result: SubmitResult, *, child: bool = False) -> str:
    """The answer (Outcome as JSON) to a new case refused by the reporter's limit."""
    key = "limit_reached_child" if child else "limit_reached"
    text = t(lang, key, minutes=max(1, result.retry_in_minutes))
    return Outcome(direct=[answer(callback_id)], body=send(chat_id, text)).model_dump_json()
