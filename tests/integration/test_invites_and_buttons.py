"""Issue 11 hole 9: invites only in private chats, listed and cancellable, the inviter told; staff buttons only
in the staff member's own private chat; a child's request is never merged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.domain.time import utcnow
from tests.integration.helpers import code_in, press, report_link, say, start
from tests.integration.test_staff import add_staff, card, last_answer
from tests.stack import ADMIN_ID, Stack

pytestmark = pytest.mark.integration

GROUP = -100_911_001


def invite(stack: Stack, args: str = "specialist") -> str:
    say(stack, ADMIN_ID, f"/invite {args}")
    return str(stack.last_bot_message(ADMIN_ID)["text"]).split("?start=")[1].split()[0]


def group_message(stack: Stack, user: int = 911_050) -> dict:
    """A bot message in the group (its answer to a report posted there)."""
    say(stack, ADMIN_ID, "/enable_group", chat_id=GROUP)
    return stack.last_bot_message(GROUP)


class TestInvites:
    def test_an_invite_posted_in_a_group_is_not_redeemed_and_names_no_role_there(self, stack: Stack) -> None:
        payload = invite(stack)
        say(stack, 911_001, f"/start {payload}", chat_id=GROUP)
        assert stack.doc("staff/911001") is None
        assert not any("роль" in text.lower() for text in stack.bot_texts(GROUP))
        say(stack, 911_001, f"/start {payload}")  # still valid in the private chat
        assert stack.doc("staff/911001")["role"] == "specialist"  # type: ignore[index]

    def test_the_inviter_is_told_when_their_invite_is_used(self, stack: Stack) -> None:
        payload = invite(stack, "regional 71")
        before = len(stack.bot_texts(ADMIN_ID))
        say(stack, 911_002, f"/start {payload}")
        told = stack.bot_texts(ADMIN_ID)[before:]
        assert any("принял" in text and "911002" not in text for text in told), told

    def test_open_invites_are_listed_and_can_be_cancelled(self, stack: Stack) -> None:
        first = invite(stack, "regional 71")
        invite(stack, "child_safety")
        used = invite(stack, "specialist")
        say(stack, 911_003, f"/start {used}")
        say(stack, ADMIN_ID, "/invites")
        listing = stack.last_bot_message(ADMIN_ID)
        labels = [b["text"] for row in listing["reply_markup"]["inline_keyboard"] for b in row]
        assert len(labels) == 2 and all("✖" in label for label in labels), labels
        press(stack, ADMIN_ID, labels[0])
        say(stack, 911_004, f"/start {first}")
        assert stack.doc("staff/911004") is None
        assert "недействительно" in stack.last_bot_message(911_004)["text"]

    def test_only_admins_list_invites(self, stack: Stack) -> None:
        add_staff(911_005, "specialist")
        say(stack, 911_005, "/invites")
        assert "администратор" in stack.last_bot_message(911_005)["text"]

    def test_re_using_your_own_invite_does_not_skip_its_expiry(self, stack: Stack) -> None:
        payload = invite(stack)
        say(stack, 911_006, f"/start {payload}")
        stack.db.document("staff/911006").delete()
        stack.db.document(f"invites/{payload[4:]}").update({"expires_at": utcnow() - timedelta(hours=1)})
        say(stack, 911_006, f"/start {payload}")
        assert stack.doc("staff/911006") is None


class TestStaffButtonsOnlyInPrivate:
    def test_a_forged_queue_button_in_a_group_posts_nothing_there(self, stack: Stack) -> None:
        code = code_in(report_link(stack, 911_060, "https://vk.com/video-911_1"))
        message = group_message(stack)
        before = len(stack.double.messages(GROUP))
        stack.double.press_button(ADMIN_ID, GROUP, message["message_id"], data=f"q:c:{code}")
        assert len(stack.double.messages(GROUP)) == before
        assert not any(code in text for text in stack.bot_texts(GROUP))
        assert "личном" in last_answer(stack)

    @pytest.mark.parametrize(
        "data",
        [
            "s:take:{code}",
            "s:menu:{code}:resolve",
            "s:ev:{code}",
            "q:p:0",
        ],
    )
    def test_forged_card_buttons_in_a_group_change_nothing(self, stack: Stack, data: str) -> None:
        code = code_in(report_link(stack, 911_061, "https://vk.com/video-911_2"))
        message = group_message(stack)
        stack.double.press_button(ADMIN_ID, GROUP, message["message_id"], data=data.format(code=code))
        assert stack.doc(f"reports/{code}")["status"] == "new"  # type: ignore[index]
        shown = stack.double.get_message(GROUP, message["message_id"])
        assert code not in str(shown) and not shown.get("reply_markup")
        assert not any(code in text for text in stack.bot_texts(GROUP))
        assert not any(c["method"].startswith("send") and c["method"] != "sendMessage" for c in stack.double.calls())

    def test_buttons_still_work_in_the_staff_members_own_chat(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(911_070, "regional", ("71",))
        code = code_in(report_link(stack, 911_071, "https://vk.com/video-911_3"))
        mine = card(stack, 911_070, code)
        stack.double.press_button(911_070, 911_070, mine["message_id"], data=f"s:take:{code}")
        assert stack.doc(f"reports/{code}")["status"] == "in_progress"  # type: ignore[index]


class TestChildRequestsAreNeverMerged:
    def _child_case(self, stack: Stack, user: int) -> str:
        start(stack, user)
        press(stack, user, "Мне ещё нет 18 лет")
        press(stack, user, "город Астана")
        say(stack, user, "https://instagram.com/p/ChildMerge")
        press(stack, user, "Пусть со мной свяжется взрослый")
        return code_in(stack.last_bot_message(user)["text"])

    def test_merge_refuses_a_child_request_on_either_side(self, stack: Stack) -> None:
        child = self._child_case(stack, 911_080)
        other = code_in(report_link(stack, 911_081, "https://vk.com/video-911_4"))
        for pair in (f"{child} {other}", f"{other} {child}"):
            say(stack, ADMIN_ID, f"/merge {pair}")
            assert "ребён" in stack.last_bot_message(ADMIN_ID)["text"].lower()
        assert stack.doc(f"reports/{child}")["status"] == "new"  # type: ignore[index]
        assert stack.doc(f"reports/{other}")["status"] == "new"  # type: ignore[index]
