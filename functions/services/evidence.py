"""Evidence on request: a staff member asks to see a case's links and media (with a warning first)."""

from __future__ import annotations

from typing import Any, Final, Protocol

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.escalation import is_restricted
from functions.domain.incoming import IncomingCallback
from functions.domain.models import BotCall, Media, Outcome
from functions.domain.visibility import may_see_content
from functions.domain.workflow import StaffMember
from functions.i18n import t
from functions.log import get_logger
from functions.services import cards
from functions.services.calls import answer, edit_markup
from functions.services.keyboards import button, markup

log = get_logger("staff")

MAX_EVIDENCE_LINKS: Final = 40
MEDIA_METHODS: Final = {
    "photo": "sendPhoto",
    "video": "sendVideo",
    "animation": "sendAnimation",
    "document": "sendDocument",
    "video_note": "sendVideoNote",
    "voice": "sendVoice",
    "audio": "sendAudio",
}


class EvidenceStore(Protocol):
    """What evidence on request needs from storage (CaseStore implements it)."""

    def add_event(self, code: str, event_id: str, event: dict[str, Any]) -> bool: ...
    def has_event(self, code: str, event_id: str) -> bool: ...
    def additions_of(self, code: str) -> list[dict[str, Any]]: ...


class Evidence:
    """Sends a case's evidence to the staff member who asked, protected from forwarding, once per press."""

    def __init__(self, store: EvidenceStore) -> None:
        self.store = store

    def show(self, press: IncomingCallback, person: StaffMember, case: Case, lang: str, *, confirmed: bool) -> Outcome:
        """The evidence, or first the warning to confirm (graphic or restricted content)."""
        code = case.code
        chat_id = press.sender.user_id
        restricted = is_restricted(case.category)
        if not may_see_content(person, case.category, case.region):
            return Outcome(body=answer(press.callback_id, t(lang, "refuse_evidence_restricted"), alert=True))
        added = self.store.additions_of(code) if case.contributors else []
        graphic = bool(case.media) or any(row.get("added_media") for row in added)
        acknowledged = (not restricted) and self.store.has_event(code, f"ack-{person.user_id}")
        card_known = press.chat_id is not None
        if (restricted or graphic) and not confirmed and not acknowledged and card_known:
            warning = t(lang, "evidence_confirm_sexual" if restricted else "evidence_confirm_warning")
            keyboard = markup(
                [
                    [button(t(lang, "btn_evidence_confirm"), callbacks.case("evok", code))],
                    [button(t(lang, "btn_back"), callbacks.case("back", code))],
                ]
            )
            call = edit_markup(int(press.chat_id or 0), press.message_id, keyboard)
            return Outcome(direct=[call], body=answer(press.callback_id, warning, alert=True))
        if confirmed and not restricted:
            self.store.add_event(code, f"ack-{person.user_id}", {"type": "evidence_ack", "by": person.user_id})
        first_time = self.store.add_event(
            code, f"view-{press.update_id}", {"type": "evidence_view", "by": person.user_id}
        )
        if not first_time:
            return Outcome(body=answer(press.callback_id))  # a re-sent press: the evidence went out already
        log.info("evidence viewed", extra={"report_id": code, "by": person.user_id})
        calls: list[BotCall] = []
        caption = t(lang, "evidence_caption", code=code)
        joined_media = [Media.model_validate(m) for row in added for m in row.get("added_media") or []]
        for media in [*case.media, *joined_media]:
            method = MEDIA_METHODS.get(media.kind)
            if method is None:
                continue
            calls.append(
                BotCall(
                    method=method,
                    params={"chat_id": chat_id, media.kind: media.file_id, "protect_content": True, "caption": caption},
                )
            )
        urls = list(case.urls)
        urls += [str(url) for row in added for url in row.get("added_urls") or [] if str(url) not in urls]
        text = t(lang, "evidence_header", code=code)
        if urls:
            text += "\n" + "\n".join(urls[:MAX_EVIDENCE_LINKS])
            if len(urls) > MAX_EVIDENCE_LINKS:
                text += "\n" + t(lang, "card_more_links", n=len(urls) - MAX_EVIDENCE_LINKS)
        descriptions = [case.description] if restricted and case.description else []
        descriptions += [str(row["description"]) for row in added if row.get("description")]
        if descriptions:  # the joiners' own words (a restricted case's first one too: it is not on the card)
            text += "\n\n" + t(lang, "evidence_descriptions") + "\n" + "\n".join(f"« {d[:500]} »" for d in descriptions)
        calls.insert(
            0,
            BotCall(
                method="sendMessage",
                params={
                    "chat_id": chat_id,
                    "text": text[:4096],
                    "protect_content": True,
                    "link_preview_options": {"is_disabled": True},
                },
            ),
        )
        if confirmed and card_known:  # put the card's own buttons back
            calls.append(edit_markup(int(press.chat_id or 0), press.message_id, cards.card_keyboard(case, person)))
        return Outcome(direct=calls, body=answer(press.callback_id))
