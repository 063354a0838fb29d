"""Notes, on in-memory ports: a staff member's reply to a case card is stored on the case."""

from __future__ import annotations

from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.services.notes import MAX_NOTE
from tests.unit.fakes import ADMIN, Desk, text_of

CARD = 555


def setup(desk: Desk, user_id: int, role: Role = Role.SPECIALIST, regions: tuple[str, ...] = ()) -> str:
    desk.store.reports["R222222"] = {"id": "R222222", "status": "new", "category": "violence", "region": "71"}
    desk.staff_store.cards[(user_id, CARD)] = "R222222"
    desk.staff_store.put_staff(StaffMember(user_id=user_id, role=role, regions=regions), invited_by=ADMIN)
    return "R222222"


class TestNotes:
    def test_a_reply_to_a_card_is_a_note(self) -> None:
        desk = Desk()
        code = setup(desk, 8301)
        answer = desk.message(8301, "Позвонила маме", reply_to=CARD, update_id=41)
        assert text_of(answer) == t("ru", "note_saved", code=code)
        assert desk.staff_store.events[code]["note-41"] == {"type": "note", "by": 8301, "text": "Позвонила маме"}

    def test_a_reply_to_anything_else_goes_on_to_the_reporter_flow(self) -> None:
        desk = Desk()
        setup(desk, 8302)
        assert text_of(desk.message(8302, "hello", reply_to=999)) == t("ru", "fallback_hint")

    def test_revoked_staff_and_people_out_of_scope_are_refused(self) -> None:
        desk = Desk()
        code = setup(desk, 8303, Role.REGIONAL, ("75",))
        assert text_of(desk.message(8303, "note", reply_to=CARD)) == t("ru", "refuse_out_of_scope")
        desk.staff_store.update_staff(8303, active=False)
        assert text_of(desk.message(8303, "note", reply_to=CARD)) == t("ru", "refuse_no_access")
        assert code not in desk.staff_store.events

    def test_a_note_over_the_limit_is_refused(self) -> None:
        desk = Desk()
        code = setup(desk, 8304)
        long = "x" * (MAX_NOTE + 1)
        assert text_of(desk.message(8304, long, reply_to=CARD)) == t(
            "ru", "text_too_long", length=len(long), max=MAX_NOTE
        )
        assert code not in desk.staff_store.events
