"""Evidence on request, on in-memory ports: restricted categories, the warning first, once per press."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from tests.unit.fakes import ADMIN, Desk, buttons_of, text_of

VIDEO = {"kind": "video", "file_id": "file-v", "file_unique_id": "v"}


def case(desk: Desk, category: str = "violence", media: list[dict[str, str]] | None = None) -> str:
    desk.store.reports["R222222"] = {
        "id": "R222222",
        "status": "new",
        "category": category,
        "severity": "high",
        "region": "71",
        "urls": ["https://vk.com/wall-1_1"],
        "media": media or [],
    }
    return "R222222"


def staff(desk: Desk, user_id: int, role: Role = Role.SPECIALIST) -> None:
    desk.staff_store.put_staff(StaffMember(user_id=user_id, role=role), invited_by=ADMIN)


class TestEvidence:
    def test_links_only_are_sent_at_once_protected_and_the_view_is_recorded(self) -> None:
        desk = Desk()
        code = case(desk)
        staff(desk, 8201)
        answer = desk.press(8201, callbacks.case("ev", code), update_id=77)
        [sent] = answer.direct
        assert sent.params["protect_content"] is True and "https://vk.com/wall-1_1" in sent.params["text"]
        assert desk.staff_store.events[code]["view-77"] == {"type": "evidence_view", "by": 8201}
        again = desk.press(8201, callbacks.case("ev", code), update_id=77)
        assert again.direct == []  # a re-sent press: sent already

    def test_media_ask_for_a_confirmation_first_then_go_out_with_the_cards_buttons_back(self) -> None:
        desk = Desk()
        code = case(desk, media=[VIDEO])
        staff(desk, 8202)
        warned = desk.press(8202, callbacks.case("ev", code))
        assert text_of(warned).endswith(t("ru", "evidence_confirm_warning"))
        assert callbacks.case("evok", code) in buttons_of(warned)
        shown = desk.press(8202, callbacks.case("evok", code))
        assert [c.method for c in shown.direct] == ["sendMessage", "sendVideo", "editMessageReplyMarkup"]
        assert shown.direct[1].params["video"] == "file-v" and shown.direct[1].params["protect_content"] is True
        assert desk.press(8202, callbacks.case("ev", code)).direct[0].method == "sendMessage"  # acknowledged once

    def test_sexual_exploitation_material_only_for_child_safety(self) -> None:
        desk = Desk()
        code = case(desk, "sexual", media=[VIDEO])
        staff(desk, 8203, Role.ADMIN)
        refused = desk.press(8203, callbacks.case("ev", code))
        assert text_of(refused) == t("ru", "refuse_evidence_restricted")
        staff(desk, 8204, Role.CHILD_SAFETY)
        warned = desk.press(8204, callbacks.case("ev", code))
        assert text_of(warned).endswith(t("ru", "evidence_confirm_sexual"))
        again = desk.press(8204, callbacks.case("ev", code))  # never acknowledged for good: asked every time
        assert text_of(again).endswith(t("ru", "evidence_confirm_sexual"))
