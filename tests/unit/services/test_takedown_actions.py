"""The card's takedown buttons, /ref and what the card shows of each link, on in-memory ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.incoming import IncomingCallback, IncomingMessage, Sender
from functions.domain.liveness import Answer
from functions.domain.takedown import TakedownState, new_record, with_check
from functions.domain.workflow import Role, StaffMember
from functions.services import cards
from functions.services.access import Access
from functions.services.takedown_actions import TakedownActions
from tests.unit.fakes import Published
from tests.unit.services.test_link_checks import TT, YT, Takedowns

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OFFICER = 501
OUTSIDER = 502


class Staff:
    def __init__(self) -> None:
        self.people = {
            OFFICER: StaffMember(user_id=OFFICER, role=Role.REGIONAL, regions=("71",), name="Officer"),
            OUTSIDER: StaffMember(user_id=OUTSIDER, role=Role.REGIONAL, regions=("75",), name="Far"),
        }

    def get_staff(self, user_id: int) -> StaffMember | None:
        return self.people.get(user_id)


def setup() -> tuple[Takedowns, TakedownActions, Published, Case]:
    store = Takedowns()
    case = Case(code="R7K3M9Q", urls=[TT, YT], region="71", category="violence", created_at=T0)
    store.case_docs[case.code] = case
    store.track([new_record(case.code, url, T0, "71", "violence") for url in case.urls])
    published = Published()
    actions = TakedownActions(
        store, Access(Staff(), frozenset()), published, "reports", lambda: T0 + timedelta(hours=3)
    )
    return store, actions, published, case


def press(data: str, user_id: int = OFFICER, update_id: int = 1) -> IncomingCallback:
    return IncomingCallback(
        update_id=update_id, callback_id="cb", sender=Sender(user_id), data=data, chat_id=user_id, chat_type="private"
    )


def message(text: str, user_id: int = OFFICER) -> IncomingMessage:
    return IncomingMessage(
        update_id=7, chat_id=user_id, chat_type="private", message_id=3, sender=Sender(user_id), text=text
    )


def test_reported_to_a_platform_in_one_tap_is_audited_and_refreshes_the_cards() -> None:
    store, actions, published, case = setup()
    outcome = actions.button(press(callbacks.takedown("rep", case.code, "tiktok")), "ru")
    assert outcome.body is not None and "TikTok" in str(outcome.body.params.get("text"))
    by_url = {r.url: r for r in store.links_of(case.code)}
    assert by_url[TT].reported_by == OFFICER and by_url[TT].state is TakedownState.REPORTED
    assert by_url[YT].reported_at is None
    assert [e["action"] for e in store.events.values()] == ["reported"]
    assert [a["report_id"] for _, _, a in published.sent] == [case.code]


def test_ref_adds_the_platforms_reference_and_check_now_brings_the_checks_forward() -> None:
    store, actions, _, case = setup()
    outcome = actions.command(message(f"/ref {case.code} youtube YT-55"), "ru", "ref", f"{case.code} youtube YT-55")
    assert outcome is not None and "YT-55" in str(outcome.body.params.get("text") if outcome.body else "")
    by_url = {r.url: r for r in store.links_of(case.code)}
    assert by_url[YT].reference == "YT-55" and by_url[TT].reference is None
    bad = actions.command(message("/ref R7K3M9Q"), "ru", "ref", "R7K3M9Q")
    assert bad is not None and "/ref" in str(bad.body.params.get("text") if bad.body else "")
    actions.button(press(callbacks.takedown("chk", case.code), update_id=2), "ru")
    assert all(r.next_check_at == T0 + timedelta(hours=3) for r in store.links_of(case.code))


def test_outsiders_and_forged_buttons_change_nothing() -> None:
    store, actions, published, case = setup()
    before = {r.record_id: r for r in store.links_of(case.code)}
    actions.button(press(callbacks.takedown("rep", case.code, "tiktok"), user_id=OUTSIDER), "ru")
    actions.button(press(callbacks.takedown("rep", case.code, "tiktok"), user_id=999), "ru")
    actions.button(press("t:rep"), "ru")
    actions.button(press(callbacks.takedown("zap", case.code)), "ru")
    assert {r.record_id: r for r in store.links_of(case.code)} == before and published.sent == []


def test_the_card_shows_each_links_state_and_when_all_are_removed() -> None:
    store, _, _, case = setup()
    officer = StaffMember(user_id=OFFICER, role=Role.REGIONAL, regions=("71",), name="Officer")
    records = store.links_of(case.code)
    text, _, keyboard = cards.card_message(case, officer, T0, None, links=records)
    assert f"{TT} — ❔" in text
    labels = [b["text"] for row in keyboard["inline_keyboard"] for b in row]
    assert "📨 Сообщили: TikTok" in labels and "📨 Сообщили: YouTube" in labels and "🔄 Проверить ссылки" in labels
    gone = [
        with_check(with_check(r, T0 + timedelta(days=2), Answer.GONE), T0 + timedelta(days=2, hours=4), Answer.GONE)
        for r in records
    ]
    gone = [with_check(r, T0 + timedelta(days=2, hours=4, minutes=5), Answer.GONE) for r in gone]
    text, _, keyboard = cards.card_message(case, officer, T0, None, links=gone)
    assert "удалено через 2 д 0 ч" in text and "Все материалы дела больше недоступны" in text
    labels = [b["text"] for row in keyboard["inline_keyboard"] for b in row]
    assert not any(label.startswith(("📨", "🔄")) for label in labels)
