"""Staff: onboarding, routed cards through fan_out and deliver, the workflow, and answers to reporters."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from functions import bootstrap
from functions.domain.workflow import Role, StaffMember
from tests.integration.helpers import code_in, press, report_link, say, send_media
from tests.stack import ADMIN_ID, Stack, wait_for


def add_staff(
    user_id: int, role: str, regions: tuple[str, ...] = (), *, on_duty: bool = False, lang: str = "ru"
) -> None:
    bootstrap.cases().put_staff(
        StaffMember(
            user_id=user_id, role=Role(role), regions=regions, on_duty=on_duty, name=f"Officer {user_id}", lang=lang
        ),
        invited_by=ADMIN_ID,
    )


def card(stack: Stack, chat_id: int, code: str, timeout: float = 20.0) -> dict[str, Any]:
    """The card of a case in a staff chat, once it arrived."""
    return wait_for(
        lambda: next(
            (m for m in stack.double.messages(chat_id) if code in str(m.get("text")) and m.get("reply_markup")), None
        ),
        timeout,
    )


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


def press_card(stack: Stack, user_id: int, message: dict[str, Any], label: str) -> dict[str, Any]:
    return stack.double.press_button(user_id, user_id, message["message_id"], text=label)


def last_answer(stack: Stack) -> str:
    return str(stack.double.calls("answerCallbackQuery")[-1]["params"].get("text", ""))


class TestOnboarding:
    def test_invite_registers_once(self, stack: Stack) -> None:
        say(stack, ADMIN_ID, "/invite regional 71,75")
        text = stack.last_bot_message(ADMIN_ID)["text"]
        assert "?start=inv_" in text and "72" in text
        payload = text.split("?start=")[1].split()[0]
        say(stack, 5001, f"/start {payload}")
        staff = stack.doc("staff/5001")
        assert staff is not None and staff["role"] == "regional" and staff["regions"] == ["71", "75"]
        assert "name" in staff and "Добро пожаловать" in stack.last_bot_message(5001)["text"]
        menu = stack.double.calls("setMyCommands")[-1]
        assert menu["status"] == 200 and str(menu["params"]["scope"]["chat_id"]) == "5001"
        assert "queue" in {c["command"] for c in menu["params"]["commands"]}
        assert "invite" not in {c["command"] for c in menu["params"]["commands"]}
        say(stack, 5002, f"/start {payload}")
        assert "недействительно" in stack.last_bot_message(5002)["text"]
        assert stack.doc("staff/5002") is None

    def test_non_admin_cannot_invite_and_bad_arguments_get_usage(self, stack: Stack) -> None:
        add_staff(5003, "specialist")
        say(stack, 5003, "/invite admin")
        assert "только для администраторов" in stack.last_bot_message(5003)["text"]
        say(stack, 5004, "/invite admin")
        assert "Нет доступа" in stack.last_bot_message(5004)["text"]
        say(stack, ADMIN_ID, "/invite regional 99")
        assert "/invite" in stack.last_bot_message(ADMIN_ID)["text"]

    def test_staff_list_revoke_and_duty(self, stack: Stack) -> None:
        add_staff(5005, "specialist")
        say(stack, 5005, "/duty on")
        assert stack.doc("staff/5005")["on_duty"] is True  # type: ignore[index]
        say(stack, ADMIN_ID, "/staff")
        assert "5005" in stack.last_bot_message(ADMIN_ID)["text"]
        say(stack, ADMIN_ID, "/revoke 5005")
        assert stack.doc("staff/5005")["active"] is False  # type: ignore[index]
        say(stack, 5005, "/duty off")
        assert "Нет доступа" in stack.last_bot_message(5005)["text"]


class TestRoutingAndCards:
    def test_cards_reach_exactly_the_right_people_with_the_right_buttons(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(6001, "regional", ("71",))
        add_staff(6002, "regional", ("75",))
        add_staff(6003, "specialist", on_duty=True)
        add_staff(6004, "specialist", on_duty=False)
        add_staff(6005, "admin")
        code = code_in(report_link(stack, 6100, "https://tiktok.com/@a/video/7322222222222222222"))
        first = card(stack, 6001, code)
        assert buttons(first) == [
            "Взять в работу",
            "Отклонить…",
            "Категория…",
            "Открыть материалы",
            "📨 Сообщили: TikTok",  # the takedown track (issue 13)
            "🔄 Проверить ссылки",
            "Написать заявителю",  # conversations (issue 12)
        ]
        assert "tiktok.com/video/7322222222222222222" in first["text"] and first["protect_content"] is True
        card(stack, 6003, code)
        wait_for(lambda: stack.doc(f"reports/{code}")["fanout_pending"] is False)  # type: ignore[index]
        for nobody in (6002, 6004, 6005):
            assert stack.double.messages(nobody) == []
        assert stack.doc(f"reports/{code}/events/v000000")["type"] == "created"  # type: ignore[index]

    def test_urgent_goes_to_every_specialist_and_admin(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(6011, "specialist")
        add_staff(6012, "admin")
        add_staff(6013, "regional", ("11",))
        code = code_in(report_link(stack, 6110, "https://t.me/chan/1", danger="Да, прямо сейчас"))
        card(stack, 6011, code)
        card(stack, 6012, code)
        assert "СРОЧНО" in card(stack, 6011, code)["text"]
        assert stack.double.messages(6013) == []

    def test_sexual_exploitation_only_to_child_safety_and_admins(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(6021, "child_safety")
        add_staff(6022, "admin")
        add_staff(6023, "specialist", on_duty=True)
        add_staff(6024, "regional", ("71",))
        code = code_in(report_link(stack, 6120, "https://vk.com/wall-5_6", category="Сексуальное насилие, совращение"))
        card(stack, 6021, code)
        card(stack, 6022, code)
        wait_for(lambda: stack.doc(f"reports/{code}")["fanout_pending"] is False)  # type: ignore[index]
        assert stack.double.messages(6023) == [] and stack.double.messages(6024) == []

    def test_an_event_delivered_twice_gives_no_second_card(self, stack: Stack) -> None:
        add_staff(6031, "regional", ("71",))
        events = stack.pull_subscription("reports")
        report_link(stack, 6130, "https://instagram.com/p/Xyz123")
        event = stack.pull(events)[0]
        stack.connect_chain()
        body = {
            "subscription": "s",
            "message": {
                "data": base64.b64encode(json.dumps(event["data"]).encode()).decode(),
                "attributes": event["attributes"],
                "messageId": "1",
            },
        }
        for _ in range(3):
            assert httpx.post(f"{stack.functions.url}/fan_out", json=body, timeout=30).status_code == 200
        code = event["data"]["report_id"]
        card(stack, 6031, code)
        wait_for(lambda: stack.doc(f"cards/{code}_6031") and stack.doc(f"cards/{code}_6031")["lease_until"] is None)
        job = {
            "job_id": f"created-{code}:6031",
            "kind": "card",
            "report_id": code,
            "recipient_id": 6031,
            "event_id": f"created-{code}",
        }
        push = {"message": {"data": base64.b64encode(json.dumps(job).encode()).decode(), "messageId": "2"}}
        for _ in range(2):  # the same job re-delivered: the card is already there and unchanged
            assert httpx.post(f"{stack.functions.url}/deliver", json=push, timeout=30).status_code == 200
        time.sleep(1.0)
        sent = [c for c in stack.double.calls("sendMessage", chat_id=6031) if c["status"] == 200]
        assert len(sent) == 1
        assert len([m for m in stack.double.messages(6031) if code in str(m.get("text"))]) == 1


class TestWorkflow:
    def _case(self, stack: Stack, reporter: int = 7100, lang: str = "ru") -> str:
        stack.connect_chain()
        if lang == "kk":
            say(stack, reporter, "https://youtu.be/zzzzzzzzzzz", lang="kk")
            for label in ("Басқа", "Жоқ", "Астана қаласы", "Жіберу"):
                press(stack, reporter, label, lang="kk")
            return code_in(stack.last_bot_message(reporter)["text"])
        return code_in(report_link(stack, reporter, f"https://youtu.be/{reporter:011d}"))

    def test_take_race_of_twenty_gives_one_owner(self, stack: Stack) -> None:
        people = list(range(7001, 7021))
        for person in people:
            add_staff(person, "regional", ("71",))
        code = self._case(stack)
        cards_by_person = {person: card(stack, person, code, timeout=40) for person in people}
        with ThreadPoolExecutor(len(people)) as pool:
            results = list(pool.map(lambda p: press_card(stack, p, cards_by_person[p], "Взять в работу"), people))
        assert all(r["status"] == 200 for r in results), results
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["status"] == "in_progress" and report["assignee"] in people
        answers = [c["params"].get("text", "") for c in stack.double.calls("answerCallbackQuery")]
        assert sum("Готово" in a for a in answers) == 1
        assert sum(f"Officer {report['assignee']}" in a for a in answers) == len(people) - 1
        events = [e for e in bootstrap.oversight_store().events_of(code) if e.get("type") == "transition"]
        assert len(events) == 1

    def test_full_workflow_and_reporters_hear_back_without_staff_names(self, stack: Stack) -> None:
        add_staff(7101, "regional", ("71",))
        code = self._case(stack, reporter=7150, lang="kk")
        mine = card(stack, 7101, code)
        press_card(stack, 7101, mine, "Взять в работу")
        notice = wait_for(lambda: next((t for t in stack.bot_texts(7150) if "жұмысқа алды" in t), None))
        assert "Officer" not in notice
        press_card(stack, 7101, stack.double.get_message(7101, mine["message_id"]), "Передать…")
        press_card(stack, 7101, stack.double.get_message(7101, mine["message_id"]), "Передать в полицию")
        assert stack.doc(f"reports/{code}")["escalated_to"] == "police"  # type: ignore[index]
        wait_for(lambda: any("тиісті органдармен" in t for t in stack.bot_texts(7150)))
        assert not any("полиция" in t for t in stack.bot_texts(7150))  # never where it was passed (issue 11, 5)
        press_card(stack, 7101, stack.double.get_message(7101, mine["message_id"]), "Завершить…")
        press_card(stack, 7101, stack.double.get_message(7101, mine["message_id"]), "Завершить: контент удалён")
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["status"] == "resolved" and report["outcome"] == "content_removed"
        wait_for(lambda: any("контент жойылды" in t for t in stack.bot_texts(7150)))
        trail = [
            (e.get("from"), e.get("to"))
            for e in bootstrap.oversight_store().events_of(code)
            if e["type"] == "transition"
        ]
        assert trail == [("new", "in_progress"), ("in_progress", "escalated"), ("escalated", "resolved")]
        assert all(not any("Officer" in t for t in stack.bot_texts(7150)) for _ in [0])
        wait_for(lambda: "Открыть снова" in buttons(stack.double.get_message(7101, mine["message_id"]) or {}))

    def test_duplicate_reporters_hear_back_too(self, stack: Stack) -> None:
        add_staff(7201, "regional", ("71",))
        code = self._case(stack, reporter=7250)
        again = code_in(report_link(stack, 7251, "https://youtube.com/watch?v=00000007250"))
        assert again == code
        press_card(stack, 7201, card(stack, 7201, code), "Взять в работу")
        for reporter in (7250, 7251):
            wait_for(lambda r=reporter: any("взято в работу" in t for t in stack.bot_texts(r)))

    def test_illegal_and_unauthorised_presses_are_refused(self, stack: Stack) -> None:
        add_staff(7301, "regional", ("71",))
        add_staff(7302, "regional", ("75",))
        add_staff(7303, "regional", ("71",))
        code = self._case(stack, reporter=7350)
        mine = card(stack, 7301, code)
        data = f"s:res:{code}:content_removed"
        stack.double.press_button(7301, 7301, mine["message_id"], data=data)
        assert "недоступно" in last_answer(stack)
        stack.double.press_button(7301, 7301, mine["message_id"], data=f"s:take:{code}")
        other = card(stack, 7303, code)
        stack.double.press_button(7303, 7303, other["message_id"], data=data)
        assert "только ответственный" in last_answer(stack)
        say(stack, 7302, "hi")  # the out-of-region officer forges a press on a message of their own chat
        forged = stack.last_bot_message(7302)
        stack.double.press_button(7302, 7302, forged["message_id"], data=f"s:take:{code}")
        assert "вне вашей зоны" in last_answer(stack)
        bootstrap.cases().update_staff(7303, active=False)
        stack.double.press_button(7303, 7303, other["message_id"], data=f"s:rej:{code}:not_relevant")
        assert "Нет доступа" in last_answer(stack)
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["status"] == "in_progress" and report["assignee"] == 7301

    def test_evidence_goes_only_to_who_pressed_with_protect_content_and_is_audited(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(7401, "regional", ("71",))
        add_staff(7402, "regional", ("71",))
        send_media(stack, 7450, "video")
        for label in ("Драка, насилие между детьми", "Нет", "город Астана", "Отправить"):
            press(stack, 7450, label)
        code = code_in(stack.last_bot_message(7450)["text"])
        mine = card(stack, 7401, code)
        press_card(stack, 7401, mine, "Открыть материалы")
        assert "тяжёлыми" in last_answer(stack) and stack.double.calls("sendVideo") == []
        press_card(stack, 7401, stack.double.get_message(7401, mine["message_id"]), "⚠️ Да, открыть")
        videos = wait_for(lambda: stack.double.calls("sendVideo"))  # sent by deliver, paced (issue 11 hole 10)
        assert len(videos) == 1 and videos[0]["params"]["chat_id"] in (7401, "7401")
        assert videos[0]["params"]["protect_content"] in (True, "true") and videos[0]["status"] == 200
        assert (
            next(e for e in bootstrap.oversight_store().events_of(code) if e["type"] == "evidence_view")["by"] == 7401
        )
        assert not any(
            c["method"].startswith("send")
            and str(c["params"].get("chat_id")) == "7402"
            and c["method"] != "sendMessage"
            for c in stack.double.calls()
        )

    def test_a_reply_to_a_card_is_a_note(self, stack: Stack) -> None:
        add_staff(7501, "regional", ("71",))
        code = self._case(stack, reporter=7550)
        mine = card(stack, 7501, code)
        from devkit.botapi_double.builders import make_text_update

        update = make_text_update(7501, "Позвонил в школу", reply_to_message=mine)
        assert stack.double.post_update(update)["status"] == 200
        notes = [e for e in bootstrap.oversight_store().events_of(code) if e["type"] == "note"]
        assert notes and notes[0]["text"] == "Позвонил в школу" and notes[0]["by"] == 7501


class TestMerge:
    def test_a_duplicate_merged_into_the_main_case_moves_its_reporters_who_hear_back(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(7601, "regional", ("71",))
        main = code_in(report_link(stack, 7650, "https://youtu.be/mainmainmai"))
        duplicate = code_in(report_link(stack, 7651, "https://vk.com/video-5_55"))
        say(stack, 7601, f"/merge {duplicate} {main}")
        assert "дубликат" in stack.last_bot_message(7601)["text"]
        merged = stack.doc(f"reports/{duplicate}")
        assert merged is not None and merged["status"] == "rejected" and merged["merged_into"] == main
        assert stack.doc(f"reports/{main}")["reporter_count"] == 2  # type: ignore[index]
        assert stack.doc(f"reports/{main}/reporters/7651") is not None
        wait_for(lambda: any(main in t and "объединено" in t for t in stack.bot_texts(7651)))
        press_card(stack, 7601, card(stack, 7601, main), "Взять в работу")
        for reporter in (7650, 7651):
            wait_for(lambda r=reporter: any(main in t and "взято в работу" in t for t in stack.bot_texts(r)))

    def test_merge_needs_rights_and_two_codes(self, stack: Stack) -> None:
        add_staff(7602, "regional", ("75",))
        main = code_in(report_link(stack, 7652, "https://youtu.be/mainmainma2"))
        duplicate = code_in(report_link(stack, 7653, "https://vk.com/video-5_56"))
        say(stack, 7602, f"/merge {duplicate} {main}")
        assert "не найдено" in stack.last_bot_message(7602)["text"]  # as if not there (issue 11, hole 7)
        say(stack, 7602, "/merge nonsense")
        assert "/merge" in stack.last_bot_message(7602)["text"]
        say(stack, 7654, f"/merge {duplicate} {main}")
        assert "Нет доступа" in stack.last_bot_message(7654)["text"]
        assert stack.doc(f"reports/{duplicate}")["status"] == "new"  # type: ignore[index]
