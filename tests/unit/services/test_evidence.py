"""Evidence on request, on in-memory ports: restricted categories, the warning first, once per press."""

from __future__ import annotations

from functions.domain import callbacks
from functions.domain.case import Case
from functions.domain.jobs import DeliveryJob
from functions.domain.models import Media
from functions.domain.workflow import Role, StaffMember
from functions.i18n import t
from functions.services.evidence_pages import evidence_page, page_count
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
    def test_links_only_are_queued_for_deliver_and_the_view_is_recorded(self) -> None:
        desk = Desk()
        code = case(desk)
        staff(desk, 8201)
        answer = desk.press(8201, callbacks.case("ev", code), update_id=77)
        assert answer.direct == []  # nothing from the webhook: deliver sends the pages, paced
        [job] = [m for _, m, _ in desk.events.sent if isinstance(m, DeliveryJob) and m.kind == "evidence"]
        assert job.recipient_id == 8201 and job.report_id == code and job.argument == "0"
        assert desk.staff_store.events[code]["view-77"] == {"type": "evidence_view", "by": 8201}
        desk.press(8201, callbacks.case("ev", code), update_id=77)  # a re-sent press: queued already
        assert len([m for _, m, _ in desk.events.sent if isinstance(m, DeliveryJob)]) == 1

    def test_media_ask_for_a_confirmation_first_then_go_out_with_the_cards_buttons_back(self) -> None:
        desk = Desk()
        code = case(desk, media=[VIDEO])
        staff(desk, 8202)
        warned = desk.press(8202, callbacks.case("ev", code))
        assert text_of(warned).endswith(t("ru", "evidence_confirm_warning"))
        assert callbacks.case("evok", code) in buttons_of(warned)
        shown = desk.press(8202, callbacks.case("evok", code))
        assert [c.method for c in shown.direct] == ["editMessageReplyMarkup"]
        assert [m.kind for _, m, _ in desk.events.sent if isinstance(m, DeliveryJob)] == ["evidence"]
        desk.press(8202, callbacks.case("ev", code))  # acknowledged once: no second warning
        assert [m.kind for _, m, _ in desk.events.sent if isinstance(m, DeliveryJob)] == ["evidence"] * 2


class TestPages:
    def test_many_media_make_pages_of_ten_each_message_protected_the_links_on_the_first(self) -> None:
        media = [Media(kind="photo", file_id=f"f{i}", file_unique_id=f"u{i}") for i in range(23)]
        shown = Case(code="R222222", urls=["https://vk.com/wall-1_1"], media=media)
        assert page_count(shown) == 3
        first, last = evidence_page(shown, 5, "ru", 0), evidence_page(shown, 5, "ru", 2)
        assert len(first) == 11 and len(last) == 4 and evidence_page(shown, 5, "ru", 3) == []
        assert "1/3" in first[0].params["text"] and "https://vk.com/wall-1_1" in first[0].params["text"]
        assert "https://vk.com/wall-1_1" not in last[0].params["text"]
        assert all(c.params["protect_content"] is True and c.carries == "R222222" for c in first + last)
        assert [c.params["photo"] for c in last[1:]] == ["f20", "f21", "f22"]

    def test_one_page_keeps_the_plain_header(self) -> None:
        [header] = evidence_page(Case(code="R222222", urls=["https://x.org/a"]), 5, "kk", 0)
        assert header.params["text"].startswith(t("kk", "evidence_header", code="R222222"))

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
