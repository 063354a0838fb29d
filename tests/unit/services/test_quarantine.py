"""Quarantine, on in-memory ports: the post becomes a case first, then is deleted and a notice coalesced."""

from __future__ import annotations

from functions.domain.jobs import DeliveryJob
from functions.i18n import t
from tests.unit.fakes import ADMIN, Desk, text_of

GROUP = -100600
URL = "https://youtube.com/watch?v=abcdefghijk"


class TestQuarantineSetting:
    def test_admins_only(self) -> None:
        desk = Desk()
        refused = desk.message(5001, "/quarantine on", chat_id=GROUP, chat_type="group")
        assert text_of(refused) == t("ru", "admins_only") and GROUP not in desk.store.groups

    def test_on_without_delete_rights_warns_at_once(self) -> None:
        desk = Desk(can_delete=False)
        answer = text_of(desk.message(ADMIN, "/quarantine on", chat_id=GROUP, chat_type="group"))
        assert t("ru", "quarantine_needs_rights") in answer
        group = desk.store.groups[GROUP]
        assert (group["quarantine"], group["enabled"], group["rights_warned"], group["bot_can_delete"]) == (
            True,
            True,
            True,
            False,
        )

    def test_usage_and_off(self) -> None:
        desk = Desk()
        assert text_of(desk.message(ADMIN, "/quarantine", chat_id=GROUP, chat_type="group")) == t(
            "ru", "quarantine_usage"
        )
        assert text_of(desk.message(ADMIN, "/quarantine off", chat_id=GROUP, chat_type="group")) == t(
            "ru", "quarantine_off"
        )
        assert desk.store.groups[GROUP]["quarantine"] is False


class TestQuarantinedPost:
    def test_the_post_is_stored_then_deleted_and_one_notice_job_queued(self) -> None:
        desk = Desk()
        desk.store.update_group(GROUP, enabled=True, quarantine=True, bot_can_delete=True)
        answer = desk.link(5002, URL, chat_id=GROUP, chat_type="supergroup")
        [code] = desk.store.reports
        assert answer.body is not None and answer.body.method == "deleteMessage"
        jobs = [m for topic, m, _ in desk.events.sent if topic == "deliveries"]
        assert len(jobs) == 1 and isinstance(jobs[0], DeliveryJob) and jobs[0].kind == "group_notice"
        assert list(desk.store.group_notices.values()) == [[code]]

    def test_without_delete_rights_the_author_gets_the_code_and_the_group_one_warning(self) -> None:
        desk = Desk()
        desk.store.update_group(GROUP, enabled=True, quarantine=True, bot_can_delete=False)
        first = text_of(desk.link(5003, URL, chat_id=GROUP, chat_type="supergroup"))
        second = text_of(desk.link(5004, "https://vk.com/wall-5_6", chat_id=GROUP, chat_type="supergroup"))
        assert t("ru", "quarantine_needs_rights") in first and t("ru", "quarantine_needs_rights") not in second
        assert all(job[0] != "deliveries" for job in desk.events.sent)
